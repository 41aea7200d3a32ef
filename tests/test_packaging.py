"""Blastguard as users install it: the sdist and the wheel built from it carry every module, rule
and the licence; the wheel, installed into a new virtual environment outside the checkout, runs
the README's commands, `python -m blastguard` and a language-server session from there."""

from __future__ import annotations

import email
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from blastguard import __version__
from blastguard.engine.builtin import BUILTIN_RULES
from tests.conftest import ROOT
from tests.lsp_session import diagnose

# Not part of a clean clone: never copied into the tree that is built.
UNTRACKED = (".git", ".venv", "node_modules", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
             ".hypothesis", "bundled", "*.vsix")
MODULES = sorted(p.relative_to(ROOT / "server").as_posix() for p in (ROOT / "server").rglob("*.py"))
RULE_FILES = sorted(p.relative_to(ROOT / "rules").as_posix() for p in (ROOT / "rules").rglob("*")
                    if p.suffix in (".yaml", ".json"))


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    """The sdist, and the wheel that `python -m build` builds from it, with this environment's
    setuptools (--no-isolation: nothing is downloaded)."""
    base = tmp_path_factory.mktemp("dist")
    source = base / "blastguard"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*UNTRACKED))
    out = base / "out"
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (sdist,) = out.glob("blastguard-*.tar.gz")
    (wheel,) = out.glob("blastguard-*.whl")
    return {"sdist": sdist, "wheel": wheel}


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory) -> Path:
    """A new virtual environment (no system site-packages) with only the wheel and its
    dependencies, which pip takes from its cache or the configured index."""
    env_dir = tmp_path_factory.mktemp("installed") / "venv"
    venv.create(env_dir, with_pip=True, symlinks=True)
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    done = subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet", str(dist["wheel"])],
                          capture_output=True, text=True, env=environ, cwd=env_dir)
    assert done.returncode == 0, done.stderr[-3000:]
    return env_dir / "bin"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A folder outside the checkout with a copy of examples/, where the commands run."""
    folder = tmp_path_factory.mktemp("user-project")
    shutil.copytree(ROOT / "examples", folder / "examples")
    return folder


def clean_env(bin_dir: Path) -> dict[str, str]:
    """A user's shell: the venv's bin and the system's, no PYTHONPATH, nothing of the checkout."""
    return {"PATH": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin", "HOME": str(bin_dir.parent),
            "LANG": "C.UTF-8"}


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def readme_commands() -> list[list[str]]:
    """The blastguard commands of the README's "Two commands" section, without `.venv/bin/`."""
    section = re.search(r"^## Two commands\n(.*?)^## ", (ROOT / "README.md").read_text(encoding="utf-8"),
                        re.S | re.M).group(1)
    commands = []
    for line in re.search(r"```sh\n(.*?)```", section, re.S).group(1).splitlines():
        for part in re.split(r"&&|;", line.split("#")[0]):
            words = shlex.split(part)
            if words and words[0] == ".venv/bin/blastguard":
                commands.append(["blastguard", *words[1:]])
    return commands


def test_sdist_carries_the_sources_and_the_licence(dist):
    with tarfile.open(dist["sdist"]) as archive:
        top = f"blastguard-{__version__}/"
        names = {name.removeprefix(top) for name in archive.getnames()}
    assert {"LICENSE", "README.md", "pyproject.toml"} <= names
    assert {f"server/{m}" for m in MODULES} <= names
    assert {f"rules/{r}" for r in RULE_FILES} <= names


def test_wheel_carries_every_module_every_rule_and_the_licence(dist):
    with zipfile.ZipFile(dist["wheel"]) as archive:
        names = set(archive.namelist())
        info = f"blastguard-{__version__}.dist-info"
        metadata = email.message_from_bytes(archive.read(f"{info}/METADATA"))
        licence = archive.read(f"{info}/licenses/LICENSE").decode()
    assert "blastguard/lsp/server.py" in names  # what the wheel lacked once
    assert set(MODULES) <= names, sorted(set(MODULES) - names)
    assert {f"blastguard/_rules/{r}" for r in RULE_FILES} <= names
    assert licence == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in licence and "Version 2.0, January 2004" in licence
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata["License-File"] == "LICENSE"
    # Nothing from a build or a cache.
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_installed_package_is_the_wheel_not_the_checkout(installed, workdir):
    done = run([str(installed / "python"), "-c",
                "import blastguard, blastguard.lsp.server; from blastguard.engine.loader import default_rules_dir;"
                " print(blastguard.__file__); print(default_rules_dir())"], workdir, clean_env(installed))
    assert done.returncode == 0, done.stderr
    package, rules = (Path(line) for line in done.stdout.splitlines())
    site = installed.parent / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    assert package == site / "blastguard" / "__init__.py"
    assert rules == site / "blastguard" / "_rules"
    assert not str(package).startswith(str(ROOT))


def test_readme_commands_from_the_installed_wheel(installed, workdir):
    """Each command gives exactly what the checkout's blastguard gives, from the same folder."""
    commands = readme_commands()
    assert [c[:2] for c in commands] == [["blastguard", "check"], ["blastguard", "check"]]
    assert ["blastguard", "check", "--fix", "--dry-run", "examples/"] in commands
    commands += [["blastguard", "rules"], ["blastguard", "rules", "--json"], ["blastguard", "--version"]]
    before = {p: p.read_bytes() for p in (workdir / "examples").rglob("*") if p.is_file()}
    env = clean_env(installed)
    for command in commands:
        mine = run([str(installed / "blastguard"), *command[1:]], workdir, env)
        reference = run([sys.executable, "-m", "blastguard", *command[1:]], workdir, dict(os.environ))
        # A rule's link is its file, wherever the rules are installed.
        ours = mine.stdout.replace((installed.parent / "lib").as_uri(), "LIB")
        ours = re.sub(r"LIB/python3\.\d+/site-packages/blastguard/_rules/", "RULES/", ours)
        theirs = reference.stdout.replace((ROOT / "rules").as_uri() + "/", "RULES/")
        assert (mine.returncode, ours, mine.stderr) == (reference.returncode, theirs, reference.stderr), command
        if command == ["blastguard", "check", "examples/"]:
            assert mine.returncode == 1  # the risky examples fail the check
            assert "examples/terraform/risky.tf:12:3:" in mine.stdout
    # --dry-run printed the fixes as a diff and wrote nothing.
    diff = run([str(installed / "blastguard"), "check", "--fix", "--dry-run", "examples/"], workdir, env).stdout
    assert {"examples/terraform/risky.tf", "examples/cloudformation/risky-network.yaml"} <= set(re.findall(r"^\+\+\+ b/(\S+)", diff, re.M))
    assert {p: p.read_bytes() for p in (workdir / "examples").rglob("*") if p.is_file()} == before
    rules = json.loads(run([str(installed / "blastguard"), "rules", "--json"], workdir, env).stdout)
    # Every rule file's rule, besides the rules written in code (BG..., the plan rules).
    ids = {r["id"] for r in rules} - {r.id for r in BUILTIN_RULES}
    assert ids == {Path(r).name.split("-")[0] for r in RULE_FILES if r.endswith(".yaml")}
    version = run([str(installed / "blastguard"), "--version"], workdir, env)
    assert version.stdout.strip() == f"blastguard {__version__}"


def test_python_dash_m_blastguard(installed, workdir):
    env = clean_env(installed)
    assert run([str(installed / "python"), "-m", "blastguard", "--version"], workdir, env).stdout.strip() \
        == f"blastguard {__version__}"
    done = run([str(installed / "python"), "-m", "blastguard", "check", "examples/terraform/safe.tf"], workdir, env)
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.asyncio
async def test_installed_language_server(installed, workdir):
    """`blastguard lsp` of the wheel: the diagnostics of a risky file are the findings of `check`."""
    risky = workdir / "examples" / "terraform" / "risky.tf"
    expected = {(f["rule"], f["start"]["line"]) for f in json.loads(run(
        [sys.executable, "-m", "blastguard", "check", "--format", "json", str(risky)], workdir,
        dict(os.environ)).stdout)["findings"]}
    assert {("TF101", 12), ("TF402", 17), ("TF103", 35)} <= expected
    session = await diagnose([str(installed / "blastguard"), "lsp"], risky, cwd=workdir,
                             env=clean_env(installed))
    assert session.server_info is not None and session.server_info.version == __version__
    assert session.findings == expected
    assert session.sources == {"blastguard"}
    assert session.exit_code == 0
