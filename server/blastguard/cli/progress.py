"""The progress bar of `blastguard check` (tqdm on stderr, only on a terminal): it counts files
as they finish, out of the files that will be checked."""

from __future__ import annotations

import sys

from blastguard.engine.model import ScanResult


class Bar:
    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.bar = None

    def start(self, expected: int) -> None:
        from tqdm import tqdm

        # Shown from the start (leave=False clears it at the end, so a quick scan leaves nothing).
        self.bar = tqdm(total=expected, unit="file", leave=False, file=self.stream, mininterval=0.1)

    def done(self, result: ScanResult) -> None:
        if result.language is None and not result.errors:
            # Turned out to be of no kind Blastguard reads: it is not counted, as in the summary.
            self.bar.total = max(self.bar.n, self.bar.total - 1)
            self.bar.refresh()
        else:
            if self.bar.n >= self.bar.total:  # its kind showed only past the first bytes
                self.bar.total = self.bar.n + 1
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def progress(enabled: bool) -> Bar | None:
    return Bar() if enabled else None
