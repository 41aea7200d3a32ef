"""Runs the Blastguard bundled with the VS Code extension, on the libraries built for this Python.

`bundled/libs/cp3XY` holds what differs per CPython version (compiled extensions) and
`bundled/libs/common` what is the same for all; both go first on sys.path, so nothing installed
in the interpreter is used. The extension runs it as `python -I launch.py lsp`.
"""

import os
import runpy
import sys

LIBS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "libs")
NO_LIBRARIES = 3  # the exit status the extension reads as "this Python cannot run the bundled server"


def main() -> None:
    tag = f"cp{sys.version_info[0]}{sys.version_info[1]}"
    here = os.path.join(LIBS, tag)
    if not os.path.isdir(here):
        bundled = sorted(name for name in os.listdir(LIBS) if name.startswith("cp")) if os.path.isdir(LIBS) else []
        versions = ", ".join(f"{name[2]}.{name[3:]}" for name in bundled) or "none"
        sys.stderr.write(f"blastguard: the bundled server has no libraries for Python "
                         f"{sys.version_info[0]}.{sys.version_info[1]} (bundled: {versions})\n")
        raise SystemExit(NO_LIBRARIES)
    sys.path[:0] = [here, os.path.join(LIBS, "common")]
    sys.argv[0] = "blastguard"
    runpy.run_module("blastguard", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
