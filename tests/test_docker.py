"""The Docker image (Dockerfile): built where Docker is usable, it checks a mounted risky file.
Skips with the reason where there is no Docker engine, or the base image cannot be pulled."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from blastguard import __version__
from tests.conftest import ROOT

# What `docker build` says when the base image cannot be fetched (no registry reachable).
PULL_FAILURE = re.compile(r"failed to resolve source metadata|pull access denied|failed to do request|dial tcp|"
                          r"i/o timeout|no such host|TLS handshake timeout|connection refused|"
                          r"error pulling image|failed to fetch|unexpected EOF|context deadline exceeded", re.I)


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


@pytest.fixture(scope="module")
def image() -> str:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("docker is not installed")
    info = subprocess.run([docker, "info"], capture_output=True, text=True, timeout=60)
    if info.returncode != 0:
        pytest.skip(f"Docker is not usable here (`docker info`: {last_line(info.stderr or info.stdout)})")
    tag = f"blastguard-test:{uuid.uuid4().hex[:12]}"
    built = subprocess.run([docker, "build", "--quiet", "-t", tag, str(ROOT)], capture_output=True, text=True,
                           timeout=1200)
    if built.returncode != 0 and PULL_FAILURE.search(built.stderr + built.stdout):
        pytest.skip(f"docker build could not pull the base image python:3.12-slim "
                    f"({last_line(built.stderr or built.stdout)})")
    assert built.returncode == 0, built.stderr[-3000:]
    yield tag
    subprocess.run([docker, "rmi", "--force", tag], capture_output=True)


def docker_run(image: str, folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", "run", "--rm", "--network", "none", "-v", f"{folder}:/src:ro", image, *args],
                          capture_output=True, text=True, timeout=300)


def test_image_checks_a_mounted_file(image, tmp_path):
    shutil.copy(ROOT / "examples" / "terraform" / "risky.tf", tmp_path / "risky.tf")
    shutil.copy(ROOT / "examples" / "terraform" / "safe.tf", tmp_path / "safe.tf")
    tmp_path.chmod(0o755)
    expected = {(f["rule"], f["start"]["line"]) for f in json.loads(subprocess.run(
        [sys.executable, "-m", "blastguard", "check", "--format", "json", "risky.tf"], cwd=tmp_path,
        capture_output=True, text=True).stdout)["findings"]}
    assert ("TF101", 12) in expected

    done = docker_run(image, tmp_path, "check", "--format", "json", "risky.tf")
    assert done.returncode == 1, done.stderr
    assert {(f["rule"], f["start"]["line"]) for f in json.loads(done.stdout)["findings"]} == expected
    text = docker_run(image, tmp_path, "check", "risky.tf")
    assert text.returncode == 1 and "risky.tf:12:3:" in text.stdout
    # The default command checks the mounted folder; the safe file alone passes.
    (tmp_path / "risky.tf").unlink()
    done = docker_run(image, tmp_path)
    assert (done.returncode, done.stderr) == (0, ""), done.stdout
    assert docker_run(image, tmp_path, "--version").stdout.strip() == f"blastguard {__version__}"


def test_dockerfile_sends_and_copies_what_the_package_build_needs():
    """Where the image cannot be built (no engine here): every file the build reads (pyproject's
    readme and license-files, the package and rule folders) is copied, and .dockerignore lets it through."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.12-slim$", dockerfile, re.M)
    assert re.search(r'^ENTRYPOINT \["blastguard"\]$', dockerfile, re.M)
    copied = {name for line in re.findall(r"^COPY (.+) \S+$", dockerfile, re.M) for name in line.split()}
    assert copied == {"pyproject.toml", "README.md", "LICENSE", "server", "rules"}
    assert all((ROOT / name).exists() for name in copied)
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    # Everything is left out ("*" first), then each copied path is let back in.
    assert ignore.index("*") < min(ignore.index(f"!{n}{'/' if (ROOT / n).is_dir() else ''}") for n in copied)
