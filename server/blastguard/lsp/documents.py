"""An open document: its bytes, line index, version, and the tree-sitter tree kept in step with edits."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from blastguard.engine.lines import LineIndex, changed_span
from blastguard.engine.model import ScanResult
from blastguard.engine.reuse import Reuse
from blastguard.lsp.positions import to_offset
from blastguard.lsp.provenance import Provenance


@dataclass
class OpenDocument:
    uri: str
    path: str
    version: int
    data: bytes
    lines: LineIndex = field(init=False)
    tree: object = None  # last tree, edited with every change so a re-parse reuses what did not change
    result: ScanResult | None = None
    result_version: int | None = None
    task: asyncio.Task | None = None
    # Findings of unchanged blocks and documents, from the last analysis.
    reuse: Reuse = field(default_factory=Reuse)
    # Blocks inserted by one large change since open or save.
    blocks: Provenance = field(default_factory=Provenance)
    # The document at the diff base and its analysis (lsp.changes.Base), and the reading of it.
    base: object = None
    base_task: asyncio.Task | None = None
    # What the last result introduces relative to the base (lsp.changes.Classified), or None.
    change: object = None
    # The last full comparison with the base (lsp.changes.Full, which keeps the edits made
    # since) and the task that makes the next one.
    full: object = None
    full_task: asyncio.Task | None = None
    # The diagnostics last pushed, as JSON-ready dicts keyed by what they show (server.pushed).
    sent: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.lines = LineIndex(self.data)

    def apply(self, change, encoding: str, incremental: bool = True) -> None:
        """One `didChange` content change: a ranged edit, or the whole text; the inserted blocks follow."""
        text = change.text.encode("utf-8")
        change_range = getattr(change, "range", None)
        if change_range is None:
            if self.blocks.min_lines or self.full is not None:
                start, old_end, new_end = changed_span(self.data, text)
                self.blocks.edit(start, old_end, text[start:new_end])
                if self.full is not None:
                    self.full.edits.append((start, old_end, new_end - start))
            self.data, self.tree = text, None
            self.lines = LineIndex(self.data)
            return
        start = to_offset(self.lines, change_range.start.line, change_range.start.character, encoding)
        end = max(start, to_offset(self.lines, change_range.end.line, change_range.end.character, encoding))
        old_lines = self.lines
        self.blocks.edit(start, end, text)
        if self.full is not None:
            self.full.edits.append((start, end, len(text)))
        self.lines = self.lines.edited(start, end, text)
        self.data = self.lines.data
        if self.tree is None or not incremental:
            self.tree = None
            return
        new_end = start + len(text)
        self.tree.edit(start_byte=start, old_end_byte=end, new_end_byte=new_end,
                       start_point=_point_in(old_lines, start), old_end_point=_point_in(old_lines, end),
                       new_end_point=_point_in(self.lines, new_end))


def _point(data: bytes, offset: int) -> tuple[int, int]:
    """tree-sitter's (row, byte column): rows count only \\n."""
    row = data.count(b"\n", 0, offset)
    return row, offset - (data.rfind(b"\n", 0, offset) + 1)


def _point_in(lines: LineIndex, offset: int) -> tuple[int, int]:
    """_point, with the row from the line index where the text has no \\r (rows are then the
    same), not counted from the start: that is a pass over the whole document."""
    data = lines.data
    if b"\r" in data:
        return _point(data, offset)
    return lines.line_of(offset), offset - (data.rfind(b"\n", 0, offset) + 1)
