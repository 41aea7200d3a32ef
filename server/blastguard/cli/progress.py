"""The progress bar of `blastguard check` (tqdm on stderr, only on a terminal)."""

from __future__ import annotations

import sys


def _progress(enabled: bool):
    if not enabled:
        return None

    def wrap(iterable, total):
        from tqdm import tqdm

        # delay: no bar at all for scans that finish in a moment.
        return tqdm(iterable, total=total, unit="file", delay=0.5, leave=False, file=sys.stderr)

    return wrap
