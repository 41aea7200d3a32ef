"""A stand-in for a coding agent's tool loop: runs a PreToolUse hook command as Claude Code does, then
writes the file if the hook allowed it.

    python fake_agent.py HOOK_COMMAND < payload.json   ->   one JSON line on stdout:
    {"decision": "allow" | "deny", "reason": str | null, "stderr": str, "exit": int, "written": bool}

Claude Code's documented semantics (https://code.claude.com/docs/en/hooks): the command runs in a
shell with the payload on stdin; exit 2 blocks the call and its stderr is the reason shown to the
model; exit 0 with `hookSpecificOutput.permissionDecision` "deny" on stdout blocks it too, with
`permissionDecisionReason`; any other outcome lets the tool run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys


def hook(command: str, payload: bytes) -> dict:
    done = subprocess.run(command, shell=True, input=payload, capture_output=True, timeout=120)
    stderr = done.stderr.decode("utf-8", "replace")
    decision, reason = "allow", None
    if done.returncode == 2:
        decision, reason = "deny", stderr
    elif done.returncode == 0 and done.stdout.strip():
        output = json.loads(done.stdout).get("hookSpecificOutput", {})
        if output.get("permissionDecision") == "deny":
            decision, reason = "deny", output.get("permissionDecisionReason")
    return {"decision": decision, "reason": reason, "stderr": stderr, "exit": done.returncode}


def apply(payload: dict) -> bool:
    """Do what the tool would do once allowed (Write, Edit and MultiEdit only)."""
    if payload.get("hook_event_name", "PreToolUse") != "PreToolUse":
        return False
    tool, given = payload.get("tool_name"), payload.get("tool_input") or {}
    path = given.get("file_path")
    if tool == "Write":
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(given["content"])
        return True
    if tool in ("Edit", "MultiEdit"):
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        for edit in [given] if tool == "Edit" else given["edits"]:
            count = -1 if edit.get("replace_all") else 1
            text = text.replace(edit["old_string"], edit["new_string"], count)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        return True
    return False


def main() -> int:
    raw = sys.stdin.buffer.read()
    result = hook(sys.argv[1], raw)
    try:
        payload = json.loads(raw)
    except ValueError:
        payload = {}
    result["written"] = result["decision"] == "allow" and isinstance(payload, dict) and apply(payload)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
