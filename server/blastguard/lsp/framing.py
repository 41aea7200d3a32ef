"""JSON-RPC framing for the server: read `Content-Length` frames, answer malformed messages as
JSON-RPC 2.0 says, and never stop reading because of one bad frame.

Replaces pygls's reading loop (`pygls.io_.run_async`), which waits forever for a header block
that has no Content-Length, logs invalid JSON without answering it, and hands messages without
`"jsonrpc"` or with an object as id to code that answers with a Python traceback.
"""

from __future__ import annotations

import json
import logging
from typing import Any

log = logging.getLogger("blastguard.lsp")

PARSE_ERROR = -32700
INVALID_REQUEST = -32600


async def run_async(stop_event, reader, protocol, logger: logging.Logger | None = None, error_handler=None):
    """The message loop, with the signature of pygls.io_.run_async."""
    while not stop_event.is_set():
        length = await _content_length(reader)
        if length is None:
            break  # end of input
        if length < 0:
            log.warning("skipped a JSON-RPC header block without a valid Content-Length")
            continue
        try:
            body = await reader.readexactly(length)
        except Exception:  # asyncio.IncompleteReadError: the client went away mid-frame
            break
        if len(body) < length:
            break
        try:
            handle(protocol, body)
        except Exception as exc:
            log.error("unable to handle a message: %s: %s", type(exc).__name__, exc)
            if error_handler:
                error_handler(exc, Exception)


async def _content_length(reader) -> int | None:
    """The Content-Length of the next header block; -1 when the block has none; None at the end
    of input. A header line glued to the rest of a frame that had no header is still found."""
    length = -1
    seen = False
    while True:
        line = await reader.readline()
        if not line:
            return None
        if not line.strip():
            if seen:
                return length
            continue  # blank lines between frames
        seen = True
        at = line.lower().rfind(b"content-length:")
        if at >= 0:
            value = line[at + len(b"content-length:"):].strip()
            length = int(value) if value.isdigit() else -1


def handle(protocol, body: bytes) -> None:
    """Validate one message (JSON-RPC 2.0, section 5.1 for the errors) and hand it to pygls."""
    try:
        data = json.loads(body)
    except ValueError:
        _error(protocol, None, PARSE_ERROR, "Parse error: the message is not valid JSON")
        return
    if not isinstance(data, dict):
        _error(protocol, None, INVALID_REQUEST, "Invalid Request: a message must be a JSON object")
        return
    msg_id = data.get("id")
    valid_id = msg_id is None or (isinstance(msg_id, (str, int)) and not isinstance(msg_id, bool))
    if not valid_id:
        _error(protocol, None, INVALID_REQUEST, "Invalid Request: id must be a string, a number or null")
        return
    if data.get("jsonrpc") != "2.0":
        _error(protocol, msg_id, INVALID_REQUEST, 'Invalid Request: "jsonrpc" must be "2.0"')
        return
    if "method" in data and not isinstance(data["method"], str):
        _error(protocol, msg_id, INVALID_REQUEST, "Invalid Request: method must be a string")
        return
    if "method" not in data and "id" not in data:
        _error(protocol, None, INVALID_REQUEST, "Invalid Request: no method")
        return
    protocol.handle_message(protocol.structure_message(data))


def _error(protocol, msg_id: Any, code: int, message: str) -> None:
    log.warning("answered a malformed message: %s", message)
    protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}})
