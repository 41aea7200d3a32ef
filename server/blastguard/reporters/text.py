"""Human output: one short line per finding (concise, the default) or the full message, then a
summary; coloured on a terminal, with every character from a file made printable."""

from __future__ import annotations

from blastguard.engine.model import META_CATEGORY, Finding, Severity
from blastguard.reporters.escape import printable

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m",
            Severity.HINT: "\033[2m"}
_BOLD, _RESET = "\033[1m", "\033[0m"
_NOUNS = {Severity.ERROR: ("error", "errors"), Severity.WARNING: ("warning", "warnings"),
          Severity.INFO: ("info", "info"), Severity.HINT: ("hint", "hints")}


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _safe_fix(f: Finding) -> bool:
    return f.fix is not None and f.fix.safe


def _location(report, f: Finding) -> str:
    location = f"{printable(f.path)}:{f.start.line}:{f.start.column}:"
    return f"{_BOLD}{location}{_RESET}" if report.colour else location


def _rule(report, f: Finding) -> str:
    return f"{_COLOURS[f.severity]}{f.rule}{_RESET}" if report.colour else printable(f.rule)


def short_title(report, f: Finding) -> str:
    rule = report.rules.get(f.rule)
    # A meta finding's message carries the specifics (the line of a syntax error, the refused id).
    if rule is None or f.category == META_CATEGORY:
        return f.message
    return rule.title


def render_concise(report, out) -> None:
    """`path:line:col: ID [*] short title`, ruff's concise form ([*]: `--fix` repairs it)."""
    for f in report.findings:
        marker = "[*] " if _safe_fix(f) else ""
        out.write(f"{_location(report, f)} {_rule(report, f)} {marker}{printable(short_title(report, f))}\n")
    _errors_and_summary(report, out)


def render_full(report, out) -> None:
    """`path:line:col: severity ID message [fixable]`."""
    for f in report.findings:
        level = f.severity.label
        if report.colour:
            level = f"{_COLOURS[f.severity]}{level}{_RESET}"
        fixable = " [fixable]" if _safe_fix(f) else ""
        out.write(f"{_location(report, f)} {level} {printable(f.rule)} {printable(f.message)}{fixable}\n")
    _errors_and_summary(report, out)


def render_statistics(report, out) -> None:
    """Findings counted per rule, most frequent first (`--statistics`)."""
    for rule_id, count, fixable in statistics(report):
        rule = report.rules.get(rule_id)
        title = rule.title if rule is not None else ""
        out.write(f"{count:>6}  {printable(rule_id):<7} {'[*] ' if fixable else ''}{printable(title)}\n")
    _errors_and_summary(report, out)


def statistics(report) -> list[tuple[str, int, bool]]:
    """(rule id, findings, whether --fix repairs them), most frequent first, then by id."""
    counts: dict[str, int] = {}
    fixable: dict[str, bool] = {}
    for f in report.findings:
        counts[f.rule] = counts.get(f.rule, 0) + 1
        fixable[f.rule] = fixable.get(f.rule, False) or _safe_fix(f)
    return [(r, n, fixable[r]) for r, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def _errors_and_summary(report, out) -> None:
    for e in report.errors:
        where = f"{printable(e.path)}:{e.line}:" if e.line else f"{printable(e.path)}:"
        out.write(f"{where} error: {printable(e.message)}\n")
    if report.fixed is not None:
        fixes, files = report.fixed
        out.write(f"fixed {plural(fixes, 'finding')} in {plural(files, 'file')}\n")
    out.write(summary(report) + "\n")


def summary(report) -> str:
    """`12 files checked: 1 error, 3 warnings in 2 files; 1 fixable with --fix; 1 file with errors`."""
    counts: dict[Severity, int] = {}
    for f in report.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    found = ", ".join(plural(counts[s], *_NOUNS[s]) for s in sorted(counts, reverse=True))
    if found:
        found += f" in {plural(len({f.path for f in report.findings}), 'file')}"
    fixable = sum(1 for f in report.findings if _safe_fix(f))
    text = f"{plural(report.file_count, 'file')} checked: {found or 'no findings'}"
    if fixable:
        text += f"; {fixable:,} fixable with --fix"
    if report.errors:
        text += f"; {plural(len({e.path for e in report.errors}), 'file')} with errors"
    return text
