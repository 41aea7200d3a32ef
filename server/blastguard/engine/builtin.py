"""Rules written in code: findings about the scan itself (syntax errors, suppressions, failures), and plan actions."""

from __future__ import annotations

from blastguard.engine.model import META_CATEGORY, Rule, Severity
from blastguard.engine.plan import PLAN_RULES


def _meta(id_: str, title: str, severity: Severity, message: str, note: str) -> Rule:
    return Rule(id=id_, title=title, language="any", category=META_CATEGORY, severity=severity,
                message=message, note=note, source="builtin")


SYNTAX_ERROR = _meta(
    "BG001", "File has a syntax error", Severity.INFO,
    "Syntax error at line {line}; only the parts that parse were checked.",
    "tree-sitter recovers from syntax errors, so Blastguard still checks what parses; a risky "
    "attribute inside the broken part may be missed until the file parses again.")
BAD_SUPPRESSION = _meta(
    "BG002", "Suppression comment is refused", Severity.WARNING,
    "Suppression refused: {problem}.",
    "Suppressions must name the rule ids they silence and give a reason, for example "
    "`# blastguard: ignore[TF101] scratch bucket, emptied nightly until=2027-03-31`. A bare "
    "ignore would hide every future risk on that line, so it is refused and reported.")
UNUSED_SUPPRESSION = _meta(
    "BG003", "Suppression is unused", Severity.INFO,
    "Unused suppression: {problem}.",
    "The suppression matches no finding (or has expired); remove it so it cannot hide a "
    "future risk on that line.")
ANALYSIS_FAILED = _meta(
    "BG004", "Analysis failed", Severity.ERROR,
    "Blastguard could not analyse this file: {problem}.",
    "An internal error stopped the analysis of this file; other files are unaffected. Please "
    "report it with the file that triggers it.")

SUPPRESSION_ADDED = _meta(
    "BG005", "Suppression added by this change", Severity.INFO,
    "This change adds a suppression: ignore[{ids}] {reason}",
    "Reported by `check --diff` (and `--baseline`) so a reviewer sees what a change silenced, "
    "by a person or an AI assistant, next to what it introduced.")

BUILTIN_RULES = (SYNTAX_ERROR, BAD_SUPPRESSION, UNUSED_SUPPRESSION, ANALYSIS_FAILED, SUPPRESSION_ADDED) + PLAN_RULES
