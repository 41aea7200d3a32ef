"""Every rule's own examples: invalid code flags exactly its lines, valid code stays quiet, fixes hold."""

from __future__ import annotations

import pytest

from blastguard.engine import fixes
from blastguard.engine.loader import load_rules
from tests.conftest import parses

DEFAULT_PATH = {
    "terraform": "main.tf", "kubernetes": "deploy.yaml", "cloudformation": "template.yaml",
    "github-actions": ".github/workflows/ci.yml", "python": "tool.py", "ansible": "playbook.yml",
    "docker-compose": "docker-compose.yml", "iam": "policy.json",
}

# Change rules (a `change:` section) compare two versions: tests/test_change_rule_examples.py.
RULES = [r for r in load_rules().rules if "change" not in r.metadata]


def _cases(kind):
    for rule in RULES:
        for i, case in enumerate(rule.examples[kind]):
            case = {"code": case} if isinstance(case, str) else case
            yield pytest.param(rule, case, id=f"{rule.id}-{kind}-{i}")


def _path(rule, case, tmp_path) -> str:
    """Where to analyse the example: beside the files it reads (file("init.sh")), when it reads any."""
    path = case.get("path", DEFAULT_PATH[rule.language])
    if not case.get("files"):
        return path
    for name, text in case["files"].items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return str(tmp_path / path)


def _lines(engine, rule, path, code):
    result = engine.analyze(path, code.encode())
    assert not result.errors, result.errors
    return result, {f.start.line for f in result.findings if f.rule == rule.id}


@pytest.mark.parametrize("rule,case", list(_cases("invalid")))
def test_invalid_example_is_flagged_on_exact_lines(engine, rule, case, tmp_path):
    path = _path(rule, case, tmp_path)
    result, lines = _lines(engine, rule, path, case["code"])
    assert lines == set(case["lines"])
    assert parses(path, case["code"].encode()), "example has a syntax error"


@pytest.mark.parametrize("rule,case", list(_cases("valid")))
def test_valid_example_is_not_flagged(engine, rule, case, tmp_path):
    path = _path(rule, case, tmp_path)
    result, lines = _lines(engine, rule, path, case["code"])
    assert lines == set()
    assert parses(path, case["code"].encode()), "example has a syntax error"


@pytest.mark.parametrize("rule,case", [p for p in _cases("invalid") if "fixed" in p.values[1]])
def test_fix_gives_the_fixed_text_which_parses_and_is_clean(engine, rule, case, tmp_path):
    path = _path(rule, case, tmp_path)
    data = case["code"].encode()
    found = [f for f in engine.analyze(path, data).findings if f.rule == rule.id]
    edits = [e for f in found if f.fix for e in f.fix.edits]
    assert edits, "the rule has a fixed example but offered no fix"
    fixed, applied = fixes.apply(data, edits)
    assert fixed.decode() == case["fixed"]
    # Everything outside the edits is kept byte for byte.
    first, last = min(e.start for e in applied), max(e.end for e in applied)
    assert fixed[:first] == data[:first]
    assert fixed[len(fixed) - (len(data) - last):] == data[last:]
    assert parses(path, fixed), "the fixed text has a syntax error"
    after = engine.analyze(path, fixed)
    assert not after.errors
    assert not [f for f in after.findings if f.rule == rule.id]


def test_every_rule_with_a_fix_has_a_fixed_example():
    for rule in RULES:
        if rule.fix or any(m.fix for m in rule.match):
            assert any("fixed" in c for c in rule.examples["invalid"]), rule.id
