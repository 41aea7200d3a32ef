"""The review modes of `blastguard check`: `--diff [REF]`, `--diff-from DIR`, `--baseline FILE`,
`--write-baseline FILE`. Small hooks in cli/check.py call register, prepare and finish."""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace

from blastguard.cli.usage import EXIT_CLEAN, EXIT_FINDINGS, UsageError

# The comparison modules are imported when a review is asked for: `check` alone, `rules` and
# `lsp` start without them.


def register(check) -> None:
    check.add_argument("--diff", nargs="?", const="HEAD", metavar="REF",
                       help="only what the working tree introduces or destroys relative to a git ref (default HEAD)")
    check.add_argument("--diff-from", metavar="DIR",
                       help="like --diff, with the old version in a directory (or file) instead of git")
    check.add_argument("--baseline", metavar="FILE", help="report only findings not in this saved baseline")
    check.add_argument("--write-baseline", metavar="FILE", help="save every finding as the baseline, exit 0")


@dataclass
class Review:
    plan: object | None  # diffing.Plan
    accepted: object | None  # baseline counts
    baseline_path: str | None
    write_to: str | None

    def finish(self, args, engine, results, report, config, out=None) -> int:
        from blastguard import baseline, diffing
        from blastguard.reporters import FORMATS, review_text

        out = out or sys.stdout
        if self.write_to:
            try:
                baseline.write(self.write_to, report.findings)
            except baseline.BaselineError as exc:
                raise UsageError(str(exc)) from None
            sys.stderr.write(f"blastguard: wrote {len(report.findings)} findings to {self.write_to}\n")
            FORMATS[args.format](report, out)
            return EXIT_CLEAN
        if self.plan is None:
            report.findings = baseline.new_findings(report.findings, self.accepted, self.baseline_path)
            FORMATS[args.format](report, out)
            return _exit(report, config, args)
        reports = diffing.compare(engine, self.plan, results, getattr(args, "jobs", 1))
        introduced = [f for r in reports.values() for f in r.introduced]
        if self.accepted is not None:
            introduced = baseline.new_findings(introduced, self.accepted, self.baseline_path)
        kept = set(introduced)
        for r in reports.values():
            r.introduced = [f for f in r.introduced if f in kept]
        destroyed = [f for r in reports.values() for f in r.destroyed]
        report.findings = sorted(introduced + destroyed, key=lambda f: f.sort_key)
        report.errors = sorted({e for r in reports.values() for e in r.errors} | set(
            e for e in report.errors if e.path not in reports), key=lambda e: (e.path, e.line or 0))
        report.file_count = sum(1 for r in reports.values() if r.status != "unchanged")
        if args.format in ("concise", "full"):  # the text formats: grouped by file, old -> new
            review_text.render(reports, report, self.plan.against, out)
        else:
            if args.format == "github":
                report.findings = [_with_transition(f, reports) for f in report.findings]
            FORMATS[args.format](report, out)
        return _exit(report, config, args)


def prepare(args, selection, config) -> Review | None:
    """The review asked for, with selection.files narrowed to what a diff needs; None when none."""
    if not (args.diff or args.diff_from or args.baseline or args.write_baseline):
        return None
    from blastguard import baseline, diffing

    if args.diff and args.diff_from:
        raise UsageError("--diff and --diff-from do not combine: one old version at a time")
    if args.write_baseline and (args.diff or args.diff_from or args.baseline):
        raise UsageError("--write-baseline saves a whole check: not with --diff, --diff-from or --baseline")
    if args.fix:
        raise UsageError("--fix does not combine with --diff, --diff-from or baselines")
    accepted = None
    if args.baseline:
        try:
            accepted = baseline.read(args.baseline)
        except baseline.BaselineError as exc:
            raise UsageError(str(exc)) from None
    plan = None
    try:
        if args.diff:
            ref, paths = diffing.ref_and_paths(args.diff, args.paths)
            if paths != args.paths:  # `--diff infra/`: the path was taken for the ref
                args.paths = paths
                selection = _recollect(selection, paths, config)
            plan = diffing.from_git(ref, paths, selection.files, config.exclude)
        elif args.diff_from:
            plan = diffing.from_directory(args.diff_from, args.paths, selection.files, config.exclude)
    except diffing.ChangeError as exc:
        raise UsageError(str(exc)) from None
    if plan is not None:
        selection.files = plan.files
    return Review(plan, accepted, args.baseline, args.write_baseline)


def _recollect(selection, paths, config):
    from blastguard.files import collect

    fresh = collect(paths, config.exclude, str(config.root) if getattr(config, "root", None) else None)
    selection.files, selection.errors = fresh.files, fresh.errors
    return selection


def _with_transition(finding, reports):
    report = reports.get(finding.path)
    change = report.transitions.get(finding) if report is not None else None
    return replace(finding, message=f"{change[0]} -> {change[1]}: {finding.message}") if change else finding


def _exit(report, config, args) -> int:
    """As `check` decides, except that a change touching no file Blastguard reads is clean."""
    from blastguard.engine.model import Severity

    if getattr(args, "exit_zero", False) or config.fail_on == Severity.OFF:
        return EXIT_CLEAN
    return EXIT_FINDINGS if any(f.severity >= config.fail_on for f in report.findings) else EXIT_CLEAN
