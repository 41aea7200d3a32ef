"""What a scan is asked to do: rule selection, severity overrides, limits (shared by CLI and LSP)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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

    def enabled(self, rule_id: str) -> bool:
        if self.select and not any(rule_id.startswith(s) for s in self.select):
            return False
        return not any(rule_id.startswith(i) for i in self.ignore)

    def severity_of(self, rule_id: str, default: Severity) -> Severity:
        return self.severity.get(rule_id, default)

    def date(self) -> dt.date:
        return self.today or dt.date.today()
