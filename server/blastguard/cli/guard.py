"""`blastguard guard`: allow or deny one proposed write from an agent hook (JSON on standard input).

Only what the write introduces (and what applying it would destroy) at or above --fail-on denies
it, never what the file already had. Denial is exit code 2 with the reason on stderr, or with
--json-decision Claude Code's documented PreToolUse decision on stdout
(`hookSpecificOutput.permissionDecision: "deny"` with `permissionDecisionReason`; see
https://code.claude.com/docs/en/hooks). An allowed write prints nothing: the guard never approves
on the user's behalf, so the normal permission prompt still applies. A payload the guard cannot
judge is allowed, with one line on stderr: a guard must not lock its user out.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from blastguard.cli.usage import EXIT_CLEAN, UsageError

EXIT_DENY = 2  # what Claude Code's PreToolUse hooks read as "block, and show stderr to the model"
MAX_PAYLOAD = 64 * 1024 * 1024


def register(sub) -> None:
    guard = sub.add_parser("guard", help="allow or deny one proposed write (an agent hook's JSON on standard input)")
    guard.add_argument("--fail-on", metavar="LEVEL",
                       help="deny when the write introduces a finding at or above LEVEL (default: the config's, warning)")
    guard.add_argument("--json-decision", action="store_true",
                       help="answer a denial with Claude Code's JSON decision on standard output (exit 0)")
    guard.add_argument("--config", metavar="FILE", help="config file (default: the nearest .blastguard.yaml above the file)")
    guard.add_argument("--no-config", action="store_true", help="ignore .blastguard.yaml")
    guard.set_defaults(handler=run)


def run(args) -> int:
    from blastguard.engine.model import Severity

    try:
        threshold = Severity.parse(args.fail_on) if args.fail_on else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        reason = judge(sys.stdin.buffer.read(MAX_PAYLOAD), args, threshold)
    except Exception as exc:  # noqa: BLE001 - any failure of the guard itself allows the write
        sys.stderr.write(f"blastguard guard: allowed without checking: {_why(exc)}\n")
        return EXIT_CLEAN
    if reason is None:
        return EXIT_CLEAN
    if args.json_decision:
        json.dump({"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny",
                                          "permissionDecisionReason": reason}}, sys.stdout)
        sys.stdout.write("\n")
        return EXIT_CLEAN
    sys.stderr.write(reason + "\n")
    return EXIT_DENY


def judge(raw: bytes, args, threshold) -> str | None:
    """The reason to deny the write, or None to allow it."""
    from blastguard.guard_payload import parse

    write = parse(raw)  # first: a payload about something else costs no engine start-up
    from blastguard.advice import advise, reason
    from blastguard.config import Config, load_config
    from blastguard.engine.change import compare_file
    from blastguard.engine.model import Severity
    from blastguard.project import Projects, is_excluded

    explicit = Config() if args.no_config else load_config(Path(args.config)) if args.config else None
    project = Projects(explicit).for_path(write.path)
    if is_excluded(project.config, write.path):
        return None
    threshold = threshold if threshold is not None else project.config.fail_on
    if threshold == Severity.OFF:
        return None
    report = compare_file(project.engine, write.path, write.old, write.new)
    if report.errors:
        raise _Unchecked("; ".join(e.message for e in report.errors))
    blocking = [f for f in report.findings if f.severity >= threshold]
    if not blocking:
        return None
    rules = project.rules
    return reason(write.path, [advise(f, write.new, rules) for f in blocking], threshold.label)


class _Unchecked(Exception):
    """The new text could not be analysed (binary, too large, too deeply nested)."""


def _why(exc: Exception) -> str:
    from blastguard.guard_payload import Unsupported

    if isinstance(exc, (Unsupported, _Unchecked)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"  # a bug or a broken config: said once, never a traceback
