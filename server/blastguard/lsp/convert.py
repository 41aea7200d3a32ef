"""Engine findings and fixes -> LSP diagnostics, edits, code actions and hover text."""

from __future__ import annotations

from lsprotocol import types

from blastguard.engine import languages
from blastguard.engine.lines import LineIndex
from blastguard.engine.model import Edit, Finding, Rule, Severity
from blastguard.lsp.positions import to_position

SOURCE = "blastguard"
FIX_ALL = "source.fixAll.blastguard"
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information, Severity.HINT: types.DiagnosticSeverity.Hint,
}


def lsp_range(lines: LineIndex, start: int, end: int, encoding: str) -> types.Range:
    (sl, sc), (el, ec) = to_position(lines, start, encoding), to_position(lines, end, encoding)
    return types.Range(types.Position(sl, sc), types.Position(el, ec))


def diagnostic(finding: Finding, lines: LineIndex, encoding: str, rule: Rule | None) -> types.Diagnostic:
    url = rule.url if rule is not None else None
    return types.Diagnostic(
        range=lsp_range(lines, finding.start_byte, finding.end_byte, encoding),
        message=finding.message,
        severity=_SEVERITY.get(finding.severity, types.DiagnosticSeverity.Warning),
        code=finding.rule,
        code_description=types.CodeDescription(href=url) if url else None,
        source=SOURCE,
    )


def text_edits(edits, lines: LineIndex, encoding: str) -> list[types.TextEdit]:
    return [types.TextEdit(lsp_range(lines, e.start, e.end, encoding), e.text) for e in edits]


def workspace_edit(uri: str, version: int, edits, lines: LineIndex, encoding: str) -> types.WorkspaceEdit:
    """Versioned, so a client refuses it if the document changed since."""
    return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
        text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
        edits=text_edits(edits, lines, encoding))])


def suppression_edit(finding: Finding, lines: LineIndex, syntax: str) -> Edit | None:
    """A comment on its own line above the finding, indented like it, naming the rule and
    leaving a reason to write; None where the syntax has no comments (JSON)."""
    prefix = languages.COMMENT_PREFIX.get(syntax)
    if prefix is None:
        return None
    # Above the value a finding inside a multi-line value belongs to: a line inside a `run: |`
    # script would be part of the script.
    line = lines.line_of(finding.anchor) if finding.anchor >= 0 else finding.start.line - 1
    start = lines.starts[line]
    text = lines.line_text(line)
    indent = text[:len(text) - len(text.lstrip(b" \t"))].decode("utf-8")
    end_of_line = lines.data[lines.line_end(line):lines.starts[line + 1]].decode() if line + 1 < len(lines.starts) else "\n"
    return Edit(start, start, f"{indent}{prefix} blastguard: ignore[{finding.rule}] <reason>{end_of_line or chr(10)}")


def hover_markdown(findings: list[Finding], rules: dict[str, Rule], syntax: str) -> str:
    prefix = languages.COMMENT_PREFIX.get(syntax) or "#"
    parts = []
    for finding in findings:
        rule = rules.get(finding.rule)
        title = rule.title if rule is not None else finding.rule
        block = [f"**{finding.rule}: {title}** ({finding.severity.label}, {finding.category})", "",
                 finding.message]
        if rule is not None and rule.note:
            block += ["", "**What could happen, and the safer alternative**", "", rule.note]
        if finding.fix is not None:
            block += ["", f"**Quick fix:** {finding.fix.title}"]
        if syntax != "json":
            block += ["", "**Suppress** (on the line or the line above, with a reason):", "",
                      f"`{prefix} blastguard: ignore[{finding.rule}] <reason> until=YYYY-MM-DD`"]
        if rule is not None and rule.url:
            block += ["", f"[Rule documentation]({rule.url})"]
        parts.append("\n".join(block))
    return "\n\n---\n\n".join(parts)
