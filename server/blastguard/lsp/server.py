"""The pygls server: documents in, diagnostics, quick fixes and hovers out; all analysis by the engine."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from lsprotocol import types
import pygls.server as pygls_server
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.uris import to_fs_path

from blastguard import __version__, runner
from blastguard.engine import languages
from blastguard.config import unknown_rule_id
from blastguard.files import compile_patterns
from blastguard.engine.analyze import Engine
from blastguard.engine.builtin import BUILTIN_RULES
from blastguard.engine.loader import RuleLoadError, load_rules
from blastguard.engine.model import FileError, ScanResult
from blastguard.engine.reuse import Reuse
from blastguard.lsp import changes, code_actions, convert, framing, review, settings as settings_mod
from blastguard.lsp.base_versions import BaseVersions
from blastguard.lsp.documents import OpenDocument
from blastguard.lsp.positions import UTF16, to_offset

log = logging.getLogger("blastguard.lsp")


def analyse(engine: Engine, path: str, data: bytes, tree, reuse=None, lines=None) -> ScanResult:
    """Runs on the analysis thread; whatever goes wrong becomes one error for this document."""
    try:
        return engine.analyze(path, data, tree, reuse, lines)
    except Exception as exc:  # a bug in one rule or one document must not take the server down
        log.exception("analysis of %s failed", path)
        return ScanResult(path, errors=[FileError(path, f"analysis failed: {type(exc).__name__}: {exc}")],
                          language="?")


class BlastguardProtocol(LanguageServerProtocol):
    """pygls's protocol, without its own copy of every open document: the server keeps the
    bytes and tree itself, and pygls re-splitting a 20,000-line text into lines on every
    keystroke was a third of the time a change took to reach the analysis."""

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None

    def send_text(self, body: str) -> None:
        """Send a message already serialised (by json.dumps, so ASCII: its length is its byte
        count), framed as pygls frames what it sends."""
        if self.writer is None:
            return
        if self._include_headers:
            header = f"Content-Length: {len(body)}\r\nContent-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
            body = header + body
        try:
            written = self.writer.write(body.encode(self.CHARSET))
            if inspect.isawaitable(written):
                asyncio.ensure_future(written)
        except BrokenPipeError:  # as pygls's _send_data: the connection is gone
            log.error("the client closed its end of the connection")
            raise

    def structure_message(self, data):
        """A request whose params do not fit its method still gets its error response: pygls
        alone would log it and leave the client waiting for an answer that never comes."""
        try:
            return super().structure_message(data)
        except Exception:
            if isinstance(data, dict) and "jsonrpc" in data and "id" in data and "method" in data:
                self._send_response(data["id"], error=types.ResponseError(
                    code=types.ErrorCodes.InvalidParams, message=f"invalid params for {data['method']}"))
            raise


class OneLine(logging.Filter):
    """Log records as one line (`message: exception`), tracebacks folded away, so the
    editor's log of the server stays readable."""

    def filter(self, record: logging.LogRecord) -> bool:
        lines = record.getMessage().strip().splitlines() or [""]
        summary = lines[0] + (f": {lines[-1].strip()}" if len(lines) > 1 else "")
        if record.exc_info and record.exc_info[1] is not None:
            summary += f": {type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
        record.msg, record.args, record.exc_info, record.exc_text = summary, (), None, None
        return True


@lru_cache(maxsize=1024)
def _relative(path: str, root: Path | None) -> str | None:
    """A document's path relative to the workspace root (resolved once, not per keystroke)."""
    try:
        return (Path(path).resolve().relative_to(root.resolve()) if root else Path(path)).as_posix()
    except ValueError:
        return None


class BlastguardServer(LanguageServer):
    def __init__(self, debounce_ms: int | None = None, incremental: bool = True):
        super().__init__("blastguard", __version__, protocol_cls=BlastguardProtocol)
        self.documents: dict[str, OpenDocument] = {}
        self.debounce_override = debounce_ms
        self.incremental = incremental
        self.settings = settings_mod.Settings(debounce_ms=debounce_ms if debounce_ms is not None
                                              else settings_mod.DEFAULTS["debounceMs"])
        self.raw_settings = None
        self.root: Path | None = None
        self.pull = False
        self.engine = Engine(load_rules(), self.settings.config.options)
        self.rule_dirs: list[Path] = []  # the extra rule folders self.engine was built with
        self.rules_by_id = {r.id: r for r in self.engine.rules.rules}
        self.excluded = None
        self.bases = BaseVersions()  # documents at the diff base, read from the workspace's git repository
        # One thread: tree-sitter parsers are not shared between threads, and analysis is
        # CPU-bound, so more threads would only contend for the GIL.
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="blastguard-analysis")
        self.exit_code = 0

    def shutdown(self) -> None:
        """Stop without waiting for the analysis thread or the blocked stdin reader: `exit`
        must end the process even while a document is being analysed."""
        self.exit_code = 0 if self.protocol._shutdown else 1
        if self._stop_event is not None:
            self._stop_event.set()
        self.executor.shutdown(wait=False, cancel_futures=True)
        if self._thread_pool:
            self._thread_pool.shutdown(wait=False, cancel_futures=True)
        if self._server:
            self._server.close()

    def report_server_error(self, error: Exception, source) -> None:
        """Logged, not shown: a malformed message is the client's problem, and a failing
        document already says so in a diagnostic."""
        log.error("%s: %s", type(error).__name__, error)

    # -- settings -------------------------------------------------------------------------

    @property
    def encoding(self) -> str:
        encoding = self.workspace.position_encoding if self.protocol.client_capabilities else None
        return str(encoding.value if hasattr(encoding, "value") else encoding or UTF16)

    def apply_settings(self, raw) -> bool:
        """Use new settings; False when they are what is already in use (clients send the
        same settings more than once: on start, on registration, on every change)."""
        try:
            key = settings_mod.section(raw)
        except ValueError:
            key = raw
        if self.raw_settings is not None and key == self.raw_settings:
            return False
        self.raw_settings = key
        new = settings_mod.read(raw, self.root, self.debounce_override)
        rules = self.engine.rules
        if new.config.rule_dirs != self.rule_dirs:  # loading and validating rules takes 0.3 s
            try:
                rules = load_rules(new.config.rule_dirs)
                self.rule_dirs = new.config.rule_dirs
            except RuleLoadError as exc:
                new.problem = new.problem or f"Blastguard rule folders ignored: {exc}"
        if not new.problem:  # as `check` does: an id no rule has is a typo the user should see
            known = {r.id for r in rules.rules} | {r.id for r in BUILTIN_RULES}
            new.problem = unknown_rule_id(new.config, known, new.editor_ids_from)
        self.settings = new
        # The workspace is the checked tree: a .tf file's file("../scripts/init.sh") may be read from it.
        roots = (str(self.root),) if self.root is not None else ()
        self.engine = Engine(rules, replace(new.config.options, read_roots=roots))
        rebase = self.bases.configure(self.root, new.diff_base)
        for doc in self.documents.values():  # other rules, other findings
            doc.reuse = Reuse()
            doc.blocks.min_lines = new.block_min_lines
            if rebase:
                changes.read_base(self, doc)
        self.rules_by_id = {r.id: r for r in rules.rules}
        self.excluded = None
        if new.config.exclude:  # a bad pattern is a warning and is left out, never a failed initialize
            self.excluded, bad = compile_patterns(new.config.exclude, lambda i: f"exclude[{i}]")
            if bad and not new.problem:
                new.problem = f"Blastguard: {bad[0]}"
        if new.problem:
            log.warning(new.problem)
            self.window_show_message(types.ShowMessageParams(types.MessageType.Warning, new.problem))
        return True

    async def pull_settings(self) -> bool:
        capabilities = self.client_capabilities.workspace
        if capabilities is None or not capabilities.configuration:
            return False
        try:
            values = await self.workspace_configuration_async(types.ConfigurationParams(
                items=[types.ConfigurationItem(section=settings_mod.SECTION)]))
        except Exception as exc:  # a client that fails the request keeps what we had
            log.warning("workspace/configuration failed: %s", exc)
            return False
        if values and values[0] is not None:
            return self.apply_settings(values[0])
        return False

    def is_excluded(self, path: str) -> bool:
        if self.excluded is None:
            return False
        relative = _relative(path, self.root)
        return relative is not None and self.excluded.match_file(relative)

    # -- analysis -------------------------------------------------------------------------

    def schedule(self, doc: OpenDocument, delay_ms: int) -> None:
        if doc.task is not None and not doc.task.done():
            doc.task.cancel()
        doc.task = asyncio.ensure_future(self._run(doc, delay_ms))

    async def _run(self, doc: OpenDocument, delay_ms: int) -> None:
        if delay_ms:
            await asyncio.sleep(delay_ms / 1000)
        version, data = doc.version, doc.data
        if not self.settings.enable or self.is_excluded(doc.path):
            result = ScanResult(doc.path)
        else:
            tree = doc.tree.copy() if doc.tree is not None and self.incremental else None
            reuse = doc.reuse if self.incremental else None
            await changes.wait_for_base(doc)  # read once per document: only the first check waits
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(self.executor, analyse, self.engine, doc.path, data, tree, reuse,
                                                doc.lines)
        change = await changes.compare(self, doc, data, result) if doc.version == version else None
        if self.documents.get(doc.uri) is not doc or doc.version != version:
            return  # outdated: a newer version is on its way
        doc.result, doc.result_version, doc.change = result, version, change
        if self.incremental and result.tree is not None:
            doc.tree = result.tree
        self.publish(doc)

    def publish(self, doc: OpenDocument, again: bool = False) -> None:
        """The document's diagnostics, pushed (a pulling client is asked to pull `again` when the
        full comparison adds to a result it may have pulled already), and its change summary."""
        if not self.pull:
            # JSON text built from each diagnostic's kept text: pygls's notify walks every value
            # with cattrs, and serialising them all again cost more than the keystroke's analysis.
            version = f',"version":{doc.result_version}' if doc.result_version is not None else ""
            items = ",".join(self.pushed(doc))
            self.protocol.send_text(f'{{"jsonrpc":"2.0","method":"{types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS}",'
                                    f'"params":{{"uri":{json.dumps(doc.uri)},"diagnostics":[{items}]{version}}}}}')
        elif again and changes.can_refresh(self):
            self.workspace_diagnostic_refresh(None)
        self.protocol.send_text(json.dumps({"jsonrpc": "2.0", "method": changes.SUMMARY,
                                            "params": changes.summary(doc)}))

    async def current(self, doc: OpenDocument) -> ScanResult | None:
        """The result for the document's current version, analysing now if needed."""
        while doc.result_version != doc.version and self.documents.get(doc.uri) is doc:
            if doc.task is None or doc.task.done():
                self.schedule(doc, 0)
            await asyncio.wait({doc.task})
        return doc.result

    def diagnostics(self, doc: OpenDocument) -> list[types.Diagnostic]:
        if doc.result is None:
            return []
        return changes.diagnostics(doc, self.encoding, self.rules_by_id, self.settings.preexisting) + \
            self.error_diagnostics(doc)

    def pushed(self, doc: OpenDocument) -> list[str]:
        """`diagnostics` as JSON texts, those that show the same as last time reused."""
        if doc.result is None:
            return []
        unstructure = self.protocol._converter.unstructure
        return changes.pushed(doc, self.encoding, self.rules_by_id, self.settings.preexisting, unstructure) + \
            [json.dumps(unstructure(d)) for d in self.error_diagnostics(doc)]

    def error_diagnostics(self, doc: OpenDocument) -> list[types.Diagnostic]:
        out = []
        for error in doc.result.errors:
            line = (error.line or 1) - 1
            start = doc.lines.starts[min(line, len(doc.lines.starts) - 1)]
            out.append(types.Diagnostic(
                range=convert.lsp_range(doc.lines, start, doc.lines.line_end(doc.lines.line_of(start)), self.encoding),
                message=f"Blastguard could not check this file: {error.message}",
                severity=types.DiagnosticSeverity.Warning if error.message.startswith("analysis failed")
                else types.DiagnosticSeverity.Information,
                source=convert.SOURCE))
        return out

    def syntax(self, doc: OpenDocument) -> str:
        detected = languages.detect(doc.path, doc.data)
        return detected[1] if detected else "json"


def build_server(debounce_ms: int | None = None, incremental: bool = True) -> BlastguardServer:
    server = BlastguardServer(debounce_ms, incremental)

    @server.feature(types.INITIALIZE)
    def initialize(ls: BlastguardServer, params: types.InitializeParams) -> None:
        folders = params.workspace_folders or []
        root_uri = folders[0].uri if folders else params.root_uri
        ls.root = Path(to_fs_path(root_uri)) if root_uri else None
        text_document = params.capabilities.text_document
        ls.pull = bool(text_document is not None and text_document.diagnostic is not None)
        ls.apply_settings(params.initialization_options)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: BlastguardServer, params: types.InitializedParams) -> None:
        workspace = ls.client_capabilities.workspace
        change = workspace.did_change_configuration if workspace is not None else None
        if change is not None and change.dynamic_registration:
            try:
                await ls.client_register_capability_async(types.RegistrationParams(registrations=[types.Registration(
                    id=str(uuid.uuid4()), method=types.WORKSPACE_DID_CHANGE_CONFIGURATION,
                    register_options=types.DidChangeConfigurationRegistrationOptions(section=settings_mod.SECTION))]))
            except Exception as exc:  # a client that says it can but refuses: settings still come on change
                log.warning("client/registerCapability failed: %s", exc)
        await changes.watch_head(ls)
        if await ls.pull_settings():
            for doc in ls.documents.values():
                ls.schedule(doc, 0)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: BlastguardServer, params: types.DidChangeConfigurationParams) -> None:
        workspace = ls.client_capabilities.workspace
        if workspace is not None and workspace.configuration:
            changed = await ls.pull_settings()
        else:
            changed = params.settings is not None and ls.apply_settings(params.settings)
        if not changed:
            return
        for doc in ls.documents.values():
            ls.schedule(doc, 0)
        if ls.pull:
            ls.workspace_diagnostic_refresh(None)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: BlastguardServer, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        doc = OpenDocument(item.uri, to_fs_path(item.uri) or item.uri, item.version, item.text.encode("utf-8"))
        doc.blocks.min_lines = ls.settings.block_min_lines
        ls.documents[item.uri] = doc
        if item.uri.startswith("file:"):  # untitled documents have no base
            changes.read_base(ls, doc)
        ls.schedule(doc, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: BlastguardServer, params: types.DidChangeTextDocumentParams) -> None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return
        for change in params.content_changes:
            doc.apply(change, ls.encoding, ls.incremental)
        doc.version = params.text_document.version
        ls.schedule(doc, ls.settings.debounce_ms)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: BlastguardServer, params: types.DidSaveTextDocumentParams) -> None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is not None:
            doc.blocks.forget()  # saved: what was inserted is the user's file now
            if doc.base_task is not None:  # a commit may have moved the base: resolve it again
                ls.bases.moved()
                changes.read_base(ls, doc)
            ls.schedule(doc, 0)
            if doc.path.endswith((".tf", ".tfvars", ".tfvars.json")):
                # The other open Terraform files of its folder may read its variables: what they
                # read comes from disk, so a saved default or tfvars value shows in them now.
                folder = os.path.dirname(doc.path)
                for other in ls.documents.values():
                    if other is not doc and other.path.endswith(".tf") and os.path.dirname(other.path) == folder:
                        ls.schedule(other, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: BlastguardServer, params: types.DidCloseTextDocumentParams) -> None:
        doc = ls.documents.pop(params.text_document.uri, None)
        for task in (doc.task, doc.base_task, doc.full_task) if doc is not None else ():
            if task is not None:
                task.cancel()
        if not ls.pull:
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=params.text_document.uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC,
                    types.DiagnosticOptions(identifier="blastguard", inter_file_dependencies=False,
                                            workspace_diagnostics=False))
    async def pull_diagnostics(ls: BlastguardServer, params: types.DocumentDiagnosticParams):
        doc = ls.documents.get(params.text_document.uri)
        items = []
        if doc is not None:
            await ls.current(doc)
            items = ls.diagnostics(doc)
        return types.RelatedFullDocumentDiagnosticReport(items=items)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: BlastguardServer, params: types.HoverParams):
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return None
        result = await ls.current(doc)
        if result is None:
            return None
        offset = to_offset(doc.lines, params.position.line, params.position.character, ls.encoding)
        found = [f for f in result.findings if f.start_byte <= offset <= f.end_byte and f.category != "meta"]
        if not found:
            return None
        text = convert.hover_markdown(found, ls.rules_by_id, ls.syntax(doc))
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                           range=convert.lsp_range(doc.lines, found[0].start_byte, found[0].end_byte, ls.encoding))

    code_actions.register(server)
    changes.register(server)
    review.register(server)
    return server


def run(tcp: str | None = None, debounce_ms: int | None = None, incremental: bool = True) -> int:
    logging.basicConfig(level=logging.WARNING, format="blastguard: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(OneLine())
    server = build_server(debounce_ms, incremental)
    # Our framing: answers malformed JSON-RPC and skips frames without Content-Length (pygls's
    # loop hangs on them); both transports take the loop from this module attribute.
    pygls_server.run_async = framing.run_async
    runner.keep_long_lived()  # the rules and grammars live as long as the server
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    # Exit now: interpreter shutdown would wait for an analysis thread that may be busy with a
    # pathological document.
    logging.shutdown()
    os._exit(server.exit_code)  # stdout is closed by pygls's exit; stderr is unbuffered
