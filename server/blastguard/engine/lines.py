"""Byte offset <-> 1-based line/column, splitting lines only on \\r\\n, \\r and \\n (as LSP does)."""

from __future__ import annotations

import bisect
import re
from itertools import accumulate

from blastguard.engine.model import Position

_BREAK = re.compile(rb"\r\n|\r|\n")


_PLUS_ONE = (1).__add__  # a line's length with its \n


class LineIndex:
    __slots__ = ("data", "starts")

    def __init__(self, data: bytes):
        self.data = data
        if b"\r" in data:
            self.starts = [0] + [m.end() for m in _BREAK.finditer(data)]
        else:  # the common case, twice as fast: split in C and add up the lengths, all in C
            self.starts = list(accumulate(map(_PLUS_ONE, map(len, data.split(b"\n"))), initial=0))[:-1]

    def edited(self, start: int, end: int, text: bytes) -> "LineIndex":
        """The index of this text with bytes [start, end) replaced by `text`, without a pass over
        the whole text (an editor does this on every keystroke): the lines around the edit are
        split again, those before it kept and those after it shifted, in C."""
        data = self.data[:start] + text + self.data[end:]
        starts = self.starts
        # From the line before the edit's to the second after its end: the breaks that bound
        # this region are outside the edit, so a \r\n split or joined by it is inside.
        first = max(0, self.line_of(start) - 1)
        after = self.line_of(end) + 2
        delta = len(text) - (end - start)
        stop = starts[after] + delta if after < len(starts) else len(data)
        middle = [m.end() for m in _BREAK.finditer(data, starts[first], stop)]
        if after < len(starts):
            middle.pop()  # the break that ends the region starts a line already counted below
        index = LineIndex.__new__(LineIndex)
        index.data = data
        index.starts = starts[:first + 1] + middle + list(map(delta.__add__, starts[after:]))
        return index

    def line_of(self, offset: int) -> int:
        """0-based line containing byte offset."""
        return bisect.bisect_right(self.starts, offset) - 1

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, len(self.data)))
        line = self.line_of(offset)
        column = len(self.data[self.starts[line]:offset].decode("utf-8", "replace"))
        return Position(line + 1, column + 1)

    def line_end(self, line: int) -> int:
        """Byte offset where 0-based line's text ends (before its line break)."""
        if line + 1 < len(self.starts):
            end = self.starts[line + 1]
            while end > self.starts[line] and self.data[end - 1:end] in (b"\n", b"\r"):
                end -= 1
            return end
        return len(self.data)

    def line_text(self, line: int) -> bytes:
        return self.data[self.starts[line]:self.line_end(line)]


_CHUNK = 1 << 14


def changed_span(old: bytes, new: bytes) -> tuple[int, int, int]:
    """(start, end in old, end in new) of the one region where old and new differ: equal chunks
    are skipped by slice comparison (memcmp), then the differing chunk is bisected."""
    limit = min(len(old), len(new))
    prefix = _common(old, new, limit, lambda text, at, size: text[at:at + size])
    size_old, size_new = len(old), len(new)
    suffix = _common(old, new, limit - prefix,
                     lambda text, at, size: text[len(text) - at - size:len(text) - at])
    return prefix, size_old - suffix, size_new - suffix


def _common(old: bytes, new: bytes, limit: int, piece) -> int:
    """Length of the common run (a prefix or, through `piece`, a suffix), at most `limit`."""
    at = 0
    while at < limit and piece(old, at, min(_CHUNK, limit - at)) == piece(new, at, min(_CHUNK, limit - at)):
        at += _CHUNK
    if at >= limit:
        return limit
    low, high = at, min(at + _CHUNK, limit)  # the run ends in [low, high)
    while low < high:
        middle = (low + high + 1) // 2
        if piece(old, low, middle - low) == piece(new, low, middle - low):
            low = middle
        else:
            high = middle - 1
    return low
