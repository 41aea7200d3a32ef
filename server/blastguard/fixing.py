"""Apply safe fixes to files (see safe_write for how a file is written), or print them as a patch."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field

from blastguard import safe_write
from blastguard.engine import fixes
from blastguard.engine.analyze import Engine
from blastguard.engine.model import FileError, Finding, ScanResult

# Fixing can reveal or shift findings; re-run until stable, at most this many passes.
MAX_PASSES = 4


@dataclass
class FixOutcome:
    remaining: list[Finding] = field(default_factory=list)  # findings left after the fixes
    errors: list[FileError] = field(default_factory=list)  # files that could not be fixed
    fixes: int = 0  # findings fixed (or, with --dry-run, that would be)
    files: int = 0  # files changed (or that would be)


def fix_passes(engine: Engine, path: str, data: bytes) -> tuple[bytes, list[Finding], int]:
    """The text with every safe fix applied, the findings left in it, and how many were fixed."""
    findings = engine.analyze(path, data).findings
    count = 0
    for _ in range(MAX_PASSES):
        fixable = [f for f in findings if f.fix is not None and f.fix.safe]
        if not fixable:
            break
        candidate, applied = fixes.apply(data, [e for f in fixable for e in f.fix.edits])
        after = engine.analyze(path, candidate)
        if any(f.rule == "BG001" for f in after.findings) and not any(f.rule == "BG001" for f in findings):
            break  # never write a fix that breaks the parse
        done = set(applied)
        count += sum(1 for f in fixable if all(e in done for e in f.fix.edits))
        data, findings = candidate, after.findings
    return data, findings, count


def fixed_text(engine: Engine, path: str, data: bytes) -> tuple[bytes, list[Finding]]:
    """The text with every safe fix applied, and the findings left in it."""
    data, findings, _ = fix_passes(engine, path, data)
    return data, findings


def fix_files(engine: Engine, results: list[ScanResult], dry_run: bool, out,
              roots: list[str] | None = None) -> FixOutcome:
    """Fix each result's file (only symbolic links leading inside `roots` are followed), or
    with dry_run write a patch to `out`; a file that cannot be fixed is an error, not an end."""
    outcome = FixOutcome()
    for result in results:
        if not any(f.fix is not None and f.fix.safe for f in result.findings):
            outcome.remaining.extend(result.findings)
            continue
        try:
            target = safe_write.target_of(result.path, roots)
            safe_write.check_writable(target)
            original, read = safe_write.read_regular(target)
            data, findings, count = fix_passes(engine, result.path, original)
            if data != original:
                if dry_run:
                    out.write(patch(result.path, original, data))
                else:
                    safe_write.replace(target, original, data, read)
        except safe_write.WriteRefused as exc:
            outcome.errors.append(FileError(result.path, str(exc)))
            outcome.remaining.extend(result.findings)
            continue
        except OSError as exc:
            outcome.errors.append(FileError(result.path, f"cannot fix: {(exc.strerror or str(exc)).lower()}"))
            outcome.remaining.extend(result.findings)
            continue
        outcome.remaining.extend(findings)
        if data != original:
            outcome.fixes += count
            outcome.files += 1
    return outcome


def patch(path: str, before: bytes, after: bytes) -> str:
    """A unified diff that `patch` and `git apply` accept: lines end at \\n only, as those tools
    read them (so a CR-only file is one line to them, and to us), and a last line without one
    is followed by the "No newline at end of file" marker."""
    name = path.replace(os.sep, "/")
    out = []
    for line in difflib.unified_diff(_lines(before), _lines(after), fromfile=f"a/{name}", tofile=f"b/{name}"):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _lines(data: bytes) -> list[str]:
    parts = data.decode("utf-8").split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
