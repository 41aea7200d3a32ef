"""Reproduce the grammar limits Blastguard works around, and print what `check` does with each.

For each input: the exit status of a bare tree-sitter parse in a child process (-11 is a
segfault, -6 an abort), then `blastguard check`'s exit code, time and peak memory (RSS of the
child), and its first error or finding. Shapes: nested block mappings (tree-sitter-yaml#48),
`- a:` sequences of mappings (two scanner levels a line), a bundle over 32,768 lines
(tree-sitter-yaml#49), one document over 32,768 lines, deep Python indentation.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n  - name: app\n"
       "    image: nginx\n    securityContext:\n      privileged: true\n")
CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\ndata:\n" + "".join(
    f"  key{j}: value{j}\n" for j in range(38))

SHAPES = {
    "yaml: 253 nested mappings": ("deep.yaml", "yaml", "".join(" " * i + "a:\n" for i in range(253))),
    "yaml: 300 nested mappings": ("deep.yaml", "yaml", "".join(" " * i + "a:\n" for i in range(300))),
    "yaml: 130 nested `- a:`": ("deep.yaml", "yaml", "".join(" " * (2 * i) + "- a:\n" for i in range(130))),
    "yaml: 40,000-line bundle": ("bundle.yaml", "yaml", "---\n".join(
        [POD.format(name="first")] + [CONFIG_MAP.format(i=i) for i in range(910)] + [POD.format(name="last")])),
    "yaml: one 33,000-line document": ("big.yaml", "yaml", POD.format(name="big") + "  annotations:\n" + "".join(
        f"    k{i}: v{i}\n" for i in range(33_000))),
    "python: 1,000 nested ifs": ("deep.py", "python", "".join(" " * i + "if x:\n" for i in range(1000)) + " " * 1000 + "pass\n"),
}

PARSE = "import sys; from blastguard.engine import parsing; parsing.parse(sys.argv[1], open(sys.argv[2], 'rb').read())"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for label, (name, grammar, text) in SHAPES.items():
            path = Path(tmp) / name
            path.write_text(text)
            bare = subprocess.run([sys.executable, "-c", PARSE, grammar, str(path)], capture_output=True)
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "blastguard", "check", "--no-config", "--format", "json",
                                   str(path)], capture_output=True, text=True)
            seconds = time.perf_counter() - start
            peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
            try:
                report = json.loads(done.stdout)
                first = report["errors"][:1] or [(f["rule"], f["start"]["line"]) for f in report["findings"]]
            except ValueError:
                first = done.stderr.strip().splitlines()[-1:]
            print(f"{label:34} {text.count(chr(10)):>7} lines  bare parse exit {bare.returncode:>4}  "
                  f"check exit {done.returncode} in {seconds:.2f} s, peak RSS {peak:.0f} MB (max so far): {first}")


if __name__ == "__main__":
    main()
