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
        self.data = data  # `starts` is found on first use: most files of a scan have no finding

    def __getattr__(self, name: str):
        if name != "starts":
            raise AttributeError(name)
        data = self.data
        if b"\r" in data:
            starts = [0] + [m.end() for m in _BREAK.finditer(data)]
        else:  # the common case, twice as fast: split in C and add up the lengths, all in C
            starts = list(accumulate(map(_PLUS_ONE, map(len, data.split(b"\n"))), initial=0))[:-1]
        self.starts = starts
        return starts

    def edited(self, start: int, end: int, text: bytes) -> "LineIndex":
        """The index of this text with bytes [start, end) replaced by `text`, without a pass over
        the whole text (an editor does this on every keystroke): the lines around the edit are
        split again, those before it kept and those after it shifted, a block at a time (see
        _Blocks). This index stays as it was."""
        view = memoryview(self.data)
        data = b"".join((view[:start], text, view[end:]))  # one copy of the text, not three
        starts = self.starts if isinstance(self.starts, _Blocks) else _Blocks(self.starts)
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
        index.starts = starts.replaced(first, after, middle, delta)
        return index

    def line_of(self, offset: int) -> int:
        """0-based line containing byte offset."""
        starts = self.starts
        if type(starts) is list:
            return bisect.bisect_right(starts, offset) - 1
        return starts.line_of(offset)

    def locate(self, offset: int) -> tuple[int, int]:
        """(0-based line containing byte offset, where that line starts) in one look-up."""
        starts = self.starts
        if type(starts) is list:
            line = bisect.bisect_right(starts, offset) - 1
            return line, starts[line]
        return starts.locate(offset)

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, len(self.data)))
        line, start = self.locate(offset)
        column = len(self.data[start:offset].decode("utf-8", "replace"))
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


_BLOCK = 256  # lines per block of an edited index (a block is split past twice this)


class _Blocks:
    """Line starts in blocks, each with a shift added when read: an edit rebuilds the block or
    two around it and adds its length change to the shifts of the blocks after it, so a
    keystroke in a 20,000-line text touches a few hundred ints, not 20,000. Read like a list."""

    __slots__ = ("blocks", "shifts", "firsts", "lines", "count")

    def __init__(self, starts: list[int]):
        self.blocks = [starts[i:i + _BLOCK] for i in range(0, len(starts), _BLOCK)]
        self.shifts = [0] * len(self.blocks)
        self.firsts = [block[0] for block in self.blocks]  # each block's first start, shifted
        self.lines = list(range(0, len(starts), _BLOCK))  # each block's first line
        self.count = len(starts)

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, line: int) -> int:
        if line < 0:
            line += self.count
        if not 0 <= line < self.count:
            raise IndexError(line)
        b = bisect.bisect_right(self.lines, line) - 1
        return self.blocks[b][line - self.lines[b]] + self.shifts[b]

    def __iter__(self):
        for block, shift in zip(self.blocks, self.shifts):
            yield from map(shift.__add__, block)

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    def line_of(self, offset: int) -> int:
        b = bisect.bisect_right(self.firsts, offset) - 1
        if b < 0:
            return -1
        return self.lines[b] + bisect.bisect_right(self.blocks[b], offset - self.shifts[b]) - 1

    def locate(self, offset: int) -> tuple[int, int]:
        b = max(bisect.bisect_right(self.firsts, offset) - 1, 0)
        shift, block = self.shifts[b], self.blocks[b]
        i = max(bisect.bisect_right(block, offset - shift) - 1, 0)
        return self.lines[b] + i, block[i] + shift

    def replaced(self, first: int, after: int, middle: list[int], delta: int) -> "_Blocks":
        """These starts with lines first+1 .. after-1 replaced by `middle` and those from `after`
        on shifted by delta: a new _Blocks sharing the blocks that did not change."""
        lines, shifts = self.lines, self.shifts
        b1 = bisect.bisect_right(lines, first) - 1
        b2 = bisect.bisect_right(lines, min(after, self.count - 1)) - 1
        old = []
        for b in range(b1, b2 + 1):
            old.extend(map(shifts[b].__add__, self.blocks[b]))
        local = first - lines[b1]
        new = old[:local + 1] + middle + list(map(delta.__add__, old[after - lines[b1]:]))
        size = _BLOCK if len(new) > 2 * _BLOCK else len(new)
        made = [new[i:i + size] for i in range(0, len(new), size)]
        grown = len(new) - len(old)
        other = _Blocks.__new__(_Blocks)
        other.blocks = self.blocks[:b1] + made + self.blocks[b2 + 1:]
        other.shifts = shifts[:b1] + [0] * len(made) + list(map(delta.__add__, shifts[b2 + 1:]))
        other.firsts = self.firsts[:b1] + [block[0] for block in made] + list(map(delta.__add__, self.firsts[b2 + 1:]))
        other.lines = lines[:b1] + list(accumulate(map(len, made[:-1]), initial=lines[b1])) + \
            list(map(grown.__add__, lines[b2 + 1:]))
        other.count = self.count + grown
        return other


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
