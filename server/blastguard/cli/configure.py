"""The project's config with the command-line flags laid over it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from blastguard import ids
from blastguard.cli.usage import UsageError, split_ids
from blastguard.config import Config, check_rule_ids, find_config, load_config, parse_size
from blastguard.engine.model import Severity


def add_config_arguments(parser, fail_on: str = "exit 1 when a finding is at or above this level; off: never "
                                               "(default warning)") -> None:
    """The options every checking command shares: rule selection, severities, config, limits."""
    parser.add_argument("--select", action="append", default=[], metavar="IDS",
                        help="only these rule ids or prefixes (comma-separated, repeatable)")
    parser.add_argument("--ignore", action="append", default=[], metavar="IDS",
                        help="skip these rule ids or prefixes (comma-separated, repeatable)")
    parser.add_argument("--severity", action="append", default=[], metavar="ID=LEVEL",
                        help="override a rule's severity (error, warning, info, hint, off)")
    parser.add_argument("--fail-on", metavar="LEVEL", help=fail_on)
    parser.add_argument("--config", metavar="FILE", help="config file (default: the nearest .blastguard.yaml)")
    parser.add_argument("--no-config", action="store_true", help="ignore .blastguard.yaml")
    parser.add_argument("--rules", action="append", default=[], metavar="DIR", help="extra rule folder")
    parser.add_argument("--max-file-size", metavar="SIZE",
                        help="skip larger files (default 5MiB, 5,242,880 bytes)")


def resolve_config(args) -> Config:
    if getattr(args, "no_config", False):
        config = Config()
    elif getattr(args, "config", None):
        config = load_config(Path(args.config))
    else:
        found = find_config(Path.cwd())
        config = load_config(found) if found else Config()
    options = config.options
    if getattr(args, "select", None):
        options = replace(options, select=split_ids(args.select))
    if getattr(args, "ignore", None):
        options = replace(options, ignore=options.ignore + split_ids(args.ignore))
    for item in getattr(args, "severity", []) or []:
        rule_id, sep, level = item.partition("=")
        if not sep:
            raise UsageError(f"--severity takes ID=LEVEL, not {item!r}")
        try:
            options = replace(options, severity={**options.severity, rule_id.strip(): Severity.parse(level)})
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if getattr(args, "max_file_size", None):
        try:
            options = replace(options, max_file_size=parse_size(args.max_file_size))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if getattr(args, "fail_on", None):
        try:
            config.fail_on = Severity.parse(args.fail_on)
        except ValueError as exc:
            raise UsageError(f"--fail-on: {exc}") from None
    config.rule_dirs = config.rule_dirs + [Path(d) for d in getattr(args, "rules", [])]
    config.options = options
    return config


def resolve_config_for(args, path: str) -> Config:
    """resolve_config, with the config found above `path` rather than in the working directory:
    for text that stands for one file (standard input, an agent's proposed write)."""
    if not getattr(args, "config", None) and not getattr(args, "no_config", False):
        from blastguard.project import config_path_for

        found = config_path_for(path)
        args.config, args.no_config = (str(found), False) if found else (None, True)
    return resolve_config(args)


def check_ids(config: Config, args, known: set[str]) -> None:
    """Unknown rule ids in the config (ConfigError at their line) or the flags (UsageError)."""
    check_rule_ids(config, known)
    named = [("--select", v, True) for v in split_ids(getattr(args, "select", []) or [])]
    named += [("--ignore", v, True) for v in split_ids(getattr(args, "ignore", []) or [])]
    named += [("--severity", item.partition("=")[0].strip(), False) for item in getattr(args, "severity", []) or []]
    for flag, value, prefix in named:
        problem = ids.problem(value, known, prefix)
        if problem:
            raise UsageError(f"{flag}: {problem}")
