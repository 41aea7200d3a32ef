"""The JSON report: a stable contract, documented in the README."""

from __future__ import annotations

import json

from blastguard import __version__
from blastguard.engine.lines import LineIndex
from blastguard.engine.model import FileError, Finding
from blastguard.reporters.escape import decoded


def finding_dict(finding: Finding, lines: LineIndex | None = None) -> dict:
    fix = None
    if finding.fix is not None:
        edits = []
        for edit in finding.fix.edits:
            item = {"start_byte": edit.start, "end_byte": edit.end, "text": edit.text}
            if lines is not None:
                start, end = lines.position(edit.start), lines.position(edit.end)
                item = {"start": {"line": start.line, "column": start.column},
                        "end": {"line": end.line, "column": end.column}, **item}
            edits.append(item)
        fix = {"title": finding.fix.title, "safe": finding.fix.safe, "edits": edits}
    return {
        "rule": finding.rule,
        "category": finding.category,
        "severity": finding.severity.label,
        "path": decoded(finding.path),
        "start": {"line": finding.start.line, "column": finding.start.column},
        "end": {"line": finding.end.line, "column": finding.end.column},
        "message": finding.message,
        "fix": fix,
    }


def error_dict(error: FileError) -> dict:
    out = {"path": decoded(error.path), "message": error.message}
    if error.line is not None:
        out["line"] = error.line
    return out


def render(report, out) -> None:
    data = {
        "version": __version__,
        "findings": [finding_dict(f, report.lines_for(f.path)) for f in report.findings],
        "errors": [error_dict(e) for e in report.errors],
    }
    json.dump(data, out, indent=2, ensure_ascii=False)
    out.write("\n")
