"""Exit codes, the usage error, and an argument parser that reports errors as one line."""

from __future__ import annotations

import argparse

from blastguard.errors import UserError

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(UserError):
    """A mistake in how Blastguard was called: one line on stderr, exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):  # exit code 2 with one line, as for every usage error
        raise UsageError(message)


def split_ids(values: list[str]) -> tuple[str, ...]:
    """`--select TF1,TF2 --select K8S` -> ("TF1", "TF2", "K8S")."""
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())
