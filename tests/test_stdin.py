"""`blastguard check - --stdin-filename PATH`: language, config, exclusions and suppressions from PATH."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from blastguard.cli import main

RISKY = ('resource "aws_s3_bucket" "b" {\n  bucket        = "x"\n  force_destroy = true\n}\n\n'
         'resource "aws_db_instance" "db" {\n  skip_final_snapshot = true\n}\n')
EXPECTED = {("TF101", 3), ("TF103", 7)}


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A repository whose config ignores TF103 and excludes legacy/, and a working directory elsewhere."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".blastguard.yaml").write_text("ignore: [TF103]\nexclude: [legacy/]\n")
    (repo / "infra").mkdir()
    (repo / "infra" / "main.tf").write_text("# the file on disk is not what is checked\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return repo


def run(capsys, monkeypatch, text: str, *args):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    code = main(["check", *args])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out, out.err


def pairs(out: str):
    return {(f["rule"], f["start"]["line"]) for f in json.loads(out)["findings"]}


def test_every_format_reports_the_text_as_the_file_at_the_path(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ("-", "--stdin-filename", "infra/main.tf", "--no-config")
    code, out, _ = run(capsys, monkeypatch, RISKY, *args)
    assert code == 1 and out.splitlines()[0] == "infra/main.tf:3:3: TF101 [*] Bucket is destroyed together with every object in it"
    code, out, _ = run(capsys, monkeypatch, RISKY, *args, "--format", "full")
    assert out.splitlines()[0].startswith("infra/main.tf:3:3: warning TF101 force_destroy = true")
    code, out, _ = run(capsys, monkeypatch, RISKY, *args, "--format", "json")
    assert code == 1 and pairs(out) == EXPECTED
    (fix,) = [f["fix"] for f in json.loads(out)["findings"] if f["rule"] == "TF101"]
    # Edit positions come from the text read (no such file exists on disk).
    assert fix["edits"][0]["start"] == {"line": 3, "column": 19}
    code, out, _ = run(capsys, monkeypatch, RISKY, *args, "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    assert {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results} == EXPECTED
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {"infra/main.tf"}
    assert results[0]["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"]["startLine"] == 3
    code, out, _ = run(capsys, monkeypatch, RISKY, *args, "--format", "github")
    assert out.splitlines()[0].startswith("::warning file=infra/main.tf,line=3,col=3,")


def test_output_file_and_statistics_work_as_for_check(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ("-", "--stdin-filename", "a.tf", "--no-config")
    code, out, _ = run(capsys, monkeypatch, RISKY, *args, "--format", "json", "-o", "report.json")
    assert (code, out) == (1, "") and pairs((tmp_path / "report.json").read_text()) == EXPECTED
    code, out, _ = run(capsys, monkeypatch, RISKY, *args, "--statistics", "--format", "json")
    assert {(s["rule"], s["count"]) for s in json.loads(out)} == {("TF101", 1), ("TF103", 1)}


def test_config_is_the_one_above_the_path_not_the_working_directory(project, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, RISKY, "-", "--stdin-filename", str(project / "infra" / "main.tf"),
                       "--format", "json")
    assert code == 1 and pairs(out) == {("TF101", 3)}  # TF103 is ignored by the repository's config
    code, out, _ = run(capsys, monkeypatch, RISKY, "-", "--stdin-filename", str(project / "new" / "dir" / "x.tf"),
                       "--format", "json")
    assert pairs(out) == {("TF101", 3)}  # a file in folders that do not exist yet
    code, out, _ = run(capsys, monkeypatch, RISKY, "-", "--stdin-filename", str(project / "x.tf"),
                       "--no-config", "--format", "json")
    assert pairs(out) == EXPECTED


def test_excluded_paths_are_not_checked(project, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, RISKY, "-", "--stdin-filename", str(project / "legacy" / "old.tf"))
    assert (code, out) == (0, "0 files checked: no findings\n")


def test_language_and_suppressions_come_from_the_path_and_the_text(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, monkeypatch, RISKY, "-", "--stdin-filename", "notes.txt", "--no-config")
    assert (code, out) == (0, "0 files checked: no findings\n")
    suppressed = RISKY.replace("force_destroy = true", "force_destroy = true # blastguard: ignore[TF101] scratch")
    code, out, _ = run(capsys, monkeypatch, suppressed, "-", "--stdin-filename", "a.tf", "--no-config",
                       "--format", "json")
    assert pairs(out) == {("TF103", 7)}


def test_fix_writes_the_fixed_text_to_standard_output(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, monkeypatch, RISKY, "-", "--stdin-filename", "a.tf", "--no-config", "--fix")
    assert out == RISKY.replace("force_destroy = true", "force_destroy = false").replace(
        "skip_final_snapshot = true", "skip_final_snapshot = false")
    assert code == 0
    code, out, _ = run(capsys, monkeypatch, RISKY, "-", "--stdin-filename", "a.tf", "--no-config", "--fix",
                       "--dry-run")
    assert "-  force_destroy = true\n+  force_destroy = false\n" in out and out.startswith("--- a/a.tf\n")


def test_exit_codes_are_checks(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ("-", "--stdin-filename", "a.tf", "--no-config")
    assert run(capsys, monkeypatch, RISKY, *args, "--exit-zero")[0] == 0
    assert run(capsys, monkeypatch, RISKY, *args, "--fail-on", "off")[0] == 0
    assert run(capsys, monkeypatch, RISKY, *args, "--fail-on", "error")[0] == 1  # TF103 is an error
    code, _, err = run(capsys, monkeypatch, RISKY, *args, "--select", "TF9999")
    assert code == 2 and err.startswith("blastguard: error: --select: ")


@pytest.mark.parametrize("args, error", [
    (["-"], "reading standard input needs --stdin-filename PATH (the file it stands for)"),
    (["-", "other.tf", "--stdin-filename", "a.tf"], "- (standard input) cannot be mixed with other paths"),
    (["x.tf", "--stdin-filename", "a.tf"], "--stdin-filename goes with the path - (standard input)"),
])
def test_usage_errors(tmp_path, capsys, monkeypatch, args, error):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, monkeypatch, RISKY, *args)
    assert (code, out, err) == (2, "", f"blastguard: error: {error}\n")


def test_a_real_pipe(tmp_path):
    done = subprocess.run([sys.executable, "-m", "blastguard", "check", "-", "--stdin-filename", "a.tf",
                           "--no-config", "--format", "json"], input=RISKY.encode(), capture_output=True,
                          cwd=tmp_path, timeout=60)
    assert done.returncode == 1 and pairs(done.stdout.decode()) == EXPECTED


# -- --diff: only what the text introduces and destroys ------------------------------------------

def git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def committed(tmp_path, monkeypatch):
    """A git repository whose main.tf (committed) already has TF101."""
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "user.email", "t@example.com")
    git(tmp_path, "config", "user.name", "t")
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(RISKY.split("\n\n")[0] + "\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_diff_from_a_folder_dot_is_against_the_file_on_disk(committed, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, RISKY, "-", "--stdin-filename", "infra/main.tf", "--diff-from", ".",
                       "--format", "json")
    assert code == 1 and pairs(out) == {("TF103", 7)}  # TF101 was already in the file
    code, out, _ = run(capsys, monkeypatch, RISKY.split("\n\n")[0] + "\n# a comment\n", "-",
                       "--stdin-filename", "infra/main.tf", "--diff-from", ".")
    assert (code, out) == (0, "1 file checked: no findings\n")
    code, out, _ = run(capsys, monkeypatch, "# emptied\n", "-", "--stdin-filename", "infra/main.tf",
                       "--diff-from", ".", "--format", "json")
    assert code == 1 and pairs(out) == {("TF601", 1)}  # the bucket's block is gone: it will be destroyed
    code, out, _ = run(capsys, monkeypatch, RISKY, "-", "--stdin-filename", "infra/new.tf", "--diff-from", ".",
                       "--format", "json")
    assert pairs(out) == EXPECTED  # no such file: all of it is new
    old = committed / "old"
    (old / "infra").mkdir(parents=True)
    (old / "infra" / "main.tf").write_text(RISKY)
    code, out, _ = run(capsys, monkeypatch, RISKY, "-", "--stdin-filename", "infra/main.tf", "--diff-from", "old")
    assert (code, out) == (0, "1 file checked: no findings\n")  # the same text as in the old folder


def test_diff_against_a_git_revision(committed, capsys, monkeypatch):
    (committed / "infra" / "main.tf").write_text("# the working tree differs from HEAD\n")
    code, out, _ = run(capsys, monkeypatch, RISKY, "-", "--stdin-filename", "infra/main.tf", "--diff",
                       "--format", "json")  # HEAD
    assert code == 1 and pairs(out) == {("TF103", 7)}
    code, out, _ = run(capsys, monkeypatch, RISKY, "-", "--stdin-filename", "infra/deeper/new.tf", "--diff", "HEAD",
                       "--format", "json")
    assert pairs(out) == EXPECTED
    code, out, err = run(capsys, monkeypatch, RISKY, "-", "--stdin-filename", "infra/main.tf", "--diff", "nope")
    assert (code, out) == (2, "") and err.startswith("blastguard: error: --diff nope: not a git revision for "
                                                     "infra/main.tf (fatal: ")


def test_diff_usage_errors(committed, capsys, monkeypatch):
    code, _, err = run(capsys, monkeypatch, RISKY, "-", "--stdin-filename", "a.tf", "--diff", "--fix")
    assert (code, err) == (2, "blastguard: error: --fix does not go with --diff or --diff-from\n")
    code, _, err = run(capsys, monkeypatch, RISKY, "-", "--stdin-filename", "a.tf", "--baseline", "b.json")
    assert (code, err) == (2, "blastguard: error: --baseline and --write-baseline do not go with - (standard input)\n")
