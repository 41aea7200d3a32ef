"""SARIF 2.1.0 output for code-scanning services; validated against the official schema in tests.
Rules carry what GitHub code scanning ranks and shows: security-severity, helpUri, help text."""

from __future__ import annotations

import json
import os
from urllib.parse import quote

from blastguard import __version__
from blastguard.engine.model import Severity
from blastguard.reporters.gitlab import fingerprints
from blastguard.reporters.ruledoc import help_uri, rule_markdown, security_severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note", Severity.HINT: "note"}
SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def uri(path: str) -> str:
    """A URI reference for a path: relative paths stay relative, absolute ones are file:
    URIs; every byte outside the unreserved set is percent-encoded (spaces, `%`, newlines,
    non-ASCII, and the raw bytes of non-UTF-8 names)."""
    raw = os.fsencode(path).replace(os.sep.encode(), b"/")
    encoded = quote(raw, safe="/")
    return f"file://{encoded}" if raw.startswith(b"/") else encoded


def _region(start, end) -> dict:
    return {"startLine": start.line, "startColumn": start.column, "endLine": end.line, "endColumn": end.column}


def _descriptor(rule_id: str, rule, severity: Severity) -> dict:
    descriptor = {"id": rule_id}
    if rule is None:
        return descriptor
    markdown = rule_markdown(rule)
    properties = {"category": rule.category, "tags": [rule.category]}
    score = security_severity(rule.category, severity)
    if score is not None:
        properties["security-severity"] = score
        properties["tags"] = ["security", rule.category]
    descriptor.update({
        "name": rule.title,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.message},
        # Markdown readers get the formatting; plain readers get the same words without it.
        "help": {"text": markdown.replace("**", "").replace("`", ""), "markdown": markdown},
        "defaultConfiguration": {"level": _LEVEL.get(rule.severity, "warning")},
        "properties": properties,
    })
    link = help_uri(rule)
    if link:
        descriptor["helpUri"] = link
    return descriptor


def render(report, out) -> None:
    # The severity a project gave a rule is what ranks it, not the rule's default.
    severities: dict[str, Severity] = {}
    for f in report.findings:
        severities.setdefault(f.rule, f.severity)
    rules = sorted(severities)
    index = {rule_id: i for i, rule_id in enumerate(rules)}
    descriptors = [_descriptor(r, report.rules.get(r), severities[r]) for r in rules]
    results = []
    for f, fingerprint in zip(report.findings, fingerprints(report.findings)):
        result = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": uri(f.path)},
                "region": _region(f.start, f.end)}}],
            "partialFingerprints": {"blastguardFinding/v1": fingerprint},
        }
        lines = report.lines_for(f.path)
        if f.fix is not None and lines is not None:
            result["fixes"] = [{
                "description": {"text": f.fix.title},
                "artifactChanges": [{
                    "artifactLocation": {"uri": uri(f.path)},
                    "replacements": [{
                        "deletedRegion": _region(lines.position(e.start), lines.position(e.end)),
                        "insertedContent": {"text": e.text}} for e in f.fix.edits]}]}]
        results.append(result)
    notifications = [{
        "level": "error",
        "message": {"text": e.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(e.path)},
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
