"""The bundled examples: the risky file shows each family, the safe one is silent, fixes hold."""

from __future__ import annotations

import shutil

from blastguard.fixing import fixed_text
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples" / "terraform"


def pairs(engine, path):
    return {(f.rule, f.start.line) for f in engine.analyze(str(path), path.read_bytes()).findings}


def test_risky_example_findings(engine):
    assert pairs(engine, EXAMPLES / "risky.tf") == {
        ("TF501", 6), ("TF501", 7), ("TF101", 12), ("TF402", 17), ("TF403", 22), ("TF403", 23),
        ("TF103", 35), ("TF102", 36), ("TF104", 37), ("TF306", 38), ("TF301", 49), ("TF201", 59),
        ("TF211", 67), ("TF213", 72), ("TF301", 83),
    }


def test_safe_example_is_silent(engine):
    assert pairs(engine, EXAMPLES / "safe.tf") == set()


def test_fixing_the_risky_example_removes_only_the_fixed_findings(engine, tmp_path):
    path = tmp_path / "risky.tf"
    shutil.copy(EXAMPLES / "risky.tf", path)
    before = pairs(engine, path)
    data, remaining = fixed_text(engine, str(path), path.read_bytes())
    after = {(f.rule, f.start.line) for f in remaining}
    assert before - after == {("TF101", 12), ("TF402", 17), ("TF403", 22), ("TF403", 23),
                              ("TF103", 35), ("TF102", 36), ("TF306", 38)}
    assert after <= before and "BG001" not in {rule for rule, _ in after}
    assert data.count(b"\n") == path.read_bytes().count(b"\n")
