"""The linux-x64 .vsix works on install: unpacked, its bundled server is started exactly as the
extension starts it (src/discovery.js picks the command) with the machine's python3, a PATH with
no blastguard, no network and a folder outside the checkout, and it reports a risky file."""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from blastguard import __version__
from tests.conftest import ROOT
from tests.lsp_session import diagnose

EXTENSION = ROOT / "clients" / "vscode"
VSIX = EXTENSION / f"blastguard-linux-x64-{__version__}.vsix"
PYTHONS = ("3.11", "3.12", "3.13")
SYSTEM_PATH = "/usr/bin:/bin"


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory) -> Path:
    if not VSIX.is_file():
        pytest.skip(f"{VSIX.relative_to(ROOT)} has not been built (.ci/run builds it with "
                    "`.venv/bin/python clients/vscode/scripts/build_vsix.py`)")
    folder = tmp_path_factory.mktemp("vsix")
    with zipfile.ZipFile(VSIX) as archive:
        archive.extractall(folder)
    return folder


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("vsix-user-project")
    shutil.copy(ROOT / "examples" / "terraform" / "risky.tf", folder / "main.tf")
    return folder


@pytest.fixture(scope="module")
def expected(workdir) -> set[tuple[str, int]]:
    """(rule, line) of what the checkout's blastguard finds in the risky file."""
    done = subprocess.run([sys.executable, "-m", "blastguard", "check", "--format", "json", str(workdir / "main.tf")],
                          capture_output=True, text=True)
    found = {(f["rule"], f["start"]["line"]) for f in json.loads(done.stdout)["findings"]}
    assert {("TF101", 12), ("TF402", 17), ("TF103", 35)} <= found
    return found


def no_network() -> list[str]:
    """A prefix that runs a command without any network (a new network namespace), where allowed."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "--net", "true"], capture_output=True).returncode == 0:
        return [unshare, "--net"]
    return []


def clean_env(home: Path) -> dict[str, str]:
    return {"PATH": SYSTEM_PATH, "HOME": str(home), "LANG": "C.UTF-8"}


def test_the_vsix_carries_the_server_for_each_python(unpacked):
    manifest = (unpacked / "extension.vsixmanifest").read_text(encoding="utf-8")
    assert 'TargetPlatform="linux-x64"' in manifest
    extension = unpacked / "extension"
    assert (extension / "bundled" / "tool" / "launch.py").is_file()
    assert (extension / "LICENSE.txt").read_text(encoding="utf-8") == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert not (extension / "test").exists() and not (extension / "scripts").exists()
    libs = extension / "bundled" / "libs"
    assert sorted(p.name for p in libs.iterdir()) == ["common", "cp311", "cp312", "cp313"]
    wanted = {re.split(r"[<>=!~ \[;]", req, maxsplit=1)[0].lower().replace("_", "-")
              for req in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    for version in PYTHONS:
        tag = f"cp{version.replace('.', '')}"
        folders = [libs / "common", libs / tag]
        installed = {p.name.split("-")[0].lower().replace("_", "-") for f in folders for p in f.glob("*.dist-info")}
        assert wanted | {"blastguard"} <= installed, (version, wanted - installed)
        # Compiled modules are built for this version (or the stable ABI), never another one.
        for library in (p for f in folders for p in f.rglob("*.so")):
            assert re.search(rf"\.(cpython-{tag[2:]}-x86_64-linux-gnu|abi3)\.so$", library.name), library


def extension_command(extension: Path, folder: Path, env: dict[str, str]) -> dict:
    """What the extension's own discovery picks for a user with no settings and no Python
    extension (src/discovery.js from the .vsix, run by Node)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not found: the extension's discovery (src/discovery.js) runs on Node")
    script = ("const d = require(process.argv[1]);"
              "d.findServer({path: '', interpreter: '', trusted: true, folder: process.argv[2],"
              " extensionPath: process.argv[3], env: JSON.parse(process.argv[4])})"
              ".then((r) => console.log(JSON.stringify(r)));")
    done = subprocess.run([node, "-e", script, str(extension / "src" / "discovery.js"), str(folder), str(extension),
                           json.dumps(env)], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


@pytest.mark.asyncio
async def test_bundled_server_reports_a_risky_file(unpacked, workdir, expected, tmp_path):
    env = clean_env(tmp_path)
    assert shutil.which("blastguard", path=SYSTEM_PATH) is None, "a blastguard on the system PATH would hide a failure"
    extension = unpacked / "extension"
    picked = extension_command(extension, workdir, env)
    server = picked.get("server")
    assert server, picked["tried"]
    assert server["source"] == "the bundled server"
    assert server["args"] == ["-I", str(extension / "bundled" / "tool" / "launch.py"), "lsp"]
    assert Path(server["command"]).parent in {Path(p) for p in SYSTEM_PATH.split(":")}
    assert server["version"] == __version__
    session = await diagnose([*no_network(), server["command"], *server["args"]], workdir / "main.tf",
                             cwd=Path(server["cwd"]), env=env)
    assert session.server_info is not None and session.server_info.version == __version__
    assert session.findings == expected
    assert session.exit_code == 0


def interpreters() -> dict[str, str]:
    """CPython 3.11-3.13 found on this machine (PATH, pyenv), by version."""
    found = {}
    candidates = [shutil.which(f"python{v}") for v in PYTHONS] + [shutil.which("python3")]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.1[123].*/bin/python3.1[123]")))
    for candidate in filter(None, candidates):
        done = subprocess.run([candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                              capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip() in PYTHONS:
            found.setdefault(done.stdout.strip(), candidate)
    return found


@pytest.mark.parametrize("version", PYTHONS)
def test_bundled_libraries_run_on_each_python(unpacked, workdir, expected, tmp_path, version):
    """The launcher on each CPython the .vsix bundles: every compiled dependency imports (the
    rule cache is off, so the rules are schema-checked with jsonschema and its rpds-py)."""
    python = interpreters().get(version)
    if python is None:
        pytest.skip(f"no CPython {version} on this machine")
    launch = unpacked / "extension" / "bundled" / "tool" / "launch.py"
    env = clean_env(tmp_path) | {"BLASTGUARD_NO_CACHE": "1"}
    done = subprocess.run([*no_network(), python, "-I", str(launch), "check", "--format", "json", "main.tf"],
                          cwd=workdir, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert {(f["rule"], f["start"]["line"]) for f in json.loads(done.stdout)["findings"]} == expected
    probe = subprocess.run([python, "-I", str(launch), "--version"], env=env, capture_output=True, text=True)
    assert probe.stdout.strip() == f"blastguard {__version__}"
