"""GitLab reports: the SAST security report (`--format gitlab`, schema 15) and the code-quality
report (`--format codeclimate`), with fingerprints that survive lines moving."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from blastguard import __version__
from blastguard.engine.model import Finding, Severity
from blastguard.reporters.escape import decoded
from blastguard.reporters.ruledoc import help_uri, references, security_severity

SAST_VERSION = "15.0.6"
_TOOL = {"id": "blastguard", "name": "Blastguard", "version": __version__, "vendor": {"name": "Blastguard"}}
_QUALITY = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "minor", Severity.HINT: "info"}


def fingerprints(findings: list[Finding]) -> list[str]:
    """A stable id per finding: the rule, the file and where in it (the Terraform address,
    Kubernetes object... and the path inside, else the line), numbered when repeated."""
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        where = f"{f.unit}\0{f.where}" if f.unit else f"{f.start.line}:{f.start.column}"
        key = hashlib.sha256(f"{f.rule}\0{decoded(f.path)}\0{where}".encode()).hexdigest()
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest())
    return out


def _level(finding: Finding) -> str:
    score = security_severity(finding.category, finding.severity)
    if score is None:
        return "Info"
    value = float(score)
    return "Critical" if value >= 9 else "High" if value >= 7 else "Medium" if value >= 4 else "Low"


def _time(moment: dt.datetime | None) -> str:
    return (moment or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%S")


def sast(report) -> dict:
    vulnerabilities = []
    for f, fingerprint in zip(report.findings, fingerprints(report.findings)):
        rule = report.rules.get(f.rule)
        identifier = {"type": "blastguard_rule_id", "name": f"Blastguard {f.rule}", "value": f.rule}
        if rule is not None and help_uri(rule):
            identifier["url"] = help_uri(rule)
        identifiers = [identifier]
        if rule is not None:
            identifiers += [{"type": "cwe", "name": cwe, "value": cwe.removeprefix("CWE-"),
                             "url": f"https://cwe.mitre.org/data/definitions/{cwe.removeprefix('CWE-')}.html"}
                            for cwe in rule.metadata.get("cwe", [])]
        item = {
            "id": str(_uuid().uuid5(_uuid().NAMESPACE_URL, f"blastguard:{fingerprint}")),
            "name": (rule.title if rule is not None else f.rule)[:255],
            "description": f.message,
            "severity": _level(f),
            "location": {"file": decoded(f.path), "start_line": f.start.line, "end_line": f.end.line},
            "identifiers": identifiers,
        }
        if f.fix is not None:
            item["solution"] = f.fix.title
        links = [{"url": r} for r in (references(rule) if rule is not None else []) if r.startswith("http")]
        if links:
            item["links"] = links
        vulnerabilities.append(item)
    scan = {"analyzer": _TOOL, "scanner": _TOOL, "type": "sast", "start_time": _time(report.started),
            "end_time": _time(report.finished), "status": "success"}
    if report.errors:
        scan["messages"] = [{"level": "warn", "value": f"{decoded(e.path)}: {e.message}"} for e in report.errors]
    return {"version": SAST_VERSION, "vulnerabilities": vulnerabilities, "scan": scan}


def code_quality(report) -> list[dict]:
    return [{
        "type": "issue",
        "check_name": f.rule,
        "description": f"{f.rule}: {f.message}",
        "categories": ["Security"],
        "fingerprint": fingerprint,
        "severity": _QUALITY[f.severity],
        "location": {"path": decoded(f.path), "lines": {"begin": f.start.line, "end": f.end.line}},
    } for f, fingerprint in zip(report.findings, fingerprints(report.findings))]


def render_sast(report, out) -> None:
    json.dump(sast(report), out, indent=2, ensure_ascii=False)
    out.write("\n")


def render_code_quality(report, out) -> None:
    json.dump(code_quality(report), out, indent=2, ensure_ascii=False)
    out.write("\n")


def _uuid():
    import uuid  # with platform, 10 ms at start-up: only for this format

    return uuid
