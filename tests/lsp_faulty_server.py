"""`blastguard lsp` with an engine that fails on documents named boom* (a rule with a bug) and
never finishes documents named spin* (an analysis that loops; it says so on stderr first)."""

import sys

from blastguard.engine.analyze import Engine
from blastguard.lsp.server import run

_findings = Engine.findings


def findings(self, doc, *args, **kwargs):
    if "boom" in doc.path:
        raise RuntimeError("a rule raised")
    if "spin" in doc.path:
        sys.stderr.write("spinning\n")
        sys.stderr.flush()
        while True:
            pass
    return _findings(self, doc, *args, **kwargs)


Engine.findings = findings
sys.exit(run(debounce_ms=0))
