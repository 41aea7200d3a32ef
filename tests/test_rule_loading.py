"""Rule files: validated at load with file:line errors; a user rule folder adds rules; regexes are safe."""

from __future__ import annotations

import json
import re
import textwrap

import pytest

from blastguard.cli import main
from blastguard.engine.conditions import RegexTest
from blastguard.engine.loader import ID_PREFIXES, RuleLoadError, default_rules_dir, load_rules

USER_RULE = textwrap.dedent("""\
    id: TF901
    title: Buckets must carry an owner tag
    language: terraform
    category: destructive
    severity: warning
    message: "This bucket has no owner tag, so nobody is paged when it is about to be deleted; add tags.owner."
    note: "Team policy: every bucket names its owner so a destroy plan reaches a human who knows the data."
    match:
      subject: {kind: resource, type: aws_s3_bucket}
      where: {path: tags.owner, present: false}
    examples:
      invalid:
        - code: |
            resource "aws_s3_bucket" "b" {}
          lines: [1]
      valid:
        - |
          resource "aws_s3_bucket" "b" {
            tags = { owner = "data-team" }
          }
""")


def write_rule(root, text, name="TF901-bucket-owner-tag.yaml"):
    folder = root / "terraform"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


def test_bundled_rules_ids_files_and_messages():
    rules = load_rules().rules
    assert len({r.id for r in rules}) == len(rules)
    for rule in rules:
        assert rule.id.startswith(ID_PREFIXES[rule.language])
        assert rule.source.endswith(f"/{rule.language}/" + rule.source.split("/")[-1])
        assert re.match(rf"^{rule.id}-[a-z0-9-]+\.yaml$", rule.source.split("/")[-1])
        assert rule.message and "\n" not in rule.message and rule.note


def test_a_user_rule_folder_adds_a_rule_with_one_file(tmp_path, capsys):
    write_rule(tmp_path / "rules", USER_RULE)
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    code = main(["check", "--no-config", "--format", "json", "--rules", str(tmp_path / "rules"),
                 "--select", "TF901", str(tmp_path / "main.tf")])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert code == 1 and [(f["rule"], f["start"]["line"]) for f in findings] == [("TF901", 1)]


@pytest.mark.parametrize("change,expected", [
    (("severity: warning", "severity: loud"), ":5: severity: 'loud' is not one of"),
    (("category: destructive", "category: scary"), ":4: category: 'scary' is not one of"),
    (("where: {path: tags.owner, present: false}", "where: {path: tags.owner, matches: '(unclosed'}"),
     ":8: match: invalid regular expression '(unclosed': missing ): (unclosed"),
    (("id: TF901", "id: TF9"), ":1: id: 'TF9' does not match"),
])
def test_invalid_rule_files_are_refused_with_file_and_line(tmp_path, change, expected):
    path = write_rule(tmp_path, USER_RULE.replace(*change))
    with pytest.raises(RuleLoadError) as error:
        load_rules([tmp_path])
    assert str(error.value).startswith(str(path) + expected)


def test_rule_files_are_loaded_safely(tmp_path):
    write_rule(tmp_path, "!!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(RuleLoadError, match="invalid YAML"):
        load_rules([tmp_path])


def test_duplicate_ids_are_refused(tmp_path):
    write_rule(tmp_path, USER_RULE.replace("TF901", "TF101"), "TF101-copy.yaml")
    with pytest.raises(RuleLoadError, match="duplicate rule id TF101"):
        load_rules([tmp_path])


def test_rule_load_error_exits_2_with_one_line(tmp_path, capsys):
    write_rule(tmp_path, USER_RULE.replace("severity: warning", "severity: loud"))
    assert main(["check", "--no-config", "--rules", str(tmp_path), str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("blastguard: error: ")


def test_regular_expressions_cannot_backtrack_catastrophically():
    # With Python's re this pattern takes exponential time on this input; RE2 is linear.
    test = RegexTest(r"^(a+)+$", ignore_case=False)
    assert test("a" * 100_000 + "!") is False
    assert test("a" * 100_000) is True


def test_schema_is_where_the_loader_reads_it():
    assert (default_rules_dir() / "schema.json").is_file()


def test_rule_reference_is_generated_from_the_rules(capsys):
    from pathlib import Path

    assert main(["rules", "--markdown"]) == 0
    reference = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
    assert capsys.readouterr().out == reference.read_text(), "run: blastguard rules --markdown > docs/rules.md"


def test_policy_rules_can_look_at_the_block_that_holds_the_policy(tmp_path):
    from blastguard.engine.analyze import Engine

    write_rule(tmp_path, USER_RULE.replace(
        "match:\n  subject: {kind: resource, type: aws_s3_bucket}\n  where: {path: tags.owner, present: false}",
        "match:\n  subject: {kind: policy, type: aws_iam_role}\n  each: Statement\n"
        "  where:\n    all:\n      - {path: Action, equals: 'sts:AssumeRole'}\n"
        "      - {path: $owner.max_session_duration, gt: 3600}"))
    engine = Engine(load_rules([tmp_path]))
    role = '''resource "aws_iam_role" "r" {
  max_session_duration = %d
  assume_role_policy = jsonencode({ Statement = [{ Action = "sts:AssumeRole", Effect = "Allow" }] })
}
'''

    def hits(text):
        return {(f.rule, f.start.line) for f in engine.analyze("main.tf", text.encode()).findings}

    assert hits(role % 43200) == {("TF901", 3)}
    assert hits(role % 3600) == set()
