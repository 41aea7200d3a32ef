"""The engine's data model: severities, spans, rules, fixes and findings (no LSP types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Severity(IntEnum):
    """One severity vocabulary end to end; `off` disables a rule."""

    OFF = 0
    HINT = 1
    INFO = 2
    WARNING = 3
    ERROR = 4

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown severity {text!r} (expected error, warning, info, hint or off)"
            ) from None

    @property
    def label(self) -> str:
        return self.name.lower()


CATEGORIES = (
    "destructive",
    "over-privileged",
    "network-exposure",
    "public-data",
    "privileged-workload",
    "code-execution",
    "insecure-transport",
    "secrets",
)
# Findings about the scan itself (syntax errors, suppressions) rather than about risk.
META_CATEGORY = "meta"


@dataclass(frozen=True, slots=True)
class Position:
    """1-based line and column (column counts Unicode code points)."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace bytes [start, end) of the document with `text`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    safe: bool = True


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    language: str
    category: str
    severity: Severity
    message: str
    note: str = ""
    url: str = ""
    match: Any = None  # compiled matcher, see engine.matcher
    fix: Any = None  # compiled fix template, see engine.fixes
    source: str = ""  # rule file path, for error messages
    examples: dict = field(default_factory=dict, compare=False, hash=False)
    metadata: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    category: str
    severity: Severity
    path: str
    start_byte: int
    end_byte: int
    start: Position
    end: Position
    message: str
    fix: Fix | None = None
    # Identity without lines, for comparing two versions (engine.change): the unit the finding
    # is in (Terraform address, Kubernetes kind/namespace/name[/container], CloudFormation
    # logical id, workflow job/step, Python function, ...) and its path within that unit.
    # Not compared: the same finding reached twice is one finding.
    unit: str = field(default="", compare=False)
    where: str = field(default="", compare=False)
    # Where the value holding the finding starts, when the finding marks one line inside a
    # multi-line value (a `run: |` script): a suppression comment above that value covers it,
    # since a comment inside the value would be part of the script. -1 otherwise.
    anchor: int = field(default=-1, compare=False)

    @property
    def sort_key(self):
        return (self.path, self.start_byte, self.end_byte, self.rule)


@dataclass(frozen=True, slots=True)
class FileError:
    """A file that could not be (fully) analysed, with a one-line reason."""

    path: str
    message: str
    line: int | None = None


NO_RULES = "no rule applies to this kind of file"


@dataclass(slots=True)
class ScanResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    language: str | None = None  # None: not a kind of file Blastguard checks
    # What the findings came from: a tree-sitter tree, or what an editor's loader keeps in its
    # place (terraform_hcl.Regions, yaml_editing.Stream: with `edit` and `copy`). An editor passes
    # it back, edited, as the old tree of the next parse so only what changed is re-parsed.
    tree: object = field(default=None, repr=False, compare=False)
    skipped: str | None = None  # why a file of no known kind was not checked, said when it was named

    @property
    def checked(self) -> bool:
        return self.language is not None or bool(self.errors)
