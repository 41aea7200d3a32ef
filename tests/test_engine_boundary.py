"""The engine is pure: it imports neither pygls nor lsprotocol (nor anything from the CLI)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "server" / "blastguard" / "engine"
FORBIDDEN = ("pygls", "lsprotocol", "blastguard.cli", "blastguard.lsp", "blastguard.reporters")


def test_engine_sources_import_nothing_forbidden():
    offenders = []
    for path in sorted(ENGINE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(FORBIDDEN)]
    assert offenders == []


def test_running_the_engine_loads_no_lsp_module():
    code = (
        "import sys\n"
        "from blastguard.engine.analyze import Engine\n"
        "from blastguard.engine.loader import load_rules\n"
        "Engine(load_rules()).analyze('main.tf', b'resource \"aws_s3_bucket\" \"b\" { force_destroy = true }')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_module_opens_with_a_docstring():
    package = ENGINE.parent
    missing = [str(p.relative_to(package)) for p in sorted(package.rglob("*.py"))
               if p.stat().st_size and ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None]
    assert missing == []
