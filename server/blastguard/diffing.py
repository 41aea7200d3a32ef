"""`check --diff [REF]` and `--diff-from DIR`: which files changed, their old versions, the comparison.

Only the files a change touches are analysed, plus every configuration file of a Terraform
module directory that one of them is in (a block may have moved to a sibling file).
"""

from __future__ import annotations

import multiprocessing
import os
import posixpath
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import pathspec

from blastguard import gitread, runner
from blastguard.engine import languages
from blastguard.engine.change import ChangeReport, compare_files
from blastguard.engine.change.terraform_blocks import is_config
from blastguard.files import SKIPPED_DIRS, collect


class ChangeError(Exception):
    """A one-line reason the comparison cannot be made (becomes a usage error, exit 2)."""


@dataclass
class Plan:
    """What to compare: display path -> old bytes for files that existed before, and the
    (narrowed) working-tree files to analyse."""

    against: str  # what the old side is, for the summary: "HEAD", "old/"
    old: dict[str, bytes] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def ref_and_paths(ref: str, paths: list[str]) -> tuple[str, list[str]]:
    """`--diff infra/` means HEAD and the path infra/: argparse gives the path as the ref when
    it follows --diff. A ref that names no commit but an existing path is read that way."""
    if not os.path.exists(ref):
        return ref, paths
    try:
        gitread.verify(gitread.toplevel(ref), ref)
        return ref, paths
    except gitread.GitError:
        return "HEAD", [ref] + [p for p in paths if p != "."]


def from_git(ref: str, paths: list[str], files: list[str], exclude: list[str]) -> Plan:
    try:
        root = gitread.toplevel(paths[0])
        commit = gitread.verify(root, ref)
        specs = [_inside(root, p) for p in paths]
        tree = gitread.read_tree(root, commit, specs)
    except gitread.GitError as exc:
        raise ChangeError(str(exc)) from None
    display = {_relative(root, f): f for f in files}
    absolute = any(os.path.isabs(p) for p in paths)
    excluded = pathspec.GitIgnoreSpec.from_lines(exclude)

    def shown(rel: str) -> str:
        return display.get(rel) or (os.path.join(root, rel) if absolute else os.path.relpath(os.path.join(root, rel)))

    def wanted(rel: str) -> bool:  # a file the walk would have checked, had it still existed
        if rel in display:
            return True
        if rel not in tree.files or os.path.lexists(os.path.join(root, rel)):
            return False
        parts = rel.split("/")
        return (languages.candidate(rel) and not SKIPPED_DIRS.intersection(parts[:-1])
                and not excluded.match_file(rel) and any(_under(rel, s) for s in specs))

    changed = {rel for rel in tree.changed if wanted(rel)}
    changed |= {rel for rel in display if rel not in tree.files}  # new, untracked
    # Every configuration file of a changed Terraform module, even beside a file named alone
    # (`--diff HEAD main.tf`): a block that moved to a sibling file has not been removed.
    directories = sorted({posixpath.dirname(r) for r in changed if is_config(r)})
    try:
        was_there = tree.files | {r for r in gitread.list_directories(root, commit, directories) if is_config(r)}
        siblings = {r for r in was_there | set(display) | _configs_on_disk(root, directories)
                    if is_config(r) and posixpath.dirname(r) in directories}
        old_paths = sorted(r for r in changed | siblings if r in was_there)
        blobs = gitread.read_blobs(root, commit, old_paths)
    except gitread.GitError as exc:
        raise ChangeError(str(exc)) from None
    plan = Plan(ref)
    plan.old = {shown(rel): blobs[rel] for rel in old_paths if rel in blobs}
    plan.files = [shown(r) for r in sorted(changed | siblings)
                  if r in display or (r in siblings and os.path.isfile(os.path.join(root, r)))]
    return plan


def from_directory(old_top: str, paths: list[str], files: list[str], exclude: list[str]) -> Plan:
    if len(paths) != 1:
        raise ChangeError("--diff-from compares one PATH with DIR; give one path")
    new_top = paths[0]
    if os.path.isdir(new_top) != os.path.isdir(old_top) or not os.path.exists(old_top):
        raise ChangeError(f"--diff-from {old_top}: give a directory for a directory, a file for a file")
    plan = Plan(old_top)
    if not os.path.isdir(new_top):
        plan.old = {new_top: _read(old_top)}
        plan.files = list(files)
        return plan
    new = {_slash(os.path.relpath(f, new_top)): f for f in files}
    old = {_slash(os.path.relpath(f, old_top)): f for f in collect([old_top], exclude).files}
    old_bytes = {rel: _read(path) for rel, path in old.items()}
    changed = {rel for rel in new if rel not in old or old_bytes[rel] != _read(new[rel])}
    changed |= {rel for rel in old if rel not in new}
    siblings = _module_siblings(changed, set(new) | set(old))
    for rel in sorted(changed | siblings):
        if rel in old:
            plan.old[new.get(rel) or os.path.normpath(os.path.join(new_top, rel))] = old_bytes[rel]
    plan.files = [new[r] for r in sorted(changed | siblings) if r in new]
    return plan


def compare(engine, plan: Plan, results, jobs: int = 1) -> dict[str, ChangeReport]:
    """Compare the plan's old bytes with the analysed files (results of plan.files)."""
    analysed = {r.path: r for r in results}
    new: dict[str, bytes] = {}
    for path in plan.files:
        result = analysed.get(path)
        if result is not None and result.errors and not result.findings:
            continue  # unreadable or too large: its error is reported, not a deletion
        new[path] = _read(path)
    old = {p: data for p, data in plan.old.items() if p in new or not os.path.lexists(p)}
    changed = {p: data for p, data in old.items() if new.get(p) != data}
    return compare_files(engine, old, new, results={p: analysed[p] for p in new if p in analysed},
                         old_results=_analyse(engine, changed, jobs))


def _analyse(engine, files: dict[str, bytes], jobs: int) -> dict:
    """Old versions analysed on every core when there are enough bytes to gain from it (the
    new versions were, by the scan); otherwise compare_files analyses them itself."""
    if jobs <= 1 or len(files) < 2 or sum(map(len, files.values())) < runner.PARALLEL_MIN_BYTES:
        return {}
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    items = sorted(files.items())
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=runner._init, initargs=(engine,)) as pool:
        done = list(pool.map(_analyse_one, items, chunksize=max(1, len(items) // (jobs * 8))))
    return dict(zip((p for p, _ in items), done))


def _analyse_one(item: tuple[str, bytes]):
    path, data = item
    result = runner._worker_engine.analyze(path, data)
    result.tree = None  # trees do not cross processes
    return result


def _configs_on_disk(root: str, directories: list[str]) -> set[str]:
    found = set()
    for directory in directories:
        try:
            names = os.listdir(os.path.join(root, directory))
        except OSError:
            continue
        found |= {posixpath.join(directory, n) for n in names if is_config(n)}
    return found


def _module_siblings(changed: set[str], every: set[str]) -> set[str]:
    directories = {posixpath.dirname(r) for r in changed if is_config(r)}
    return {r for r in every if is_config(r) and posixpath.dirname(r) in directories}


def _inside(root: str, path: str) -> str:
    rel = os.path.relpath(os.path.realpath(path), os.path.realpath(root))
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        raise gitread.GitError(f"{path} is outside the repository at {root}")
    return "" if rel == "." else _slash(rel)


def _relative(root: str, path: str) -> str:
    return _slash(os.path.relpath(os.path.realpath(path), os.path.realpath(root)))


def _under(rel: str, spec: str) -> bool:
    return not spec or rel == spec or rel.startswith(spec + "/")


def _slash(path: str) -> str:
    return path.replace(os.sep, "/")


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""
