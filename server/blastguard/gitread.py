"""Read another version of files from git: list a ref's files, what changed since it, old bytes.

Every call is `git` with list arguments (never a shell), and old contents come from one
`git cat-file --batch` process however many files there are.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass


class GitError(Exception):
    """A one-line reason git could not answer (not a repository, unknown ref, no git)."""


def _git(root: str, *args: str, data: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", "-C", root, *args], input=data, capture_output=True, check=False)
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout


def toplevel(path: str) -> str:
    """The root of the working tree that holds path."""
    start = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path)) or "."
    try:
        return _git(start, "rev-parse", "--show-toplevel").decode("utf-8", "surrogateescape").strip()
    except GitError:
        raise GitError(f"{path} is not in a git repository (--diff needs one; use --diff-from DIR)") from None


def verify(root: str, ref: str) -> str:
    """The commit a ref names, or a GitError naming the ref."""
    if ref.startswith("-"):
        raise GitError(f"not a git ref: {ref}")
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    except GitError:
        raise GitError(f"unknown git ref {ref!r}") from None


@dataclass
class Tree:
    """A ref's files under some paths, and how the working tree differs from them."""

    files: set[str]  # repository-relative paths at the ref
    changed: dict[str, str]  # path -> git status letter (M, D, A, T) against the working tree


def read_tree(root: str, commit: str, pathspecs: list[str]) -> Tree:
    """pathspecs are repository-relative ("" or "." for the whole tree)."""
    pathspecs = [p or "." for p in pathspecs]
    specs = ["--", *pathspecs] if pathspecs else []
    listed = _git(root, "ls-tree", "-r", "-z", "--name-only", "--full-tree", commit, *_tree_specs(pathspecs))
    files = {p for p in listed.decode("utf-8", "surrogateescape").split("\0") if p}
    diff = _git(root, "diff", "--name-status", "--no-renames", "-z", commit, *specs)
    parts = diff.decode("utf-8", "surrogateescape").split("\0")
    changed = {parts[i + 1]: parts[i][:1] for i in range(0, len(parts) - 1, 2) if parts[i]}
    return Tree(files, changed)


def list_directories(root: str, commit: str, directories: list[str]) -> set[str]:
    """The files directly in each repository-relative directory at a commit ("" is the root)."""
    if not directories:
        return set()
    specs = [f"{d}/" if d else "." for d in directories]
    listed = _git(root, "ls-tree", "-z", "--name-only", commit, "--", *specs)
    return {p for p in listed.decode("utf-8", "surrogateescape").split("\0") if p}


def _tree_specs(pathspecs: list[str]) -> list[str]:
    # ls-tree takes plain path prefixes (no pathspec magic); "." is the whole tree.
    prefixes = [p for p in pathspecs if p not in ("", ".")]
    return ["--", *prefixes] if prefixes and len(prefixes) == len(pathspecs) else []


def read_blobs(root: str, commit: str, paths: list[str]) -> dict[str, bytes]:
    """The contents of paths at a commit, in one `git cat-file --batch`; missing ones are left out."""
    if not paths:
        return {}
    request = "".join(f"{commit}:{p}\n" for p in paths).encode("utf-8", "surrogateescape")
    out = _git(root, "cat-file", "--batch", data=request)
    found: dict[str, bytes] = {}
    offset = 0
    for path in paths:
        end = out.index(b"\n", offset)
        header = out[offset:end].split()
        offset = end + 1
        if len(header) != 3 or header[1] != b"blob":
            continue  # missing, or not a file
        size = int(header[2])
        found[path] = out[offset:offset + size]
        offset += size + 1
    return found
