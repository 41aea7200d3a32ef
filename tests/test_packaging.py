"""The wheel ships the rules and their schema, so an installed blastguard finds them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

from tests.conftest import ROOT


def test_wheel_contains_every_rule_file(tmp_path):
    # Build from a copy: setuptools writes build/ next to the sources it builds.
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("server", "rules"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    # --no-build-isolation: build with this environment's setuptools, with no download.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path), str(source)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("blastguard-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    rules = {f"blastguard/_rules/{p.relative_to(ROOT / 'rules').as_posix()}"
             for p in (ROOT / "rules").rglob("*") if p.is_file() and p.suffix in (".yaml", ".json")}
    assert rules and rules <= names
    assert "blastguard/engine/loader.py" in names
