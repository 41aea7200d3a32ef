"""Expand command-line paths into the files to check, honouring .gitignore and exclusions."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from blastguard.engine import languages

SKIPPED_DIRS = {".git", ".terraform", "node_modules", ".venv", "__pycache__", ".hg", ".svn"}


@dataclass
class Selection:
    files: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def _gitignore(directory: Path) -> pathspec.PathSpec | None:
    path = directory / ".gitignore"
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines)


def collect(paths: list[str], exclude: list[str] | None = None) -> Selection:
    """Files under paths (recursively) that Blastguard checks, in a stable order."""
    selection = Selection()
    excluded = pathspec.GitIgnoreSpec.from_lines(exclude or [])
    seen: set[str] = set()
    for given in paths:
        if os.path.isdir(given):
            _walk(given, excluded, selection, seen)
        elif os.path.lexists(given):
            if os.path.islink(given) and not os.path.exists(given):
                selection.errors.append((given, "broken or looping symbolic link"))
            elif given not in seen:
                seen.add(given)
                selection.files.append(given)
        else:
            selection.errors.append((given, "no such file or directory"))
    return selection


def _walk(top: str, excluded: pathspec.PathSpec, selection: Selection, seen: set[str]) -> None:
    # Each directory's .gitignore applies below it, as git applies it.
    specs: list[tuple[str, pathspec.PathSpec]] = []

    def ignored(rel: str, is_dir: bool) -> bool:
        candidate = rel + "/" if is_dir else rel
        if excluded.match_file(candidate):
            return True
        for base, spec in specs:
            if base and not rel.startswith(base + "/"):
                continue
            if spec.match_file(candidate[len(base) + 1:] if base else candidate):
                return True
        return False

    def onerror(error: OSError) -> None:
        selection.errors.append((error.filename or top, f"cannot read directory: {error.strerror}"))

    for directory, dirnames, filenames in os.walk(top, onerror=onerror):
        rel_dir = os.path.relpath(directory, top)
        rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/")
        spec = _gitignore(Path(directory))
        if spec is not None:
            specs.append((rel_dir, spec))
        keep = []
        for name in sorted(dirnames):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if name in SKIPPED_DIRS or ignored(rel, True):
                continue
            if os.path.islink(os.path.join(directory, name)):
                continue  # not followed: symbolic links to directories can loop
            keep.append(name)
        dirnames[:] = keep
        for name in sorted(filenames):
            full = os.path.normpath(os.path.join(directory, name))
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if not languages.candidate(name) or ignored(rel, False):
                continue
            if os.path.islink(full) and not os.path.exists(full):
                selection.errors.append((full, "broken or looping symbolic link"))
                continue
            if full not in seen:
                seen.add(full)
                selection.files.append(full)
