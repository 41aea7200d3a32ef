"""Strict JSON text -> the located value tree json_tree gives, read without tree-sitter.

A batch check spent five times tree-sitter's parse converting its JSON tree to values in
Python (many tree-sitter calls per value). This reader walks the text once: most map entries and
list items in one regex match each (separator, key, colon, plain string value), other strings
with the json module's C string scanner, so each value costs one Node and a few slices; containers
below the top levels go to the C scanner whole (json_lazy), their spans found when asked. It takes
only what `json.loads` accepts (strict: no comments, NaN or control characters, nothing after
the value); anything else raises NotStrict and the caller reads the text with tree-sitter, whose
error recovery and BG001 position are what a broken file needs.
"""

from __future__ import annotations

import re
from json.decoder import scanstring
from json.scanner import NUMBER_RE

from blastguard.engine.documents import json_lazy
from blastguard.engine.documents.json_tree import PLACEHOLDER
from blastguard.engine.values import LIST, MAP, MAX_DEPTH, SCALAR, UNKNOWN_PART, Node, scrub, unknown

# JSON's own whitespace; tree-sitter's is wider, but then json.loads would refuse the text too.
_SPACE = re.compile(r"[ \t\n\r]*")
_SKIP = _SPACE.match
_BLANK = " \t\n\r"
# Most entries are read by one match each: the whitespace and comma before it (or the closer), its
# key and colon, and its value when that is a string. Only strings without escapes, control
# characters or non-ASCII bytes, which scanstring would return as they are written; any other entry
# fails the match and is read step by step.
_WS = r"[ \t\n\r]*"
_PLAIN = r'"([^"\\\x00-\x1f\x80-\xff]*)"'
_ENTRY = rf"{_PLAIN}{_WS}:{_WS}(?:{_PLAIN})?"
_FIRST_ENTRY = re.compile(rf"\{{{_WS}(?:(\}})|{_ENTRY})").match
_NEXT_ENTRY = re.compile(rf"{_WS}(?:(\}})|,{_WS}{_ENTRY})").match
_FIRST_ITEM = re.compile(rf"\[{_WS}(?:(\])|{_PLAIN})?").match
_NEXT_ITEM = re.compile(rf"{_WS}(?:(\])|,{_WS}(?:{_PLAIN})?)").match


# Containers this deep (the root is 0) are read by json_lazy: in a CloudFormation template, each
# resource, parameter and output whole. Deeper would leave more to the C scanner but less located:
# a finding's span would open its section (the scanner again over every resource before it).
DEFER = 2


class NotStrict(Exception):
    """The text is not strict JSON (or nests deeper than MAX_DEPTH): read it with tree-sitter."""


def read(data: bytes, singles: list[Node] | None = None) -> Node | None:
    """The value of a strict JSON text (None for one that holds only whitespace is not strict,
    so never returned for valid input). Offsets are bytes: the text is decoded as Latin-1, one
    character per byte, and only strings holding other bytes are decoded as UTF-8 again.
    `singles`, when given, gets every map of exactly one entry, in the order they close: the
    shape of a CloudFormation intrinsic, which cloudformation.intrinsics then needs no walk to find."""
    text = data.decode("latin-1")
    try:
        at = _SKIP(text).end()
        value, end = _Reader(data, text, singles).value(at, 0)
        if _SKIP(text, end).end() != len(text):
            raise NotStrict("text after the value")
    except (IndexError, ValueError, RecursionError) as exc:  # json's scanstring raises ValueError
        raise NotStrict(str(exc)) from None
    return value


class _Reader:
    __slots__ = ("data", "text", "singles", "lazy", "scan")

    def __init__(self, data: bytes, text: str, singles: list[Node] | None):
        self.data, self.text = data, text
        self.singles = singles if singles is not None else []
        # json_lazy reads ASCII text only: there a character is a byte, as in its offsets.
        self.lazy = data.isascii()
        self.scan: json_lazy.Scanner | None = None

    def value(self, at: int, depth: int) -> tuple[Node, int]:
        """The value starting at `at` (not whitespace) and the offset just after it."""
        text = self.text
        first = text[at]
        if first == '"':
            found, end = scanstring(text, at + 1, True)
            if found.isascii():
                return Node(SCALAR, found, at, end), end
            return self.wide_string(at, end), end
        if first == "{" or first == "[":
            if depth >= DEFER and self.lazy:
                found = self.deferred(at, depth)
                if found is not None:
                    return found
            return self.mapping(at, depth) if first == "{" else self.sequence(at, depth)
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
        if depth >= MAX_DEPTH:
            raise NotStrict("deep")  # tree-sitter's reading raises the DocumentError, with its line
        text = self.text
        entries: dict[str, Node] = {}
        step = _FIRST_ENTRY(text, start)
        after = start
        while True:
            if step is not None:
                after = step.end()
                if step.group(1) is not None:
                    break
                key, key_start = step.group(2), step.start(2) - 1
                found = step.group(3)
                if found is not None:
                    child = Node(SCALAR, found, step.start(3) - 1, after)
                else:
                    child, after = self.value(after, depth + 1)
            else:
                after, closed = self.opened(start, "}") if after == start else self.advance(after, "}")
                if closed:
                    break
                key, key_start, after = self.key(after)
                child, after = self.value(after, depth + 1)
            child.key_start = key_start
            # A repeated key keeps its first place and takes the last value, as a dict does.
            entries[key] = child
            step = _NEXT_ENTRY(text, after)
        node = Node(MAP, entries, start, after)
        if len(entries) == 1:
            self.singles.append(node)
        return node, after

    def deferred(self, at: int, depth: int) -> tuple[Node, int] | None:
        """The container at `at` read by the C scanner (json_lazy), or None when json_scan must
        read it itself."""
        if self.scan is None:
            self.scan = json_lazy.Scanner(self.text, self.singles)
        mark = len(self.singles)
        try:
            return self.scan.read(at, depth)
        except StopIteration:
            raise NotStrict(f"no value at byte {at}") from None
        except json_lazy.Exact:
            del self.singles[mark:]
            return None

    def key(self, at: int) -> tuple[str, int, int]:
        """A key the one match could not read: (the key, where it starts, where its value starts)."""
        text = self.text
        if text[at] != '"':
            raise NotStrict(f"no key at byte {at}")
        key, after = scanstring(text, at + 1, True)
        if not key.isascii():
            key = self.decoded(at, after)
        after = _SKIP(text, after).end()
        if text[after] != ":":
            raise NotStrict(f"no colon at byte {after}")
        return key, at, _SKIP(text, after + 1).end()

    def sequence(self, start: int, depth: int) -> tuple[Node, int]:
        if depth >= MAX_DEPTH:
            raise NotStrict("deep")
        text = self.text
        items: list[Node] = []
        step = _FIRST_ITEM(text, start)
        after = start
        while True:
            if step is None:
                raise NotStrict(f"no comma at byte {after}")
            if step.group(1) is not None:
                end = step.end()
                return Node(LIST, items, start, end), end
            found = step.group(2)
            if found is not None:
                after = step.end()
                items.append(Node(SCALAR, found, step.start(2) - 1, after))
            else:
                item, after = self.value(step.end(), depth + 1)
                items.append(item)
            step = _NEXT_ITEM(text, after)

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
