"""Inserted-block provenance: text that one large change put in a document (a paste, an accepted suggestion), moved with later edits."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass(slots=True)
class Block:
    """Bytes [start, end) of the current text came in with one change of `lines` lines at `at` (epoch seconds)."""

    id: int
    start: int
    end: int
    lines: int
    at: float

    @property
    def label(self) -> str:
        return f"in a block inserted at {time.strftime('%H:%M', time.localtime(self.at))} ({self.lines} lines)"

    def holds(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end and start < self.end


@dataclass
class Provenance:
    """One open document's inserted blocks since it was opened or last saved.

    A block moves with edits before it, survives edits after it, and is forgotten when an edit
    touches its inside (the user has taken it over by hand) or removes it entirely."""

    min_lines: int = 3
    clock: object = time.time
    blocks: list[Block] = field(default_factory=list)
    _next_id: int = 1

    def edit(self, start: int, old_end: int, text: bytes) -> Block | None:
        """Bytes [start, old_end) of the previous text were replaced by `text`; returns the new
        block when the change was a large enough insertion."""
        delta = len(text) - (old_end - start)
        kept = []
        for block in self.blocks:
            if old_end <= block.start:  # before it (an insertion at its first byte too): move it
                block.start += delta
                block.end += delta
                kept.append(block)
            elif start >= block.end:  # after it
                kept.append(block)
            # Anything else touches the block's inside or swallows it: forgotten.
        self.blocks = kept
        lines = line_count(text)
        if self.min_lines <= 0 or lines < self.min_lines or not text.strip():
            return None
        block = Block(self._next_id, start, start + len(text), lines, self.clock())
        self._next_id += 1
        self.blocks.append(block)
        self.blocks.sort(key=lambda b: b.start)
        return block

    def forget(self) -> None:
        """On save: what was inserted is now the user's file."""
        self.blocks = []

    def at(self, start: int, end: int) -> Block | None:
        """The block holding bytes [start, end), if any."""
        return next((b for b in self.blocks if b.holds(start, end)), None)

    def get(self, block_id: int) -> Block | None:
        return next((b for b in self.blocks if b.id == block_id), None)


def line_count(text: bytes) -> int:
    """Lines the text spans: its line breaks (\\r\\n, \\r or \\n), plus an unterminated last line."""
    if not text:
        return 0
    breaks = text.count(b"\n") + text.count(b"\r") - text.count(b"\r\n")
    return breaks + (0 if text.endswith((b"\n", b"\r")) else 1)
