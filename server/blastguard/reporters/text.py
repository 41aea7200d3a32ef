"""Human output: `path:line:col: severity ID message`, coloured on a terminal."""

from __future__ import annotations

from blastguard.engine.model import Severity

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m",
            Severity.HINT: "\033[2m"}
_BOLD, _RESET = "\033[1m", "\033[0m"


def render(report, out) -> None:
    colour = report.colour
    for f in report.findings:
        location = f"{f.path}:{f.start.line}:{f.start.column}:"
        level = f.severity.label
        if colour:
            location = f"{_BOLD}{location}{_RESET}"
            level = f"{_COLOURS[f.severity]}{level}{_RESET}"
        fixable = " [fixable]" if f.fix is not None and f.fix.safe else ""
        out.write(f"{location} {level} {f.rule} {f.message}{fixable}\n")
    for e in report.errors:
        where = f"{e.path}:{e.line}:" if e.line else f"{e.path}:"
        out.write(f"{where} error: {e.message}\n")
    counts = {}
    for f in report.findings:
        counts[f.severity.label] = counts.get(f.severity.label, 0) + 1
    fixable = sum(1 for f in report.findings if f.fix is not None and f.fix.safe)
    summary = ", ".join(f"{n} {level}" for level, n in sorted(counts.items())) or "no findings"
    noun = "file" if report.file_count == 1 else "files"
    out.write(f"{report.file_count} {noun} checked: {summary}"
              + (f"; {fixable} fixable with --fix" if fixable else "")
              + (f"; {len(report.errors)} files with errors" if report.errors else "") + "\n")
