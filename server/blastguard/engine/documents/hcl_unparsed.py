"""Terraform regions read without parsing them whole: blocks no rule reads, and a variable's `default` alone.

A region hcl_plain shows is valid has no syntax error, stray words or suppression comments to
find in a tree. A block of a kind no rule reads (an output) then needs no parse at all; a
`variable` block, read by rules only through its `default` (Demand.reads), needs only the
parse of that one line (its description and type are most of a registry module's variables.tf).
"""

from __future__ import annotations

import re

from blastguard.engine import parsing
from blastguard.engine.documents import hcl
from blastguard.engine.documents.terraform import RawBlock
from blastguard.engine.values import MAP, Node

SKIP, DEFAULT = "skip", "default"
# Blocks rules read, and others read through references and locals: always parsed.
_READ_KINDS = frozenset(("resource", "data", "module", "locals"))
# In a plain block every line is one attribute, a comment or blank: this is its `default`.
_DEFAULT_LINE = re.compile(rb"^[ \t]*+default[ \t]*+=[^\n]*+", re.M)
_HEADER = re.compile(rb'[A-Za-z_][A-Za-z0-9_-]*+((?:[ \t]++"[^"]*+")*+)')
_LABEL = re.compile(rb'"([^"]*+)"')


def how(item, whole: bool, wanted, demand) -> str | None:
    """SKIP, DEFAULT, or None (parse the region) for a region (terraform_hcl.Region)."""
    block = item.plain
    if block is None or block[0] in _READ_KINDS or whole or item.locals or b"blastguard" in item.text:
        return None
    if not wanted("terraform", *block):
        return SKIP
    if block[0] == "variable" and demand is not None and b"dynamic" not in item.text:
        reads = demand("terraform", *block).reads
        if reads is not None and reads <= {"default"} and len(_DEFAULT_LINE.findall(item.text)) <= 1:
            return DEFAULT
    return None


def variable(data: bytes, text: bytes, start: int, row: int, locals_) -> RawBlock:
    """The RawBlock hcl.blocks makes of a plain `variable` region, with a body of its `default`
    alone, converted from a parse of that line (the tree's offsets and points are the file's)."""
    header = _HEADER.match(text)
    labels = [m.group(1).decode("utf-8", "replace") for m in _LABEL.finditer(header.group(1))]
    end = start + header.end()
    line = _DEFAULT_LINE.search(text)

    def body() -> Node:
        entries = {}
        if line is not None:
            at, stop = start + line.start(), start + line.end()
            line_row = row + text.count(b"\n", 0, line.start())
            tree = parsing.parse_range("hcl", data, at, stop, (line_row, 0), (line_row, stop - at))
            found = next((c for c in tree.root_node.named_children if c.type == "body"), None)
            entries = hcl.body_value(found, 1).value if found is not None else {}
        # As hcl.block_value spans it: the whole block.
        return locals_.substitute(Node(MAP, entries, start, start + len(text), start))

    return RawBlock("variable", labels, start, end, body, None, start + len(text), locals_.substitute)
