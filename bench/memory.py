"""Peak memory and time of analysing each former worst case (tests/worst_cases.py), each in a
fresh process: prints the interpreter's baseline (rules loaded) and, per case, peak RSS and
seconds. `--only NAME` runs one case."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.worst_cases import LARGE, SLOW  # noqa: E402

# Runs in the child: load the engine, note the baseline, analyse one file, report.
CHILD = """
import json, resource, sys, time
from blastguard.engine.analyze import Engine
from blastguard.engine.loader import load_rules
from blastguard.engine.options import Options
engine = Engine(load_rules(), Options(max_file_size=6_000_000))
data = open(sys.argv[1], "rb").read()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start, cpu = time.perf_counter(), time.process_time()
result = engine.analyze(sys.argv[1], data)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"base": base, "peak": peak, "seconds": seconds, "cpu": cpu, "findings": len(result.findings),
                  "errors": [e.message for e in result.errors]}))
"""


def measure(name: str, text: str, timeout: float) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        try:
            done = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"timeout": timeout}
        if done.returncode != 0:
            return {"crash": done.returncode, "stderr": done.stderr[-300:]}
        return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="one case by name")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    cases = {**SLOW, **LARGE}
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (CPU seconds hold on a busy machine)")
    print(f"{'case':36} {'size':>10} {'seconds':>8} {'CPU s':>6} {'peak RSS':>9} {'above base':>10}  result")
    for name, (filename, text) in cases.items():
        if args.only and name != args.only:
            continue
        found = measure(filename, text, args.timeout)
        size = len(text.encode())
        if "timeout" in found or "crash" in found:
            print(f"{name:36} {size:>10,} {'-':>8} {'-':>6} {'-':>9} {'-':>10}  {found}")
            continue
        mib = lambda kib: f"{kib / 1024:,.0f} MiB"  # noqa: E731  (ru_maxrss is in KiB on Linux)
        outcome = f"{found['findings']} findings" + (f", errors {found['errors']}" if found["errors"] else "")
        print(f"{name:36} {size:>10,} {found['seconds']:>8.2f} {found['cpu']:>6.2f} {mib(found['peak']):>9} "
              f"{mib(found['peak'] - found['base']):>10}  {outcome}")


if __name__ == "__main__":
    main()
