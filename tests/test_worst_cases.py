"""Former worst cases finish: each adversarial input runs `blastguard check` in a subprocess with
a generous timeout (a hang guard, not a timing test: bench/memory.py measures), and the largest
stay within a memory budget."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.worst_cases import LARGE, SLOW

# A hang guard: these took 8 s to several minutes with backtracking regexes and quadratic walks,
# and take well under a second now.
HANG_GUARD_SECONDS = 20
# Peak RSS above the interpreter with the rules loaded, for one file at the size limit.
MEMORY_BUDGET_MB = 200


@pytest.mark.parametrize("name", sorted(SLOW))
def test_adversarial_input_is_analysed_without_hanging(tmp_path, name):
    filename, text = SLOW[name]
    path = tmp_path / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    done = subprocess.run([sys.executable, "-m", "blastguard", "check", "--no-config", "--format", "json",
                           "--max-file-size", "6MB", str(path)],
                          capture_output=True, text=True, timeout=HANG_GUARD_SECONDS, cwd=tmp_path)
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    # Completing is the point; a one-line refusal (nesting bound) is a fine outcome, a crash is not.
    assert [e for e in report["errors"] if "internal error" in e["message"]] == []


CHILD = """
import resource, sys
from blastguard.engine.analyze import Engine
from blastguard.engine.loader import load_rules
from blastguard.engine.options import Options
engine = Engine(load_rules(), Options(max_file_size=6_000_000))
data = open(sys.argv[1], "rb").read()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = engine.analyze(sys.argv[1], data)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base, len(result.errors))
"""


# Files near the 5 MiB limit and their expected errors: the 3.2 MB one-line block is refused
# (a block over terraform_hcl.MAX_REGION_BYTES), the others are analysed.
@pytest.mark.parametrize("name, expected_errors", [
    ("python-nested-calls-60KB", 0), ("yaml-small-documents-5MB", 0), ("kubernetes-bundle-5MiB", 0),
    ("terraform-one-line-4MB", 1), ("comment-lines-5MB", 0), ("terraform-80000-blocks", 0),
    ("terraform-block-256KB", 0), ("python-modules-5MiB", 0), ("cloudformation-json-5MiB", 0),
])
def test_large_input_stays_within_the_memory_budget(tmp_path, name, expected_errors):
    filename, text = LARGE[name]
    path = tmp_path / filename
    path.write_text(text)
    done = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    grown_kib, errors = map(int, done.stdout.split())
    kib = 1 if sys.platform != "darwin" else 1024  # ru_maxrss is KiB on Linux, bytes on macOS
    assert grown_kib / kib / 1024 < MEMORY_BUDGET_MB
    assert errors == expected_errors
