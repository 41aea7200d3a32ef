"""Kubernetes destructive changes (K8S6xx): immutable fields changed, data-holding objects removed.

Objects are matched by kind/namespace/name across every file of the change, so an object
moved to another file is no change.
"""

from __future__ import annotations

from blastguard.engine.change import tables
from blastguard.engine.change.context import Context
from blastguard.engine.change.documents import by_family, unreadable
from blastguard.engine.change.values import known, plain, short
from blastguard.engine.documents.kubernetes import is_object, object_id
from blastguard.engine.values import LIST, Node

IMMUTABLE, REMOVED = "K8S601", "K8S602"


def compare(ctx: Context) -> None:
    old, new = _objects(ctx, "old"), _objects(ctx, "new")
    immutable = tables.table("kubernetes").get("immutable", {})
    removal = tables.table("kubernetes").get("removal", {})
    for key, (path, obj) in new.items():
        if key not in old:
            continue
        entry = immutable.get(_kind(obj))
        if entry:
            _immutable(ctx, key, old[key][1], path, obj, entry)
    broken = unreadable(ctx, "new")
    for key, (path, obj) in old.items():
        entry = removal.get(_kind(obj))
        if entry and key not in new and path not in broken:
            ctx.report_removed(REMOVED, path, obj.entry_start, {"object": key, "kind": _kind(obj), "lost": entry["lost"]},
                               change=(key, "(removed)"), stateful=True, unit=key)


def _objects(ctx: Context, side: str) -> dict[str, tuple[str, Node]]:
    found: dict[str, tuple[str, Node]] = {}
    for doc in by_family(ctx, side, "kubernetes"):
        value = doc.value
        kind = _kind(value)
        items = value.get("items")
        objects = [i for i in items.value if is_object(i)] if kind.endswith("List") and items is not None \
            and items.kind == LIST else [value]
        for obj in objects:
            found.setdefault(object_id(obj), (doc.path, obj))
    return found


def _kind(obj: Node) -> str:
    kind = obj.get("kind")
    return str(kind.value) if kind is not None else ""


def _at(node: Node | None, path: str) -> Node | None:
    for key in path.split("."):
        node = node.get(key) if node is not None else None
    return node


def _immutable(ctx: Context, key: str, old: Node, path: str, new: Node, entry: dict) -> None:
    for field in entry["fields"]:
        before, after = _at(old, field), _at(new, field)
        if before is None and after is None:
            continue
        if (before is not None and not known(before)) or (after is not None and not known(after)):
            continue
        was, now = plain(before), plain(after)
        if was == now:
            continue
        if field.startswith("spec.clusterIP") and now in (None, "", []):
            continue  # left out: the server keeps the address it has
        node = after if after is not None else new.get("kind")
        ctx.report(IMMUTABLE, path, node.entry_start, node.end,
                   {"object": key, "field": field, "old": short(was), "new": short(now) if after is not None else "unset",
                    "lost": entry["lost"]},
                   change=(f"{key}: {field} = {short(was)}", f"{key}: {field} = " + (short(now) if after is not None else "(unset)")),
                   stateful=bool(entry.get("stateful")), unit=key)

