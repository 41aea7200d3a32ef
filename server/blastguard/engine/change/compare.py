"""Compare two versions of files: which findings a change introduces, and what it destroys."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from blastguard.engine import identity
from blastguard.engine.change import cloudformation, kubernetes, suppressions, terraform
from blastguard.engine.change.context import Context
from blastguard.engine.change.terraform_blocks import directory, is_config
from blastguard.engine.model import FileError, Finding, ScanResult


@dataclass
class ChangeReport:
    path: str
    # File-rule findings of the new version that the old one did not have (matched by rule and
    # identity, never by line), plus suppressions the change added (BG005, at info).
    introduced: list[Finding] = field(default_factory=list)
    # File-rule findings of the new version that the old one had already.
    preexisting: list[Finding] = field(default_factory=list)
    # Destructive-change findings (TF6xx, K8S6xx, CFN6xx), positioned in the new text: a removed
    # block at the nearest remaining line, a deleted file at line 1.
    destroyed: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    status: str = "modified"  # added | deleted | modified | unchanged
    # For each destroyed finding, what it was and what it becomes, for review output:
    # ("aws_db_instance.orders", "aws_db_instance.main"), ("x: deletion_protection = true", "... = false").
    transitions: dict[Finding, tuple[str, str]] = field(default_factory=dict)

    @property
    def findings(self) -> list[Finding]:
        """What a review shows: introduced and destroyed, in file order."""
        return sorted(self.introduced + self.destroyed, key=lambda f: f.sort_key)


def compare_file(engine, path: str, old: bytes | None, new: bytes | None) -> ChangeReport:
    """One file's change (old None: a new file; new None: a deleted file)."""
    reports = compare_files(engine, {} if old is None else {path: old}, {} if new is None else {path: new})
    return reports.get(path) or ChangeReport(path, status="unchanged")


def compare_files(engine, old: dict[str, bytes], new: dict[str, bytes], *,
                  results: dict[str, ScanResult] | None = None,
                  old_results: dict[str, ScanResult] | None = None) -> dict[str, ChangeReport]:
    """A set of files before and after (a path on one side only was added or deleted), for
    example a Terraform module directory, where a block may move between files.

    `results`/`old_results` are analyses the caller already has (engine.analyze of the same
    bytes), so a batch command can analyse in parallel; missing ones are computed here."""
    results = dict(results or {})
    old_results = dict(old_results or {})
    for path, data in new.items():
        if path not in results:
            results[path] = engine.analyze(path, data)
    for path, data in old.items():
        if path not in old_results and new.get(path) != data:
            old_results[path] = engine.analyze(path, data)
    reports: dict[str, ChangeReport] = {}
    for path in sorted(set(old) | set(new)):
        if path not in new:
            status = "deleted"
        elif path not in old:
            status = "added"
        else:
            status = "unchanged" if old[path] == new[path] else "modified"
        report = reports[path] = ChangeReport(path, status=status)
        if path in results:
            report.errors = list(results[path].errors)
    ctx = Context(engine, old, new)
    for family in (terraform, kubernetes, cloudformation):
        family.compare(ctx)
    _sort_findings(reports, old, new, results, old_results, ctx.renamed)
    for path, found in ctx.found.items():
        kept = suppressions.apply(engine, path, new.get(path), found)
        reports[path].destroyed = sorted(kept, key=lambda f: f.sort_key)
        reports[path].transitions = {f: ctx.transitions[f] for f in kept}
    for path, report in reports.items():
        if report.status == "modified" or report.status == "added":
            report.introduced.extend(suppressions.added(engine, path, old.get(path), new[path]))
        _drop_restated(report)
        report.introduced.sort(key=lambda f: f.sort_key)
    return reports


def _pool(path: str) -> str:
    """Findings are matched within a Terraform module directory (blocks move between its
    files) and within one file otherwise."""
    return "dir:" + directory(path) if is_config(path) else "file:" + path


def _sort_findings(reports, old, new, results, old_results, renamed: dict[str, dict[str, str]]) -> None:
    before: dict[str, Counter] = {}
    for path in old:
        if new.get(path) == old[path]:
            # Unchanged: its findings are the old version's too.
            source = results.get(path)
        else:
            source = old_results.get(path)
        if source is not None:
            aliases = renamed.get(directory(path), {}) if is_config(path) else {}
            before.setdefault(_pool(path), Counter()).update(identities(source.findings, aliases))
    for path in sorted(new):
        report = reports[path]
        report.introduced, report.preexisting = split(before.get(_pool(path), Counter()), results[path].findings)


def identities(findings, aliases: dict[str, str] | None = None) -> Counter:
    """How many findings of the old version have each identity (a renamed unit under its new name)."""
    aliases = aliases or {}
    return Counter((f.rule, aliases.get(f.unit, f.unit), f.where) for f in findings)


def split(before: Counter, findings) -> tuple[list[Finding], list[Finding]]:
    """(introduced, preexisting) findings of the new version, matched by identity against the
    old version's counts (which are used up); an editor calls this on every keystroke with
    the counts of the base, kept from one analysis of it."""
    introduced: list[Finding] = []
    preexisting: list[Finding] = []
    for finding in sorted(findings, key=lambda f: f.sort_key):
        k = identity.key(finding)
        if before[k] > 0:
            before[k] -= 1
            preexisting.append(finding)
        else:
            introduced.append(finding)
    return introduced, preexisting


def _drop_restated(report: ChangeReport) -> None:
    """A file finding at the very place a change finding reports (`deletion_protection = false`
    that was true) is said better by the change finding: was -> now."""
    places = {(f.unit, f.start_byte) for f in report.destroyed}
    report.introduced = [f for f in report.introduced if (f.unit, f.start_byte) not in places]
