"""Latency of what an agent pays per write: `check -` and `blastguard guard` on a 500-line Terraform
file, each a cold process, next to a one-file `check`; and an MCP tool call on a warm server."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lsp_latency import PROJECT_ROOT, grow, source_text
from startup import blastguard_command, line

LINES = 500


def timed_input(command: list[str], data: bytes, env: dict, runs: int, cwd: Path) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, input=data, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def mcp_calls(command: list[str], cwd: Path, path: str, text: str, edited: str, runs: int) -> dict[str, list[float]]:
    import anyio
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    async def go():
        params = StdioServerParameters(command=command[0], args=command[1:] + ["mcp"], cwd=str(cwd))
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                calls = {"check_file_content": {"path": path, "content": edited},
                         "check_edit": {"path": path, "old": text, "new": edited}}
                times: dict[str, list[float]] = {name: [] for name in calls}
                for name, arguments in calls.items():
                    await session.call_tool(name, arguments)  # warm: rules compiled, caches filled
                    for _ in range(runs):
                        start = time.perf_counter()
                        result = await session.call_tool(name, arguments)
                        times[name].append(time.perf_counter() - start)
                        assert not result.is_error, result.content
                return times

    return anyio.run(go)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    base = source_text((".tf",), "\n", PROJECT_ROOT / "examples" / "terraform" / "risky.tf")
    text = grow(base, LINES, "\n")
    # The proposed write: a risky bucket appended to the file.
    risky = 'resource "aws_s3_bucket" "agent" {\n  bucket        = "agent-scratch"\n  force_destroy = true\n}\n'
    edited = text + "\n" + risky
    exe = blastguard_command()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / ".git").mkdir()
        target = root / "main.tf"
        target.write_text(text)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        subprocess.run(exe + ["check", "--no-progress", str(target)], env=env, cwd=root, stdout=subprocess.DEVNULL)
        payload = json.dumps({"hook_event_name": "PreToolUse", "cwd": str(root), "tool_name": "Write",
                              "tool_input": {"file_path": str(target), "content": edited}}).encode()
        edit = json.dumps({"hook_event_name": "PreToolUse", "cwd": str(root), "tool_name": "Edit",
                           "tool_input": {"file_path": str(target), "old_string": text[-200:],
                                          "new_string": text[-200:] + "\n" + risky}}).encode()
        floor = timed_input([sys.executable, "-c", "pass"], b"", env, args.runs, root)
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
              f"{text.count(chr(10))}-line Terraform file; {args.runs} runs each, cold processes")
        print(line("python -c pass", floor))
        print(line("check main.tf", timed_input(exe + ["check", "--no-progress", str(target)], b"", env, args.runs,
                                                root), min(floor)))
        print(line("check - --stdin-filename main.tf", timed_input(
            exe + ["check", "-", "--stdin-filename", str(target)], edited.encode(), env, args.runs, root), min(floor)))
        print(line("guard, Claude Code Write", timed_input(exe + ["guard"], payload, env, args.runs, root), min(floor)))
        print(line("guard, Claude Code Edit", timed_input(exe + ["guard"], edit, env, args.runs, root), min(floor)))
        try:
            warm = mcp_calls(exe, root, str(target), text, edited, args.runs * 4)
        except ModuleNotFoundError as exc:
            print(f"MCP: skipped ({exc.name} is not installed: pip install -e '.[mcp]')")
            return
        for name, times in warm.items():
            ordered = sorted(times)
            p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
            print(f"MCP {name:30} warm server: p50 {statistics.median(times) * 1000:6.1f} ms  "
                  f"p95 {p95 * 1000:6.1f} ms  ({len(times)} calls)")


if __name__ == "__main__":
    main()
