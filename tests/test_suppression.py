"""Suppression comments: ids and a reason are required, expiry applies, unused ones are reported."""

from __future__ import annotations

import datetime as dt

import pytest

from blastguard.engine.analyze import Engine
from blastguard.engine.options import Options

BUCKET = 'resource "aws_s3_bucket" "b" {{\n{body}\n}}\n'


def pairs(engine, body: str):
    text = BUCKET.format(body=body)
    return {(f.rule, f.start.line) for f in engine.analyze("main.tf", text.encode()).findings}


@pytest.mark.parametrize("comment", [
    "# blastguard: ignore[TF101] scratch bucket, emptied nightly",
    "// blastguard: ignore[TF101] scratch bucket",
    "/* blastguard: ignore[TF101] scratch bucket */",
    "#blastguard:ignore[ TF101 ] scratch bucket",
])
def test_trailing_comment_suppresses_its_line(engine, comment):
    assert pairs(engine, f"  force_destroy = true {comment}") == set()


def test_comment_on_the_line_above_suppresses_the_next_code_line(engine):
    body = "  # blastguard: ignore[TF101] scratch bucket\n  # another comment\n  force_destroy = true"
    assert pairs(engine, body) == set()


def test_comment_two_code_lines_above_does_not_apply(engine):
    body = '  # blastguard: ignore[TF101] scratch\n  bucket = "x"\n  force_destroy = true'
    assert pairs(engine, body) == {("TF101", 4), ("BG003", 2)}


def test_bare_ignore_and_missing_reason_are_refused_and_reported(engine):
    assert pairs(engine, "  force_destroy = true # blastguard: ignore") == {("TF101", 2), ("BG002", 2)}
    assert pairs(engine, "  force_destroy = true # blastguard: ignore[TF101]") == {("TF101", 2), ("BG002", 2)}


def test_partly_used_suppression_reports_the_unused_id(engine):
    text = BUCKET.format(body="  force_destroy = true # blastguard: ignore[TF101, BG001] scratch")
    (finding,) = engine.analyze("main.tf", text.encode()).findings
    assert (finding.rule, finding.start.line) == ("BG003", 2)
    assert "BG001" in finding.message and "TF101" not in finding.message


def test_unknown_rule_id_is_reported(engine):
    assert pairs(engine, "  force_destroy = true # blastguard: ignore[TF999] typo") == {("TF101", 2), ("BG002", 2)}


def test_expiry(ruleset):
    body = "  force_destroy = true # blastguard: ignore[TF101] migration until=2026-12-31"
    before = Engine(ruleset, Options(today=dt.date(2026, 12, 31)))
    after = Engine(ruleset, Options(today=dt.date(2027, 1, 1)))
    assert pairs(before, body) == set()
    assert pairs(after, body) == {("TF101", 2), ("BG003", 2)}


def test_unused_suppression_is_reported_at_info(engine):
    text = BUCKET.format(body="  force_destroy = false # blastguard: ignore[TF101] not needed")
    (finding,) = engine.analyze("main.tf", text.encode()).findings
    assert (finding.rule, finding.severity.label, finding.start.line) == ("BG003", "info", 2)


def test_config_can_forbid_inline_suppression_of_a_rule(ruleset):
    locked = Engine(ruleset, Options(unsuppressible=frozenset({"TF101"})))
    body = "  force_destroy = true # blastguard: ignore[TF101] trust me"
    assert pairs(locked, body) == {("TF101", 2), ("BG002", 2)}


@pytest.mark.parametrize("comment", [
    "#checkov:skip=CKV_AWS_1: other tool", "#tfsec:ignore:aws-s3-force-destroy", "# nosec",
])
def test_other_tools_comments_are_not_honoured(engine, comment):
    assert pairs(engine, f"  force_destroy = true {comment}") == {("TF101", 2)}


def _file_pairs(engine, path: str, text: str):
    return {(f.rule, f.start.line) for f in engine.analyze(path, text.encode()).findings}


POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: agent
spec:
  containers:
    - name: agent
      image: agent:1
      securityContext:
        privileged: true{trailing}
"""


def test_yaml_suppressions_work_as_in_terraform(engine):
    assert _file_pairs(engine, "pod.yaml", POD.format(trailing="")) == {("K8S101", 10)}
    trailing = "  # blastguard: ignore[K8S101] node agent, reviewed by platform team"
    assert _file_pairs(engine, "pod.yaml", POD.format(trailing=trailing)) == set()
    above = POD.replace("        privileged: true{trailing}",
                        "        # blastguard: ignore[K8S101] node agent\n        privileged: true")
    assert _file_pairs(engine, "pod.yaml", above) == set()
    expired = POD.format(trailing="  # blastguard: ignore[K8S101] node agent until=2026-01-31")
    assert _file_pairs(engine, "pod.yaml", expired) == {("K8S101", 10), ("BG003", 10)}
    bare = POD.format(trailing="  # blastguard: ignore")
    assert _file_pairs(engine, "pod.yaml", bare) == {("K8S101", 10), ("BG002", 10)}


def test_python_suppressions_work_as_in_terraform_and_strings_are_not_comments(engine):
    code = 'import os\n\nos.system(cmd)  # blastguard: ignore[PY101] cmd is a fixed table entry\n'
    assert _file_pairs(engine, "tool.py", code) == set()
    above = 'import os\n\n# blastguard: ignore[PY101] cmd comes from a fixed table\nos.system(cmd)\n'
    assert _file_pairs(engine, "tool.py", above) == set()
    # A directive inside a string is text, not a comment.
    in_string = 'import os\n\nos.system(cmd or "# blastguard: ignore[PY101] not a comment")\n'
    assert _file_pairs(engine, "tool.py", in_string) == {("PY101", 3)}
    unused = 'import os\n\n# blastguard: ignore[PY101] nothing here\nprint("ok")\n'
    assert _file_pairs(engine, "tool.py", unused) == {("BG003", 3)}
