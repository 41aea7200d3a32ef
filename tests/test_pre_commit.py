"""The pre-commit hook (.pre-commit-hooks.yaml) as a user runs it: `pre-commit try-repo` on this
repository, in a project with a risky and a safe Terraform file."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"


def git(*args: str, cwd: Path) -> str:
    env = os.environ | {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def test_hook_through_pre_commit_try_repo(tmp_path):
    if not PRE_COMMIT.exists() and shutil.which("pre-commit") is None:
        pytest.skip("pre-commit is not installed (it is in the test extra: pip install -e '.[test]')")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if subprocess.run(["git", "rev-parse", "--git-dir"], cwd=ROOT, capture_output=True).returncode != 0:
        pytest.skip(f"{ROOT} is not a git checkout: pre-commit try-repo clones the hook's repository")
    # try-repo clones HEAD, plus a shadow commit of uncommitted changes; the hook must be committed.
    assert git("ls-files", ".pre-commit-hooks.yaml", cwd=ROOT).strip() == ".pre-commit-hooks.yaml"

    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "examples" / "terraform" / "risky.tf", project / "risky.tf")
    shutil.copy(ROOT / "examples" / "terraform" / "safe.tf", project / "safe.tf")
    git("init", "-q", cwd=project)
    git("add", ".", cwd=project)
    git("commit", "-q", "-m", "infrastructure", cwd=project)

    command = [str(PRE_COMMIT) if PRE_COMMIT.exists() else "pre-commit", "try-repo", str(ROOT), "blastguard",
               "--all-files", "--color", "never"]
    # Its own cache, so hook environments from other runs (or other checkouts) are not reused.
    env = os.environ | {"PRE_COMMIT_HOME": str(tmp_path / "cache")}
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"^blastguard\.+Failed$", done.stdout, re.M), done.stdout
    reported = {(rule, int(line)) for line, rule in re.findall(r"^risky\.tf:(\d+):\d+: (?:(?:error|warning|info|hint) )?([A-Z][A-Z0-9]*\d) ",
                                                               done.stdout, re.M)}
    expected = {(f["rule"], f["start"]["line"]) for f in json.loads(subprocess.run(
        [sys.executable, "-m", "blastguard", "check", "--format", "json", "risky.tf"], cwd=project,
        capture_output=True, text=True).stdout)["findings"]}
    assert ("TF101", 12) in reported
    assert reported == expected
    assert "safe.tf" not in done.stdout
    # The hook passes once the risky file is gone.
    git("rm", "-q", "risky.tf", cwd=project)
    git("commit", "-q", "-m", "safe only", cwd=project)
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^blastguard\.+Passed$", done.stdout, re.M), done.stdout
