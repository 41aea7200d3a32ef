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

from blastguard.cli.configure import add_config_arguments, check_ids, resolve_config_for
from blastguard.cli.usage import EXIT_CLEAN, UsageError

EXIT_DENY = 2  # what Claude Code's PreToolUse hooks read as "block, and show stderr to the model"
MAX_PAYLOAD = 64 * 1024 * 1024


def register(sub) -> None:
    guard = sub.add_parser("guard", help="allow or deny one proposed write (an agent hook's JSON on standard input)")
    guard.add_argument("--json-decision", action="store_true",
                       help="answer a denial with Claude Code's JSON decision on standard output (exit 0)")
    add_config_arguments(guard, fail_on="deny a write that introduces a finding at or above this level; off: "
                                        "never (default: the config's, warning)")
    guard.set_defaults(handler=run)


def run(args) -> int:
    try:
        reason = judge(sys.stdin.buffer.read(MAX_PAYLOAD), args)
    except UsageError:
        raise
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


def judge(raw: bytes, args) -> str | None:
    """The reason to deny the write, or None to allow it."""
    from blastguard.guard_payload import parse

    write = parse(raw)  # first: a payload about something else costs no engine start-up
    from blastguard.advice import advise, reason
    from blastguard.engine.change import compare_file
    from blastguard.engine.model import Severity
    from blastguard.project import Project, is_excluded

    config = resolve_config_for(args, write.path)
    project = Project.of(config)
    check_ids(config, args, set(project.rules))
    if config.fail_on == Severity.OFF or is_excluded(config, write.path):
        return None
    report = compare_file(project.engine, write.path, write.old, write.new)
    if report.errors:
        raise _Unchecked("; ".join(e.message for e in report.errors))
    blocking = [f for f in report.findings if f.severity >= config.fail_on]
    if not blocking:
        return None
    return reason(write.path, [advise(f, write.new, project.rules) for f in blocking], config.fail_on.label)


class _Unchecked(Exception):
    """The new text could not be analysed (binary, too large, too deeply nested)."""


def _why(exc: Exception) -> str:
    from blastguard.guard_payload import Unsupported

    if isinstance(exc, (Unsupported, _Unchecked)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"  # a bug or a broken config: said once, never a traceback
