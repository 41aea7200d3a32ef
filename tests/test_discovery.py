"""Finding the files to check: bad ignore patterns are warnings with their line, never a
traceback; thousands of `**` lines; non-UTF-8 names; exclude patterns anchored at the config."""

from __future__ import annotations

import json
import os

import pytest

from blastguard.files import collect, compile_patterns
from tests.conftest import run_cli as run

RISKY = 'resource "aws_s3_bucket" "b" {\n  force_destroy = true\n}\n'


@pytest.fixture
def project(repo):
    (repo / "a.tf").write_text(RISKY)
    (repo / "gen").mkdir()
    (repo / "gen" / "b.tf").write_text(RISKY)
    return repo


def paths(out: str) -> set[str]:
    return {f["path"] for f in json.loads(out)["findings"]}


def test_bad_gitignore_lines_are_warnings_and_the_rest_applies(project, capsys):
    (project / ".gitignore").write_text("\\\n!\n[z-a]\ngen/\n")
    (project / "gen" / ".gitignore").write_text("# fine\n[]\n")
    code, out, err = run(capsys, "check", "--format", "json", ".")
    assert code == 1 and paths(out) == {"a.tf"}
    assert err == ("blastguard: warning: .gitignore:1: ignoring invalid pattern '\\\\': Invalid git pattern: '\\\\'\n"
                   "blastguard: warning: .gitignore:2: ignoring invalid pattern '!': Invalid git pattern: '!'\n"
                   "blastguard: warning: .gitignore:3: ignoring invalid pattern '[z-a]': bad character range z-a\n")


def test_bad_exclude_patterns_are_warnings_at_their_config_line(project, capsys):
    (project / ".blastguard.yaml").write_text('select: [TF101]\nexclude:\n  - "gen/"\n  - "[z-a]"\n')
    code, out, err = run(capsys, "check", "--format", "json", ".")
    assert code == 1 and paths(out) == {"a.tf"}
    assert err == (f"blastguard: warning: {project / '.blastguard.yaml'}:4: ignoring invalid pattern '[z-a]': "
                   "bad character range z-a\n")


def test_thousands_of_double_star_lines(project, capsys):
    # Identical lines collapse to the last (only it can decide); distinct ones go to RE2.
    lines = ["**/gen/**"] * 2000 + [f"**/other{i}/**" for i in range(2000)]
    (project / ".gitignore").write_text("\n".join(lines) + "\n")
    spec, warnings = compile_patterns(lines, str)
    assert warnings == [] and len(spec.patterns) == 2001
    code, out, _ = run(capsys, "check", "--format", "json", ".")
    assert code == 1 and paths(out) == {"a.tf"}


def test_exclude_patterns_are_relative_to_the_config_folder(project, capsys, monkeypatch):
    (project / ".blastguard.yaml").write_text("exclude: [/gen/b.tf]\n")
    assert paths(run(capsys, "check", "--format", "json", "gen")[1]) == set()
    monkeypatch.chdir(project / "gen")  # the config is found above; its patterns still anchor there
    assert paths(run(capsys, "check", "--format", "json", ".")[1]) == set()
    assert paths(run(capsys, "check", "--format", "json", "..")[1]) == {"../a.tf"}


def test_non_utf8_names_are_walked_and_matched(project, capsys):
    folder = os.fsdecode(b"d\xe9j\xe0")
    (project / folder).mkdir()
    (project / folder / os.fsdecode(b"\xff.tf")).write_text(RISKY)
    (project / folder / os.fsdecode(b"skip\xff.tf")).write_text(RISKY)
    (project / ".gitignore").write_text("skip*.tf\n")
    selection = collect(["."])
    assert sorted(os.fsencode(p) for p in selection.files) == [b"a.tf", b"d\xe9j\xe0/\xff.tf", b"gen/b.tf"]


def test_a_symlink_and_its_target_are_one_file(project, capsys):
    os.symlink("a.tf", project / "link.tf")
    assert collect(["."]).files == ["a.tf", "gen/b.tf"]
