"""Builds the linux-x64 .vsix: the extension with the Blastguard server and its compiled
dependencies for CPython 3.11, 3.12 and 3.13, so it runs with only a Python interpreter.

As Microsoft's Python tool extensions do, the libraries go under bundled/libs beside the
launcher (bundled/tool/launch.py): one folder per CPython version for what differs, `common`
for what is identical in all. Run with the project's venv (it needs pip and setuptools):
    .venv/bin/python clients/vscode/scripts/build_vsix.py
Downloads happen here, at build time; the extension never downloads anything.
"""

from __future__ import annotations

import filecmp
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

EXTENSION = Path(__file__).resolve().parents[1]
ROOT = EXTENSION.parents[1]
PYTHONS = ("3.11", "3.12", "3.13")
# VS Code needs glibc 2.28 on Linux; some dependencies (google-re2 for 3.13) ship only 2_28 wheels.
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux2014_x86_64")
TARGET = "linux-x64"
# vsce refuses a package with secret-shaped text; these are the rules' own examples of what
# they catch (fake keys in rules/*/PY40x-*.yaml), named kind by kind so a new kind is noticed.
EXAMPLE_SECRETS = ("aws", "github", "slack", "npm")


def run(*command: str, cwd: Path | None = None) -> None:
    subprocess.run(command, cwd=cwd, check=True)


def same_tree(a: Path, b: Path) -> bool:
    if a.is_file() or b.is_file():
        return a.is_file() and b.is_file() and filecmp.cmp(a, b, shallow=False)
    compared = filecmp.dircmp(a, b)
    if compared.left_only or compared.right_only or compared.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, compared.common_files, shallow=False)
    return not mismatch and not errors and all(same_tree(a / d, b / d) for d in compared.common_dirs)


def bundle(wheel: Path, libs: Path) -> None:
    """pip-installs the wheel and its dependencies for each Python, then moves what is identical
    in all of them to libs/common."""
    targets = []
    for version in PYTHONS:
        target = libs / f"cp{version.replace('.', '')}"
        platforms = [arg for p in PLATFORMS for arg in ("--platform", p)]
        run(sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "--target", str(target),
            *platforms, "--python-version", version, "--implementation", "cp", "--only-binary=:all:", str(wheel))
        shutil.rmtree(target / "bin", ignore_errors=True)  # console scripts bound to this machine's Python
        targets.append(target)
    common = libs / "common"
    common.mkdir()
    for entry in sorted(p.name for p in targets[0].iterdir()):
        if all((t / entry).exists() and same_tree(targets[0] / entry, t / entry) for t in targets[1:]):
            shutil.move(targets[0] / entry, common / entry)
            for t in targets[1:]:
                shutil.rmtree(t / entry) if (t / entry).is_dir() else (t / entry).unlink()


def main() -> int:
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", tmp,
            str(ROOT))
        (wheel,) = Path(tmp).glob("blastguard-*.whl")
        libs = Path(tmp) / "libs"
        bundle(wheel, libs)
        shutil.rmtree(EXTENSION / "bundled" / "libs", ignore_errors=True)
        shutil.move(libs, EXTENSION / "bundled" / "libs")
    shutil.copy(ROOT / "LICENSE", EXTENSION / "LICENSE")
    out = EXTENSION / f"{manifest['name']}-{TARGET}-{manifest['version']}.vsix"
    npx = shutil.which("npx") or "npx"
    run(npx, "vsce", "package", "--target", TARGET, "--allow-missing-repository", "--out", str(out),
        "--allow-package-secrets", *EXAMPLE_SECRETS, cwd=EXTENSION)
    print(f"{out.relative_to(ROOT)}: {out.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
