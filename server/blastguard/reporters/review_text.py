"""Text output of `check --diff`: findings grouped by file, each destructive change as old -> new."""

from __future__ import annotations

from blastguard.reporters.text import _BOLD, _COLOURS, _RESET


def render(reports, report, against: str, out) -> None:
    colour = report.colour
    shown = set(report.findings)
    introduced = destroyed = preexisting = 0
    for path in sorted(reports):
        change = reports[path]
        preexisting += len(change.preexisting)
        findings = [f for f in change.findings if f in shown]
        if not findings:
            continue
        gone = set(change.destroyed)
        introduced += sum(1 for f in findings if f not in gone)
        destroyed += sum(1 for f in findings if f in gone)
        title = f"{path} ({change.status})"
        out.write((f"{_BOLD}{title}{_RESET}" if colour else title) + "\n")
        for f in findings:
            level = f.severity.label
            if colour:
                level = f"{_COLOURS[f.severity]}{level}{_RESET}"
            head = f"  {f.start.line}:{f.start.column}: {level} {f.rule}"
            if f in gone:
                before, after = change.transitions.get(f, ("", ""))
                out.write(f"{head} {before} -> {after}\n      {f.message}\n")
            else:
                fixable = " [fixable]" if f.fix is not None and f.fix.safe else ""
                out.write(f"{head} {f.message}{fixable}\n")
    for e in report.errors:
        where = f"{e.path}:{e.line}:" if e.line else f"{e.path}:"
        out.write(f"{where} error: {e.message}\n")
    noun = "file" if report.file_count == 1 else "files"
    out.write(f"{report.file_count} changed {noun} against {against}: {introduced} introduced, "
              f"{destroyed} destructive, {preexisting} already there (not shown)"
              + (f"; {len(report.errors)} files with errors" if report.errors else "") + "\n")
