"""CPU time of one keystroke in the server's own steps, in process: the edit applied to the open
document, the analysis (tree copied, findings of unchanged units reused) and the diagnostics made
ready to publish, for lsp_latency's three shapes. CPU time, not wall time, so a busy machine
changes the figures less than it changes the over-stdio ones (which add the wait for a core,
the hand-off to the analysis thread and the pipe)."""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lsp_latency import (CORPUS, EDITS, GOALS, SIZES, grow, percentile,  # noqa: E402
                         shapes, typing_edits)

from blastguard.engine.analyze import Engine  # noqa: E402
from blastguard.engine.loader import load_rules  # noqa: E402
from blastguard.lsp import changes  # noqa: E402
from blastguard.lsp.documents import OpenDocument  # noqa: E402
from lsprotocol import converters  # noqa: E402


def keystrokes(engine: Engine, name: str, text: str, seed: int = 7) -> list[float]:
    """Milliseconds of CPU per keystroke: a character typed at a random place, then deleted."""
    doc = OpenDocument(f"file:///bench/{name}", f"/bench/{name}", 1, text.encode())
    unstructure = converters.get_converter().unstructure
    rules = {r.id: r for r in engine.rules.rules}

    def analyse() -> None:
        tree = doc.tree.copy() if doc.tree is not None else None
        doc.result = engine.analyze(doc.path, doc.data, tree, doc.reuse, doc.lines)
        doc.result_version = doc.version
        if doc.result.tree is not None:
            doc.tree = doc.result.tree
        changes.pushed(doc, "utf-16", rules, "hint", unstructure)

    analyse()
    gc.freeze()  # as the server does after start-up
    samples = []
    for version, edit in typing_edits(text, seed):
        span = edit["range"]
        change = SimpleNamespace(text=edit["text"], range=SimpleNamespace(
            start=SimpleNamespace(**span["start"]), end=SimpleNamespace(**span["end"])))
        began = time.process_time()
        doc.apply(change, "utf-16")
        doc.version = version
        analyse()
        samples.append((time.process_time() - began) * 1000)
    gc.unfreeze()
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--shapes", default="small,large,kubernetes", help="of small,large,kubernetes")
    opts = parser.parse_args()
    kinds = shapes(opts.shapes.split(","))
    engine = Engine(load_rules())
    print(f"CPU per keystroke in process (edit, analysis, diagnostics); {EDITS} single-character edits; "
          f"Kubernetes manifests from {CORPUS if CORPUS.is_dir() else 'examples/'}; load average "
          f"{os.getloadavg()[0]:.1f}")
    for name, base, separator in kinds:
        for size in (int(s) for s in opts.sizes.split(",")):
            text = grow(base, size, separator)
            samples = keystrokes(engine, name, text)
            goal = next((f"{g:.0f}" for n, g in sorted(GOALS.items()) if size <= n), "-")
            print(f"{name:16} {text.count(chr(10)):>7,} lines  p50 {statistics.median(samples):6.2f} ms  "
                  f"p95 {percentile(samples, 0.95):6.2f} ms  (over-stdio goal p95 {goal} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
