"""What every output format renders: the findings and file errors of one run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from blastguard.engine.lines import LineIndex
from blastguard.engine.model import FileError, Finding, Rule
from blastguard.safe_write import read_regular


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    rules: dict[str, Rule] = field(default_factory=dict)
    file_count: int = 0
    colour: bool = False
    fixed: tuple[int, int] | None = None  # (fixes applied, files changed) after --fix
    unfixed: list[FileError] = field(default_factory=list)  # checked, but --fix could not write them
    started: dt.datetime | None = None
    finished: dt.datetime | None = None
    _lines: dict[str, LineIndex] = field(default_factory=dict)

    def lines_for(self, path: str) -> LineIndex | None:
        if path not in self._lines:
            try:
                # Without blocking: the file may have become a FIFO since it was checked.
                self._lines[path] = LineIndex(read_regular(path)[0])
            except OSError:
                return None
        return self._lines[path]
