"""Entry point for `python -m blastguard`."""

from blastguard.cli import main

raise SystemExit(main())
