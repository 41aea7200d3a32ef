"""Apply safe fixes to files atomically (or print them as a unified diff)."""

from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path

from blastguard.engine import fixes
from blastguard.engine.analyze import Engine
from blastguard.engine.model import Finding, ScanResult

# Fixing can reveal or shift findings; re-run until stable, at most this many passes.
MAX_PASSES = 4


def write_atomic(path: str, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename, keeping the file's mode."""
    target = Path(path)
    mode = target.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".blastguard")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def fixed_text(engine: Engine, path: str, data: bytes) -> tuple[bytes, list[Finding]]:
    """The text with every safe fix applied, and the findings left in it."""
    findings = engine.analyze(path, data).findings
    for _ in range(MAX_PASSES):
        edits = [e for f in findings if f.fix is not None and f.fix.safe for e in f.fix.edits]
        if not edits:
            break
        candidate, _applied = fixes.apply(data, edits)
        after = engine.analyze(path, candidate)
        if any(f.rule == "BG001" for f in after.findings) and not any(f.rule == "BG001" for f in findings):
            break  # never write a fix that breaks the parse
        data, findings = candidate, after.findings
    return data, findings


def fix_files(engine: Engine, results: list[ScanResult], dry_run: bool, out) -> list[Finding]:
    remaining: list[Finding] = []
    for result in results:
        if not any(f.fix is not None and f.fix.safe for f in result.findings):
            remaining.extend(result.findings)
            continue
        original = Path(result.path).read_bytes()
        data, findings = fixed_text(engine, result.path, original)
        remaining.extend(findings)
        if data == original:
            continue
        if dry_run:
            diff = difflib.unified_diff(
                original.decode("utf-8").splitlines(keepends=True),
                data.decode("utf-8").splitlines(keepends=True),
                fromfile=f"a/{result.path}", tofile=f"b/{result.path}")
            out.writelines(diff)
        else:
            write_atomic(result.path, data)
    return remaining
