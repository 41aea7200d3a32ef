"""Every change rule's own examples: the change from `before` to `code` flags exactly its lines,
the near misses flag nothing of it, and rule files of that kind carry the comparison they name."""

from __future__ import annotations

import pytest

from blastguard.engine.change import compare_files
from blastguard.engine.loader import load_rules
from tests.conftest import parses
from tests.test_rule_examples import DEFAULT_PATH

RULES = [r for r in load_rules().rules if "change" in r.metadata]


def _cases(kind):
    for rule in RULES:
        for i, case in enumerate(rule.examples[kind]):
            yield pytest.param(rule, case, id=f"{rule.id}-{kind}-{i}")


def _lines(engine, rule, case):
    path = case.get("path", DEFAULT_PATH[rule.language])
    for text in (case["before"], case["code"]):
        assert parses(path, text.encode()), "example has a syntax error"
    before_path = case.get("before_path", path)
    reports = compare_files(engine, {before_path: case["before"].encode()}, {path: case["code"].encode()})
    assert not any(r.errors for r in reports.values()), reports
    return {f.start.line for r in reports.values() for f in r.destroyed if f.rule == rule.id and f.path == path}


@pytest.mark.parametrize("rule,case", list(_cases("invalid")))
def test_change_is_flagged_on_exact_lines(engine, rule, case):
    assert _lines(engine, rule, case) == set(case["lines"])


@pytest.mark.parametrize("rule,case", list(_cases("valid")))
def test_near_miss_is_not_flagged(engine, rule, case):
    assert _lines(engine, rule, case) == set()


def test_every_change_rule_has_before_and_after_in_each_example():
    assert RULES
    for rule in RULES:
        for case in rule.examples["invalid"] + rule.examples["valid"]:
            assert isinstance(case, dict) and "before" in case, rule.id
