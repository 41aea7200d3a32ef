"""CloudFormation destructive changes (CFN6xx) between two versions of each template.

A template is a stack: its resources are matched by logical id within the file.
"""

from __future__ import annotations

from blastguard.engine.change import tables
from blastguard.engine.change.context import Context
from blastguard.engine.change.documents import by_family, unreadable
from blastguard.engine.change.values import known, plain, short
from blastguard.engine.documents.cloudformation import intrinsics
from blastguard.engine.values import MAP, SCALAR, Node

REMOVED, REPLACED, RETAIN_REMOVED = "CFN601", "CFN602", "CFN603"
_KEPT = ("Retain", "RetainExceptOnCreate", "Snapshot")


def compare(ctx: Context) -> None:
    old, new = _templates(ctx, "old"), _templates(ctx, "new")
    broken = unreadable(ctx, "new")
    for path in sorted(set(old) | set(new)):
        if path not in broken:  # a template that does not parse now says nothing of what it removes
            _compare_template(ctx, path, old.get(path, {}), new.get(path, {}))


def _templates(ctx: Context, side: str) -> dict[str, dict[str, Node]]:
    found: dict[str, dict[str, Node]] = {}
    for doc in by_family(ctx, side, "cloudformation"):
        intrinsics(doc.value)
        resources = doc.value.get("Resources")
        found.setdefault(doc.path, {}).update(
            (name, r) for name, r in resources.items() if r.kind == MAP and _type(r))
    return found


def _type(resource: Node) -> str:
    node = resource.get("Type")
    return node.value if node is not None and node.kind == SCALAR and isinstance(node.value, str) else ""


def _policy(resource: Node, name: str) -> str | None:
    """DeletionPolicy or UpdateReplacePolicy as written or by default; None when unresolved."""
    node = resource.get(name)
    if node is None:
        entry = tables.stateful("cloudformation").get(_type(resource)) or {}
        props = resource.get("Properties")
        if entry.get("default_policy") and not (props is not None and props.get("DBClusterIdentifier") is not None):
            return entry["default_policy"]
        return "Delete"
    return node.value if node.kind == SCALAR and isinstance(node.value, str) else None


def _compare_template(ctx: Context, path: str, old: dict[str, Node], new: dict[str, Node]) -> None:
    stateful = tables.stateful("cloudformation")
    gone = [n for n in old if n not in new]
    added = [n for n in new if n not in old]
    for name in gone:
        resource = old[name]
        type_ = _type(resource)
        if type_ not in stateful or _policy(resource, "DeletionPolicy") in _KEPT or \
                _policy(resource, "DeletionPolicy") is None:
            continue
        same = [n for n in added if _type(new[n]) == type_ and plain(new[n].get("Properties")) ==
                plain(resource.get("Properties"))]
        fields = {"id": name, "type": type_, "lost": stateful[type_]["lost"]}
        if same:
            added.remove(same[0])
            target = new[same[0]]
            fields["now"] = f"renamed to {same[0]}"
            ctx.report(REMOVED, path, target.entry_start, target.end, fields, change=(name, same[0]),
                       stateful=True, unit=same[0])
        else:
            fields["now"] = "removed"
            ctx.report_removed(REMOVED, path, resource.entry_start, fields, change=(name, "(removed)"),
                               stateful=True, unit=name)
    for name in old.keys() & new.keys():
        _compare_resource(ctx, path, name, old[name], new[name])


def _compare_resource(ctx: Context, path: str, name: str, old: Node, new: Node) -> None:
    type_ = _type(new)
    if type_ != _type(old):
        return
    lost = tables.lost("cloudformation", type_)
    if _policy(old, "DeletionPolicy") in _KEPT and _policy(new, "DeletionPolicy") not in _KEPT + (None,):
        node = new.get("DeletionPolicy") or new.get("Type")
        ctx.report(RETAIN_REMOVED, path, node.entry_start, node.end,
                   {"id": name, "old": _policy(old, "DeletionPolicy"),
                    "new": _policy(new, "DeletionPolicy") + ("" if new.get("DeletionPolicy") is not None else " (the default)"),
                    "lost": lost or "the resource"},
                   change=(f"{name}: DeletionPolicy {_policy(old, 'DeletionPolicy')}",
                           f"{name}: DeletionPolicy {_policy(new, 'DeletionPolicy')}"),
                   stateful=lost is not None, unit=name)
    entry = tables.table("cloudformation").get("replacement", {}).get(type_)
    if not entry or _policy(new, "UpdateReplacePolicy") in _KEPT + (None,):
        return
    before_props, after_props = old.get("Properties"), new.get("Properties")
    for prop in entry["properties"]:
        before = before_props.get(prop) if before_props is not None else None
        after = after_props.get(prop) if after_props is not None else None
        if before is None and after is None:
            continue
        if (before is not None and not known(before)) or (after is not None and not known(after)):
            continue
        if plain(before) == plain(after):
            continue
        node = after if after is not None else new.get("Type")
        ctx.report(REPLACED, path, node.entry_start, node.end,
                   {"id": name, "property": prop, "old": short(plain(before)) if before is not None else "unset",
                    "new": short(plain(after)) if after is not None else "unset", "lost": lost or "the resource",
                    "source": entry.get("source", "")},
                   change=(f"{name}: {prop} = " + (short(plain(before)) if before is not None else "(unset)"),
                           f"{name}: {prop} = " + (short(plain(after)) if after is not None else "(unset)")),
                   stateful=lost is not None, unit=name)
