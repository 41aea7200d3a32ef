"""The YAML and JSON documents of each version, by rule family, for comparing objects."""

from __future__ import annotations

from dataclasses import dataclass

from blastguard.engine import languages, parsing
from blastguard.engine.documents import helm, json_tree, kinds, yaml_tree
from blastguard.engine.values import DocumentError, Node


@dataclass(slots=True)
class Doc:
    path: str
    family: str  # kubernetes, cloudformation, ...
    value: Node


def read(path: str, data: bytes) -> list[Doc] | None:
    """The classified documents of one file; None when it cannot be read whole (a syntax
    error, too deep, or a chart template, whose names and values are unknown until rendered):
    then what seems to be missing from it may only be unreadable."""
    detected = languages.detect(path, data[:languages.SNIFF_BYTES])
    if detected is None or detected[0] not in ("yaml", "json"):
        return []
    syntax = detected[1]
    try:
        if syntax == "yaml":
            if helm.needs_mask(data):
                return None
            root = parsing.parse("yaml", data).root_node
            values = yaml_tree.documents(root, data)
        else:
            root = parsing.parse("json", data).root_node
            value = next((c for c in root.named_children if c.type != "comment"), None)
            values = [json_tree.convert(value, json_tree.offset_locator(0))] if value is not None else []
    except (DocumentError, RecursionError):
        return None
    if root.has_error:
        return None
    found = []
    for value in values:
        family = kinds.classify(value, path, syntax)
        if family is not None:
            found.append(Doc(path, family, value))
    return found


def by_family(ctx, side: str, family: str) -> list[Doc]:
    """The documents of one family in every file of one side ("old" or "new"), in path order;
    each file is read once per comparison."""
    key = ("documents", side)
    if key not in ctx.cache:
        files = ctx.old if side == "old" else ctx.new
        docs, unreadable = [], set()
        for path in sorted(files):
            found = read(path, files[path])
            if found is None:
                unreadable.add(path)
            docs.extend(found or [])
        ctx.cache[key], ctx.cache[("unreadable", side)] = docs, unreadable
    return [doc for doc in ctx.cache[key] if doc.family == family]


def unreadable(ctx, side: str) -> set[str]:
    """Paths of one side that could not be read whole (after by_family has read that side)."""
    return ctx.cache.get(("unreadable", side), set())
