"""Terraform JSON (.tf.json, and `terraform show -json` plans and states) -> terraform.RawBlock."""

from __future__ import annotations

from blastguard.engine.documents.terraform import RawBlock
from blastguard.engine.values import LIST, MAP, Node

_TWO_LABELS = {"resource", "data"}
_ONE_LABEL = {"module", "provider", "variable", "output"}


def is_plan(root: Node | None) -> bool:
    return root is not None and root.kind == MAP and "terraform_version" in root.value and (
        "planned_values" in root.value or "values" in root.value)


def blocks(root: Node | None) -> list[RawBlock]:
    if root is None or root.kind != MAP:
        return []
    if is_plan(root):
        return plan_blocks(root)
    found: list[RawBlock] = []
    for kind, group in root.items():
        if kind in _TWO_LABELS:
            for type_, named in _maps(group):
                for name, body in _maps(named):
                    found.extend(_block(kind, [type_, name], body))
        elif kind in _ONE_LABEL:
            for name, body in _maps(group):
                found.extend(_block(kind, [name], body))
    return found


def _maps(node: Node):
    """Entries of a map, or of each map in a list (both spellings are valid Terraform JSON)."""
    for item in node.value if node.kind == LIST else [node]:
        yield from item.items()


def _block(kind: str, labels: list[str], body: Node):
    for item in body.value if body.kind == LIST else [body]:
        if item.kind == MAP:
            yield RawBlock(kind, labels, item.entry_start, item.start + 1, lambda item=item: item)


def plan_blocks(root: Node) -> list[RawBlock]:
    """Resources of a plan's planned_values (or a state's values), in every module.

    A plan holds the values variables resolved to, so rules see what will really be applied.
    """
    values = root.get("planned_values") or root.get("values")
    found: list[RawBlock] = []
    modules = [values.get("root_module")] if values is not None and values.kind == MAP else []
    while modules:
        module = modules.pop(0)
        if module is None or module.kind != MAP:
            continue
        for resource in _items(module.get("resources")):
            type_, name, body = resource.get("type"), resource.get("name"), resource.get("values")
            if type_ is None or name is None or body is None or body.kind != MAP:
                continue
            kind = "data" if _text(resource.get("mode")) == "data" else "resource"
            header = resource.get("address") or type_
            found.append(RawBlock(kind, [_text(type_), _text(name)], header.start, header.end,
                                  lambda body=body: body))
        modules.extend(_items(module.get("child_modules")))
    return found


def _items(node: Node | None) -> list[Node]:
    if node is None:
        return []
    return [n for n in (node.value if node.kind == LIST else [node]) if n.kind == MAP]


def _text(node: Node | None) -> str:
    return str(node.value) if node is not None and node.value is not None else ""
