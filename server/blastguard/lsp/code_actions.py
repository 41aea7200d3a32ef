"""textDocument/codeAction: quick fixes, suppressions, fix-all, and the review actions of inserted blocks."""

from __future__ import annotations

from lsprotocol import types

from blastguard.engine import fixes
from blastguard.lsp import convert, review
from blastguard.lsp.positions import to_offset


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll, convert.FIX_ALL]))
    async def code_action(ls, params: types.CodeActionParams):
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return []
        result = await ls.current(doc)
        if result is None:
            return []
        encoding, lines = ls.encoding, doc.lines
        start = to_offset(lines, params.range.start.line, params.range.start.character, encoding)
        end = to_offset(lines, params.range.end.line, params.range.end.character, encoding)
        only = params.context.only
        actions: list[types.CodeAction] = []
        syntax = ls.syntax(doc)
        if only is None or any(k.startswith(types.CodeActionKind.QuickFix) for k in only):
            extra = doc.change.extra if doc.change is not None else []  # destructive changes, with their fixes
            here = [f for f in result.findings + extra
                    if f.end_byte >= start and f.start_byte <= end and f.category != "meta"]
            diagnostics = [convert.diagnostic(f, lines, encoding, ls.rules_by_id.get(f.rule)) for f in here]
            for finding, diag in zip(here, diagnostics):
                if finding.fix is not None:
                    actions.append(types.CodeAction(
                        title=f"{finding.fix.title} ({finding.rule})", kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diag], is_preferred=True,
                        edit=convert.workspace_edit(doc.uri, doc.version, finding.fix.edits, lines, encoding)))
                suppress = convert.suppression_edit(finding, lines, syntax)
                if suppress is not None:
                    actions.append(types.CodeAction(
                        title=f"Suppress {finding.rule} on this line", kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diag],
                        edit=convert.workspace_edit(doc.uri, doc.version, [suppress], lines, encoding)))
            actions += review.block_actions(doc, here, diagnostics, encoding)
        if only is None or any(convert.FIX_ALL.startswith(k) for k in only):
            edits = [e for f in result.findings if f.fix is not None and f.fix.safe for e in f.fix.edits]
            if edits:
                _, applied = fixes.apply(doc.data, edits)
                actions.append(types.CodeAction(
                    title="Fix all safely fixable Blastguard findings", kind=convert.FIX_ALL,
                    edit=convert.workspace_edit(doc.uri, doc.version, applied, lines, encoding)))
        return actions
