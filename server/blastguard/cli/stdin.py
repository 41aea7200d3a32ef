"""`blastguard check - --stdin-filename PATH`: standard input checked as the file at PATH (ruff's convention).

The path decides the language, the config (the nearest .blastguard.yaml above it), the
exclusions and the suppressions, as if the text were saved there; the file need not exist.
With --fix the fixed text goes to standard output (a unified diff with --dry-run).
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone

from blastguard.cli.configure import check_ids, resolve_config_for
from blastguard.cli.usage import EXIT_CLEAN, EXIT_FINDINGS, UsageError
from blastguard.files import read_if_exists


def add_arguments(check) -> None:
    check.add_argument("--stdin-filename", metavar="PATH",
                       help="with PATH `-`: check standard input as the file at PATH")


def read_stdin(limit: int) -> bytes:
    return sys.stdin.buffer.read(limit + 1)


def check_stdin(args) -> int:
    from blastguard import fixing
    from blastguard.cli.check import _output, _render
    from blastguard.engine.lines import LineIndex
    from blastguard.engine.model import FileError, ScanResult, Severity
    from blastguard.project import Project, is_excluded
    from blastguard.reporters.report import Report

    if "-" not in args.paths:
        raise UsageError("--stdin-filename goes with the path - (standard input)")
    comparing = args.diff is not None or args.diff_from is not None
    if args.fix and comparing:
        raise UsageError("--fix does not go with --diff or --diff-from")
    if args.baseline or args.write_baseline:
        raise UsageError("--baseline and --write-baseline do not go with - (standard input)")
    if args.paths != ["-"]:
        raise UsageError("- (standard input) cannot be mixed with other paths")
    path = args.stdin_filename
    if not path:
        raise UsageError("reading standard input needs --stdin-filename PATH (the file it stands for)")
    config = resolve_config_for(args, path)
    project = Project.of(config)
    check_ids(config, args, set(project.rules))
    report = Report(rules=project.rules, started=datetime.now(timezone.utc),
                    colour=args.output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    data = read_stdin(config.options.max_file_size)
    if is_excluded(config, path):  # as a directory walk would skip it: nothing to say
        if args.fix and not args.dry_run:
            sys.stdout.buffer.write(data)  # the text passes through unchanged
        elif not args.fix:
            with _output(args.output) as out:
                report.finished = report.started
                _render(args, report, out)
        return EXIT_CLEAN
    if len(data) > config.options.max_file_size:
        result = ScanResult(path, errors=[FileError(
            path, f"standard input is over the {config.options.max_file_size:,}-byte limit (max_file_size)")])
    elif comparing:
        result = _compared(project.engine, path, data, args.diff, args.diff_from)
    else:
        result = project.engine.analyze(path, data)
    report.findings, report.errors = result.findings, result.errors
    report.file_count = 1 if result.checked else 0
    report._lines[path] = LineIndex(data)  # positions of fixes are in the text read, not the file on disk
    if args.fix:
        fixed, report.findings = fixing.fixed_text(project.engine, path, data) if result.checked else (data, [])
        if args.dry_run:
            import difflib

            sys.stdout.writelines(difflib.unified_diff(
                data.decode("utf-8", "replace").splitlines(keepends=True),
                fixed.decode("utf-8", "replace").splitlines(keepends=True),
                fromfile=f"a/{path}", tofile=f"b/{path}"))
        else:
            sys.stdout.buffer.write(fixed)
    else:
        with _output(args.output) as out:
            report.finished = datetime.now(timezone.utc)
            _render(args, report, out)
    if args.exit_zero or config.fail_on == Severity.OFF:
        return EXIT_CLEAN
    failing = any(f.severity >= config.fail_on for f in report.findings)
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def _compared(engine, path: str, data: bytes, ref: str | None, folder: str | None):
    """What the text introduces and destroys against the file at PATH in git revision REF, or
    under the folder given to --diff-from (`.`: the file on disk), as a ScanResult for the reporters."""
    from blastguard.engine import languages
    from blastguard.engine.change import compare_file
    from blastguard.engine.model import ScanResult

    report = compare_file(engine, path, _before(path, ref, folder), data)
    detected = languages.detect(path, data[:languages.SNIFF_BYTES])
    return ScanResult(path, findings=report.findings, errors=report.errors, language=detected and detected[0])


def _before(path: str, ref: str | None, folder: str | None) -> bytes | None:
    """The file's bytes under `folder` or at git revision `ref`; None when it does not exist there."""
    if folder is not None:
        old = os.path.join(folder, os.path.relpath(path))
        try:
            return read_if_exists(old)
        except OSError as exc:
            raise UsageError(f"{old}: cannot read: {exc.strerror or exc}") from None
    folder, name = os.path.split(os.path.abspath(path))
    while not os.path.isdir(folder):  # a new file in new folders: ask git from the nearest one
        folder, name = os.path.dirname(folder), os.path.join(os.path.basename(folder), name)
    import subprocess  # only for --diff REF

    shown = subprocess.run(["git", "-C", folder, "show", f"{ref}:./{name}"], capture_output=True)
    if shown.returncode == 0:
        return shown.stdout
    known = subprocess.run(["git", "-C", folder, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
                           capture_output=True)
    if known.returncode == 0:
        return None  # the revision exists and the file is not in it: a new file
    reason = shown.stderr.decode("utf-8", "replace").strip().splitlines()
    raise UsageError(f"--diff {ref}: not a git revision for {path}" + (f" ({reason[-1]})" if reason else ""))
