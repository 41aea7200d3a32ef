"""JSON-RPC robustness of `blastguard lsp`: malformed messages are answered as JSON-RPC 2.0 says
(no Python traceback), a frame without Content-Length is skipped, and `exit` ends the process
even while an analysis is running."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.lsp_helpers import ROOT, server_command
from tests.test_lsp_robustness import _frame, _until_id

INIT = {"jsonrpc": "2.0", "id": "init", "method": "initialize",
        "params": {"processId": None, "rootUri": None, "capabilities": {}}}


def _start(command):
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    send = lambda data: (proc.stdin.write(data), proc.stdin.flush())  # noqa: E731
    return proc, send


def _message(payload: dict) -> bytes:
    return _frame(json.dumps(payload).encode())


def test_malformed_messages_get_json_rpc_errors_and_a_headerless_frame_is_skipped():
    proc, send = _start(server_command())
    try:
        send(_frame(b"{this is not json"))
        assert _until_id(proc.stdout, None) == {
            "jsonrpc": "2.0", "id": None,
            "error": {"code": -32700, "message": "Parse error: the message is not valid JSON"}}
        send(_message({"id": 7, "method": "initialize", "params": {}}))
        assert _until_id(proc.stdout, 7)["error"] == {"code": -32600,
                                                       "message": 'Invalid Request: "jsonrpc" must be "2.0"'}
        send(_message({"jsonrpc": "2.0", "id": {"an": "object"}, "method": "initialize", "params": {}}))
        error = _until_id(proc.stdout, None)["error"]
        assert error == {"code": -32600, "message": "Invalid Request: id must be a string, a number or null"}
        # A header block with no Content-Length, then its body: skipped, and the next frame is read.
        send(b"Content-Type: application/vscode-jsonrpc\r\n\r\n" + json.dumps(INIT).encode())
        send(_message({**INIT, "id": 2}))
        assert "capabilities" in _until_id(proc.stdout, 2)["result"]
        send(_message({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}))
        assert _until_id(proc.stdout, 3)["result"] is None
        send(_message({"jsonrpc": "2.0", "method": "exit"}))
        assert proc.wait(timeout=20) == 0
        stderr = proc.stderr.read().decode()
        assert "Traceback" not in stderr
        assert "skipped a JSON-RPC header block without a valid Content-Length" in stderr
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)


def test_exit_ends_the_server_while_an_analysis_never_finishes(tmp_path):
    proc, send = _start([sys.executable, str(ROOT / "tests" / "lsp_faulty_server.py")])
    try:
        send(_message(INIT))
        _until_id(proc.stdout, "init")
        send(_message({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        uri = (tmp_path / "spin.tf").as_uri()
        send(_message({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "terraform", "version": 1, "text": "locals {}\n"}}}))
        while proc.stderr.readline() != b"spinning\n":  # the analysis thread is now looping
            pass
        send(_message({"jsonrpc": "2.0", "id": 9, "method": "shutdown"}))
        assert _until_id(proc.stdout, 9)["result"] is None
        send(_message({"jsonrpc": "2.0", "method": "exit"}))
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)
