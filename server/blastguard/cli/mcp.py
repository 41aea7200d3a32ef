"""`blastguard mcp`: the MCP server for coding agents (stdio), when the optional `mcp` SDK is installed."""

from __future__ import annotations

import sys

from blastguard.cli.usage import EXIT_USAGE

INSTALL = "blastguard mcp needs the MCP Python SDK: pip install 'blastguard[mcp]'"


def register(sub) -> None:
    mcp = sub.add_parser("mcp", help="run the MCP server (stdio) with check and rule tools for coding agents")
    mcp.set_defaults(handler=run)


def run(args) -> int:
    try:
        from blastguard import mcp_server
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in ("mcp", "mcp_types", "pydantic"):
            raise
        sys.stderr.write(f"blastguard: error: {INSTALL}\n")
        return EXIT_USAGE
    return mcp_server.run()
