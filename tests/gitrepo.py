"""A scratch git repository for tests of `check --diff`: write files, commit, run the command."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from blastguard.cli import main


class Repo:
    def __init__(self, root: Path):
        self.root = root
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid",
                               "-c", "commit.gpgsign=false", *args],
                              cwd=self.root, capture_output=True, text=True, check=True)
        return done.stdout

    def write(self, path: str, text: str) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)

    def delete(self, path: str) -> None:
        (self.root / path).unlink()

    def commit(self, message: str = "change") -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)

    def check(self, capsys, *args: str) -> tuple[int, str, str]:
        code = main(["check", "--no-config", "--no-progress", *args])
        out = capsys.readouterr()
        assert "Traceback" not in out.err
        return code, out.out, out.err

    def diff(self, capsys, *args: str) -> tuple[int, set[tuple[str, str, int]]]:
        """Exit code and the (rule, path, line) of every finding `check --diff` reports as JSON."""
        code, out, err = self.check(capsys, "--diff", *args, "--format", "json")
        assert code in (0, 1), err
        report = json.loads(out)
        return code, {(f["rule"], f["path"], f["start"]["line"]) for f in report["findings"]}


@pytest.fixture
def repo(tmp_path, monkeypatch):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)
    return Repo(root)
