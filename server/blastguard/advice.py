"""Findings explained for a coding agent: the line, why it is dangerous, and the safer text to write."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Mapping

from blastguard.engine import fixes
from blastguard.engine.lines import LineIndex
from blastguard.engine.model import Finding, Rule


@dataclass(frozen=True, slots=True)
class Advice:
    rule: str
    title: str
    severity: str
    line: int
    column: int
    end_line: int
    end_column: int
    why: str  # the finding's message: what can happen, and what to do
    fix: str | None  # the fix's title, when the rule has one
    safer: str | None  # the lines as the fix writes them ("" when the fix only removes)


def advise(finding: Finding, data: bytes, rules: Mapping[str, Rule]) -> Advice:
    rule = rules.get(finding.rule)
    return Advice(
        rule=finding.rule, title=rule.title if rule else finding.rule, severity=finding.severity.label,
        line=finding.start.line, column=finding.start.column,
        end_line=finding.end.line, end_column=finding.end.column, why=finding.message,
        fix=finding.fix.title if finding.fix else None, safer=safer_text(finding, data))


def safer_text(finding: Finding, data: bytes) -> str | None:
    """The lines the finding's fix touches, as they read after the fix (dedented)."""
    if finding.fix is None or not finding.fix.edits:
        return None
    new, applied = fixes.apply(data, list(finding.fix.edits))
    if not applied:
        return None
    first = min(e.start for e in applied)
    # Where the last edit ends in the new text: its old end moved by every edit's growth.
    last = max(e.end for e in applied) + sum(len(e.text.encode("utf-8")) - (e.end - e.start) for e in applied)
    if last <= first:
        return ""
    lines = LineIndex(new)
    start, end = lines.starts[lines.line_of(first)], lines.line_end(lines.line_of(last - 1))
    return textwrap.dedent(new[start:end].decode("utf-8", "replace"))


def reason(path: str, advice: list[Advice], threshold: str) -> str:
    """The text an agent reads when its write is refused: each finding, why, and what to write."""
    noun = "finding" if len(advice) == 1 else "findings"
    out = [f"Blastguard refused this write to {path}: it introduces {len(advice)} {noun} at or above "
           f"{threshold}."]
    for item in advice:
        out.append(f"- line {item.line}: {item.rule} ({item.severity}) {item.title}. {item.why}")
        if item.fix is not None:
            out.append(f"  Safer ({item.fix}):" if item.safer else f"  Safer: {item.fix}.")
            if item.safer:
                out.extend("    " + line for line in item.safer.splitlines())
    out.append("Write the safer version instead; if the user really wants this change, ask them first.")
    return "\n".join(out)
