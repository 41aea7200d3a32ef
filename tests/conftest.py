"""Shared fixtures: the bundled rule set and an engine over it, loaded once per session."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from blastguard.engine import languages, parsing
from blastguard.engine.analyze import Engine
from blastguard.engine.documents import helm
from blastguard.engine.loader import load_rules
from blastguard.engine.options import Options

# The suite's rule cache (and that of every process it starts) lives and dies with the run,
# never in the user's ~/.cache.
_CACHE = tempfile.mkdtemp(prefix="blastguard-test-cache-")
os.environ["BLASTGUARD_CACHE_DIR"] = _CACHE


def pytest_unconfigure(config):
    shutil.rmtree(_CACHE, ignore_errors=True)


ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="session")
def ruleset():
    return load_rules()


@pytest.fixture(scope="session")
def engine(ruleset):
    return Engine(ruleset, Options(today=TODAY))


def needs_shared(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is only beside a developer or CI checkout)")
    return path


def parses(path: str, data: bytes) -> bool:
    """The file parses without any syntax error (tree-sitter's view; chart templates masked)."""
    syntax = languages.detect(path, data[:languages.SNIFF_BYTES])[1]
    if syntax == "yaml" and helm.needs_mask(data):
        data = helm.mask(data)
    return not parsing.parse(syntax, data).root_node.has_error


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """Run the command line in-process: (exit code, stdout, stderr), never a traceback."""
    from blastguard.cli import main

    code = main(list(args))
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out, out.err


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """An empty repository (a .git folder, so config lookup stops here) as the working directory."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path
