"""Whole-corpus checks: the KICS samples score above the issue's bar; real repos parse cleanly."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, needs_shared


def _blastguard_cmd() -> str:
    exe = Path(sys.executable).parent / "blastguard"
    return str(exe) if exe.exists() else f"{sys.executable} -m blastguard"


def score(*args: str) -> tuple[float, float]:
    script = needs_shared("tools", "score_corpus.py")
    needs_shared("corpus", "kics")
    proc = subprocess.run([sys.executable, str(script), "kics", *args], capture_output=True, text=True,
                          env={**os.environ, "BLASTGUARD_CMD": _blastguard_cmd()}, cwd=ROOT, check=True)
    last = proc.stdout.strip().splitlines()[-1]
    match = re.match(r"recall=([\d.]+) .* false_positive_rate=([\d.]+)", last)
    assert match, proc.stdout
    return float(match.group(1)), float(match.group(2))


def test_kics_terraform_recall_and_false_positive_rate():
    recall, fp_rate = score("--only", "terraform-")
    assert recall >= 0.85 and fp_rate <= 0.05, (recall, fp_rate)


def test_realworld_terraform_checks_without_file_errors():
    corpus = needs_shared("corpus", "realworld")
    files = sorted(str(p) for p in corpus.rglob("*.tf"))
    proc = subprocess.run(_blastguard_cmd().split() + ["check", "--no-config", "--format", "json", *files],
                          capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    assert report["errors"] == []
    assert [f for f in report["findings"] if f["rule"] in ("BG001", "BG004")] == []
