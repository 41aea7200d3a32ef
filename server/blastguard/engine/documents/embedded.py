"""JSON embedded in strings (heredocs, quoted strings): decode with a byte map back to the source."""

from __future__ import annotations

from blastguard.engine.documents import json_tree
from blastguard.engine.values import MAP, Node

_SIMPLE = {
    ord("n"): b"\n", ord("t"): b"\t", ord("r"): b"\r", ord('"'): b'"', ord("\\"): b"\\",
    ord("/"): b"/", ord("b"): b"\b", ord("f"): b"\f",
}
_INTERPOLATION_PARTS = ("template_interpolation", "template_directive")


class Decoded:
    """Decoded text as bytes, with the source offset of each byte."""

    __slots__ = ("out", "table", "in_string")

    def __init__(self) -> None:
        self.out = bytearray()
        self.table: list[int] = []
        self.in_string = False  # whether the JSON being rebuilt is inside a string literal

    def add(self, chunk: bytes, at: int, *, spread: bool = False) -> None:
        """Append chunk; with spread, byte i maps to at + i, else every byte maps to at."""
        for i, byte in enumerate(chunk):
            self.out.append(byte)
            self.table.append(at + i if spread else at)
            if byte == 0x22 and not _escaped(self.out):
                self.in_string = not self.in_string

    def placeholder(self, at: int) -> None:
        text = json_tree.PLACEHOLDER if self.in_string else f'"{json_tree.PLACEHOLDER}"'
        encoded = text.encode()
        self.out.extend(encoded)
        self.table.extend([at] * len(encoded))


def _escaped(out: bytearray) -> bool:
    backslashes, i = 0, len(out) - 2
    while i >= 0 and out[i] == 0x5C:
        backslashes, i = backslashes + 1, i - 1
    return backslashes % 2 == 1


def unescape(raw: bytes, base: int, decoded: Decoded) -> None:
    """Decode HCL/JSON backslash escapes of raw (which starts at byte `base` of the source)."""
    i, n = 0, len(raw)
    while i < n:
        j = raw.find(b"\\", i)
        if j < 0:
            decoded.add(raw[i:], base + i, spread=True)
            return
        decoded.add(raw[i:j], base + i, spread=True)
        if j + 1 >= n:
            return
        code = raw[j + 1]
        if code in _SIMPLE:
            decoded.add(_SIMPLE[code], base + j)
            i = j + 2
        elif code in (ord("u"), ord("U")):
            width = 4 if code == ord("u") else 8
            digits = raw[j + 2 : j + 2 + width]
            try:
                decoded.add(chr(int(digits, 16)).encode("utf-8", "surrogatepass"), base + j)
            except ValueError:
                decoded.add(raw[j : j + 2 + width], base + j)
            i = j + 2 + width
        else:
            decoded.add(raw[j : j + 2], base + j)
            i = j + 2


def decode_template(ts_node) -> Decoded | None:
    """Decode an HCL string_lit, quoted_template or heredoc_template, or a JSON string node."""
    decoded = Decoded()
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


def embedded_json(node: Node) -> Node | None:
    """The JSON object a string node holds, located in the source, or None."""
    if node.kind == MAP:
        return node
    if node.src is None:
        return None
    head = node.src.text[:200].lstrip(b'"').lstrip()
    if not head.startswith(b"<<") and not head.startswith(b"{"):
        return None
    decoded = decode_template(node.src)
    if decoded is None or not bytes(decoded.out).lstrip().startswith(b"{"):
        return None
    locate = json_tree.table_locator(decoded.table, node.end)
    try:
        value, tree = json_tree.parse_json(bytes(decoded.out), locate)
    except Exception:  # an embedded string that is not JSON is just a string
        return None
    if value is None or value.kind != MAP or tree.root_node.has_error:
        return None
    value.key_start = node.key_start
    return value
