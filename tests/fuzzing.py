"""Mutation fuzzing over real files (examples/ and, when present, ../shared/corpus): used by
tests/test_fuzz.py (about 20 s, fixed seed) and bench/fuzz.py (as long as asked)."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from blastguard.engine import fixes, languages
from tests.conftest import parses

ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIRS = [ROOT / "examples", ROOT.parent / "shared" / "corpus"]
SUFFIXES = {".tf", ".tfvars", ".hcl", ".json", ".yaml", ".yml", ".py", ".template"}
MAX_BYTES = 200_000
TOKENS = [b"{", b"}", b'"', b"${", b"<<EOF\n", b"\n", b"[", b"=", b"#", b"\xff", b"\\", b"- ", b": ",
          b"&a ", b"*a", b"{{ x }}", b"!Ref ", b"(", b")", b"'", b"  ", b"\r", b"\t", b"local.x", b"\x00",
          b"{{", b"}}", "\u2028".encode(), b"\x0c", b"---\n"]


def corpus_files() -> list[Path]:
    found = []
    for folder in CORPUS_DIRS:
        if folder.is_dir():
            found.extend(p for p in sorted(folder.rglob("*"))
                         if p.suffix in SUFFIXES and p.is_file() and p.stat().st_size <= MAX_BYTES)
    return found


def mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        at = rng.randint(0, len(out))
        choice = rng.randint(0, 3)
        if choice == 0 and out:
            del out[at:at + rng.randint(1, 40)]
        elif choice == 1:
            out[at:at] = rng.choice(TOKENS)
        elif choice == 2:
            out[at:at] = out[at:at + rng.randint(1, 200)]
        elif out:
            out[at:at + 1] = bytes([rng.randint(0, 255)])
    return bytes(out)


@dataclass
class Outcome:
    files: int = 0
    cases: int = 0
    fixed: int = 0  # cases where safe fixes were applied and checked
    failures: list[str] = field(default_factory=list)


def run(engine, seconds: float, seed: int, limit: int | None = None) -> Outcome:
    """Mutate corpus files for `seconds` (or `limit` cases): no exception may escape
    engine.analyze, and the safe fixes of a file that parses must leave it parsing, with the
    text before the first edit and after the last one unchanged."""
    rng = random.Random(seed)
    files = corpus_files()
    outcome = Outcome(files=len(files))
    texts: dict[Path, bytes] = {}
    stop = time.monotonic() + seconds
    while files and time.monotonic() < stop and (limit is None or outcome.cases < limit):
        path = rng.choice(files)
        original = texts.setdefault(path, path.read_bytes())
        data = mutate(rng, original)
        name = str(path.relative_to(path.parents[1]))
        outcome.cases += 1
        try:
            result = engine.analyze(name, data)
        except Exception as exc:  # the property under test
            outcome.failures.append(f"{name} (case {outcome.cases}): analyze raised {type(exc).__name__}: {exc}")
            continue
        edits = [e for f in result.findings if f.fix is not None and f.fix.safe for e in f.fix.edits]
        detected = languages.detect(name, data[:languages.SNIFF_BYTES])
        if not edits or result.errors or detected is None or not parses(name, data):
            continue
        fixed, applied = fixes.apply(data, edits)
        outcome.fixed += 1
        first, last = min(e.start for e in applied), max(e.end for e in applied)
        tail = len(data) - last
        if fixed[:first] != data[:first] or fixed[len(fixed) - tail:] != data[last:]:
            outcome.failures.append(f"{name} (case {outcome.cases}): a fix changed text outside its edits")
        elif not parses(name, fixed):
            outcome.failures.append(f"{name} (case {outcome.cases}): the fixed file no longer parses")
    return outcome
