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


def read(path: str, data: bytes) -> list[Doc]:
    """The classified documents of one file. Chart templates are left out: their names and
    values are unknown until rendered, and an unknown value keeps a rule silent."""
    detected = languages.detect(path, data[:languages.SNIFF_BYTES])
    if detected is None or detected[0] not in ("yaml", "json"):
        return []
    syntax = detected[1]
    try:
        if syntax == "yaml":
            if helm.needs_mask(data):
                return []
            values = yaml_tree.documents(parsing.parse("yaml", data).root_node)
        else:
            root = parsing.parse("json", data).root_node
            value = next((c for c in root.named_children if c.type != "comment"), None)
            values = [json_tree.convert(value, json_tree.offset_locator(0))] if value is not None else []
    except (DocumentError, RecursionError):
        return []
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
        ctx.cache[key] = [doc for path in sorted(files) for doc in read(path, files[path])]
    return [doc for doc in ctx.cache[key] if doc.family == family]
