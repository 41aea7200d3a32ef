"""Command line: `blastguard check` (batch mode for CI, pre-commit and agents) and `blastguard rules`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from blastguard import __version__
from blastguard.config import Config, ConfigError, find_config, load_config
from blastguard.engine.analyze import Engine
from blastguard.engine.builtin import BUILTIN_RULES
from blastguard.engine.lines import LineIndex
from blastguard.engine.loader import RuleLoadError, load_rules
from blastguard.engine.model import FileError, Finding, Rule, Severity
from blastguard.files import collect
from blastguard.reporters import FORMATS

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # exit code 2 with one line, as for every usage error
        raise UsageError(message)


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    rules: dict[str, Rule] = field(default_factory=dict)
    file_count: int = 0
    colour: bool = False
    _lines: dict[str, LineIndex] = field(default_factory=dict)

    def lines_for(self, path: str) -> LineIndex | None:
        if path not in self._lines:
            try:
                self._lines[path] = LineIndex(Path(path).read_bytes())
            except OSError:
                return None
        return self._lines[path]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="blastguard", description=__doc__)
    parser.add_argument("--version", action="version", version=f"blastguard {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check files and directories")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    check.add_argument("--format", choices=sorted(FORMATS), default="text")
    check.add_argument("--select", action="append", default=[], metavar="IDS",
                       help="only these rule ids or prefixes (comma-separated, repeatable)")
    check.add_argument("--ignore", action="append", default=[], metavar="IDS",
                       help="skip these rule ids or prefixes (comma-separated, repeatable)")
    check.add_argument("--severity", action="append", default=[], metavar="ID=LEVEL",
                       help="override a rule's severity (error, warning, info, hint, off)")
    check.add_argument("--fail-on", metavar="LEVEL", help="exit 1 when a finding is at or above this level")
    check.add_argument("--config", metavar="FILE", help="config file (default: the nearest .blastguard.yaml)")
    check.add_argument("--no-config", action="store_true", help="ignore .blastguard.yaml")
    check.add_argument("--rules", action="append", default=[], metavar="DIR", help="extra rule folder")
    check.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    check.add_argument("--dry-run", action="store_true", help="with --fix: print a unified diff instead")
    check.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, metavar="N")
    check.add_argument("--max-file-size", metavar="SIZE", help="skip larger files (default 5MiB, 5,242,880 bytes)")
    check.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    rules = sub.add_parser("rules", help="list the rules")
    rules.add_argument("--json", action="store_true", help="as JSON, for tools")
    rules.add_argument("--markdown", action="store_true", help="as the Markdown reference (docs/rules.md)")
    rules.add_argument("--rules", action="append", default=[], metavar="DIR", help="extra rule folder")
    lsp = sub.add_parser("lsp", help="run the language server (stdio by default)")
    lsp.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    lsp.add_argument("--debounce-ms", type=int, metavar="N", help="override the debounce setting (0 for benchmarks)")
    lsp.add_argument("--no-incremental", action="store_true",
                     help="re-parse whole documents on every change (for comparison in benchmarks)")
    return parser


def _split(values: list[str]) -> tuple[str, ...]:
    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())


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
        options = replace(options, select=_split(args.select))
    if getattr(args, "ignore", None):
        options = replace(options, ignore=options.ignore + _split(args.ignore))
    for item in getattr(args, "severity", []) or []:
        rule_id, sep, level = item.partition("=")
        if not sep:
            raise UsageError(f"--severity takes ID=LEVEL, not {item!r}")
        try:
            options = replace(options, severity={**options.severity, rule_id.strip(): Severity.parse(level)})
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if getattr(args, "max_file_size", None):
        from blastguard.config import parse_size

        try:
            options = replace(options, max_file_size=parse_size(args.max_file_size))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if getattr(args, "fail_on", None):
        try:
            config.fail_on = Severity.parse(args.fail_on)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    config.rule_dirs = config.rule_dirs + [Path(d) for d in getattr(args, "rules", [])]
    config.options = options
    return config


def cmd_rules(args) -> int:
    ruleset = load_rules(resolve_config(args).rule_dirs)
    rules = list(ruleset.rules) + list(BUILTIN_RULES)
    if args.json:
        json.dump([{"id": r.id, "title": r.title, "language": r.language, "category": r.category,
                    "severity": r.severity.label, "message": r.message, "note": r.note, "url": r.url,
                    "fixable": _fixable(r)}
                   for r in rules], sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.markdown:
        sys.stdout.write(rules_markdown(rules))
    else:
        for r in rules:
            sys.stdout.write(f"{r.id:7} {r.severity.label:8} {r.category:19} {r.title}\n")
    return EXIT_CLEAN


def _fixable(rule: Rule) -> bool:
    return any(m.fix for m in (rule.match or []))


def _fix_label(rule: Rule) -> str:
    fixes = [m.fix for m in (rule.match or []) if m.fix]
    if any(f.safe for f in fixes):
        return "yes"
    return "editor only" if fixes else ""


def rules_markdown(rules: list[Rule]) -> str:
    """The rule reference, generated from the rule files so it cannot drift from them."""
    out = ["# Blastguard rules", "",
           "Generated by `blastguard rules --markdown` from the rule files; do not edit by hand.", "",
           "`fix`: *yes* when `check --fix` applies it; *editor only* when it changes behaviour "
           "enough that a person should choose it.", "",
           "| id | severity | category | title | fix |", "|---|---|---|---|---|"]
    out += [f"| [{r.id}](#{r.id.lower()}) | {r.severity.label} | {r.category} | {r.title} | "
            f"{_fix_label(r)} |" for r in rules]
    for r in rules:
        out += ["", f"## {r.id}", "", f"**{r.title}** ({r.language}, {r.category}, {r.severity.label})", "",
                r.message, "", r.note]
        refs = r.metadata.get("references", [])
        if refs:
            out += [""] + [f"- <{ref}>" for ref in refs]
    return "\n".join(out) + "\n"


def _progress(enabled: bool):
    if not enabled:
        return None

    def wrap(iterable, total):
        from tqdm import tqdm

        # delay: no bar at all for scans that finish in a moment.
        return tqdm(iterable, total=total, unit="file", delay=0.5, leave=False, file=sys.stderr)

    return wrap


def cmd_check(args) -> int:
    from blastguard import fixing, runner

    if args.dry_run and not args.fix:
        raise UsageError("--dry-run goes with --fix")
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    config = resolve_config(args)
    ruleset = load_rules(config.rule_dirs)
    engine = Engine(ruleset, config.options)
    selection = collect(args.paths, config.exclude)
    show_progress = not args.no_progress and sys.stderr.isatty()
    results = runner.scan(engine, selection.files, args.jobs, _progress(show_progress))
    report = Report(rules={r.id: r for r in list(ruleset.rules) + list(BUILTIN_RULES)},
                    file_count=sum(1 for r in results if r.checked),
                    colour=sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    report.errors = [FileError(p, m) for p, m in selection.errors]
    for result in results:
        report.findings.extend(result.findings)
        report.errors.extend(result.errors)
    if args.fix:
        remaining = fixing.fix_files(engine, results, dry_run=args.dry_run, out=sys.stdout)
        if not args.dry_run:
            report.findings = remaining
    report.findings.sort(key=lambda f: f.sort_key)
    report.errors.sort(key=lambda e: (e.path, e.line or 0))
    if not (args.fix and args.dry_run):
        FORMATS[args.format](report, sys.stdout)
    failing = any(f.severity >= config.fail_on for f in report.findings)
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "rules":
            return cmd_rules(args)
        if args.command == "lsp":
            from blastguard.lsp.server import run  # pygls is only imported for the server

            return run(args.tcp, args.debounce_ms, not args.no_incremental)
        return cmd_check(args)
    except UsageError as exc:
        sys.stderr.write(f"blastguard: error: {exc}\n")
        return EXIT_USAGE
    except (ConfigError, RuleLoadError) as exc:
        sys.stderr.write(f"blastguard: error: {exc}\n")
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_CLEAN
    except KeyboardInterrupt:
        sys.stderr.write("blastguard: interrupted\n")
        return 130
