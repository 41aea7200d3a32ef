"""The `blastguard` command line: one module per subcommand, registered in `cli.main`."""

from blastguard.cli.main import main

__all__ = ["main"]
