"""The README's agent recipes, run as written: the Claude Code hook, the MCP server entry, the git pre-commit hook."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FAKE_AGENT = Path(__file__).with_name("fake_agent.py")
BUCKET = 'resource "aws_s3_bucket" "logs" {\n  bucket        = "acme-logs"\n  force_destroy = true\n}\n'


def block(marker: str) -> str:
    """The README code block that contains `marker`."""
    blocks = re.findall(r"```\w*\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    (found,) = [b for b in blocks if marker in b]
    return found


@pytest.fixture
def env():
    """The environment of a user who installed Blastguard: its `blastguard` is on PATH."""
    scripts = Path(sys.executable).parent
    if not (scripts / "blastguard").exists():
        pytest.skip(f"no blastguard script beside {sys.executable} (install the package: pip install -e .)")
    return {**os.environ, "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}"}


@pytest.fixture
def repo(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "config", "user.email", "t@example.com"], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "config", "user.name", "t"], check=True)
    return tmp_path


def test_claude_code_settings_hook(repo, env):
    settings = json.loads(block('"PreToolUse"'))
    (entry,) = settings["hooks"]["PreToolUse"]
    assert all(re.fullmatch(entry["matcher"], tool) for tool in ("Write", "Edit", "MultiEdit"))
    assert not re.fullmatch(entry["matcher"], "Bash")
    (hook,) = entry["hooks"]
    target = repo / "main.tf"
    payload = {"session_id": "s", "cwd": str(repo), "hook_event_name": "PreToolUse", "tool_name": "Write",
               "tool_input": {"file_path": str(target), "content": BUCKET}}
    done = subprocess.run([sys.executable, str(FAKE_AGENT), hook["command"]], input=json.dumps(payload).encode(),
                          capture_output=True, cwd=repo, env=env, timeout=hook["timeout"])
    result = json.loads(done.stdout)
    assert (result["decision"], result["written"]) == ("deny", False)
    assert "- line 3: TF101 (warning)" in result["reason"]
    payload["tool_input"]["content"] = BUCKET.replace("true", "false")
    done = subprocess.run([sys.executable, str(FAKE_AGENT), hook["command"]], input=json.dumps(payload).encode(),
                          capture_output=True, cwd=repo, env=env, timeout=hook["timeout"])
    assert json.loads(done.stdout)["written"] is True and target.read_text() == payload["tool_input"]["content"]


@pytest.mark.skipif(find_spec("mcp") is None, reason="the MCP SDK is absent (pip install -e '.[test]')")
def test_mcp_server_entry(repo, env):
    import anyio
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    server = json.loads(block('"mcpServers"'))["mcpServers"]["blastguard"]
    command = shutil.which(server["command"], path=env["PATH"])

    async def go():
        params = StdioServerParameters(command=command, args=server["args"], cwd=str(repo), env=env)
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                return await session.call_tool("check_file_content", {"path": "main.tf", "content": BUCKET})

    result = anyio.run(go).structured_content
    assert [(f["rule"], f["line"]) for f in result["findings"]] == [("TF101", 3)]


def test_git_pre_commit_hook(repo, env):
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text(block("#!/bin/sh"))
    hook.chmod(0o755)
    (repo / "old.tf").write_text(BUCKET)  # a finding that predates the hook
    git = ["git", "-C", str(repo)]
    subprocess.run(git + ["add", "old.tf"], check=True)
    subprocess.run(git + ["commit", "-q", "--no-verify", "-m", "before the hook"], check=True, env=env)

    def commit(message: str, *extra: str):
        return subprocess.run(git + ["commit", "-q", *extra, "-m", message], capture_output=True, text=True, env=env,
                              timeout=120)

    (repo / "old.tf").write_text(BUCKET + "\n# tagged\n")  # touches the file, introduces nothing
    (repo / "my file.tf").write_text('resource "aws_s3_bucket" "ok" {\n  bucket = "ok"\n}\n')
    subprocess.run(git + ["add", "-A"], check=True)
    assert commit("harmless").returncode == 0
    (repo / "new.tf").write_text(BUCKET.replace("logs", "cache"))
    subprocess.run(git + ["add", "new.tf"], check=True)
    (repo / "new.tf").write_text("# the working tree is not what gets committed\n")
    refused = commit("risky")
    assert refused.returncode != 0 and "new.tf:3:3: TF101 [*] Bucket is destroyed" in refused.stderr  # git sends hook output there
    assert commit("risky", "--no-verify").returncode == 0
