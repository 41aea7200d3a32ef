"""Starting the real `blastguard lsp` under pytest-lsp's client, as an editor would."""

from __future__ import annotations

import asyncio
import re
import sys
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Union

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

ROOT = Path(__file__).resolve().parents[1]
VSCODE = "visual-studio-code"  # 1.65: pushed diagnostics, workspace/configuration, UTF-16
NEOVIM = "neovim@v0.7.0"  # pushed diagnostics, settings only in didChangeConfiguration


def server_command(*extra: str) -> list[str]:
    exe = Path(sys.executable).parent / "blastguard"
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "blastguard"]
    return base + ["lsp", *extra]


def _client() -> LanguageClient:
    """pytest-lsp's client, also keeping every publishDiagnostics (with its version) in order,
    the server's blastguard/changeSummary notifications, and its dynamic registrations (accepted)."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []
    client.versions = {}
    client.summaries = []
    client.registrations = []

    def register(ls, params: types.RegistrationParams):
        ls.registrations.extend(params.registrations)

    def summary(ls, params):
        ls.summaries.append(params)

    def publish(ls, params: types.PublishDiagnosticsParams):
        ls.diagnostics[params.uri] = params.diagnostics
        ls.versions[params.uri] = params.version
        ls.published.append(params)

    # lsprotocol reads any code action holding a `command` as a bare Command (its union hook
    # checks only for the key), which loses the title, kind and diagnostics of a CodeAction
    # whose command is an object; editors read it by the type of `command`, and so does this.
    converter = client.protocol._converter

    def command_or_action(value, _):
        bare = isinstance(value.get("command"), str)
        return converter.structure(value, types.Command if bare else types.CodeAction)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], command_or_action)

    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    features[types.CLIENT_REGISTER_CAPABILITY] = register
    features["blastguard/changeSummary"] = summary
    register_lsp_features(client, features)
    return client


@asynccontextmanager
async def session(spec: str = NEOVIM, *, root: Path | None = None, init=None, configuration=None,
                  encodings: list[str] | None = None, command: list[str] | None = None, debounce: int = 0,
                  pull: bool = False):
    """A client with the capabilities of a real editor, talking to a fresh server."""
    config = ClientServerConfig(server_command=command or server_command("--debounce-ms", str(debounce)),
                                client_factory=_client)
    client = await config.start()
    capabilities = client_capabilities(spec)
    if encodings is not None:
        capabilities.general = types.GeneralClientCapabilities(position_encodings=encodings)
    if pull:  # as VS Code 1.67 and later
        capabilities.text_document.diagnostic = types.DiagnosticClientCapabilities(dynamic_registration=False)
    if configuration is not None:
        client.set_configuration(configuration, section="blastguard")
    root = root or ROOT
    result = await client.initialize_session(types.InitializeParams(
        capabilities=capabilities, root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        initialization_options=init))
    client.init_result = result
    try:
        yield client
    finally:
        await client.shutdown_session()
        await client.stop()


def open_document(client, path: Path, text: str, version: int = 1, language: str = "terraform") -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id=language, version=version, text=text)))
    return uri


async def pushed(client, uri: str, version: int | None = None, timeout: float = 20.0):
    """Wait until diagnostics for `uri` (at `version`, if given) have been published."""
    async def ready():
        while True:
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
            if uri in client.diagnostics and (version is None or client.versions.get(uri) == version):
                return client.diagnostics[uri]

    if uri in client.diagnostics and (version is None or client.versions.get(uri) == version):
        return client.diagnostics[uri]
    return await asyncio.wait_for(ready(), timeout)


def codes_and_lines(diagnostics) -> set[tuple[str, int]]:
    return {(d.code, d.range.start.line + 1) for d in diagnostics}


def apply_edits(text: str, edits, encoding: str = "utf-16") -> str:
    """Apply LSP TextEdits (ranges in the negotiated encoding) to text, last first. Lines end
    only at \r\n, \r and \n, as LSP says (str.splitlines would also split at a form feed)."""
    lines = _lines(text)

    def offset(position) -> int:
        before = sum(len(line) for line in lines[:position.line])
        line = lines[position.line] if position.line < len(lines) else ""
        if encoding == "utf-16":
            count, index = 0, 0
            while index < len(line) and count < position.character:
                count += 2 if ord(line[index]) > 0xFFFF else 1
                index += 1
            return before + index
        return before + len(line.encode()[:position.character].decode())

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = offset(edit.range.start), offset(edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
        lines = _lines(text)
    return text


def _lines(text: str) -> list[str]:
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text) or [""]
