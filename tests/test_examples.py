"""The bundled examples: the risky file shows each family, the safe one is silent, fixes hold."""

from __future__ import annotations

import shutil

import pytest

from blastguard.fixing import fixed_text
from tests.conftest import ROOT, parses

EXAMPLES = ROOT / "examples" / "terraform"
# Every other language's risky example and exactly what it shows.
RISKY = {
    "ansible/risky-playbook.yml": {("ANS101", 7), ("ANS102", 11), ("ANS103", 22), ("ANS104", 15), ("ANS106", 29)},
    "cloudformation/risky-iam.yaml": {
        ("CFN201", 24), ("CFN205", 65), ("CFN206", 15), ("CFN208", 52), ("CFN211", 18), ("CFN215", 42),
        ("CFN401", 75), ("CFN403", 77), ("CFN403", 78), ("CFN404", 89)},
    "cloudformation/risky-network.yaml": {
        ("CFN101", 54), ("CFN101", 55), ("CFN102", 68), ("CFN104", 69), ("CFN106", 80), ("CFN301", 35),
        ("CFN302", 50), ("CFN304", 23), ("CFN306", 67)},
    "docker-compose/risky/docker-compose.yml": {
        ("DC101", 11), ("DC102", 7), ("DC103", 15), ("DC104", 16), ("DC105", 17), ("DC107", 19)},
    "github-actions/.github/workflows/risky.yml": {("GHA101", 18), ("GHA102", 29), ("GHA103", 33), ("GHA201", 9)},
    "iam/risky.json": {("IAM201", 7), ("IAM202", 13), ("IAM203", 19), ("IAM204", 25), ("IAM205", 31), ("IAM208", 37)},
    "kubernetes/risky.yaml": {
        ("K8S101", 52), ("K8S102", 90), ("K8S103", 59), ("K8S104", 63), ("K8S106", 84), ("K8S109", 47),
        ("K8S111", 89), ("K8S205", 31), ("K8S207", 28), ("K8S208", 20)},
    "python/risky.py": {
        ("PY101", 30), ("PY102", 36), ("PY105", 26), ("PY202", 35), ("PY203", 30), ("PY204", 34), ("PY205", 31),
        ("PY301", 40), ("PY401", 15), ("PY401", 16), ("PY403", 17)},
}
SAFE = ["ansible/safe-playbook.yml", "cloudformation/safe-iam.yaml", "cloudformation/safe-network.yaml",
        "docker-compose/safe/docker-compose.yml", "github-actions/.github/workflows/safe.yml", "iam/safe.json",
        "kubernetes/safe.yaml", "python/safe.py", "terraform/safe.tf"]


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
                              ("TF103", 35), ("TF102", 36)}  # TF306's fix cuts off clients: not safe
    assert after <= before and "BG001" not in {rule for rule, _ in after}
    assert data.count(b"\n") == path.read_bytes().count(b"\n")


@pytest.mark.parametrize("name", sorted(RISKY))
def test_each_languages_risky_example_shows_its_findings(engine, name):
    assert pairs(engine, ROOT / "examples" / name) == RISKY[name]


@pytest.mark.parametrize("name", SAFE)
def test_each_languages_safe_example_is_silent(engine, name):
    assert pairs(engine, ROOT / "examples" / name) == set()


@pytest.mark.parametrize("name", sorted(RISKY))
def test_safe_fixes_of_each_risky_example_keep_it_parsing_and_only_remove_findings(engine, name):
    path = ROOT / "examples" / name
    data = path.read_bytes()
    before = engine.analyze(str(path), data).findings
    fixed, remaining = fixed_text(engine, str(path), data)
    assert parses(str(path), fixed)
    after = {(f.rule, f.start.line) for f in remaining}
    # What the safe fixes address is gone; nothing else changed (lines keep their numbers).
    assert after == {(f.rule, f.start.line) for f in before if f.fix is None or not f.fix.safe}
    assert fixed.count(b"\n") == data.count(b"\n")
