"""Entry point: build the parser from the subcommand modules, dispatch, map errors to exit codes."""

from __future__ import annotations

import sys

from blastguard import __version__
from blastguard.cli import check, guard, lsp, mcp, plan, rules
from blastguard.cli.usage import EXIT_CLEAN, EXIT_USAGE, Parser
from blastguard.errors import UserError

# A subcommand is a module with `register(subparsers)`, which adds its parser and sets
# `handler` (a function of the parsed arguments returning the exit code). List it here.
COMMANDS = (check, rules, lsp, plan, guard, mcp)


def build_parser() -> Parser:
    parser = Parser(prog="blastguard", description="Catches risky infrastructure changes as they are written.")
    parser.add_argument("--version", action="version", version=f"blastguard {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except UserError as exc:  # usage, config and rule-file errors: one line, no traceback
        sys.stderr.write(f"blastguard: error: {exc}\n")
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_CLEAN
    except KeyboardInterrupt:
        sys.stderr.write("blastguard: interrupted\n")
        return 130
