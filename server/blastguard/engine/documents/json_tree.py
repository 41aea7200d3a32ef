"""JSON text -> located value tree, via tree-sitter-json (also used for JSON embedded in strings)."""

from __future__ import annotations

import json
import re
from typing import Callable, Sequence

from blastguard.engine import parsing
from blastguard.engine.values import LIST, MAP, MAX_DEPTH, UNKNOWN_PART, DocumentError, Node, scalar, scrub, unknown

# Stands in for an interpolation (`${...}`) inside embedded JSON; a string containing it is unknown.
PLACEHOLDER = UNKNOWN_PART + "bg" + UNKNOWN_PART

Locate = Callable[[int], int]
# What json.loads must judge in a string's body: escapes, control characters, a stray quote.
_NEEDS_DECODING = re.compile(rb'[\x00-\x1f"\\]')


def offset_locator(base: int) -> Locate:
    return lambda i: base + i


def table_locator(table: Sequence[int], end: int) -> Locate:
    """Map byte i of decoded text to table[i] in the source; past the end maps to `end`."""
    return lambda i: table[i] if i < len(table) else end


def parse_json(data: bytes, locate: Locate | None = None) -> tuple[Node | None, object]:
    """Parse JSON bytes; return (value tree or None, tree-sitter tree)."""
    tree = parsing.parse("json", data)
    root = tree.root_node
    value = next((c for c in root.named_children if c.type != "comment"), None)
    if value is None:
        return None, tree
    return convert(value, locate or offset_locator(0)), tree


def convert(node, locate: Locate, depth: int = 0) -> Node:
    if depth > MAX_DEPTH:
        raise DocumentError(
            f"nesting deeper than {MAX_DEPTH} levels", node.start_point[0] + 1
        )
    start, end = locate(node.start_byte), locate(node.end_byte)
    t = node.type
    if t == "object":
        entries: dict[str, Node] = {}
        for pair in node.named_children:
            if pair.type != "pair":
                continue
            key_node, value_node = pair.child_by_field_name("key"), pair.child_by_field_name("value")
            if key_node is None or value_node is None:
                continue
            key = decode_string(key_node)
            if key is None:
                continue
            child = convert(value_node, locate, depth + 1)
            child.key_start = locate(key_node.start_byte)
            entries[key] = child
        return Node(MAP, entries, start, end)
    if t == "array":
        items = [convert(c, locate, depth + 1) for c in node.named_children if c.type != "comment"]
        return Node(LIST, items, start, end)
    if t == "string":
        text = decode_string(node)
        if text is None or PLACEHOLDER in text:
            result = unknown(start, end, node.text.decode("utf-8", "replace"))
            result.value = text.replace(PLACEHOLDER, UNKNOWN_PART) if text is not None else None
            return result
        result = scalar(text, start, end)
        if text[:1] == "{":
            result.src = node  # may hold an embedded JSON policy
        return result
    if t == "number":
        raw = node.text.decode()
        try:
            return scalar(int(raw) if raw.lstrip("-").isdigit() else float(raw), start, end)
        except ValueError:
            return unknown(start, end, raw)
    if t in ("true", "false"):
        return scalar(t == "true", start, end)
    if t == "null":
        return scalar(None, start, end)
    return unknown(start, end, node.text.decode("utf-8", "replace"))


def decode_string(node) -> str | None:
    if node.type != "string":
        return None
    raw = node.text
    body = raw[1:-1]
    # Nothing to decode (no escape, no control character, quoted): most strings are like that,
    # and json.loads costs several times the slice. It decodes bytes as below, too.
    if len(raw) >= 2 and raw[0] == raw[-1] == 0x22 and _NEEDS_DECODING.search(body) is None:
        try:
            return scrub(body.decode("utf-8", "surrogatepass"))
        except UnicodeDecodeError:
            return None
    try:
        return scrub(json.loads(raw))
    except (ValueError, UnicodeDecodeError):
        return None
