"""What an open document's change introduces relative to its base version, and the diagnostics that say so.

Two lanes, so the comparison never slows typing. On every check, the findings are split into
introduced and pre-existing by identity against the base's, counted once per base text (a
pass over the findings, not the document). The full comparison (destructive changes, added
suppressions, renames) reads both versions whole, so it runs once the document has been idle
for FULL_DELAY_S; until the next one, its findings are moved with the edits made since.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field

from lsprotocol import types

from blastguard.engine.change import compare_files
from blastguard.engine.change.compare import identities, split
from blastguard.engine.lines import LineIndex
from blastguard.engine.model import META_CATEGORY, Finding, ScanResult
from blastguard.engine.reuse import moved
from blastguard.lsp import convert
from blastguard.lsp.base_versions import BaseText
from blastguard.lsp.positions import to_position

log = logging.getLogger("blastguard.lsp")

INTRODUCED = "introduced by this change"
SUMMARY = "blastguard/changeSummary"
# The branch switching (HEAD) or the branch moving (a commit): the base may name another commit.
WATCHED = ("**/.git/HEAD", "**/.git/refs/heads/**")
FULL_DELAY_S = 0.3  # idle time before the full comparison
MAX_EDITS = 10_000  # edits kept to move the full comparison's findings; past that they wait for the next
_LOWER = {"hint": types.DiagnosticSeverity.Hint, "information": types.DiagnosticSeverity.Information}


@dataclass
class Base:
    """A document at the base: its text, and what the comparison keeps of the base's analysis
    (made once per base text, on the analysis thread)."""

    text: BaseText
    prepared: ScanResult | None = None
    keys: Counter = field(default_factory=Counter)  # identities of the base's findings
    engine: object = None  # the engine `prepared` was made with; settings make a new one


@dataclass
class Classified:
    """One result against the base: which of its findings the change introduces and which
    were there already (a finding in neither is one a destructive change restates), and the
    findings only the comparison makes (destructive changes, suppressions added), positioned
    in the current text."""

    introduced: set[int] = field(default_factory=set)  # id() of findings of the result
    preexisting: set[int] = field(default_factory=set)
    extra: list[Finding] = field(default_factory=list)
    destroyed: list[Finding] = field(default_factory=list)

    def is_introduced(self, finding: Finding) -> bool:
        return id(finding) in self.introduced or any(f is finding for f in self.extra)


def prepare(engine, path: str, base: Base) -> None:
    """Runs on the analysis thread, once per base text and engine: the base's findings."""
    base.prepared = engine.analyze(path, base.text.data) if base.text.data is not None else None
    base.keys = identities(base.prepared.findings) if base.prepared is not None else Counter()
    base.engine = engine


def split_by_identity(base: Base, result: ScanResult, full: Full | None, lines: LineIndex) -> Classified:
    """The fast lane: introduced and pre-existing by identity; the last full comparison's own
    findings moved to where they are now."""
    introduced, preexisting = split(Counter(base.keys), result.findings)
    extra = full.moved(lines) if full is not None else []
    return Classified({id(f) for f in introduced}, {id(f) for f in preexisting}, extra,
                      [f for f in extra if f.category != META_CATEGORY])


def classify(engine, path: str, base: Base, data: bytes, result: ScanResult) -> Classified:
    """The full lane, on the analysis thread: neither version is analysed again, the current
    result and the base's are handed to the comparison."""
    old = {} if base.text.data is None else {path: base.text.data}
    old_results = {} if base.prepared is None else {path: base.prepared}
    report = compare_files(engine, old, {path: data}, results={path: result}, old_results=old_results)[path]
    mine = {id(f) for f in result.findings}
    introduced = {id(f) for f in report.introduced if id(f) in mine}
    return Classified(introduced, {id(f) for f in report.preexisting},
                      [f for f in report.introduced if id(f) not in mine] + report.destroyed, report.destroyed)


@dataclass
class Full:
    """The last full comparison's own findings (destructive changes, added suppressions), and
    the edits made to the document since, as (start, old end, new length)."""

    findings: list[Finding]
    edits: list[tuple[int, int, int]] = field(default_factory=list)

    def moved(self, lines: LineIndex) -> list[Finding]:
        """Each finding moved through the edits; one an edit touches (or that lies between a
        finding and its fix) is left out until the next full comparison."""
        if len(self.edits) > MAX_EDITS:
            return []
        out = []
        for finding in self.findings:
            start = finding.start_byte
            end = max([finding.end_byte, *(e.end for e in finding.fix.edits)] if finding.fix else [finding.end_byte])
            delta = 0
            for edit_start, old_end, new_length in self.edits:
                if old_end <= start:  # before it (an insertion at its start too): it moves
                    shift = new_length - (old_end - edit_start)
                    start, end, delta = start + shift, end + shift, delta + shift
                elif edit_start < end:  # inside it: wait for the next comparison
                    break
            else:
                out.append(moved(finding, delta, lines) if delta else finding)
        return out


def diagnostics(doc, encoding: str, rules_by_id: dict, preexisting: str) -> list[types.Diagnostic]:
    """The findings of the document's last result as diagnostics: introduced ones say so,
    pre-existing ones are lowered to `preexisting` (or left out: "hidden"), destructive
    changes added, and any finding inside an inserted block names the block."""
    return [diagnostic(finding, lowest, notes, doc.lines, encoding, rules_by_id)
            for finding, lowest, notes in shown(doc, preexisting)]


def pushed(doc, encoding: str, rules_by_id: dict, preexisting: str, unstructure) -> list[str]:
    """`diagnostics` as JSON texts (`unstructure` is the protocol's converter). A keystroke leaves
    most diagnostics as they were, and building, converting and serialising lsprotocol objects
    cost more than analysing the change: each is kept by what it shows (rule, message, severity,
    notes, range) and reused while it shows the same."""
    lines = doc.lines
    kept, sent = doc.sent, {}
    out = []
    # In ASCII text a finding's own line and column (code points) are its position in every
    # encoding: no look-up in the line index per finding.
    ascii = lines.data.isascii()
    for finding, lowest, notes in shown(doc, preexisting):
        if ascii:
            start, end = finding.start, finding.end
            where = (start.line - 1, start.column - 1), (end.line - 1, end.column - 1)
        else:
            where = to_position(lines, finding.start_byte, encoding), to_position(lines, finding.end_byte, encoding)
        key = (finding.rule, finding.message, finding.severity, lowest, notes, where)
        item = kept.get(key) or sent.get(key)
        if item is None:
            item = json.dumps(unstructure(diagnostic(finding, lowest, notes, lines, encoding, rules_by_id)))
        sent[key] = item
        out.append(item)
    doc.sent = sent
    return out


def shown(doc, preexisting: str):
    """(finding, severity it is lowered to or None, notes for its message) for each diagnostic
    of the document's last result (see `diagnostics`)."""
    change: Classified | None = doc.change
    for finding in doc.result.findings:
        notes = []
        lowest = None
        if change is not None and finding.category != META_CATEGORY:
            if id(finding) in change.introduced:
                notes.append(INTRODUCED)
            elif id(finding) not in change.preexisting or preexisting == "hidden":
                continue  # restated by a destructive-change finding, or hidden by the setting
            else:
                lowest = _LOWER[preexisting]
        yield finding, lowest, _described(finding, doc, notes)
    for finding in change.extra if change is not None else ():
        yield finding, None, _described(finding, doc, [INTRODUCED] if finding.category == META_CATEGORY else [])


def diagnostic(finding: Finding, lowest, notes: tuple[str, ...], lines: LineIndex, encoding: str,
               rules_by_id: dict) -> types.Diagnostic:
    diagnostic = convert.diagnostic(finding, lines, encoding, rules_by_id.get(finding.rule))
    if lowest is not None:
        diagnostic.severity = max(diagnostic.severity, lowest)  # higher number, lower severity
    if notes:
        diagnostic.message = f"{diagnostic.message} [{'; '.join(notes)}]"
    return diagnostic


def _described(finding: Finding, doc, notes: list[str]) -> tuple[str, ...]:
    block = doc.blocks.at(finding.start_byte, finding.end_byte) if doc.blocks.blocks else None
    if block is not None:
        notes.append(block.label)
    return tuple(notes)


def summary(doc) -> dict:
    """The `blastguard/changeSummary` notification's counts for a document."""
    change: Classified | None = doc.change
    findings = [f for f in doc.result.findings if f.category != META_CATEGORY] if doc.result is not None else []
    return {
        "uri": doc.uri, "version": doc.result_version,
        "base": doc.base.text.base if change is not None else None,
        "introduced": len(change.introduced) + len(change.extra) - len(change.destroyed) if change is not None else None,
        "destroyed": len(change.destroyed) if change is not None else None,
        "preexisting": len(change.preexisting) if change is not None else None,
        "findings": len(findings),
        "blocks": len(doc.blocks.blocks),
    }



# -- keeping each document's base current -------------------------------------------------


def read_base(ls, doc) -> None:
    """(Re)read the document's base version in the background; the next analysis waits for it."""
    if doc.base_task is not None and not doc.base_task.done():
        doc.base_task.cancel()
    doc.base_task = asyncio.ensure_future(_read_base(ls, doc))


async def _read_base(ls, doc) -> None:
    text = await ls.bases.read(doc.path)
    if ls.documents.get(doc.uri) is not doc:
        return
    old = doc.base
    if text is None:
        doc.base = doc.change = doc.full = None
    elif old is None or old.text != text:
        doc.base, doc.full = Base(text), None
    if doc.base is not old and doc.result is not None:  # checked against the old base: again
        ls.schedule(doc, 0)


async def wait_for_base(doc) -> None:
    task = doc.base_task
    if task is not None and not task.done():
        await asyncio.wait({task})


async def compare(ls, doc, data: bytes, result) -> Classified | None:
    """Classify a fresh result against the document's base (the fast lane), and start the full
    comparison once the document rests."""
    base = doc.base
    if base is None or result.language is None:
        return None
    loop = asyncio.get_running_loop()
    if base.engine is not ls.engine:  # first use, or the settings changed the rules
        engine = ls.engine
        await loop.run_in_executor(ls.executor, prepare, engine, doc.path, base)
        if doc.base is not base or base.engine is not engine:
            return None  # re-read or re-made meanwhile: the check that follows uses the new one
    if doc.full_task is not None:
        doc.full_task.cancel()
    doc.full_task = asyncio.ensure_future(_full(ls, doc, doc.version, data, result))
    return split_by_identity(base, result, doc.full, doc.lines)


async def _full(ls, doc, version: int, data: bytes, result) -> None:
    await asyncio.sleep(FULL_DELAY_S)
    while doc.result_version != version:  # the check of this version is still being published
        if doc.version != version or ls.documents.get(doc.uri) is not doc:
            return
        await asyncio.sleep(0.01)
    base = doc.base
    change = await asyncio.get_running_loop().run_in_executor(ls.executor, _classify, ls.engine, doc.path, base,
                                                              data, result)
    if change is None or doc.version != version or doc.base is not base or ls.documents.get(doc.uri) is not doc:
        return  # overtaken: the next rest compares again
    doc.full = Full(change.extra)
    if doc.result is result:
        doc.change = change
        ls.publish(doc, again=True)


def _classify(engine, path: str, base: Base, data: bytes, result: ScanResult) -> Classified | None:
    try:
        return classify(engine, path, base, data, result)
    except Exception:  # the comparison failing leaves the plain findings, never a broken document
        log.exception("comparing %s with %s failed", path, base.text.base)
        return None


async def watch_head(ls) -> None:
    """Ask the client to tell us when .git/HEAD or a branch moves (dynamic registration)."""
    workspace = ls.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace is not None else None
    if watched is None or not watched.dynamic_registration:
        return
    try:
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[types.Registration(
            id=str(uuid.uuid4()), method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(
                watchers=[types.FileSystemWatcher(glob_pattern=g) for g in WATCHED]))]))
    except Exception as exc:  # without it, the base is still re-read on save
        log.warning("client/registerCapability (watched files) failed: %s", exc)


def can_refresh(ls) -> bool:
    workspace = ls.client_capabilities.workspace
    diagnostics = workspace.diagnostics if workspace is not None else None
    return bool(diagnostics is not None and diagnostics.refresh_support)


def register(server) -> None:
    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls, params: types.DidChangeWatchedFilesParams) -> None:
        if any("/.git/" in change.uri for change in params.changes):
            ls.bases.moved()
            for doc in ls.documents.values():
                read_base(ls, doc)
