"""Suppression comments in a comparison: they silence change findings, and adding one is news."""

from __future__ import annotations

from collections import Counter

from blastguard.engine import builtin, languages, parsing, suppress
from blastguard.engine.documents.load import Comment
from blastguard.engine.lines import LineIndex
from blastguard.engine.model import Finding


def _comments(path: str, data: bytes | None) -> tuple[list[suppress.Suppression], LineIndex | None]:
    if not data or b"blastguard" not in data:
        return [], None
    detected = languages.detect(path, data[:languages.SNIFF_BYTES])
    if detected is None:
        return [], None
    grammar = "hcl" if detected[1] == "hcl" else detected[1]
    root = parsing.parse(grammar, data).root_node
    comments = [Comment(c.start_byte, c.end_byte, c.text.decode("utf-8", "replace"))
                for c in parsing.captures(grammar, "(comment) @c", root).get("c", [])]
    lines = LineIndex(data)
    return suppress.parse(sorted(comments, key=lambda c: c.start), lines), lines


def apply(engine, path: str, data: bytes | None, findings: list[Finding]) -> list[Finding]:
    """The change findings no valid suppression comment of the new text covers."""
    comments, _ = _comments(path, data)
    if not comments:
        return findings
    today = engine.options.date()
    kept = []
    for finding in findings:
        line = finding.start.line - 1
        if any(c.target == line and finding.rule in c.ids and not c.problem
               and finding.rule not in engine.options.unsuppressible
               and (c.until is None or c.until >= today) for c in comments):
            continue
        kept.append(finding)
    return kept


def added(engine, path: str, old: bytes | None, new: bytes) -> list[Finding]:
    """BG005 (info) for each suppression comment of the new text that the old one lacked
    (compared by rule ids and reason, not by line)."""
    if not engine.options.enabled(builtin.SUPPRESSION_ADDED.id):
        return []
    severity = engine.options.severity_of(builtin.SUPPRESSION_ADDED.id, builtin.SUPPRESSION_ADDED.severity)
    if severity == 0:
        return []
    comments, lines = _comments(path, new)
    if not comments:
        return []
    before = Counter(_key(c) for c in _comments(path, old)[0])
    found = []
    for comment in comments:
        key = _key(comment)
        if before[key] > 0:
            before[key] -= 1
            continue
        rule = builtin.SUPPRESSION_ADDED
        message = rule.message.format(ids=", ".join(comment.ids), reason=comment.reason or "(no reason)")
        found.append(Finding(rule.id, rule.category, severity, path, comment.start, comment.end,
                             lines.position(comment.start), lines.position(comment.end), message,
                             unit="", where=" ".join(key)))
    return found


def _key(comment: suppress.Suppression) -> tuple[str, str]:
    return ",".join(comment.ids), comment.reason
