"""SARIF 2.1.0 output for code-scanning services; validated against the official schema in tests."""

from __future__ import annotations

import json
from pathlib import Path

from blastguard import __version__
from blastguard.engine.model import Severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note", Severity.HINT: "note"}
SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def _uri(path: str) -> str:
    return Path(path).as_posix()


def _region(start, end) -> dict:
    return {"startLine": start.line, "startColumn": start.column, "endLine": end.line, "endColumn": end.column}


def render(report, out) -> None:
    rules = sorted({f.rule for f in report.findings})
    index = {rule_id: i for i, rule_id in enumerate(rules)}
    descriptors = []
    for rule_id in rules:
        rule = report.rules.get(rule_id)
        descriptor = {"id": rule_id}
        if rule is not None:
            descriptor.update({
                "name": rule.title,
                "shortDescription": {"text": rule.title},
                "fullDescription": {"text": rule.message},
                "help": {"text": rule.note, "markdown": rule.note},
                "defaultConfiguration": {"level": _LEVEL.get(rule.severity, "warning")},
                "properties": {"category": rule.category, "tags": [rule.category]},
            })
            if rule.url.startswith(("http://", "https://")):
                descriptor["helpUri"] = rule.url
        descriptors.append(descriptor)
    results = []
    for f in report.findings:
        result = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(f.path)},
                "region": _region(f.start, f.end)}}],
        }
        lines = report.lines_for(f.path)
        if f.fix is not None and lines is not None:
            result["fixes"] = [{
                "description": {"text": f.fix.title},
                "artifactChanges": [{
                    "artifactLocation": {"uri": _uri(f.path)},
                    "replacements": [{
                        "deletedRegion": _region(lines.position(e.start), lines.position(e.end)),
                        "insertedContent": {"text": e.text}} for e in f.fix.edits]}]}]
        results.append(result)
    notifications = [{
        "level": "error",
        "message": {"text": e.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(e.path)},
                                            **({"region": {"startLine": e.line}} if e.line else {})}}],
    } for e in report.errors]
    sarif = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "blastguard", "version": __version__, "rules": descriptors}},
            "columnKind": "unicodeCodePoints",
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
            "results": results,
        }],
    }
    json.dump(sarif, out, indent=2, ensure_ascii=False)
    out.write("\n")
