"""`blastguard check --diff` on scratch git repositories: each change rule, near misses, review output."""

from __future__ import annotations

import json

import pytest

from blastguard.engine.loader import load_rules
from tests.gitrepo import repo  # noqa: F401 (fixture)
from tests.test_rule_examples import DEFAULT_PATH

CHANGE_RULES = [r for r in load_rules().rules if "change" in r.metadata]


def _examples(kind):
    for rule in CHANGE_RULES:
        for i, case in enumerate(rule.examples[kind]):
            yield pytest.param(rule, case, id=f"{rule.id}-{kind}-{i}")


def _apply_example(repo, rule, case):
    path = case.get("path", DEFAULT_PATH[rule.language])
    before_path = case.get("before_path", path)
    repo.write(before_path, case["before"])
    repo.commit("before")
    if before_path != path:
        repo.delete(before_path)
    repo.write(path, case["code"])
    return path


@pytest.mark.parametrize("rule,case", list(_examples("invalid")))
def test_each_change_rule_is_reported_by_diff_against_head(repo, capsys, rule, case):
    path = _apply_example(repo, rule, case)
    _, found = repo.diff(capsys)
    assert {(r, p, line) for r, p, line in found if r == rule.id} == {(rule.id, path, line) for line in case["lines"]}


@pytest.mark.parametrize("rule,case", list(_examples("valid")))
def test_each_near_miss_is_quiet(repo, capsys, rule, case):
    _apply_example(repo, rule, case)
    _, found = repo.diff(capsys)
    assert {f for f in found if f[0] == rule.id} == set()


TWO_BLOCKS = '''resource "aws_s3_bucket" "logs" {
  bucket        = "acme-logs"
  force_destroy = true
}

resource "aws_db_instance" "orders" {
  identifier          = "orders"
  skip_final_snapshot = true
}
'''


def test_rename_is_reported_and_its_moved_block_makes_it_safe(repo, capsys):
    repo.write("infra/main.tf", TWO_BLOCKS)
    repo.commit()
    renamed = TWO_BLOCKS.replace('"aws_db_instance" "orders"', '"aws_db_instance" "main"')
    repo.write("infra/main.tf", renamed)
    code, found = repo.diff(capsys)
    assert (code, found) == (1, {("TF602", "infra/main.tf", 6)})
    repo.write("infra/main.tf", renamed + "\nmoved {\n  from = aws_db_instance.orders\n  to   = aws_db_instance.main\n}\n")
    assert repo.diff(capsys) == (0, set())


def test_block_moved_to_another_file_reformatted_or_commented_is_no_change(repo, capsys):
    repo.write("infra/main.tf", TWO_BLOCKS)
    repo.commit()
    first, second = TWO_BLOCKS.split("\n\n")
    repo.write("infra/main.tf", first + "\n")
    repo.write("infra/database.tf", "# The orders database.\n" + second.replace("  identifier          =", "  identifier =")
               .replace("skip_final_snapshot = true", "skip_final_snapshot = true # staging"))
    assert repo.diff(capsys) == (0, set())


def test_comment_only_change_is_no_change(repo, capsys):
    repo.write("main.tf", TWO_BLOCKS)
    repo.commit()
    repo.write("main.tf", "# Storage for the shop.\n\n" + TWO_BLOCKS.replace("force_destroy = true", "force_destroy = true # emptied nightly"))
    assert repo.diff(capsys) == (0, set())


def test_count_to_for_each_needs_a_moved_block_for_each_key(repo, capsys):
    repo.write("main.tf", 'resource "aws_ebs_volume" "data" {\n  count             = 2\n  availability_zone = "eu-west-1a"\n}\n')
    repo.commit()
    keyed = 'resource "aws_ebs_volume" "data" {\n  for_each          = toset(["a", "b"])\n  availability_zone = "eu-west-1a"\n}\n'
    repo.write("main.tf", keyed)
    assert repo.diff(capsys) == (1, {("TF603", "main.tf", 2)})
    moves = "".join(f'\nmoved {{\n  from = aws_ebs_volume.data[{i}]\n  to   = aws_ebs_volume.data["{k}"]\n}}\n'
                    for i, k in enumerate("ab"))
    repo.write("main.tf", keyed + moves)
    assert repo.diff(capsys) == (0, set())


def test_new_file_is_all_new_and_deleted_file_reports_what_it_destroys(repo, capsys):
    repo.write("old.tf", TWO_BLOCKS)
    repo.write("keep.tf", 'resource "aws_iam_role" "ci" {\n  name = "ci"\n}\n')
    repo.commit()
    repo.delete("old.tf")
    repo.write("infra/new.tf", TWO_BLOCKS)
    _, found = repo.diff(capsys)
    assert found == {("TF601", "old.tf", 1), ("TF101", "infra/new.tf", 3), ("TF103", "infra/new.tf", 8)}
    code, out, _ = repo.check(capsys, "--diff")
    assert "old.tf (deleted)\n  1:1: error TF601 aws_s3_bucket.logs -> (removed)\n" in out
    assert out.endswith("2 changed files against HEAD: 2 introduced, 2 destructive, 0 already there (not shown)\n")


def test_diff_against_an_older_ref_and_a_path(repo, capsys):
    repo.write("a/main.tf", TWO_BLOCKS)
    repo.write("b/main.tf", TWO_BLOCKS)
    repo.commit("one")
    repo.write("a/main.tf", "")
    repo.write("b/main.tf", "")
    repo.commit("two")
    # Against HEAD~1, limited to a/: only a's two removed blocks.
    _, found = repo.diff(capsys, "HEAD~1", "a")
    assert found == {("TF601", "a/main.tf", 1)} and len(found) == 1
    code, out, _ = repo.check(capsys, "--diff", "HEAD~1", "a", "--format", "json")
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["TF601", "TF601"]
    # `--diff a` takes a for the path (no such ref) and compares with HEAD: nothing changed since.
    assert repo.diff(capsys, "a") == (0, set())


def test_added_suppression_is_reported_at_info_and_silences(repo, capsys):
    repo.write("main.tf", TWO_BLOCKS)
    repo.commit()
    repo.write("main.tf", TWO_BLOCKS.replace(
        'resource "aws_db_instance"', "# blastguard: ignore[TF602] staging database, recreated nightly\n"
        'resource "aws_db_instance"').replace('"orders" {', '"main" {'))
    code, out, _ = repo.check(capsys, "--diff", "--format", "json")
    findings = json.loads(out)["findings"]
    assert [(f["rule"], f["severity"], f["start"]["line"]) for f in findings] == [("BG005", "info", 6)]
    assert code == 0


def test_github_format_annotates_destructive_changes_with_old_and_new(repo, capsys):
    repo.write("main.tf", TWO_BLOCKS)
    repo.commit()
    repo.write("main.tf", TWO_BLOCKS.replace('"orders" {', '"main" {'))
    code, out, _ = repo.check(capsys, "--diff", "--format", "github")
    assert out.startswith("::error file=main.tf,line=6,col=1,endLine=6,endColumn=34,title=TF602::"
                          "aws_db_instance.orders -> aws_db_instance.main: aws_db_instance.orders is renamed")
    assert out.count("\n") == 1 and code == 1


def test_diff_from_a_directory(repo, capsys, tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    (old / "main.tf").write_text(TWO_BLOCKS)
    repo.write("main.tf", TWO_BLOCKS.replace('= "orders"', '= "sales"'))
    code, out, err = repo.check(capsys, "--diff-from", str(old), ".", "--format", "json")
    assert code == 1, err
    assert [(f["rule"], f["path"], f["start"]["line"]) for f in json.loads(out)["findings"]] == [
        ("TF608", "main.tf", 7)]


def test_baseline_round_trip(repo, capsys):
    repo.write("infra/main.tf", TWO_BLOCKS)
    code, _, err = repo.check(capsys, "--write-baseline", "baseline.json", "infra")
    assert code == 0 and "wrote 2 findings to baseline.json" in err
    # Reformatted, and moved to another file of the module: still the accepted findings.
    repo.write("infra/main.tf", "\n\n" + TWO_BLOCKS.split("\n\n")[0] + "\n")
    repo.write("infra/db.tf", TWO_BLOCKS.split("\n\n")[1])
    code, out, _ = repo.check(capsys, "--baseline", "baseline.json", "infra", "--format", "json")
    assert (code, json.loads(out)["findings"]) == (0, [])
    repo.write("infra/db.tf", TWO_BLOCKS.split("\n\n")[1].replace("}", "  publicly_accessible = true\n}"))
    code, out, _ = repo.check(capsys, "--baseline", "baseline.json", "infra", "--format", "json")
    assert [(f["rule"], f["path"], f["start"]["line"]) for f in json.loads(out)["findings"]] == [("TF306", "infra/db.tf", 4)]


@pytest.mark.parametrize("args,message", [
    (["--diff", "no-such-ref"], "blastguard: error: unknown git ref 'no-such-ref'\n"),
    (["--diff", "--diff-from", "x"], "blastguard: error: --diff and --diff-from do not combine: one old version at a time\n"),
    (["--baseline", "missing.json"], "blastguard: error: missing.json: cannot read baseline: No such file or directory\n"),
    (["--diff", "--fix"], "blastguard: error: --fix does not combine with --diff, --diff-from or baselines\n"),
])
def test_usage_errors_are_one_line(repo, capsys, args, message):
    repo.write("main.tf", TWO_BLOCKS)
    repo.commit()
    code, out, err = repo.check(capsys, *args)
    assert (code, err) == (2, message)


def test_outside_git_the_error_says_to_use_diff_from(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.tf").write_text(TWO_BLOCKS)
    from blastguard.cli import main

    assert main(["check", "--no-config", "--diff"]) == 2
    assert capsys.readouterr().err == (
        "blastguard: error: . is not in a git repository (--diff needs one; use --diff-from DIR)\n")


def test_realworld_change_reports_exactly_the_twelve_edits(repo, capsys):
    from tests import realworld_change
    from tests.conftest import needs_shared

    corpus = needs_shared("corpus", "realworld")
    realworld_change.copy(corpus, repo.root / "corpus")
    repo.commit("the corpus as published")
    realworld_change.apply(repo.root / "corpus")
    code, found = repo.diff(capsys)
    assert code == 1
    assert found == {(rule, f"corpus/{path}", line) for rule, path, line in realworld_change.EXPECTED}


def test_a_file_named_alone_is_still_compared_with_its_whole_module(repo, capsys):
    repo.write("infra/main.tf", TWO_BLOCKS)
    repo.commit()
    first, second = TWO_BLOCKS.split("\n\n")
    repo.write("infra/main.tf", first + "\n")
    repo.write("infra/database.tf", second)
    assert repo.diff(capsys, "HEAD", "infra/main.tf") == (0, set())
    repo.commit("split")
    repo.delete("infra/database.tf")
    assert repo.diff(capsys, "HEAD", "infra/main.tf") == (0, set())  # main.tf itself did not change
    repo.write("infra/main.tf", "# Logs only now.\n" + first + "\n")
    _, found = repo.diff(capsys, "HEAD", "infra/main.tf")
    assert found == {("TF601", "infra/database.tf", 1)}
