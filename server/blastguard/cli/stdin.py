"""`blastguard check -`: checking standard input (not supported yet; one place to replace)."""

from __future__ import annotations

from blastguard.cli.usage import UsageError


def check_stdin(args) -> int:
    raise UsageError("reading standard input needs --stdin-filename")
