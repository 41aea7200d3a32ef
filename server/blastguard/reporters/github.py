"""GitHub Actions workflow commands, so findings appear as annotations on the pull request."""

from __future__ import annotations

from blastguard.engine.model import Severity
from blastguard.reporters.escape import printable

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice", Severity.HINT: "notice"}


def _escape(text: str, prop: bool = False) -> str:
    # Control characters from a file (ESC, NUL...) are shown as escapes first; then GitHub's
    # own encoding keeps `%`, line breaks, and in properties `:` and `,`, from ending a field.
    text = printable(text).replace("%", "%25")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def render(report, out) -> None:
    for f in report.findings:
        props = (f"file={_escape(f.path, True)},line={f.start.line},col={f.start.column},"
                 f"endLine={f.end.line},endColumn={f.end.column},title={_escape(f.rule, True)}")
        out.write(f"::{_LEVEL[f.severity]} {props}::{_escape(f.message)}\n")
    for e in report.errors:
        line = f",line={e.line}" if e.line else ""
        out.write(f"::error file={_escape(e.path, True)}{line}::{_escape(e.message)}\n")
