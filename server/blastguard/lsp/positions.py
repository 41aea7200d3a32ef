"""Byte offsets <-> LSP positions in the encoding the client negotiated (UTF-16, UTF-8, UTF-32)."""

from __future__ import annotations

from blastguard.engine.lines import LineIndex

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def units(text: str, encoding: str) -> int:
    """Length of text in the encoding's code units."""
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8"))
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def to_position(lines: LineIndex, offset: int, encoding: str) -> tuple[int, int]:
    """(line, character), both 0-based, for a byte offset."""
    offset = max(0, min(offset, len(lines.data)))
    line, start = lines.locate(offset)
    before = lines.data[start:offset]
    if encoding == UTF8 or before.isascii():
        return line, len(before)
    return line, units(before.decode("utf-8", "replace"), encoding)


def to_offset(lines: LineIndex, line: int, character: int, encoding: str) -> int:
    """The byte offset of an LSP position; past the end of a line means its end (as the spec says)."""
    if line >= len(lines.starts):
        return len(lines.data)
    if line < 0:
        return 0
    start, end = lines.starts[line], lines.line_end(line)
    if encoding == UTF8:
        return min(start + max(character, 0), end)
    text = lines.data[start:end].decode("utf-8", "replace")
    count = 0
    for index, char in enumerate(text):
        if count >= character:
            return start + len(text[:index].encode("utf-8"))
        count += 1 if encoding == UTF32 or ord(char) <= 0xFFFF else 2
    return end
