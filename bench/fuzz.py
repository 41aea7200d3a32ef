"""Longer mutation fuzzing of the engine over examples/ and ../shared/corpus (see tests/fuzzing.py):
prints how many cases ran, how many had fixes checked, and every failure."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from blastguard.engine.analyze import Engine  # noqa: E402
from blastguard.engine.loader import load_rules  # noqa: E402
from tests import fuzzing  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    outcome = fuzzing.run(Engine(load_rules()), args.seconds, args.seed)
    print(f"{outcome.files} files, {outcome.cases} mutated cases, {outcome.fixed} with fixes checked, "
          f"{len(outcome.failures)} failures")
    for failure in outcome.failures:
        print(failure)
    sys.exit(1 if outcome.failures else 0)


if __name__ == "__main__":
    main()
