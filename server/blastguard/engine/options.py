"""What a scan is asked to do: rule selection, severity overrides, limits (shared by CLI and LSP)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from functools import lru_cache

from blastguard.engine.model import Severity

DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024


@dataclass(frozen=True)
class Options:
    select: tuple[str, ...] = ()  # rule ids or id prefixes; empty selects every rule
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity] = field(default_factory=dict)
    unsuppressible: frozenset[str] = frozenset()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    today: dt.date | None = None  # for suppression expiry; None means the real date
    # (gitignore-style pattern, rule ids or prefixes), the patterns relative to `root`.
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    root: str = ""
    # Folders whose files a Terraform `file()` / `templatefile()` may be read from; empty means
    # the checked file's own folder and below.
    read_roots: tuple[str, ...] = ()

    def enabled(self, rule_id: str) -> bool:
        if self.select and not any(rule_id.startswith(s) for s in self.select):
            return False
        return not any(rule_id.startswith(i) for i in self.ignore)

    def ignored_in(self, path: str) -> tuple[str, ...]:
        """The rule ids or prefixes that per-file-ignores switch off for this file."""
        if not self.per_file_ignores:
            return ()
        rel = os.path.relpath(os.path.abspath(path), self.root or os.getcwd())
        if rel.startswith(".."):
            return ()
        rel = rel.replace(os.sep, "/")
        if not rel.isascii():  # RE2 (pathspec's backend) refuses the surrogates of non-UTF-8 names
            rel = os.fsencode(rel).decode("utf-8", "replace")
        return tuple(i for spec, ids in _compiled(self.per_file_ignores) if spec.match_file(rel) for i in ids)

    def severity_of(self, rule_id: str, default: Severity) -> Severity:
        return self.severity.get(rule_id, default)

    def date(self) -> dt.date:
        return self.today or dt.date.today()


@lru_cache(maxsize=8)
def _compiled(entries: tuple[tuple[str, tuple[str, ...]], ...]):
    import pathspec  # only projects that use per-file-ignores pay for it

    return [(pathspec.GitIgnoreSpec.from_lines([pattern]), ids) for pattern, ids in entries]
