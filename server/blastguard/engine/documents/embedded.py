"""JSON embedded in strings (heredocs, quoted strings): decode with a byte map back to the source."""

from __future__ import annotations

import re

from blastguard.engine.documents import json_tree
from blastguard.engine.values import LIST, MAP, Node

_SIMPLE = {
    ord("n"): b"\n", ord("t"): b"\t", ord("r"): b"\r", ord('"'): b'"', ord("\\"): b"\\",
    ord("/"): b"/", ord("b"): b"\b", ord("f"): b"\f",
}
_INTERPOLATION_PARTS = ("template_interpolation", "template_directive")
_ESCAPE = re.compile(rb"\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8}|\\.|\$\$\{|%%\{", re.S)


class Decoded:
    """Decoded text as bytes, with the source offset of each byte."""

    __slots__ = ("out", "table", "json", "_scanned", "_inside", "_escaped")

    def __init__(self, json: bool = True) -> None:
        self.out = bytearray()
        self.table: list[int] = []
        self.json = json  # quote placeholders that stand outside a JSON string
        # Where the JSON string scan has reached, so many interpolations stay linear.
        self._scanned, self._inside, self._escaped = 0, False, False

    def add(self, chunk: bytes, at: int, *, spread: bool = False) -> None:
        """Append chunk; with spread, byte i maps to at + i, else every byte maps to at."""
        self.out.extend(chunk)
        self.table.extend(range(at, at + len(chunk)) if spread else [at] * len(chunk))

    def placeholder(self, at: int) -> None:
        """Stand in for an interpolation: inside a JSON string a marker, elsewhere a marker string."""
        quoted = self.json and not self._inside_string()
        text = f'"{json_tree.PLACEHOLDER}"' if quoted else json_tree.PLACEHOLDER
        self.add(text.encode(), at)

    def _inside_string(self) -> bool:
        inside, escaped = self._inside, self._escaped
        for byte in self.out[self._scanned:]:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = inside
            elif byte == 0x22:
                inside = not inside
        self._scanned, self._inside, self._escaped = len(self.out), inside, escaped
        return inside


def unescape(raw: bytes, base: int, decoded: Decoded) -> None:
    """Decode HCL/JSON escapes (`\\n`, `\\u00e9`, `$${`) of raw, which starts at byte `base`."""
    cursor = 0
    for match in _ESCAPE.finditer(raw):
        decoded.add(raw[cursor:match.start()], base + cursor, spread=True)
        token, at = match.group(), base + match.start()
        if token in (b"$${", b"%%{"):
            decoded.add(token[1:], at)
        elif token[1] in _SIMPLE:
            decoded.add(_SIMPLE[token[1]], at)
        elif token[1] in (ord("u"), ord("U")) and len(token) > 2:
            decoded.add(chr(int(token[2:], 16)).encode("utf-8", "surrogatepass"), at)
        else:
            decoded.add(token, at)
        cursor = match.end()
    decoded.add(raw[cursor:], base + cursor, spread=True)


def decode_template(ts_node, json: bool = True) -> Decoded | None:
    """Decode an HCL string_lit, quoted_template or heredoc_template, or a JSON string node;
    with json, placeholders are shaped to keep embedded JSON parseable."""
    decoded = Decoded(json)
    kind = ts_node.type
    if kind == "heredoc_template":
        identifiers = [c for c in ts_node.children if c.type == "heredoc_identifier"]
        if len(identifiers) < 2:
            return None
        start, end = identifiers[0].end_byte, identifiers[-1].start_byte
        source = ts_node.text
        base = ts_node.start_byte
        cursor = start
        for child in ts_node.children:
            if child.type in _INTERPOLATION_PARTS and start <= child.start_byte < end:
                decoded.add(source[cursor - base : child.start_byte - base], cursor, spread=True)
                decoded.placeholder(child.start_byte)
                cursor = child.end_byte
        decoded.add(source[cursor - base : end - base], cursor, spread=True)
        return decoded
    for child in ts_node.children:
        if child.type in ("template_literal", "string_content", "escape_sequence"):
            unescape(child.text, child.start_byte, decoded)
        elif child.type in _INTERPOLATION_PARTS:
            decoded.placeholder(child.start_byte)
    return decoded


def embedded_json(node: Node, opener: bytes = b"{") -> Node | None:
    """The JSON object (or, with opener `[`, array) a string node holds, located in the source, or None."""
    if node.kind == (MAP if opener == b"{" else LIST):
        return node
    if node.src is None:
        return None
    head = node.src.text[:200].lstrip(b'"').lstrip()
    if not head.startswith(b"<<") and not head.startswith(opener):
        return None
    decoded = decode_template(node.src)
    if decoded is None or not bytes(decoded.out).lstrip().startswith(opener):
        return None
    locate = json_tree.table_locator(decoded.table, node.end)
    try:
        value, tree = json_tree.parse_json(bytes(decoded.out), locate)
    except Exception:  # an embedded string that is not JSON is just a string
        return None
    if value is None or value.kind != (MAP if opener == b"{" else LIST) or tree.root_node.has_error:
        return None
    value.key_start = node.key_start
    return value
