"""What an open document's change introduces relative to its base version, and the diagnostics that say so."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field

from lsprotocol import types

from blastguard.engine.change import compare_files
from blastguard.engine.model import META_CATEGORY, Finding, ScanResult
from blastguard.lsp import convert
from blastguard.lsp.base_versions import BaseText

log = logging.getLogger("blastguard.lsp")

INTRODUCED = "introduced by this change"
SUMMARY = "blastguard/changeSummary"
# The branch switching (HEAD) or the branch moving (a commit): the base may name another commit.
WATCHED = ("**/.git/HEAD", "**/.git/refs/heads/**")
_LOWER = {"hint": types.DiagnosticSeverity.Hint, "information": types.DiagnosticSeverity.Information}


@dataclass
class Base:
    """A document at the base: its text, and what the comparison keeps of the base's analysis
    (made once per base text, on the analysis thread)."""

    text: BaseText
    prepared: object = None
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


def prepare(engine, path: str, text: BaseText) -> ScanResult | None:
    """Runs on the analysis thread, once per base text: the base's findings and identities."""
    return engine.analyze(path, text.data) if text.data is not None else None


def classify(engine, path: str, base: Base, data: bytes, result: ScanResult) -> Classified:
    """Runs on the analysis thread after each analysis. Neither version is analysed again:
    the current result and the base's are handed to the comparison, which matches findings
    by identity."""
    old = {} if base.text.data is None else {path: base.text.data}
    old_results = {} if base.prepared is None else {path: base.prepared}
    report = compare_files(engine, old, {path: data}, results={path: result}, old_results=old_results)[path]
    mine = {id(f) for f in result.findings}
    introduced = {id(f) for f in report.introduced if id(f) in mine}
    return Classified(introduced, {id(f) for f in report.preexisting},
                      [f for f in report.introduced if id(f) not in mine] + report.destroyed, report.destroyed)


def diagnostics(doc, encoding: str, rules_by_id: dict, preexisting: str) -> list[types.Diagnostic]:
    """The findings of the document's last result as diagnostics: introduced ones say so,
    pre-existing ones are lowered to `preexisting` (or left out: "hidden"), destructive
    changes added, and any finding inside an inserted block names the block."""
    change: Classified | None = doc.change
    out = []
    for finding in doc.result.findings:
        diagnostic = convert.diagnostic(finding, doc.lines, encoding, rules_by_id.get(finding.rule))
        notes = []
        if change is not None and finding.category != META_CATEGORY:
            if id(finding) in change.introduced:
                notes.append(INTRODUCED)
            elif id(finding) not in change.preexisting or preexisting == "hidden":
                continue  # restated by a destructive-change finding, or hidden by the setting
            else:
                diagnostic.severity = max(diagnostic.severity, _LOWER[preexisting])  # higher number, lower severity
        _describe(diagnostic, finding, doc, notes)
        out.append(diagnostic)
    for finding in change.extra if change is not None else ():
        diagnostic = convert.diagnostic(finding, doc.lines, encoding, rules_by_id.get(finding.rule))
        _describe(diagnostic, finding, doc, [INTRODUCED] if finding.category == META_CATEGORY else [])
        out.append(diagnostic)
    return out


def _describe(diagnostic: types.Diagnostic, finding: Finding, doc, notes: list[str]) -> None:
    block = doc.blocks.at(finding.start_byte, finding.end_byte) if doc.blocks.blocks else None
    if block is not None:
        notes.append(block.label)
    if notes:
        diagnostic.message = f"{diagnostic.message} [{'; '.join(notes)}]"


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
        doc.base = doc.change = None
    elif old is None or old.text != text:
        doc.base = Base(text)
    if doc.base is not old and doc.result is not None:  # checked against the old base: again
        ls.schedule(doc, 0)


async def wait_for_base(doc) -> None:
    task = doc.base_task
    if task is not None and not task.done():
        await asyncio.wait({task})


async def compare(ls, doc, data: bytes, result) -> Classified | None:
    """Classify a fresh result against the document's base, on the analysis thread."""
    base = doc.base
    if base is None or result.language is None:
        return None
    return await asyncio.get_running_loop().run_in_executor(
        ls.executor, _compare, ls.engine, doc.path, base, data, result)


def _compare(engine, path: str, base: Base, data: bytes, result: ScanResult) -> Classified | None:
    try:
        if base.engine is not engine:  # first use, or the settings changed the rules
            base.prepared, base.engine = prepare(engine, path, base.text), engine
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


def register(server) -> None:
    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls, params: types.DidChangeWatchedFilesParams) -> None:
        if any("/.git/" in change.uri for change in params.changes):
            ls.bases.moved()
            for doc in ls.documents.values():
                read_base(ls, doc)
