"""Expand command-line paths into the files to check, honouring .gitignore and exclusions."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from blastguard.engine import languages

if TYPE_CHECKING:  # pathspec (with its RE2 and Hyperscan backends) is imported when a pattern is used
    import pathspec

SKIPPED_DIRS = {".git", ".terraform", "node_modules", ".venv", "__pycache__", ".hg", ".svn"}


@dataclass
class Selection:
    files: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    # Paths named on the command line (as given): an error on one of them fails the run.
    named: set[str] = field(default_factory=set)
    # Named files left out on purpose (--force-exclude), so "nothing checked" is not an error.
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)  # `file:line: ...`, bad ignore patterns


def pattern_problem(pattern: str) -> str | None:
    """Why a gitignore-style pattern cannot be used, or None."""
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    try:
        GitIgnoreSpecPattern(pattern)
    except Exception as exc:  # pathspec raises its own error or re.error, depending on the pattern
        reason = re.sub(r" at position \d+$", "", str(exc))
        return f"invalid pattern {pattern!r}: {reason}"
    return None


def compile_patterns(lines: list[str], origin: Callable[[int], str]) -> tuple[pathspec.PathSpec, list[str]]:
    """A GitIgnoreSpec of the usable lines, and one warning per unusable line
    (`origin(index)` names where line `index` came from, as `file:line`)."""
    import pathspec

    warnings = []
    usable: dict[str, None] = {}
    for index, line in enumerate(lines):
        problem = pattern_problem(line)
        if problem:
            warnings.append(f"{origin(index)}: ignoring {problem}")
            continue
        # Only the last of identical lines can decide (the last matching pattern wins), so
        # 2,000 copies of `**` cost one pattern.
        usable.pop(line, None)
        usable[line] = None
    return pathspec.GitIgnoreSpec.from_lines(list(usable)), warnings


def matchable(path: str) -> str:
    """The path as pathspec can match it: the bytes of a non-UTF-8 name become U+FFFD (which
    `*` and `?` still match) instead of lone surrogates, which the RE2 backend refuses."""
    if path.isascii():
        return path
    return os.fsencode(path).decode("utf-8", "replace")


def _gitignore(directory: str, shown: str, warnings: list[str]) -> pathspec.PathSpec | None:
    path = os.path.join(directory, ".gitignore")
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    where = os.path.join(shown, ".gitignore") if shown else ".gitignore"
    spec, found = compile_patterns(lines, lambda i: f"{where}:{i + 1}")
    warnings.extend(found)
    return spec


def collect(paths: list[str], exclude: list[str] | None = None, root: str | None = None,
            force_exclude: bool = False, exclude_origin: Callable[[int], str] | None = None) -> Selection:
    """Files under paths (recursively) that Blastguard checks, in a stable order, each once
    however it is spelled. `exclude` patterns are relative to `root` (the config's folder);
    with force_exclude they apply to files named directly too."""
    selection = Selection()
    compiled: list[pathspec.PathSpec] = []

    def excluded() -> pathspec.PathSpec:
        if not compiled:
            spec, found = compile_patterns(exclude or [], exclude_origin or (lambda i: f"exclude[{i}]"))
            selection.warnings.extend(found)
            compiled.append(spec)
        return compiled[0]

    if exclude:  # a bad pattern is reported even when no path needs the patterns
        excluded()
    root = os.path.abspath(root or os.getcwd())
    seen: set[str] = set()
    for given in paths:
        if os.path.isdir(given):
            if force_exclude and _excluded(excluded(), root, given, True):
                selection.skipped += 1
                continue
            _walk(given, excluded(), root, selection, seen)
        elif os.path.lexists(given):
            selection.named.add(given)
            if os.path.islink(given) and not os.path.exists(given):
                selection.errors.append((given, "broken or looping symbolic link"))
            elif force_exclude and _excluded(excluded(), root, given, False):
                selection.skipped += 1
            elif _first(given, seen):
                selection.files.append(given)
        else:
            selection.named.add(given)
            selection.errors.append((given, "no such file or directory"))
    return selection


def read_if_exists(path: str) -> bytes | None:
    """The file's bytes, or None when there is no such file (a write that would create it);
    other OSErrors are the caller's to report."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def excluded(path: str, exclude: list[str], root: str | None = None) -> bool:
    """Whether `exclude` (relative to `root`, the config's folder) leaves out the file at `path`,
    as --force-exclude would; the file need not exist (standard input, an agent's new file)."""
    if not exclude:
        return False
    spec, _warnings = compile_patterns(exclude, lambda i: f"exclude[{i}]")
    return _excluded(spec, os.path.abspath(root or os.getcwd()), path, False)


def _first(path: str, seen: set[str]) -> bool:
    """Whether this is the first time the file is met (a.tf, ./a.tf, d/../a.tf, /abs/a.tf)."""
    key = os.path.realpath(path)
    if key in seen:
        return False
    seen.add(key)
    return True


def _relative(root: str, path: str) -> str | None:
    rel = os.path.relpath(os.path.abspath(path), root)
    if rel == ".":
        return ""
    return None if rel.startswith("..") else rel.replace(os.sep, "/")


def _excluded(excluded: pathspec.PathSpec, root: str, path: str, is_dir: bool) -> bool:
    rel = _relative(root, path)
    if rel is None:  # outside the config's folder: its patterns match by the path as given
        rel = os.path.normpath(path).replace(os.sep, "/").lstrip("/")
    return bool(rel) and excluded.match_file(matchable(rel + "/" if is_dir else rel))


def _walk(top: str, excluded: pathspec.PathSpec, root: str, selection: Selection, seen: set[str]) -> None:
    # Each directory's .gitignore applies below it, as git applies it.
    specs: list[tuple[str, pathspec.PathSpec]] = []
    # exclude patterns are relative to the config's folder; from outside it, to the folder walked.
    prefix = _relative(root, top)
    prefix = "" if prefix is None else matchable(prefix)

    def ignored(rel: str, is_dir: bool) -> bool:
        candidate = matchable(rel + "/" if is_dir else rel)
        anchored = f"{prefix}/{candidate}" if prefix else candidate
        if excluded.match_file(anchored):
            return True
        for base, spec in specs:
            if base and not rel.startswith(base + "/"):
                continue
            if spec.match_file(candidate[len(base) + 1:] if base else candidate):
                return True
        return False

    def onerror(error: OSError) -> None:
        selection.errors.append((error.filename or top, f"cannot read directory: {error.strerror}"))

    if top in (os.curdir, os.curdir + os.sep):
        shown_top = ""
    else:
        shown_top = top
    for directory, dirnames, filenames in os.walk(top, onerror=onerror):
        rel_dir = os.path.relpath(directory, top)
        rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/")
        spec = _gitignore(directory, os.path.normpath(os.path.join(shown_top, rel_dir)) if (shown_top or rel_dir)
                          else "", selection.warnings)
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
            if not languages.candidate(rel) or ignored(rel, False):
                continue
            if os.path.islink(full) and not os.path.exists(full):
                selection.errors.append((full, "broken or looping symbolic link"))
                continue
            if _first(full, seen):
                selection.files.append(full)
