"""Start-up cost of a one-file `blastguard check` (what a pre-commit hook or an agent guard pays
per call) next to the interpreter's own start, with the rule cache warm and cold."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_RATIO = 10  # the speed issue's goal: a one-file check within 10x `python -c pass`
RISKY = 'resource "aws_s3_bucket" "b" {\n  force_destroy = true\n}\n'


def blastguard_command() -> list[str]:
    exe = Path(sys.executable).parent / "blastguard"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "blastguard"]


def timed(command: list[str], env: dict, runs: int, before=None) -> list[float]:
    times = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def line(label: str, times: list[float], floor: float | None = None) -> str:
    best, median = min(times), statistics.median(times)
    ratio = f"  {best / floor:5.1f}x python" if floor else ""
    return f"{label:34} min {best * 1000:7.1f} ms  median {median * 1000:7.1f} ms{ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "main.tf"
        target.write_text(RISKY)
        cache = Path(scratch) / "cache"
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["BLASTGUARD_CACHE_DIR"] = str(cache)
        check = blastguard_command() + ["check", "--no-config", "--no-progress", str(target)]

        def clear_cache():
            for entry in cache.glob("*"):
                entry.unlink()

        subprocess.run(check, env=env, stdout=subprocess.DEVNULL)  # writes .pyc files and the cache
        floor = timed([sys.executable, "-c", "pass"], env, args.runs)
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; {args.runs} runs each")
        print(line("python -c pass", floor))
        print(line("blastguard --version", timed(blastguard_command() + ["--version"], env, args.runs), min(floor)))
        warm = timed(check, env, args.runs)
        print(line("check one file (rule cache warm)", warm, min(floor)))
        print(line("check one file (rule cache cold)", timed(check, env, args.runs, clear_cache), min(floor)))
        print(f"goal: one-file check within {GOAL_RATIO}x python -c pass "
              f"({GOAL_RATIO * min(floor) * 1000:.0f} ms here): {'met' if min(warm) <= GOAL_RATIO * min(floor) else 'NOT met'}")


if __name__ == "__main__":
    main()
