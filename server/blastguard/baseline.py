"""Baselines: a saved JSON report of accepted findings, keyed by identity rather than by line.

A project adopting Blastguard writes one (`--write-baseline FILE`) and from then on sees only
findings that are not in it (`--baseline FILE`). Paths are stored relative to the baseline's
folder, so it works from any working directory and in any clone.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter

from blastguard import __version__
from blastguard.engine import identity
from blastguard.engine.change.terraform_blocks import directory, is_config
from blastguard.engine.model import Finding

KIND = "blastguard-baseline"


class BaselineError(Exception):
    """`FILE: reason` for a baseline that cannot be read (a usage error, exit 2)."""


def _where(path: str, base: str) -> str:
    """The finding's pool: a Terraform module directory (blocks move between its files) or a file."""
    rel = os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")
    return f"dir:{directory(rel)}" if is_config(rel) else f"file:{rel}"


def write(path: str, findings: list[Finding]) -> None:
    base = os.path.dirname(os.path.abspath(path))
    entries = [{"rule": f.rule, "path": os.path.relpath(os.path.abspath(f.path), base).replace(os.sep, "/"),
                "unit": f.unit, "where": f.where, "line": f.start.line, "message": f.message}
               for f in sorted(findings, key=lambda f: f.sort_key)]
    data = {"kind": KIND, "version": __version__, "findings": entries}
    _write_atomic(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def _write_atomic(path: str, data: bytes) -> None:
    """Write beside the target and rename over it: a reader never sees half a baseline."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(prefix=".blastguard-", dir=folder)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write baseline: {exc.strerror or exc}") from None


def read(path: str) -> Counter:
    """(pool, rule, unit, where) -> how many such findings the baseline accepts."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: not a Blastguard baseline: {exc}") from None
    if not isinstance(data, dict) or data.get("kind") != KIND or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path}: not a Blastguard baseline (write one with --write-baseline)")
    base = os.path.dirname(os.path.abspath(path))
    counts: Counter = Counter()
    for number, entry in enumerate(data["findings"], 1):
        try:
            pool = _where(os.path.join(base, entry["path"]), base)
            counts[(pool, entry["rule"], entry.get("unit", ""), entry.get("where", ""))] += 1
        except (KeyError, TypeError, AttributeError):
            raise BaselineError(f"{path}: finding {number} lacks rule or path") from None
    return counts


def new_findings(findings: list[Finding], accepted: Counter, baseline_path: str) -> list[Finding]:
    """The findings the baseline does not account for (each accepted entry covers one)."""
    base = os.path.dirname(os.path.abspath(baseline_path))
    left = Counter(accepted)
    out = []
    for finding in sorted(findings, key=lambda f: f.sort_key):
        key = (_where(finding.path, base), *identity.key(finding))
        if left[key] > 0:
            left[key] -= 1
        else:
            out.append(finding)
    return out
