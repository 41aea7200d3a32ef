"""A CI gate never passes by mistake: exit codes for missing paths, unknown ids, --fail-on,
--exit-zero, stdin, named files that cannot be read, and runs that check nothing."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import run_cli as run

RISKY = 'resource "aws_s3_bucket" "b" {\n  bucket        = "x"\n  force_destroy = true\n}\n'


@pytest.fixture
def project(repo):
    (repo / "risky.tf").write_text(RISKY)
    return repo


def test_a_missing_path_exits_2(project, capsys):
    code, _, err = run(capsys, "check", "missing-dir/")
    assert code == 2
    assert err == ("blastguard: error: 1 path named on the command line could not be checked "
                   "(first: missing-dir/: no such file or directory)\n")
    # Even next to a file with findings, and with --exit-zero.
    assert run(capsys, "check", "risky.tf", "missing.tf")[0] == 2
    assert run(capsys, "check", "--exit-zero", "risky.tf", "missing.tf")[0] == 2


@pytest.mark.parametrize(("args", "message"), [
    (["--select", "TF1O1"], "--select: unknown rule id or prefix 'TF1O1' (did you mean 'TF101'?)"),
    (["--select", "tf101"], "--select: unknown rule id or prefix 'tf101' (did you mean 'TF101'?)"),
    (["--select", "TF101,tf"], "--select: unknown rule id or prefix 'tf' (did you mean 'TF'?)"),
    (["--ignore", "TF1I2"], "--ignore: unknown rule id or prefix 'TF1I2' (did you mean 'TF112'?)"),
    (["--severity", "TF1O1=error"], "--severity: unknown rule id 'TF1O1' (did you mean 'TF101'?)"),
    (["--severity", "TF1=error"], "--severity: unknown rule id 'TF1' (a prefix: this takes whole ids, such as 'TF101')"),
    (["--select", "NOPE"], "--select: unknown rule id or prefix 'NOPE'"),
])
def test_unknown_rule_ids_on_the_command_line_are_usage_errors(project, capsys, args, message):
    code, out, err = run(capsys, "check", *args, ".")
    assert (code, out, err) == (2, "", f"blastguard: error: {message}\n")


def test_known_ids_and_prefixes_are_accepted(project, capsys):
    assert run(capsys, "check", "--select", "TF1,K8S,BG", "--ignore", "TF2", "--severity", "TF101=info",
               "--fail-on", "info", ".")[0] == 1


@pytest.mark.parametrize(("config", "line", "message"), [
    ("ignore: [TF1I2]\n", 1, "ignore: unknown rule id or prefix 'TF1I2' (did you mean 'TF112'?)"),
    ("select:\n  - TF\n  - tf101\n", 3, "select: unknown rule id or prefix 'tf101' (did you mean 'TF101'?)"),
    ("# c\nseverity:\n  TF1O1: error\n", 3, "severity: unknown rule id 'TF1O1' (did you mean 'TF101'?)"),
    ("unsuppressible: [TF201, TF2O2]\n", 1, "unsuppressible: unknown rule id 'TF2O2' (did you mean 'TF202'?)"),
    ("per-file-ignores:\n  'tests/**': [TF101]\n  'x/**':\n    - PY1O1\n", 4,
     "per-file-ignores: unknown rule id or prefix 'PY1O1' (did you mean 'PY101'?)"),
])
def test_unknown_rule_ids_in_the_config_name_the_line(project, capsys, config, line, message):
    (project / ".blastguard.yaml").write_text(config)
    code, out, err = run(capsys, "check", ".")
    assert (code, out, err) == (2, "", f"blastguard: error: {project / '.blastguard.yaml'}:{line}: {message}\n")


@pytest.mark.parametrize(("level", "severity", "code"), [
    ("error", "warning", 0), ("error", "error", 1),
    ("warning", "info", 0), ("warning", "warning", 1), ("warning", "error", 1),
    ("info", "hint", 0), ("info", "info", 1),
    ("hint", "hint", 1),
    ("off", "error", 0), ("off", "hint", 0),
])
def test_every_fail_on_level_does_what_it_says(project, capsys, level, severity, code):
    args = ["check", "--select", "TF101", "--severity", f"TF101={severity}", "--fail-on", level, "."]
    assert run(capsys, *args)[0] == code


def test_fail_on_off_in_the_config_and_exit_zero(project, capsys):
    (project / ".blastguard.yaml").write_text("fail_on: off\n")  # YAML reads off as false
    assert run(capsys, "check", "--select", "TF101", ".")[0] == 0
    (project / ".blastguard.yaml").unlink()
    code, out, _ = run(capsys, "check", "--select", "TF101", "--exit-zero", ".")
    assert code == 0 and out.startswith("risky.tf:3:3: ")


def test_stdin_needs_the_name_of_the_file_it_stands_for(project, capsys):
    assert run(capsys, "check", "-") == (
        2, "", "blastguard: error: reading standard input needs --stdin-filename PATH (the file it stands for)\n")


def test_one_file_named_four_ways_is_reported_once(project, capsys):
    (project / "dir").mkdir()
    code, out, _ = run(capsys, "check", "--format", "json", "--select", "TF101",
                       "risky.tf", "./risky.tf", "dir/../risky.tf", str(project / "risky.tf"), ".")
    assert code == 1
    assert [(f["path"], f["rule"], f["start"]["line"]) for f in json.loads(out)["findings"]] == [
        ("risky.tf", "TF101", 3)]


NOTHING = ("blastguard: error: no files were checked: nothing under the paths given is a file Blastguard "
           "reads, or everything was excluded, ignored or failed\n")


@pytest.mark.parametrize("setup", ["exclude", "gitignore", "max_file_size", "empty"])
def test_a_run_that_checks_nothing_exits_2(project, capsys, setup):
    if setup == "exclude":
        (project / ".blastguard.yaml").write_text('exclude: ["*"]\n')
    elif setup == "gitignore":
        (project / ".gitignore").write_text("*\n")
    elif setup == "max_file_size":
        (project / ".blastguard.yaml").write_text("max_file_size: 1\n")
    else:
        (project / "risky.tf").unlink()
        (project / "package.json").write_text('{"name": "x"}')
    code, _, err = run(capsys, "check", ".")
    assert code == 2 and err.endswith(NOTHING)


def test_named_files_that_cannot_be_checked_exit_2(project, capsys):
    os.mkfifo(project / "pipe.tf")
    os.symlink("loop.tf", project / "loop.tf")
    (project / "binary.tf").write_bytes(b"\x00\x01resource")
    (project / "big.tf").write_text(RISKY + "#\n" * 100)
    (project / "locked.tf").write_text(RISKY)
    os.chmod(project / "locked.tf", 0)
    cases = {"pipe.tf": "not a regular file", "loop.tf": "broken or looping symbolic link",
             "binary.tf": "binary file (contains NUL bytes)", "/dev/zero": "not a regular file",
             "big.tf": "file is 278 bytes, over the 100-byte limit (max_file_size)"}
    if os.geteuid() != 0:  # root reads any file
        cases["locked.tf"] = "cannot read: Permission denied"
    for name, reason in cases.items():
        code, _, err = run(capsys, "check", "--max-file-size", "100", "risky.tf", name)
        assert (code, err) == (2, "blastguard: error: 1 path named on the command line could not be "
                                  f"checked (first: {name}: {reason})\n"), name
    # Under a folder they are reported but do not fail the run on their own.
    os.chmod(project / "locked.tf", 0o644)
    code, out, _ = run(capsys, "check", "--format", "json", "--select", "TF101", ".")
    assert code == 1 and {os.path.basename(e["path"]) for e in json.loads(out)["errors"]} == {
        "pipe.tf", "loop.tf", "binary.tf"}


def test_a_named_file_of_no_checked_kind_is_not_an_error(project, capsys):
    # pre-commit names package.json (its `files` pattern takes every .json)
    (project / "package.json").write_text('{"name": "x"}')
    assert run(capsys, "check", "package.json") == (0, "0 files checked: no findings\n", "")


def test_force_exclude_applies_exclude_to_named_files(project, capsys):
    (project / "legacy").mkdir()
    (project / "legacy" / "old.tf").write_text(RISKY)
    (project / ".blastguard.yaml").write_text("select: [TF101]\nexclude: [legacy/, risky.tf]\n")
    # Without the flag a named file is checked even when excluded (as ruff does).
    assert run(capsys, "check", "legacy/old.tf")[0] == 1
    # pre-commit names every staged file: with the flag the excluded ones are skipped, and a
    # commit of only excluded files passes rather than failing as "nothing checked".
    assert run(capsys, "check", "--force-exclude", "legacy/old.tf", "risky.tf") == (0, "0 files checked: no findings\n", "")
    assert run(capsys, "check", "--force-exclude", "legacy") == (0, "0 files checked: no findings\n", "")
    (project / "new.tf").write_text(RISKY)
    code, out, _ = run(capsys, "check", "--force-exclude", "--format", "json", "legacy/old.tf", "new.tf")
    assert code == 1 and [(f["path"], f["start"]["line"]) for f in json.loads(out)["findings"]] == [("new.tf", 3)]


def test_the_pre_commit_hook_forces_exclusions():
    import yaml
    from pathlib import Path

    hooks = yaml.safe_load((Path(__file__).parents[1] / ".pre-commit-hooks.yaml").read_text())
    assert hooks[0]["entry"].split()[:2] == ["blastguard", "check"] and "--force-exclude" in hooks[0]["entry"].split()
