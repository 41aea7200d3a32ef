"""Strict JSON text -> the located value tree json_tree gives, read without tree-sitter.

A batch check spent five times tree-sitter's parse converting its JSON tree to values in
Python (many tree-sitter calls per value). This reader walks the text once, with the json
module's C string scanner for strings, so each value costs one Node and a few slices. It takes
only what `json.loads` accepts (strict: no comments, NaN or control characters, nothing after
the value); anything else raises NotStrict and the caller reads the text with tree-sitter, whose
error recovery and BG001 position are what a broken file needs.
"""

from __future__ import annotations

import re
from json.decoder import scanstring
from json.scanner import NUMBER_RE

from blastguard.engine.documents.json_tree import PLACEHOLDER
from blastguard.engine.values import LIST, MAP, MAX_DEPTH, SCALAR, UNKNOWN_PART, Node, scrub, unknown

# JSON's own whitespace; tree-sitter's is wider, but then json.loads would refuse the text too.
_SPACE = re.compile(r"[ \t\n\r]*")
_SKIP = _SPACE.match
_BLANK = " \t\n\r"


class NotStrict(Exception):
    """The text is not strict JSON (or nests deeper than MAX_DEPTH): read it with tree-sitter."""


def read(data: bytes) -> Node | None:
    """The value of a strict JSON text (None for one that holds only whitespace is not strict,
    so never returned for valid input). Offsets are bytes: the text is decoded as Latin-1, one
    character per byte, and only strings holding other bytes are decoded as UTF-8 again."""
    text = data.decode("latin-1")
    try:
        at = _SKIP(text).end()
        value, end = _Reader(data, text).value(at, 0)
        if _SKIP(text, end).end() != len(text):
            raise NotStrict("text after the value")
    except (IndexError, ValueError, RecursionError) as exc:  # json's scanstring raises ValueError
        raise NotStrict(str(exc)) from None
    return value


class _Reader:
    __slots__ = ("data", "text")

    def __init__(self, data: bytes, text: str):
        self.data, self.text = data, text

    def value(self, at: int, depth: int) -> tuple[Node, int]:
        """The value starting at `at` (not whitespace) and the offset just after it."""
        text = self.text
        first = text[at]
        if first == '"':
            found, end = scanstring(text, at + 1, True)
            if found.isascii():
                return Node(SCALAR, found, at, end), end
            return self.wide_string(at, end), end
        if first == "{":
            return self.mapping(at, depth)
        if first == "[":
            return self.sequence(at, depth)
        if first == "t" and text.startswith("true", at):
            return Node(SCALAR, True, at, at + 4), at + 4
        if first == "f" and text.startswith("false", at):
            return Node(SCALAR, False, at, at + 5), at + 5
        if first == "n" and text.startswith("null", at):
            return Node(SCALAR, None, at, at + 4), at + 4
        number = NUMBER_RE.match(text, at)
        if number is None:
            raise NotStrict(f"no value at byte {at}")
        integer, fraction, exponent = number.groups()
        if exponent and exponent[1] == "+":
            raise NotStrict("an exponent with a plus sign")  # tree-sitter-json calls that an error
        end = number.end()
        # What json.loads gives, and json_tree.convert too (int unless a fraction or exponent).
        value = float(integer + (fraction or "") + (exponent or "")) if fraction or exponent else int(integer)
        return Node(SCALAR, value, at, end), end

    def mapping(self, start: int, depth: int) -> tuple[Node, int]:
        # A string value (most of them) is read inline here and in sequence(): a call and a
        # tuple each per value.
        if depth >= MAX_DEPTH:
            raise NotStrict("deep")  # tree-sitter's reading raises the DocumentError, with its line
        text = self.text
        entries: dict[str, Node] = {}
        at, closed = self.opened(start, "}")
        if closed:
            return Node(MAP, entries, start, at), at
        while True:
            if text[at] != '"':
                raise NotStrict(f"no key at byte {at}")
            key, after = scanstring(text, at + 1, True)
            if not key.isascii():
                key = self.decoded(at, after)
            if text[after] != ":":
                after = _SKIP(text, after).end()
                if text[after] != ":":
                    raise NotStrict(f"no colon at byte {after}")
            after += 1
            if text[after] in _BLANK:
                # Most often the one space of `"key": value`: two look-ups, not a regex match.
                after = after + 1 if text[after] == " " and text[after + 1] not in _BLANK else _SKIP(text, after).end()
            if text[after] == '"':
                found, end = scanstring(text, after + 1, True)
                child = Node(SCALAR, found, after, end) if found.isascii() else self.wide_string(after, end)
                after = end
            else:
                child, after = self.value(after, depth + 1)
            child.key_start = at
            # A repeated key keeps its first place and takes the last value, as a dict does.
            entries[key] = child
            at, closed = self.advance(after, "}")
            if closed:
                return Node(MAP, entries, start, at), at

    def sequence(self, start: int, depth: int) -> tuple[Node, int]:
        if depth >= MAX_DEPTH:
            raise NotStrict("deep")
        text = self.text
        items: list[Node] = []
        at, closed = self.opened(start, "]")
        if closed:
            return Node(LIST, items, start, at), at
        while True:
            if text[at] == '"':
                found, after = scanstring(text, at + 1, True)
                items.append(Node(SCALAR, found, at, after) if found.isascii() else self.wide_string(at, after))
            else:
                item, after = self.value(at, depth + 1)
                items.append(item)
            at, closed = self.advance(after, "]")
            if closed:
                return Node(LIST, items, start, at), at

    def opened(self, start: int, closer: str) -> tuple[int, bool]:
        """Past `{` or `[` and its whitespace: (where the first entry starts, False), or
        (past the closer, True) when it is empty."""
        text = self.text
        at = start + 1
        if text[at] in _BLANK:
            at = _SKIP(text, at).end()
        return (at + 1, True) if text[at] == closer else (at, False)

    def advance(self, at: int, closer: str) -> tuple[int, bool]:
        """After an entry or item: (where the next one starts, False), or (past the closer, True)."""
        text = self.text
        if text[at] in _BLANK:
            at = _SKIP(text, at).end()
        mark = text[at]
        if mark == closer:
            return at + 1, True
        if mark != ",":
            raise NotStrict(f"no comma at byte {at}")
        at += 1
        if text[at] in _BLANK:
            at = _SKIP(text, at).end()
        return at, False

    def decoded(self, start: int, end: int) -> str:
        """A string holding non-ASCII bytes, decoded from the bytes as json_tree.decode_string does."""
        raw = self.data[start:end]
        if b"\\" not in raw:
            return scrub(raw[1:-1].decode("utf-8", "surrogatepass"))
        return scrub(scanstring(raw.decode("utf-8", "surrogatepass"), 1, True)[0])

    def wide_string(self, start: int, end: int) -> Node:
        found = self.decoded(start, end)
        if PLACEHOLDER in found:  # json_tree's stand-in for an interpolation: unknown there too
            result = unknown(start, end, self.data[start:end].decode("utf-8", "replace"))
            result.value = found.replace(PLACEHOLDER, UNKNOWN_PART)
            return result
        return Node(SCALAR, found, start, end)
