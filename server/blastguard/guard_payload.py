"""Proposed writes from agent hooks: a payload on standard input -> the file's text before and after.

Claude Code's PreToolUse payload (https://code.claude.com/docs/en/hooks, "PreToolUse input"):
`{"hook_event_name": "PreToolUse", "cwd", "tool_name", "tool_input"}` where `tool_input` is
`{file_path, content}` for Write, `{file_path, old_string, new_string, replace_all}` for Edit
and `{file_path, edits: [{old_string, new_string, replace_all}]}` for MultiEdit; the text after
an edit is computed from the file on disk, as the tool will. The plain form, for other agents
and scripts, is `{"path", "content"}` (the whole new text) or `{"path", "old", "new"}` (the
whole text before and after).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from blastguard.files import read_if_exists

WRITE_TOOLS = ("Write", "Edit", "MultiEdit")


class Unsupported(Exception):
    """A payload the guard cannot judge: it allows the write and says why, once."""


@dataclass(frozen=True, slots=True)
class ProposedWrite:
    path: str  # absolute when the payload gave a working directory
    old: bytes | None  # None: the file does not exist yet
    new: bytes
    source: str  # "claude-code" or "plain": how to answer


def parse(raw: bytes) -> ProposedWrite:
    try:
        payload = json.loads(raw)
    except UnicodeDecodeError:
        raise Unsupported("the payload is not UTF-8 text") from None
    except ValueError as exc:
        raise Unsupported(f"the payload is not JSON ({getattr(exc, 'msg', exc)} at line "
                          f"{getattr(exc, 'lineno', '?')})") from None
    if not isinstance(payload, dict):
        raise Unsupported("the payload is not a JSON object")
    if "tool_name" in payload or "hook_event_name" in payload:
        return _claude_code(payload)
    if isinstance(payload.get("path"), str):
        return _plain(payload)
    raise Unsupported("unknown payload: expected a Claude Code PreToolUse payload, "
                      '{"path", "content"} or {"path", "old", "new"}')


def _claude_code(payload: dict) -> ProposedWrite:
    event, tool = payload.get("hook_event_name", "PreToolUse"), payload.get("tool_name")
    if event != "PreToolUse":
        raise Unsupported(f"{event} is not a PreToolUse hook")
    if tool not in WRITE_TOOLS:
        raise Unsupported(f"tool {tool!r} is not a file write ({', '.join(WRITE_TOOLS)} are checked)")
    given = payload.get("tool_input")
    if not isinstance(given, dict) or not isinstance(given.get("file_path"), str) or not given["file_path"]:
        raise Unsupported(f"{tool} payload without tool_input.file_path")
    cwd = payload.get("cwd") if isinstance(payload.get("cwd"), str) else os.getcwd()
    path = os.path.join(cwd, given["file_path"])
    old = _read(path)
    if tool == "Write":
        return ProposedWrite(path, old, _text(given, "content", tool).encode("utf-8"), "claude-code")
    edits = [given] if tool == "Edit" else given.get("edits")
    if not isinstance(edits, list) or not edits or not all(isinstance(e, dict) for e in edits):
        raise Unsupported(f"{tool} payload without edits")
    if old is None and not (len(edits) == 1 and edits[0].get("old_string") == ""):
        raise Unsupported(f"{path} does not exist, so the {tool} cannot apply")
    text = _decode(old, path) if old is not None else ""
    for edit in edits:
        text = _apply(text, _text(edit, "old_string", tool), _text(edit, "new_string", tool),
                      edit.get("replace_all") is True, path)
    return ProposedWrite(path, old, text.encode("utf-8"), "claude-code")


def _plain(payload: dict) -> ProposedWrite:
    path = payload["path"]
    if isinstance(payload.get("content"), str):
        return ProposedWrite(os.path.abspath(path), _read(path), payload["content"].encode("utf-8"), "plain")
    if isinstance(payload.get("old"), str) and isinstance(payload.get("new"), str):
        old = payload["old"].encode("utf-8")
        return ProposedWrite(os.path.abspath(path), old, payload["new"].encode("utf-8"), "plain")
    raise Unsupported('a plain payload needs "content", or "old" and "new" (strings)')


def _apply(text: str, old: str, new: str, replace_all: bool, path: str) -> str:
    """The text after one edit, or Unsupported where the tool itself would refuse it."""
    if old == "":
        if text:
            raise Unsupported(f"an edit with an empty old_string on the existing file {path}")
        return new
    count = text.count(old)
    if count == 0:
        raise Unsupported(f"old_string is not in {path}, so the edit cannot apply")
    if count > 1 and not replace_all:
        raise Unsupported(f"old_string occurs {count} times in {path} and replace_all is not set")
    return text.replace(old, new) if replace_all else text.replace(old, new, 1)


def _text(fields: dict, key: str, tool: str) -> str:
    value = fields.get(key)
    if not isinstance(value, str):
        raise Unsupported(f"{tool} payload without a string {key}")
    return value


def _read(path: str) -> bytes | None:
    try:
        return read_if_exists(path)
    except OSError as exc:
        raise Unsupported(f"cannot read {path}: {exc.strerror or exc}") from None


def _decode(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Unsupported(f"{path} is not UTF-8 text") from None
