"""One short LSP session with a server started as a user's editor starts it (its own command,
working directory and environment): initialize, open one document, its diagnostics, shutdown, exit."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pytest_lsp import client_capabilities

from tests.lsp_helpers import NEOVIM, _client, codes_and_lines, open_document, pushed


@dataclass
class Session:
    server_info: types.ServerInfo | None
    findings: set[tuple[str, int]]  # (rule id, 1-based line) of the published diagnostics
    sources: set[str]
    exit_code: int | None


async def diagnose(command: list[str], file: Path, *, cwd: Path, env: dict[str, str],
                   language: str = "terraform", timeout: float = 60.0) -> Session:
    """Runs the session over stdio and returns what the server published for `file`."""
    client = _client()
    await client.start_io(*command, cwd=os.fspath(cwd), env=env)
    try:
        result = await client.initialize_session(types.InitializeParams(
            capabilities=client_capabilities(NEOVIM), root_uri=cwd.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=cwd.as_uri(), name=cwd.name)]))
        uri = open_document(client, file, file.read_text(encoding="utf-8"), language=language)
        diagnostics = await pushed(client, uri, timeout=timeout)
        # shutdown, then exit; waits for the process to end.
        await client.shutdown_session()
        exit_code = client._server.returncode if client._server else None
    finally:
        await client.stop()
    return Session(result.server_info, codes_and_lines(diagnostics), {d.source for d in diagnostics}, exit_code)
