"""Terraform plans (`terraform show -json`): the deletes, replacements and forgets they will apply.

The format is documented at https://developer.hashicorp.com/terraform/internals/json-format
(`resource_changes`, `change.actions`, `action_reason`, `change.replace_paths`); `["forget"]`
is what a `removed` block with `lifecycle { destroy = false }` plans (Terraform 1.7+).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

from blastguard.engine.documents.json_tree import parse_json
from blastguard.engine.lines import LineIndex
from blastguard.engine.model import Finding, Rule, Severity
from blastguard.engine.options import Options
from blastguard.engine.values import LIST, MAP, Node

_URL = "https://developer.hashicorp.com/terraform/internals/json-format"


def _rule(id_: str, title: str, severity: Severity, message: str, note: str) -> Rule:
    return Rule(id=id_, title=title, language="terraform", category="destructive", severity=severity,
                message=message, note=note, url=_URL, source="builtin",
                metadata={"references": [_URL]})


DELETE_STATEFUL = _rule(
    "TF901", "Plan destroys a stateful resource", Severity.ERROR,
    "Terraform will destroy {address}{why}; lost: {lost}. {advice}",
    "A `delete` action in a saved plan on a resource that holds data (database, bucket, volume, "
    "key, DNS zone...): applying the plan deletes the object and everything in it. Terraform's "
    "`action_reason` says why: the block was removed or renamed, its module was removed, or "
    "`count`/`for_each` no longer produces its key. Safer: a `moved` block for a rename or a "
    "re-keying, a `removed` block with `lifecycle { destroy = false }` to stop managing it, and "
    "`lifecycle { prevent_destroy = true }` on anything that must not be deleted.")
REPLACE_STATEFUL = _rule(
    "TF902", "Plan replaces a stateful resource", Severity.ERROR,
    "Terraform will replace {address} ({order}){why}; the new object starts empty, and this is "
    "lost with the old one: {lost}. {advice}",
    "A replacement (`[\"delete\", \"create\"]`, or `[\"create\", \"delete\"]` with "
    "`create_before_destroy`) of a resource that holds data: the new object does not inherit "
    "the old one's contents. `replace_paths` names the attributes whose change forces it. "
    "Safer: revert the change to those attributes, or copy the data out first (snapshot, "
    "export) and apply in a reviewed window.")
DELETE = _rule(
    "TF903", "Plan destroys a resource", Severity.WARNING,
    "Terraform will destroy {address}{why}. {advice}",
    "A `delete` action in a saved plan. Often intended; when it comes from a rename or a "
    "`count` -> `for_each` change it is not, and a `moved` block avoids it.")
REPLACE = _rule(
    "TF904", "Plan replaces a resource", Severity.WARNING,
    "Terraform will replace {address} ({order}){why}. {advice}",
    "A replacement: the object is destroyed and created again, with a new id; whatever refers "
    "to it by id, and any state it had outside Terraform's attributes, is lost. Destroy-then-"
    "create also means a gap while neither exists.")
FORGET = _rule(
    "TF905", "Plan removes a resource from state without destroying it", Severity.INFO,
    "Terraform will forget {address}{why}: the object is not destroyed, but it leaves the state, "
    "so Terraform no longer manages it (nor deletes it later).",
    "A `forget` action (Terraform 1.7+), planned by a `removed` block with "
    "`lifecycle { destroy = false }`: the remote object stays. Worth a reviewer's eye because "
    "the object is now unmanaged, and a later `resource` block of the same name would try to "
    "create it again.")

PLAN_RULES = (DELETE_STATEFUL, REPLACE_STATEFUL, DELETE, REPLACE, FORGET)

# action_reason -> (why, what to do); the set "may change over time", so others are quoted.
_REASONS = {
    "replace_because_tainted": (
        " because it is tainted (a failed create, or `terraform taint`)",
        "Check why it is tainted; `terraform untaint` it if the object is healthy."),
    "replace_because_cannot_update": (
        " because the provider cannot make this change in place",
        "Revert the change unless a new object is intended."),
    "replace_by_request": (
        " because the plan was made with -replace",
        "Make sure the replacement is intended."),
    "delete_because_no_resource_config": (
        " because its resource block is no longer in the configuration",
        "If it was renamed or moved, add a `moved` block; to stop managing it without deleting "
        "it, use a `removed` block with `lifecycle { destroy = false }`."),
    "delete_because_no_module": (
        " because its module is no longer in the configuration",
        "If the module was renamed, add a `moved` block for it; to keep the objects, use a "
        "`removed` block with `lifecycle { destroy = false }`."),
    "delete_because_wrong_repetition": (
        " because its instance key no longer fits the resource's count or for_each",
        "If the instances were re-keyed (count -> for_each), add a `moved` block for each key."),
    "delete_because_count_index": (
        " because count no longer reaches index {index}",
        "If the instances were re-keyed, add a `moved` block for each one; otherwise make sure "
        "reducing count is intended."),
    "delete_because_each_key": (
        " because for_each no longer has the key {index}",
        "If the key was renamed, add a `moved` block from the old key to the new one."),
}
_DEFAULT_ADVICE = "Make sure the deletion is intended."


class PlanError(Exception):
    """Input that is not a readable Terraform plan; `line` is 1-based where known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True, slots=True)
class PlannedChange:
    """One entry of `resource_changes` that is not a plain create, read, update or no-op."""

    address: str
    type: str
    actions: tuple[str, ...]
    reason: str | None
    replace_paths: tuple[str, ...]
    index: object  # the count index or for_each key, or None
    deposed: str | None
    start: int  # byte span of the entry's "address" value
    end: int

    @property
    def kind(self) -> str:
        if "delete" in self.actions:
            return "replace" if "create" in self.actions else "delete"
        return "forget" if "forget" in self.actions else "none"


def read(data: bytes) -> Node:
    """The plan's located value tree; PlanError when the text is not a Terraform plan."""
    try:
        json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise PlanError("not UTF-8 text") from None
    except ValueError as exc:
        raise PlanError(f"invalid JSON: {getattr(exc, 'msg', exc)}", getattr(exc, "lineno", None)) from None
    root, _ = parse_json(data)
    if root is None or root.kind != MAP or "format_version" not in root.value or not (
            "resource_changes" in root.value or "planned_values" in root.value):
        kind = "a state" if root is not None and root.get("values") is not None else "not a plan"
        raise PlanError(f"{kind}: expected the output of `terraform show -json PLANFILE` "
                        "(with format_version and resource_changes)")
    version = str(root.get("format_version").value)
    if version.split(".")[0] not in ("0", "1"):
        raise PlanError(f"unsupported plan format_version {version} (Blastguard reads 0.x and 1.x)")
    return root


def changes(root: Node) -> list[PlannedChange]:
    """The planned changes that destroy or forget a managed resource instance."""
    found = []
    for entry in _items(root.get("resource_changes")):
        if _text(entry.get("mode")) == "data":
            continue  # data sources are read, never destroyed
        change = entry.get("change")
        actions = tuple(_text(a) for a in _items(change.get("actions") if change else None, scalars=True))
        address = entry.get("address") or entry
        planned = PlannedChange(
            address=_text(entry.get("address")) or _text(entry.get("type")),
            type=_text(entry.get("type")), actions=actions,
            reason=_text(entry.get("action_reason")) or None,
            replace_paths=tuple(_path(p) for p in _items(change.get("replace_paths") if change else None,
                                                         scalars=True)),
            index=_value(entry.get("index")), deposed=_text(entry.get("deposed")) or None,
            start=address.start, end=address.end)
        if planned.kind != "none":
            found.append(planned)
    return found


def findings(path: str, data: bytes, options: Options, stateful: Callable[[str], str | None],
             root: Node | None = None) -> list[Finding]:
    """Findings for the deletes, replacements and forgets a plan will apply.

    `stateful(type)` says what destroying a resource of that type loses, or None when its
    destruction loses no data (the curated table of the destructive-change rules)."""
    root = root if root is not None else read(data)
    lines = LineIndex(data)
    found = []
    for change in changes(root):
        lost = stateful(change.type)
        rule = _rule_for(change, lost is not None)
        severity = options.severity_of(rule.id, rule.severity)
        if not options.enabled(rule.id) or severity == Severity.OFF:
            continue
        found.append(Finding(rule.id, rule.category, severity, path, change.start, change.end,
                             lines.position(change.start), lines.position(change.end),
                             message(rule, change, lost)))
    return sorted(found, key=lambda f: f.sort_key)


def planned_addresses(root: Node) -> list[tuple[int, int, str]]:
    """(start, end, address) of every resource in planned_values, in every module: where a
    file rule's finding in a plan is, said as Terraform says it."""
    values = root.get("planned_values")
    modules = [values.get("root_module")] if values is not None else []
    found = []
    while modules:
        module = modules.pop()
        if module is None or module.kind != MAP:
            continue
        found += [(r.start, r.end, _text(r.get("address"))) for r in _items(module.get("resources"))]
        modules.extend(_items(module.get("child_modules")))
    return found


def _rule_for(change: PlannedChange, is_stateful: bool) -> Rule:
    if change.kind == "forget":
        return FORGET
    if change.kind == "replace":
        return REPLACE_STATEFUL if is_stateful else REPLACE
    return DELETE_STATEFUL if is_stateful else DELETE


def message(rule: Rule, change: PlannedChange, lost: str | None = None) -> str:
    why, advice = _REASONS.get(change.reason or "", ("", _DEFAULT_ADVICE))
    if change.reason and change.reason not in _REASONS:
        why = f" (Terraform's reason: {change.reason})"
    index = json.dumps(change.index) if change.index is not None else "?"
    why = why.format(index=index)
    if change.replace_paths:
        why += f": {_join(change.replace_paths)} {'forces' if len(change.replace_paths) == 1 else 'force'} replacement"
        if change.reason == "replace_because_cannot_update":
            advice = f"Revert the change to {_join(change.replace_paths)} unless a new object is intended" + (
                "; copy the data out first (snapshot, export)." if lost else ".")
    if change.deposed:
        why += f" (deposed object {change.deposed}, left by an earlier create-before-destroy)"
    order = "create before destroy" if change.actions[:1] == ("create",) else "destroy, then create"
    return rule.message.format(address=change.address, why=why, order=order, advice=advice,
                               lost=lost or "its data")


def _join(paths: tuple[str, ...]) -> str:
    return ", ".join(f"`{p}`" for p in paths)


def _path(step_list: Node) -> str:
    """["settings", 0, "tier"] -> settings[0].tier"""
    out = ""
    for step in _items(step_list, scalars=True):
        if isinstance(step.value, int) and not isinstance(step.value, bool):
            out += f"[{step.value}]"
        else:
            out += ("." if out else "") + str(step.value)
    return out


def _items(node: Node | None, scalars: bool = False) -> list[Node]:
    if node is None or node.kind != LIST:
        return []
    return [n for n in node.value if scalars or n.kind == MAP]


def _text(node: Node | None) -> str:
    return str(node.value) if node is not None and node.value is not None and node.kind not in (MAP, LIST) else ""


def _value(node: Node | None):
    return node.value if node is not None and node.kind not in (MAP, LIST) else None
