"""`blastguard lsp`: start the language server."""

from __future__ import annotations


def register(sub) -> None:
    lsp = sub.add_parser("lsp", help="run the language server (stdio by default)")
    lsp.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    lsp.add_argument("--debounce-ms", type=int, metavar="N", help="override the debounce setting (0 for benchmarks)")
    lsp.add_argument("--no-incremental", action="store_true",
                     help="re-parse whole documents on every change (for comparison in benchmarks)")
    lsp.set_defaults(handler=run)


def run(args) -> int:
    from blastguard.lsp.server import run as serve  # pygls is only imported for the server

    return serve(args.tcp, args.debounce_ms, not args.no_incremental)
