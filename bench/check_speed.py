"""Benchmark `blastguard check` per language over the shared real-world corpus (and, for Python,
the standard library's top-level modules) against a tree-sitter parse-only floor: first the
analysis alone in this process (start-up excluded) as a ratio to the floor, then whole runs;
with --phases, where the analysis goes instead."""

from __future__ import annotations

import argparse
import importlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "realworld"
RUNS = 5
GOAL = 2.0  # analysis within twice tree-sitter's parse-only time (issue 14)
MB = 1_000_000
TREE_TARGET = 20 * MB
# ru_maxrss is in KiB on Linux but in bytes on macOS.
RSS_UNIT = 1 if sys.platform == "darwin" else 1024

# One entry per language: the globs that select its files, and the grammar module for the parse floor.
# The real-world corpus has no Python, so Python is measured on the standard library's own modules.
STDLIB = Path(sysconfig.get_paths()["stdlib"])
LANGUAGES = {
    "terraform": {"globs": ["*.tf"], "grammar": "tree_sitter_hcl", "root": CORPUS},
    "yaml": {"globs": ["*.yaml", "*.yml"], "grammar": "tree_sitter_yaml", "root": CORPUS},
    "json": {"globs": ["*.json"], "grammar": "tree_sitter_json", "root": CORPUS},
    "python": {"globs": ["*.py"], "grammar": "tree_sitter_python", "root": STDLIB, "recursive": False},
}
# For --phases: the least a reader of a tree must ask of tree-sitter, one node per key-value pair
# (per call in Python), handed over by one query per file, the cheapest way the binding has.
LEAST_ASKED = {
    "tree_sitter_hcl": "(attribute) @pair",
    "tree_sitter_yaml": "[(block_mapping_pair) (flow_pair)] @pair",
    "tree_sitter_json": "(pair) @pair",
    "tree_sitter_python": "(call) @call",
}

# RUSAGE_CHILDREN keeps the largest child the process has ever waited for, so every
# measurement needs a fresh wrapper; timing inside it leaves the wrapper's own start-up out.
WRAPPER = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "elapsed = time.perf_counter() - start\n"
    "print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)\n"
)


def blastguard_command() -> list[str]:
    # Not resolved: the venv's bin/ sits next to its python symlink, not next to the real interpreter.
    exe = Path(sys.executable).parent / "blastguard"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "blastguard"]


def find_files(languages: list[str]) -> dict[str, list[Path]]:
    found = {}
    for lang in languages:
        spec = LANGUAGES[lang]
        search = spec["root"].rglob if spec.get("recursive", True) else spec["root"].glob
        paths = {p for glob in spec["globs"] for p in search(glob) if p.is_file()}
        if paths:
            found[lang] = sorted(paths)
    return found


def run_once(args: list[str]) -> tuple[float, int]:
    out = subprocess.run([sys.executable, "-c", WRAPPER, *args], stdout=subprocess.PIPE,
                         text=True, check=True).stdout.split()
    seconds, maxrss, rc = float(out[0]), int(out[1]), int(out[2])
    if rc not in (0, 1):  # 1 only means findings; anything else is a failed run, not a timing
        sys.exit(f"check_speed: blastguard exited with {rc}")
    return seconds, maxrss * RSS_UNIT


def verify_count(args: list[str], expected: int) -> None:
    # Doubles as the warm-up run, so the timed runs all start with the files in the page cache.
    out = subprocess.run(args + ["--format", "text"], stdout=subprocess.PIPE, text=True).stdout
    # The summary groups thousands (`2,166 files checked`).
    match = re.search(r"^([\d,]+) files checked", out, re.MULTILINE)
    checked = int(match.group(1).replace(",", "")) if match else 0
    if checked != expected:
        # JSON files that are neither templates nor policies are skipped, so fewer is expected there.
        print(f"note: blastguard checked {checked} of {expected} files", file=sys.stderr)


def time_check(label: str, args: list[str], files: int, size: int) -> dict:
    verify_count(args, files)
    samples = [run_once(args) for _ in range(RUNS)]
    seconds = [s for s, _ in samples]
    return {"label": label, "files": files, "bytes": size, "best": min(seconds),
            "median": statistics.median(seconds), "peak": max(m for _, m in samples)}


def time_parse(label: str, blobs: list[tuple[str, bytes]]) -> dict:
    import tree_sitter

    parsers = {}
    for grammar in {g for g, _ in blobs}:
        module = importlib.import_module(grammar)
        parsers[grammar] = tree_sitter.Parser(tree_sitter.Language(module.language()))
    # Bytes are read beforehand: the floor is parsing alone, without disk or start-up.
    work = [(parsers[g].parse, data) for g, data in blobs]
    seconds = []
    for _ in range(RUNS):
        start = time.perf_counter()
        for parse, data in work:
            parse(data)
        seconds.append(time.perf_counter() - start)
    return {"label": label, "files": len(blobs), "bytes": sum(len(d) for _, d in blobs),
            "best": min(seconds), "median": statistics.median(seconds), "peak": None}


def time_analysis(found: dict[str, list[Path]], phases: bool = False) -> list[tuple]:
    """Per language, (language, files, parse-only floor, analysis) in seconds, both in this
    process with the rules already loaded: start-up excluded, one core. Parse and analysis
    runs alternate, so a busy machine slows both alike; each is the best of RUNS. With `phases`,
    each row also holds the best analysis run's time in documents.load (parsing, reading the
    values, making the subjects) and in Engine.findings (the rules), timed by wrapping the
    engine's two functions for the duration, and the time of LEAST_ASKED's query over the
    parsed files (a reader's least, see print_phases)."""
    import tree_sitter

    from blastguard import runner
    from blastguard.engine import analyze
    from blastguard.engine.loader import load_rules
    from blastguard.engine.options import Options

    spent = {"load": 0.0, "findings": 0.0}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - start
        return wrapper

    engine = analyze.Engine(load_rules(), Options())
    runner.keep_long_lived()  # as `blastguard check` does before its scan
    load, findings = analyze.load, analyze.Engine.findings
    if phases:
        analyze.load, analyze.Engine.findings = timed("load", load), timed("findings", findings)
    rows = []
    try:
        for lang, paths in found.items():
            grammar = LANGUAGES[lang]["grammar"]
            language = tree_sitter.Language(importlib.import_module(grammar).language())
            parse = tree_sitter.Parser(language).parse
            blobs = [p.read_bytes() for p in paths]
            names = [str(p) for p in paths]
            for name in names:  # compiles the language's rules and warms the caches
                runner.read_and_analyze(engine, name)
            floor = analysis = float("inf")
            split: tuple[float, ...] = ()
            for _ in range(RUNS):
                start = time.perf_counter()
                for data in blobs:
                    parse(data)
                floor = min(floor, time.perf_counter() - start)
                spent.update(load=0.0, findings=0.0)
                start = time.perf_counter()
                for name in names:
                    runner.read_and_analyze(engine, name)
                elapsed = time.perf_counter() - start
                if elapsed < analysis:
                    analysis = elapsed
                    split = (spent["load"], spent["findings"]) if phases else ()
            if phases:
                split += (least_asked(language, LEAST_ASKED[grammar], [parse(data) for data in blobs]),)
            rows.append((lang, len(paths), floor, analysis, *split))
    finally:
        analyze.load, analyze.Engine.findings = load, findings
    return rows


def least_asked(language, source: str, trees: list) -> float:
    """Best of RUNS: one query per tree handing over the nodes `source` captures."""
    import tree_sitter

    captures = tree_sitter.QueryCursor(tree_sitter.Query(language, source)).captures
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        for tree in trees:
            captures(tree.root_node)
        best = min(best, time.perf_counter() - start)
    return best


def print_phases(rows: list[tuple]) -> None:
    print("where the analysis goes, in seconds: reading is loading (parse, values, subjects) beyond the")
    print("parse-only floor, rest is files, input checks and freeing trees. 'reading free' is the ratio")
    print("if reading cost nothing, the most a faster reader alone can give; 'pairs' is one query")
    print("handing over a node per key-value pair (per call in Python), the least a reader of the tree")
    print("asks, and 'least' the ratio with reading at that cost and the rules and rest as they are")
    print(f"{'language':<10}  {'parse':>6}  {'reading':>7}  {'rules':>6}  {'rest':>6}  {'analysis':>8}  ratio"
          f"  reading free  {'pairs':>6}  least")
    for lang, _, floor, analysis, loading, rules, pairs in rows:
        rest = analysis - loading - rules
        reading = loading - floor
        # Below zero, the language is read without tree-sitter (JSON's C scanner): nothing to bound.
        if reading > 0:
            bounds = f"{(analysis - reading) / floor:>11.1f}x  {pairs:>6.3f}  {(analysis - reading + pairs) / floor:>4.1f}x"
        else:
            bounds = f"{'-':>12}  {'-':>6}  {'-':>5}"
        print(f"{lang:<10}  {floor:>6.3f}  {reading:>7.3f}  {rules:>6.3f}  {rest:>6.3f}  {analysis:>8.3f}  "
              f"{analysis / floor:>4.1f}x  {bounds}")


def print_ratios(rows: list[tuple[str, int, float, float]]) -> None:
    print(f"analysis against the parse-only floor (in one process, start-up excluded; goal: within {GOAL}x)")
    print(f"{'language':<10}  {'files':>5}  {'parse s':>7}  {'analysis s':>10}  {'ratio':>5}  goal")
    for lang, files, floor, analysis in rows:
        ratio = analysis / floor
        verdict = "met" if ratio <= GOAL else "not met"
        print(f"{lang:<10}  {files:>5}  {floor:>7.3f}  {analysis:>10.3f}  {ratio:>4.1f}x  {verdict}")


def print_table(rows: list[dict]) -> None:
    header = ("measurement", "files", "MB", "best s", "median s", "files/s", "MB/s", "peak MB")
    lines = [header]
    for r in rows:
        peak = f"{r['peak'] / MB:.0f}" if r["peak"] is not None else "-"
        lines.append((r["label"], str(r["files"]), f"{r['bytes'] / MB:.2f}", f"{r['best']:.3f}",
                      f"{r['median']:.3f}", f"{r['files'] / r['best']:.0f}",
                      f"{r['bytes'] / MB / r['best']:.2f}", peak))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        cells = [line[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(line[1:], widths[1:])]
        print("  ".join(cells))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--languages", default="all",
                        help=f"comma-separated, or 'all' (known: {', '.join(LANGUAGES)})")
    parser.add_argument("--ratios-only", action="store_true",
                        help="only the in-process analysis against the parse-only floor")
    parser.add_argument("--phases", action="store_true",
                        help="only where the in-process analysis goes: parsing, reading values, rules, the rest")
    opts = parser.parse_args()
    languages = list(LANGUAGES) if opts.languages == "all" else opts.languages.split(",")
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown:
        parser.error(f"unknown language(s): {', '.join(unknown)}")

    if not CORPUS.is_dir():
        print(f"check_speed: corpus not found at {CORPUS}; nothing to benchmark")
        return 0
    found = find_files(languages)
    if not found:
        print(f"check_speed: no {', '.join(languages)} files under {CORPUS}; nothing to benchmark")
        return 0

    files = [(LANGUAGES[lang]["grammar"], p) for lang, paths in found.items() for p in paths]
    corpus_bytes = sum(p.stat().st_size for _, p in files)
    if corpus_bytes == 0:
        print(f"check_speed: the selected files under {CORPUS} are all empty; nothing to benchmark")
        return 0
    blastguard = blastguard_command()
    # --no-config: the result must not depend on a .blastguard.yaml near wherever this is run from.
    check = blastguard + ["check", "--format", "json", "--no-progress", "--no-config"]
    print(f"corpus: {CORPUS}, Python from {STDLIB} "
          f"({', '.join(f'{lang}: {len(p)}' for lang, p in found.items())})")
    print(f"blastguard: {' '.join(blastguard)}; {os.cpu_count()} cores; best and median of {RUNS} runs")
    print()

    if opts.phases:
        print_phases(time_analysis(found, phases=True))
        return 0
    print_ratios(time_analysis(found))
    print()
    if opts.ratios_only:
        return 0

    rows = []
    for lang, paths in found.items():
        grammar = LANGUAGES[lang]["grammar"]
        size = sum(p.stat().st_size for p in paths)
        rows.append(time_check(f"{lang}, as is", check + [str(p) for p in paths], len(paths), size))
        rows.append(time_parse("  parse-only floor", [(grammar, p.read_bytes()) for p in paths]))
    if len(found) > 1:
        rows.append(time_check("all, as is", check + [str(p) for _, p in files], len(files), corpus_bytes))
        rows.append(time_parse("  parse-only floor", [(g, p.read_bytes()) for g, p in files]))

    with tempfile.TemporaryDirectory(prefix="blastguard-bench-") as tmp:
        root = Path(tmp)
        tree, copies = [], 0
        while copies * corpus_bytes < TREE_TARGET:
            copies += 1
            for (grammar, path), lang in zip(files, [l for l, ps in found.items() for _ in ps]):
                dest = root / f"copy{copies}" / lang / path.relative_to(LANGUAGES[lang]["root"])
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dest)
                tree.append((grammar, dest))
        size = corpus_bytes * copies
        label = f"tree x{copies}"
        rows.append(time_check(f"{label}, --jobs 1", check + ["--jobs", "1", tmp], len(tree), size))
        rows.append(time_check(f"{label}, default jobs", check + [tmp], len(tree), size))
        rows.append(time_parse("  parse-only floor", [(g, p.read_bytes()) for g, p in tree]))

    print_table(rows)
    print()
    print("files/s and MB/s use the best time; check rows include interpreter start-up;"
          " peak MB is the largest single process (parallel workers are not summed).")
    print("For comparison, Checkov 3.3 takes about 105 s and 480 MB for the 164 Terraform files"
          " (figures from our issue, not measured here).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
