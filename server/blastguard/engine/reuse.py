"""Findings of unchanged top-level units reused while a file is edited (for editors).

A keystroke changes one Terraform block or one YAML document; the others give the same
findings as before, so only the changed units are converted and matched again. Each language's
loader keeps its record of the last analysis here (terraform_hcl.Regions, yaml_editing.Stream),
and a unit's findings are moved with it when text before it changes length.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from blastguard.engine.lines import LineIndex
from blastguard.engine.model import Edit, Finding, Fix, Position


@dataclass
class Reuse:
    """One open document's record of its last analysis, kept by the loader of its language."""

    # terraform_hcl.Regions or yaml_editing.Stream: what each unit found, where it is now.
    state: object = None
    # Counts, for benchmarks and tests: units taken from the last analysis and units analysed.
    hits: int = 0
    misses: int = 0


def moved(finding: Finding, delta: int, lines: LineIndex) -> Finding:
    """The finding (and its fix) shifted by delta bytes, with positions from the new text's lines."""
    start, end = finding.start_byte + delta, finding.end_byte + delta
    fix = finding.fix
    if fix is not None:
        fix = Fix(fix.title, tuple(Edit(e.start + delta, e.end + delta, e.text) for e in fix.edits), fix.safe)
    return replace(finding, start_byte=start, end_byte=end, fix=fix, anchor=_anchor(finding, delta),
                   start=lines.position(start), end=lines.position(end))


def shifted(finding: Finding, delta: int, lines: int) -> Finding:
    """The finding (and its fix) moved by delta bytes and by whole lines: the text between it and
    the start of its line did not change, so its columns hold and nothing is decoded."""
    fix = finding.fix
    if fix is not None:
        fix = Fix(fix.title, tuple(Edit(e.start + delta, e.end + delta, e.text) for e in fix.edits), fix.safe)
    start, end = finding.start, finding.end
    return Finding(finding.rule, finding.category, finding.severity, finding.path, finding.start_byte + delta,
                   finding.end_byte + delta, Position(start.line + lines, start.column),
                   Position(end.line + lines, end.column), finding.message, fix, finding.unit, finding.where,
                   _anchor(finding, delta))


def _anchor(finding: Finding, delta: int) -> int:
    """The finding's suppression anchor moved with it (-1, none, stays)."""
    return finding.anchor + delta if finding.anchor >= 0 else -1
