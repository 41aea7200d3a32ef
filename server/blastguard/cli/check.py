"""`blastguard check`: files and folders in, findings out, an exit code for CI gates."""

from __future__ import annotations

import io
import os
import sys
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone

from blastguard import review
from blastguard.cli import stdin
from blastguard.cli.configure import add_config_arguments, check_ids, resolve_config
from blastguard.cli.progress import progress
from blastguard.cli.usage import EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, UsageError
from blastguard.reporters import ALIASES, FORMATS, TEXT_FORMATS


def register(sub) -> None:
    check = sub.add_parser("check", help="check files and directories")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    check.add_argument("--output-format", "--format", dest="format", choices=[*FORMATS, *ALIASES],
                       default="concise", metavar="FORMAT",
                       help=f"{', '.join(FORMATS)} (default concise; text is full)")
    check.add_argument("--statistics", action="store_true", help="count findings per rule instead of listing them")
    check.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of standard output")
    add_config_arguments(check)
    check.add_argument("--exit-zero", action="store_true",
                       help="exit 0 even when there are findings (2 is still returned for errors)")
    check.add_argument("--force-exclude", action="store_true",
                       help="apply exclude to the paths named on the command line too (for pre-commit)")
    check.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    check.add_argument("--dry-run", action="store_true", help="with --fix: print a unified diff instead")
    check.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, metavar="N")
    check.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    review.register(check)
    stdin.add_arguments(check)
    check.set_defaults(handler=run)


def run(args) -> int:
    from blastguard.engine.analyze import Engine
    from blastguard.engine.builtin import BUILTIN_RULES
    from blastguard.engine.loader import load_rules

    _check_usage(args)
    if "-" in args.paths or args.stdin_filename:
        return stdin.check_stdin(args)
    config = resolve_config(args)
    ruleset = load_rules(config.rule_dirs)
    rules = {r.id: r for r in list(ruleset.rules) + list(BUILTIN_RULES)}
    check_ids(config, args, set(rules))
    engine = Engine(ruleset, replace(config.options, read_roots=read_roots(args.paths)))
    selection = _select(args, config)
    change = review.prepare(args, selection, config)  # --diff and baselines narrow the files
    started = datetime.now(timezone.utc)
    results = _scan(args, engine, selection.files)
    with _output(args.output) as out:
        report = _report(args, rules, selection, results, started)
        if change is not None:
            report.finished = datetime.now(timezone.utc)
            return change.finish(args, engine, results, report, config, out)
        if args.fix:
            _fix(args, engine, results, report, out)
        report.findings.sort(key=lambda f: f.sort_key)
        report.errors.sort(key=lambda e: (e.path, e.line or 0))
        report.finished = datetime.now(timezone.utc)
        if not (args.fix and args.dry_run):
            _render(args, report, out)
    return exit_code(args, config, selection, results, report)


def read_roots(paths: list[str]) -> tuple[str, ...]:
    """The checked tree, whose files a Terraform file() or templatefile() may be read from: the
    folders named, and the folder of each file named."""
    return tuple(sorted({p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)) for p in paths}))


def _check_usage(args) -> None:
    args.format = ALIASES.get(args.format, args.format)
    if args.dry_run and not args.fix:
        raise UsageError("--dry-run goes with --fix")
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.statistics and ALIASES.get(args.format, args.format) not in TEXT_FORMATS | {"json"}:
        raise UsageError(f"--statistics goes with the concise, full or json format, not {args.format}")


def _select(args, config):
    from blastguard.files import collect
    from blastguard.reporters.escape import printable

    origin = (lambda i: config.where(("exclude", i))) if config.source else (lambda i: f"exclude[{i}]")
    selection = collect(args.paths, config.exclude, str(config.root) if config.root else None,
                        args.force_exclude, origin)
    for warning in selection.warnings:
        sys.stderr.write(f"blastguard: warning: {printable(warning)}\n")
    return selection


def _scan(args, engine, files: list[str]):
    from blastguard import runner

    bar = progress(not args.no_progress and sys.stderr.isatty())
    try:
        return runner.scan(engine, files, args.jobs, bar)
    finally:
        if bar is not None:
            bar.close()


def _report(args, rules, selection, results, started):
    from blastguard.engine.model import FileError
    from blastguard.reporters.escape import printable
    from blastguard.reporters.report import Report

    report = Report(rules=rules, file_count=sum(1 for r in results if r.checked), started=started,
                    colour=args.output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    report.errors = [FileError(p, m) for p, m in selection.errors]
    for result in results:
        if result.skipped and result.path in selection.named:
            sys.stderr.write(f"{printable(result.path)}: not checked: {result.skipped}\n")
        report.findings.extend(result.findings)
        report.errors.extend(result.errors)
    return report


def _fix(args, engine, results, report, out) -> None:
    from blastguard import fixing

    from blastguard.reporters.escape import printable

    outcome = fixing.fix_files(engine, results, dry_run=args.dry_run, out=out, roots=args.paths)
    report.errors.extend(outcome.errors)
    report.unfixed = outcome.errors
    if args.dry_run:
        for error in outcome.errors:  # the patch is the output: errors go beside it
            sys.stderr.write(f"blastguard: {printable(error.path)}: {printable(error.message)}\n")
    else:
        report.findings = outcome.remaining
        report.fixed = (outcome.fixes, outcome.files)


def _render(args, report, out) -> None:
    from blastguard.reporters import text

    name = ALIASES.get(args.format, args.format)
    if args.statistics:
        if name == "json":
            import json

            json.dump([{"rule": r, "count": n, "fixable": fixable} for r, n, fixable in text.statistics(report)],
                      out, indent=2)
            out.write("\n")
            return
        text.render_statistics(report, out)
        return
    FORMATS[name](report, out)


@contextmanager
def _output(path: str | None):
    """Standard output, or FILE for -o (written whole at the end, so a failed run leaves no half report)."""
    if path is None:
        yield sys.stdout
        return
    buffer = io.StringIO()
    yield buffer
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(buffer.getvalue())
    except OSError as exc:
        raise UsageError(f"-o {path}: cannot write: {exc.strerror or exc}") from None


def _fail(what: str, first) -> int:
    from blastguard.reporters.escape import printable

    sys.stderr.write(f"blastguard: error: {what} (first: {printable(first.path)}: {printable(first.message)})\n")
    return EXIT_USAGE


def exit_code(args, config, selection, results, report) -> int:
    """2 when a named path could not be checked, nothing at all was, or --fix could not write a
    file; else 1 for findings at or above the fail level (never with --fail-on off or
    --exit-zero); else 0."""
    from blastguard.engine.model import Severity

    named_errors = [e for e in report.errors if e.path in selection.named and e not in report.unfixed]
    if named_errors:
        noun = "path" if len(named_errors) == 1 else "paths"
        return _fail(f"{len(named_errors)} {noun} named on the command line could not be checked", named_errors[0])
    if report.unfixed:
        noun = "file" if len(report.unfixed) == 1 else "files"
        return _fail(f"{len(report.unfixed)} {noun} checked but not fixed", report.unfixed[0])
    considered = sum(1 for r in results if r.language is not None or (r.path in selection.named and not r.errors))
    if considered == 0 and selection.skipped == 0:
        sys.stderr.write("blastguard: error: no files were checked: nothing under the paths given is a file "
                         "Blastguard reads, or everything was excluded, ignored or failed\n")
        return EXIT_USAGE
    if args.exit_zero or config.fail_on == Severity.OFF:
        return EXIT_CLEAN
    failing = any(f.severity >= config.fail_on for f in report.findings)
    return EXIT_FINDINGS if failing else EXIT_CLEAN
