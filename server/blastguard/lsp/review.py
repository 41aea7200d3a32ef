"""Reviewing an inserted block: its code actions, the `blastguard.showBlockReport` command and the report it shows."""

from __future__ import annotations

from lsprotocol import types

from blastguard.engine.model import Finding
from blastguard.lsp import convert
from blastguard.lsp.provenance import Block

# Implemented by the clients (it selects the block in the editor), so the server never lists it
# among its own commands: VS Code's language client would then claim the name for the server.
REVIEW_BLOCK = "blastguard.reviewBlock"
# Implemented here (workspace/executeCommand): shows the block's report as a message.
SHOW_BLOCK_REPORT = "blastguard.showBlockReport"
SERVER_COMMANDS = [SHOW_BLOCK_REPORT]


def block_actions(doc, findings: list[Finding], diagnostics: list[types.Diagnostic], encoding: str) -> list[types.CodeAction]:
    """The two review actions of each inserted block holding one of `findings` (whose
    diagnostics, in the same order, the actions name)."""
    actions: list[types.CodeAction] = []
    seen: set[int] = set()
    for finding in findings:
        block = doc.blocks.at(finding.start_byte, finding.end_byte)
        if block is None or block.id in seen:
            continue
        seen.add(block.id)
        named = [d for f, d in zip(findings, diagnostics) if block.holds(f.start_byte, f.end_byte)]
        span = convert.lsp_range(doc.lines, block.start, block.end, encoding)
        actions.append(types.CodeAction(
            title=f"Review inserted block ({block.lines} lines)", kind=types.CodeActionKind.QuickFix,
            diagnostics=named, command=types.Command(
                title="Review inserted block", command=REVIEW_BLOCK, arguments=[doc.uri, span])))
        actions.append(types.CodeAction(
            title="Show what this block destroys", kind=types.CodeActionKind.QuickFix, diagnostics=named,
            command=types.Command(title="Show what this block destroys", command=SHOW_BLOCK_REPORT,
                                  arguments=[doc.uri, block.id])))
    return actions


def report(doc, block: Block, findings: list[Finding], destroyed: list[Finding], introduced) -> str:
    """One message: what the block destroys, then what it holds. `introduced` tells a finding the
    change introduces (None: no base to compare with)."""
    first, last = doc.lines.line_of(block.start) + 1, doc.lines.line_of(max(block.start, block.end - 1)) + 1
    inside = [f for f in findings if block.holds(f.start_byte, f.end_byte) and f.category != "meta"]
    lost = [f for f in destroyed if block.holds(f.start_byte, f.end_byte)]
    head = f"Blastguard: the block {block.label.removeprefix('in a block ')}, lines {first}-{last}"
    if not inside and not lost:
        return f"{head}: no findings, destroys nothing."
    parts = [f"{head}:"]
    if lost:
        parts.append(f"destroys ({len(lost)}):")
        parts += [f"  line {f.start.line}: {f.rule} {f.message}" for f in lost]
    else:
        parts.append("destroys nothing.")
    if inside:
        parts.append(f"findings ({len(inside)}):")
        for f in inside:
            status = "" if introduced is None else (" (introduced)" if introduced(f) else " (pre-existing)")
            parts.append(f"  line {f.start.line}: {f.rule} [{f.severity.label}]{status} {f.message}")
    return "\n".join(parts)


def register(server) -> None:
    """The server side of "Show what this block destroys"."""

    @server.command(SHOW_BLOCK_REPORT)
    async def show_block_report(ls, *args) -> str | None:
        uri, block_id, options = (list(args or []) + [None, None, None])[:3]
        # A client that shows the returned text itself (VS Code, as a dialog) asks for no message.
        show = not (isinstance(options, dict) and options.get("show") is False)
        doc = ls.documents.get(uri) if isinstance(uri, str) else None
        block = doc.blocks.get(block_id) if doc is not None and isinstance(block_id, int) else None
        if block is None:
            text = "Blastguard: that inserted block is no longer tracked (edited by hand, saved or closed)."
            if show:
                ls.window_show_message(types.ShowMessageParams(types.MessageType.Info, text))
            return text
        result = await ls.current(doc)
        change = doc.change
        added = [f for f in change.extra if f not in change.destroyed] if change is not None else []
        text = report(doc, block, (result.findings if result is not None else []) + added,
                      change.destroyed if change is not None else [],
                      change.is_introduced if change is not None else None)
        if show:
            kind = types.MessageType.Warning if "destroys (" in text else types.MessageType.Info
            ls.window_show_message(types.ShowMessageParams(kind, text))
        return text
