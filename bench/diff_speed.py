"""Benchmark `blastguard check --diff HEAD` on the real-world corpus against a plain `check`.

Copies ../shared/corpus/realworld into a scratch git repository, commits it, makes the issue's
twelve edits (tests/realworld_change.py), and times, with the same wall clock, each command
several times: a plain check of the whole tree, `--diff HEAD` after the edits (what a review
runs), `--diff HEAD` with nothing changed, and `--diff HEAD` when every file changed (the
whole corpus reformatted: the worst case, both versions analysed).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "realworld"

from tests import realworld_change  # noqa: E402


def blastguard() -> list[str]:
    exe = Path(sys.executable).parent / "blastguard"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "blastguard"]


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid",
                    "-c", "commit.gpgsign=false", *args], cwd=root, check=True, capture_output=True)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(root: Path, args: list[str], runs: int) -> tuple[list[float], list[float], str]:
    """Wall-clock and CPU seconds (every process of the command, git included) of each run."""
    command = blastguard() + ["check", "--no-config", "--no-progress", *args]
    last = subprocess.run(command, cwd=root, capture_output=True, text=True)  # warm-up, and the output
    if last.returncode not in (0, 1):
        sys.exit(f"diff_speed: {' '.join(args)} exited with {last.returncode}: {last.stderr.strip()}")
    times, cpu = [], []
    for _ in range(runs):
        start, before = time.perf_counter(), _cpu()
        subprocess.run(command, cwd=root, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        cpu.append(_cpu() - before)
    return times, cpu, last.stdout.strip().splitlines()[-1] if last.stdout.strip() else ""


def line(label: str, measured, base: tuple[float, float] | None = None) -> str:
    times, cpu, summary = measured
    wall, used = statistics.median(times), statistics.median(cpu)
    ratio = f"  ({wall / base[0]:.2f}x plain wall, {used / base[1]:.2f}x plain CPU)" if base else ""
    return f"{label:38} wall {wall:6.2f} s  CPU {used:6.2f} s{ratio}\n    {summary}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"diff_speed: {CORPUS} is absent (../shared is only beside a developer or CI checkout)")
    files = sum(1 for p in CORPUS.rglob("*") if p.is_file())
    with tempfile.TemporaryDirectory(prefix="blastguard-diff-bench-") as scratch:
        root = Path(scratch) / "repo"
        realworld_change.copy(CORPUS, root)
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "corpus")
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
              f"corpus: {files} files; {args.runs} runs each")
        same = timed(root, ["--diff", "HEAD"], args.runs)
        realworld_change.apply(root)
        plain = timed(root, [], args.runs)
        base = (statistics.median(plain[0]), statistics.median(plain[1]))
        print(line("check (whole tree)", plain))
        print(line("check --diff HEAD (the 12 edits)", timed(root, ["--diff", "HEAD"], args.runs), base))
        print(line("check --diff HEAD (nothing changed)", same, base))
        for path in root.rglob("*"):  # every file changed: a comment or blank line on top
            if path.is_file() and path.suffix in (".tf", ".yaml", ".yml"):
                path.write_bytes(b"# reformatted\n" + path.read_bytes())
            elif path.is_file() and path.suffix == ".json":
                path.write_bytes(b"\n" + path.read_bytes())
        print(line("check --diff HEAD (every file changed)", timed(root, ["--diff", "HEAD"], args.runs), base))


if __name__ == "__main__":
    main()
