"""The server keeps serving: malformed JSON-RPC, unknown methods, bad documents, failing rules,
oversized and binary content, and a long editing session."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time

import pytest
from lsprotocol import types

from tests.lsp_helpers import NEOVIM, ROOT, codes_and_lines, open_document, pushed, server_command, session

BUCKET = 'resource "aws_s3_bucket" "logs" {\n  force_destroy = true\n}\n'


def _frame(payload: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(payload) + payload


def _read_message(stream, deadline: float) -> dict:
    headers = {}
    while True:
        line = stream.readline()
        if not line:
            raise EOFError("server closed its output")
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    body = stream.read(int(headers["content-length"]))
    if time.monotonic() > deadline:
        raise TimeoutError
    return json.loads(body)


def _until_id(stream, wanted, timeout=20.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        message = _read_message(stream, deadline)
        if message.get("id") == wanted and ("result" in message or "error" in message):
            return message


def test_malformed_json_rpc_and_unknown_methods_get_errors_and_the_server_goes_on():
    proc = subprocess.Popen(server_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        send = lambda data: (proc.stdin.write(data), proc.stdin.flush())  # noqa: E731
        send(_frame(b"{this is not json"))
        send(_frame(b'{"jsonrpc": "2.0", "id": 1, "method": 42}'))
        send(_frame(b'[1, 2, 3]'))
        init = {"jsonrpc": "2.0", "id": 2, "method": "initialize",
                "params": {"processId": None, "rootUri": None, "capabilities": {}}}
        send(_frame(json.dumps(init).encode()))
        assert "capabilities" in _until_id(proc.stdout, 2)["result"]
        send(_frame(json.dumps({"jsonrpc": "2.0", "method": "initialized", "params": {}}).encode()))
        send(_frame(json.dumps({"jsonrpc": "2.0", "id": 3, "method": "blastguard/unknown", "params": {}}).encode()))
        assert _until_id(proc.stdout, 3)["error"]["code"] == -32601  # MethodNotFound
        send(_frame(json.dumps({"jsonrpc": "2.0", "id": 4, "method": "textDocument/hover",
                                "params": {"textDocument": {"uri": 7}}}).encode()))
        assert "error" in _until_id(proc.stdout, 4)
        hover = {"jsonrpc": "2.0", "id": 5, "method": "textDocument/hover",
                 "params": {"textDocument": {"uri": "file:///nowhere.tf"}, "position": {"line": 0, "character": 0}}}
        send(_frame(json.dumps(hover).encode()))
        assert _until_id(proc.stdout, 5)["result"] is None
        send(_frame(json.dumps({"jsonrpc": "2.0", "id": 6, "method": "shutdown"}).encode()))
        assert _until_id(proc.stdout, 6)["result"] is None
        send(_frame(json.dumps({"jsonrpc": "2.0", "method": "exit"}).encode()))
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)


@pytest.mark.asyncio
async def test_a_failing_rule_gives_that_document_one_diagnostic_and_the_rest_is_served(tmp_path):
    command = [sys.executable, str(ROOT / "tests" / "lsp_faulty_server.py")]
    async with session(NEOVIM, root=tmp_path, command=command) as client:
        bad = open_document(client, tmp_path / "boom.tf", BUCKET)
        (diagnostic,) = await pushed(client, bad, version=1)
        assert diagnostic.source == "blastguard" and diagnostic.severity == types.DiagnosticSeverity.Warning
        assert diagnostic.message == ("Blastguard could not check this file: analysis failed: "
                                      "RuntimeError: a rule raised")
        good = open_document(client, tmp_path / "main.tf", BUCKET)
        assert codes_and_lines(await pushed(client, good, version=1)) == {("TF101", 2)}


@pytest.mark.asyncio
async def test_oversized_binary_and_broken_documents_get_one_clear_diagnostic(tmp_path):
    async with session(NEOVIM, root=tmp_path, init={"maxFileSize": "1KB"}) as client:
        big = open_document(client, tmp_path / "big.tf", BUCKET + "# padding\n" * 200)
        assert [d.message for d in await pushed(client, big, version=1)] == [
            "Blastguard could not check this file: file is 2,059 bytes, over the 1,000-byte limit (max_file_size)"]
        binary = open_document(client, tmp_path / "blob.tf", "resource\x00\x01")
        assert [d.message for d in await pushed(client, binary, version=1)] == [
            "Blastguard could not check this file: binary file (contains NUL bytes)"]
        broken = open_document(client, tmp_path / "broken.tf", BUCKET + 'resource "x" "y" {\n  a = \n')
        assert codes_and_lines(await pushed(client, broken, version=1)) == {("TF101", 2), ("BG001", 6)}
        bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{n}: &{n} [" + ", ".join([f"*{p}"] * 10) + "]\n" for p, n in zip("abcdef", "bcdefg"))
        yaml_bomb = open_document(client, tmp_path / "bomb.yaml", "apiVersion: v1\nkind: List\n" + bomb, language="yaml")
        (diagnostic,) = await pushed(client, yaml_bomb, version=1)
        assert "billion laughs" in diagnostic.message and diagnostic.range.start.line == 6


@pytest.mark.asyncio
async def test_a_ten_thousand_edit_session_ends_with_the_right_findings(tmp_path, engine):
    async with session(NEOVIM, root=tmp_path, debounce=20) as client:
        uri = open_document(client, tmp_path / "main.tf", BUCKET)
        await pushed(client, uri, version=1)
        text = BUCKET
        for version in range(2, 10_002):
            # Type a comment line at the end, one character per change, with a newline every 40.
            char = "\n" if version % 40 == 0 else "#"
            line = text.count("\n")
            column = len(text) - (text.rfind("\n") + 1)
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(line, column), types.Position(line, column)), text=char)]))
            text += char
            if version % 1000 == 0:
                await asyncio.sleep(0)
        final = await pushed(client, uri, version=10_001, timeout=60)
        assert codes_and_lines(final) == {(f.rule, f.start.line) for f in engine.analyze("main.tf", text.encode()).findings}
        hover = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri), position=types.Position(1, 4)))
        assert hover is not None and "TF101" in hover.contents.value


def test_the_server_also_listens_on_tcp():
    import socket

    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(server_command("--tcp", f"127.0.0.1:{port}"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        with connection:
            init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                    "params": {"processId": None, "rootUri": None, "capabilities": {}}}
            connection.sendall(_frame(json.dumps(init).encode()))
            stream = connection.makefile("rb")
            assert _until_id(stream, 1)["result"]["serverInfo"]["name"] == "blastguard"
    finally:
        proc.kill()
        proc.wait(timeout=10)
