"""`blastguard plan PLAN.json`: what a saved Terraform plan will destroy, replace or forget, and the
file rules on the values it will apply (`terraform show -json PLANFILE` output)."""

from __future__ import annotations

import os
import sys
from dataclasses import replace

from blastguard.cli.configure import add_config_arguments, check_ids, resolve_config
from blastguard.cli.usage import EXIT_CLEAN, EXIT_FINDINGS, UsageError
from blastguard.reporters import ALIASES, FORMATS


def register(sub) -> None:
    plan = sub.add_parser("plan", help="check a saved Terraform plan (terraform show -json PLANFILE)")
    plan.add_argument("plan", metavar="PLAN.json", help="the output of `terraform show -json PLANFILE`; - reads it from standard input")
    plan.add_argument("--output-format", "--format", dest="format", choices=[*FORMATS, *ALIASES],
                      default="full", metavar="FORMAT",
                      help=f"{', '.join(FORMATS)} (default full: a plan's findings are their messages)")
    add_config_arguments(plan)
    plan.set_defaults(handler=run)


def run(args) -> int:
    from blastguard.engine import plan
    from blastguard.engine.analyze import Engine, check_input
    from blastguard.engine.builtin import BUILTIN_RULES
    from blastguard.engine.change.tables import lost
    from blastguard.engine.loader import load_rules
    from blastguard.engine.model import Severity
    from blastguard.reporters.report import Report

    config = resolve_config(args)
    path = args.plan
    limit = config.options.max_file_size
    data = _read(path, limit)
    if len(data) > limit:
        raise UsageError(f"{path}: larger than the {limit:,}-byte limit (raise it with --max-file-size)")
    problem = check_input(data, limit)
    try:
        if problem:
            raise plan.PlanError(*problem)
        root = plan.read(data)
    except plan.PlanError as exc:
        raise UsageError(f"{path}:{exc.line}: {exc}" if exc.line else f"{path}: {exc}") from None
    ruleset = load_rules(config.rule_dirs)
    rules = {r.id: r for r in list(ruleset.rules) + list(BUILTIN_RULES)}
    check_ids(config, args, set(rules))
    engine = Engine(ruleset, config.options)
    # The file rules see the planned values; a plan's name need not end in .json to be one.
    result = engine.analyze(path if path.lower().endswith(".json") else f"{path}.json", data)
    # Said with the resource's address; no fix, since it would edit generated JSON: the change
    # belongs in the .tf source.
    addresses = plan.planned_addresses(root)
    findings = [replace(f, path=path, fix=None, message=_at(addresses, f.start_byte) + f.message)
                for f in result.findings]
    findings += plan.findings(path, data, config.options, lambda type_: lost("terraform", type_), root)
    report = Report(findings=sorted(findings, key=lambda f: f.sort_key), errors=result.errors,
                    rules=rules, file_count=1,
                    colour=sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    FORMATS[ALIASES.get(args.format, args.format)](report, sys.stdout)
    failing = config.fail_on != Severity.OFF and any(f.severity >= config.fail_on for f in report.findings)
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def _at(addresses: list[tuple[int, int, str]], offset: int) -> str:
    return next((f"{address}: " for start, end, address in addresses if start <= offset < end and address), "")


def _read(path: str, limit: int) -> bytes:
    try:
        if path == "-":
            return sys.stdin.buffer.read(limit + 1)
        with open(path, "rb") as handle:
            return handle.read(limit + 1)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
