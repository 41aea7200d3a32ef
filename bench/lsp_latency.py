"""Drive the real `blastguard lsp` over stdio: didChange -> publishDiagnostics latency for the
speed issue's three shapes (Terraform of many small blocks, of a few large ones, a Kubernetes
bundle) at 5k and 20k lines, incremental analysis on and off, next to the goals, and with the
comparison with the git base (diffBase) on; and the server's memory with the whole real-world
corpus open."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "realworld"
SIZES = (5_000, 20_000)
EDITS = 200


def server_command(incremental: bool) -> list[str]:
    exe = Path(sys.executable).parent / "blastguard"
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "blastguard"]
    return base + ["lsp", "--debounce-ms", "0"] + ([] if incremental else ["--no-incremental"])


class Client:
    """The smallest JSON-RPC client that can time a notification's answer."""

    def __init__(self, proc: asyncio.subprocess.Process):
        self.proc = proc
        self.next_id = 0
        self.pending: dict[int, asyncio.Future] = {}
        self.published: dict[tuple[str, int | None], float] = {}
        self.waiters: dict[tuple[str, int | None], asyncio.Future] = {}
        self.reader = asyncio.ensure_future(self._read())

    def send(self, message: dict) -> None:
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def request(self, method: str, params) -> dict:
        self.next_id += 1
        future = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        await self.proc.stdin.drain()
        return await future

    def notify(self, method: str, params) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def published_future(self, uri: str, version: int | None) -> asyncio.Future:
        key = (uri, version)
        future = self.waiters.get(key)
        if future is None:
            future = self.waiters[key] = asyncio.get_running_loop().create_future()
            if key in self.published:
                future.set_result(self.published[key])
        return future

    async def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            length = None
            while True:
                line = await stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            message = json.loads(await stream.readexactly(length))
            now = time.perf_counter()
            if "id" in message and message["id"] in self.pending:
                self.pending.pop(message["id"]).set_result(message)
            elif message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                key = (params["uri"], params.get("version"))
                self.published[key] = now
                waiter = self.waiters.get(key)
                if waiter is not None and not waiter.done():
                    waiter.set_result(now)
            elif "id" in message and "method" in message:  # a request from the server
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})


async def start(incremental: bool, root: Path | None = None, init: dict | None = None
                ) -> tuple[Client, asyncio.subprocess.Process]:
    proc = await asyncio.create_subprocess_exec(*server_command(incremental), stdin=asyncio.subprocess.PIPE,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
                                                limit=2**24)
    client = Client(proc)
    await client.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri() if root else None,
                                        "capabilities": {}, "initializationOptions": init})
    client.notify("initialized", {})
    return client, proc


async def stop(client: Client, proc) -> None:
    await client.request("shutdown", None)
    client.notify("exit", None)
    await proc.stdin.drain()
    await proc.wait()


def source_text(suffixes: tuple[str, ...], separator: str, fallback: Path) -> str:
    """Real files of the kind, concatenated: the real-world corpus when it is there (findings as
    sparse as in real code), else the bundled risky example."""
    if CORPUS.is_dir():
        parts = [p.read_text(encoding="utf-8", errors="replace").strip("\n") + "\n"
                 for p in sorted(CORPUS.rglob("*")) if p.suffix in suffixes and p.is_file()
                 and (p.suffix == ".tf" or "kubernetes" in str(p))]
        parts = [t for t in parts if "{{" not in t]  # whole charts are templates, not manifests
        if parts:
            return separator.join(parts)
    return fallback.read_text()


def small_blocks() -> str:
    """Terraform made of many five-line blocks (the speed issue's first shape)."""
    return "".join(f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "bucket-{i}"\n  acl    = "private"\n'
                   f'  tags   = {{ team = "data" }}\n}}\n' for i in range(200))


def large_blocks() -> str:
    """Terraform made of a few blocks of about 250 lines each (nested blocks, a policy)."""
    blocks = []
    for i in range(4):
        devices = "".join(f'  ebs_block_device {{\n    device_name = "/dev/sd{chr(98 + d % 24)}{d}"\n'
                          f'    volume_size = {10 + d}\n    encrypted   = true\n  }}\n' for d in range(40))
        statements = "".join(f'    statement {{\n      actions   = ["s3:GetObject"]\n'
                             f'      resources = ["arn:aws:s3:::bucket-{i}-{s}/*"]\n    }}\n' for s in range(10))
        blocks.append(f'resource "aws_instance" "i{i}" {{\n  ami           = "ami-{i:08d}"\n'
                      f'  instance_type = "t3.micro"\n{devices}}}\n\n'
                      f'data "aws_iam_policy_document" "p{i}" {{\n{statements}}}\n')
    return "\n".join(blocks)


# The three shapes of the speed issue, each with its goal: p95 at 5,000 and at 20,000 lines.
GOALS = {5_000: 10.0, 20_000: 25.0}


def grow(base: str, lines: int, separator: str) -> str:
    """`base` repeated (and cut at a block or document boundary) to about `lines` lines."""
    out, count = [], 0
    while count < lines:
        out.append(base)
        count += base.count("\n")
    text = separator.join(out)
    cut = [m.start() for m in re.finditer(r"^(resource|data|module|variable|---)", text, re.M)] or [len(text)]
    position = next((c for c in cut if text.count("\n", 0, c) >= lines), len(text))
    return text[:position]


def committed(path: str, text: str) -> Path:
    """A scratch git repository holding `text` at `path`, committed: the document's base."""
    repo = Path(tempfile.mkdtemp(prefix="blastguard-bench-"))
    (repo / path).write_text(text)
    for args in (["init", "-q"], ["add", path], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "-c",
                        "commit.gpgsign=false", *args], cwd=repo, check=True, capture_output=True)
    return repo


def typing_edits(text: str, seed: int):
    """(version, LSP content change) of EDITS single-character edits at random places. Typing
    then undoing: a character inserted, then deleted again, so the file stays as valid as real
    code is between keystrokes instead of decaying."""
    rng = random.Random(seed)
    offset = 0
    for version in range(2, EDITS + 2):
        inserting = version % 2 == 0
        if inserting:
            offset = rng.randrange(len(text))
        line = text.count("\n", 0, offset)
        column = offset - (text.rfind("\n", 0, offset) + 1)  # ASCII: characters are UTF-16 units
        start = {"line": line, "character": column}
        if inserting:
            char = rng.choice("abcxyz ")
            yield version, {"range": {"start": start, "end": start}, "text": char}
            text = text[:offset] + char + text[offset:]
        else:
            yield version, {"range": {"start": start, "end": {"line": line, "character": column + 1}}, "text": ""}
            text = text[:offset] + text[offset + 1:]


async def latency(path: str, text: str, incremental: bool, seed: int = 7, base: bool = False) -> list[float]:
    """With `base`, the file is committed in a scratch repository and compared with that
    version on every change (diffBase HEAD, the default); without, diffBase is ""."""
    repo = committed(path, text) if base else None
    client, proc = await start(incremental, repo, None if base else {"diffBase": ""})
    uri = (repo / path).as_uri() if repo else f"file:///bench/{path}"
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "", "version": 1, "text": text}})
    await asyncio.wait_for(client.published_future(uri, 1), 120)
    samples = []
    for version, change in typing_edits(text, seed):
        waiter = client.published_future(uri, version)
        sent = time.perf_counter()
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
        received = await asyncio.wait_for(waiter, 120)
        samples.append((received - sent) * 1000)
    await stop(client, proc)
    if repo is not None:
        shutil.rmtree(repo, ignore_errors=True)
    return samples


async def corpus_memory() -> tuple[int, int, float, int]:
    files = sorted(p for pattern in ("*.tf", "*.yaml", "*.yml", "*.json") for p in CORPUS.rglob(pattern))
    client, proc = await start(True)
    started = time.perf_counter()
    waits = []
    for path in files:
        uri = path.as_uri()
        waits.append(client.published_future(uri, 1))
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "", "version": 1, "text": path.read_text(encoding="utf-8", errors="replace")}})
    await proc.stdin.drain()
    # Files the server does not check (a JSON file that is not a template) still get an empty publish.
    await asyncio.wait_for(asyncio.gather(*waits), 300)
    elapsed = time.perf_counter() - started
    status = Path(f"/proc/{proc.pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) * 1024
    peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) * 1024
    await stop(client, proc)
    return len(files), rss, elapsed, peak


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def shapes(chosen: list[str]) -> list[tuple[str, str, str]]:
    """(file name, base text, unit separator) of each chosen shape: small, large, kubernetes."""
    examples = PROJECT_ROOT / "examples"
    return [(name, make(), separator) for shape, name, make, separator in (
        ("small", "small-blocks.tf", small_blocks, "\n"),
        ("large", "large-blocks.tf", large_blocks, "\n"),
        ("kubernetes", "deploy.yaml",
         lambda: source_text((".yaml", ".yml"), "---\n", examples / "kubernetes" / "risky.yaml"), "---\n"))
        if shape in chosen]


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--shapes", default="small,large,kubernetes", help="of small,large,kubernetes")
    parser.add_argument("--incremental-only", action="store_true", help="skip the full re-parse and + base runs")
    opts = parser.parse_args()
    sizes = [int(s) for s in opts.sizes.split(",")]
    kinds = shapes(opts.shapes.split(","))
    print(f"blastguard lsp over stdio, debounce 0; {EDITS} single-character edits at random places "
          f"(each inserted, then deleted); Kubernetes manifests from {CORPUS if CORPUS.is_dir() else 'examples/'}; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print()
    header = ("file", "lines", "incremental p50 ms", "p95 ms", "goal p95", "full re-parse p50 ms", "p95 ms",
              "+ base p50 ms", "p95 ms")
    rows = [header]
    for name, base, separator in kinds:
        for size in sizes:
            text = grow(base, size, separator)
            on = await latency(name, text, True)
            off = [0.0] if opts.incremental_only else await latency(name, text, False)
            based = [0.0] if opts.incremental_only else await latency(name, text, True, base=True)
            goal = next((f"{g:.0f}" for n, g in sorted(GOALS.items()) if size <= n), "-")
            rows.append((name, f"{text.count(chr(10)):,}", f"{statistics.median(on):.1f}", f"{percentile(on, 0.95):.1f}",
                         goal, f"{statistics.median(off):.1f}", f"{percentile(off, 0.95):.1f}",
                         f"{statistics.median(based):.1f}", f"{percentile(based, 0.95):.1f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join([row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]))
    print()
    print("incremental: the edited tree is re-parsed and only changed blocks/documents are analysed again;")
    print("full: --no-incremental, every change re-parses and re-analyses the whole file;")
    print("+ base: incremental, the file committed in a scratch git repository and compared with that version")
    print("on every change (diffBase HEAD, the default; the other columns set diffBase \"\"); the destructive-change")
    print("comparison waits for a 0.3 s pause, which these back-to-back edits never leave.")
    if opts.incremental_only:
        pass
    elif CORPUS.is_dir():
        count, rss, elapsed, peak = await corpus_memory()
        print()
        print(f"whole real-world corpus open: {count} files, diagnostics for all in {elapsed:.1f} s; "
              f"server RSS {rss / 2**20:.0f} MiB (peak {peak / 2**20:.0f} MiB)")
    else:
        print(f"\n{CORPUS} not found: memory with the corpus open not measured")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
