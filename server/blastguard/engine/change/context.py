"""What a comparison shares: both versions of every file, the rules, and where to report."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from blastguard.engine.lines import LineIndex
from blastguard.engine.model import Finding, Fix, Position, Rule, Severity


class _Fields(dict):
    def __missing__(self, key: str) -> str:  # a message naming a field the check did not give
        return "{" + key + "}"


@dataclass
class Context:
    """Old and new bytes by path (a path missing on one side was added or deleted), and the
    destructive-change findings made so far, by the path they are reported in."""

    engine: object
    old: dict[str, bytes]
    new: dict[str, bytes]
    found: dict[str, list[Finding]] = field(default_factory=dict)
    _lines: dict[str, LineIndex] = field(default_factory=dict)
    _maps: dict[str, list] = field(default_factory=dict)
    _rules: dict[str, Rule] | None = None
    cache: dict = field(default_factory=dict)  # what the families parse once and share
    # Each change finding's (before, after), for review output: `aws_db_instance.a` ->
    # `aws_db_instance.b`, `deletion_protection = true` -> `deletion_protection = false`.
    transitions: dict[Finding, tuple[str, str]] = field(default_factory=dict)
    # Units that go by another name in the new version (a rename, a `moved` block), by the
    # directory they are in: their findings are the same findings.
    renamed: dict[str, dict[str, str]] = field(default_factory=dict)

    def rule(self, rule_id: str) -> Rule | None:
        """The rule, or None when it is not loaded or the options turn it off."""
        if self._rules is None:
            self._rules = {r.id: r for r in self.engine.rules.rules if "change" in r.metadata}
        rule = self._rules.get(rule_id)
        if rule is None or not self.engine.options.enabled(rule_id):
            return None
        return rule

    def lines(self, path: str) -> LineIndex:
        if path not in self._lines:
            self._lines[path] = LineIndex(self.new.get(path, b""))
        return self._lines[path]

    # -- reporting ------------------------------------------------------------------------

    def report(self, rule_id: str, path: str, start: int, end: int, fields: dict, *, change: tuple[str, str],
               stateful: bool = False, unit: str = "", fix: Fix | None = None) -> None:
        """A finding at bytes [start, end) of the new version of path."""
        rule = self.rule(rule_id)
        if rule is None:
            return
        severity = self._severity(rule, stateful)
        if severity == Severity.OFF:
            return
        if path in self.new:
            lines = self.lines(path)
            first = lines.line_of(start)
            if lines.line_of(max(start, end - 1)) != first:
                end = lines.line_end(first)  # a whole block: its first line
            begin, finish = lines.position(start), lines.position(end)
        else:  # a deleted file: its first line, which the reader sees in the diff
            start = end = 0
            begin = finish = Position(1, 1)
        message = rule.message.format_map(_Fields(fields))
        finding = Finding(rule.id, rule.category, severity, path, start, end, begin, finish, message, fix,
                          unit, f"change {rule.metadata['change']['check']}")
        self.found.setdefault(path, []).append(finding)
        self.transitions[finding] = change

    def report_removed(self, rule_id: str, old_path: str, old_offset: int, fields: dict, **kwargs) -> None:
        """A finding about something that was at old_offset of old_path and is gone: on the
        nearest remaining line of the file's new version, or line 1 of a deleted file."""
        if old_path not in self.new:
            self.report(rule_id, old_path, 0, 0, fields, **kwargs)
            return
        lines = self.lines(old_path)
        line = self._new_line(old_path, old_offset)
        self.report(rule_id, old_path, lines.starts[line], lines.line_end(line), fields, **kwargs)

    def _severity(self, rule: Rule, stateful: bool) -> Severity:
        configured = self.engine.options.severity.get(rule.id)
        if configured is not None:
            return configured
        special = rule.metadata["change"].get("stateful_severity")
        if stateful and special:
            return Severity.parse(special)
        return rule.severity

    def _new_line(self, path: str, old_offset: int) -> int:
        """0-based line of the new text nearest to old_offset's line in the old text."""
        old = self.old.get(path, b"")
        old_line = old.count(b"\n", 0, old_offset)
        if path not in self._maps:
            matcher = difflib.SequenceMatcher(None, old.split(b"\n"), self.new[path].split(b"\n"), autojunk=False)
            self._maps[path] = matcher.get_opcodes()
        lines = self.lines(path)
        last = len(lines.starts) - 1
        line = last
        for tag, i1, i2, j1, _ in self._maps[path]:
            if i1 <= old_line < i2:
                line = min(j1 + (old_line - i1) if tag == "equal" else j1, last)
                break
        # A blank line says nothing to a reader: the next line with text, else the previous.
        for candidate in [*range(line, last + 1), *range(line - 1, -1, -1)]:
            if lines.line_text(candidate).strip():
                return candidate
        return line
