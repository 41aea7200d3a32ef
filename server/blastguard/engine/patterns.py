"""RE2 compilation for rule patterns (regexes, value globs, key globs): linear time, no hangs."""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Callable

import re2

_WILDCARDS = re.compile(r"([*?])")


@cache
def options(ignore_case: bool = False) -> re2.Options:
    """Shared, never changed by a caller: RE2 copies its options into each compiled pattern."""
    result = re2.Options()
    result.case_sensitive = not ignore_case
    result.log_errors = False  # the loader reports bad patterns itself, in one line
    return result


@cache
def compile_glob(pattern: str, ignore_case: bool = False):
    """A whole-string glob (`*`, `?`) as an RE2 pattern, so no glob can backtrack exponentially."""
    # Every odd part is a wildcard, every even one the literal text between them.
    out = [(".*" if part == "*" else ".") if i % 2 else re2.escape(part)
           for i, part in enumerate(_WILDCARDS.split(pattern))]
    return re2.compile("(?s:" + "".join(out) + ")", options(ignore_case))


@cache
def compile_template(template: str, hole: str, ignore_case: bool = False):
    """An interpolated string as an RE2 pattern of every value it can take: its literal parts
    in order, anything where an expression (`hole`) stands."""
    pattern = ".*".join(re2.escape(part) for part in template.split(hole))
    return re2.compile("(?s:" + pattern + ")", options(ignore_case))


def glob_test(patterns: list[str], ignore_case: bool) -> Callable[[Any], bool]:
    # The literal head and tail of each glob reject almost every value before RE2 is asked:
    # a Python file has thousands of distinct callee names to test against `boto3.*delete_bucket`.
    # A glob of `*`s and literal text is then decided without RE2 (a call through google-re2's
    # wrapper costs more than the rest of a test), for any value compared as written and for an
    # ASCII one compared lower-cased, where RE2's folding and str.lower() agree.
    compiled = [(_literal_ends(p, ignore_case), compile_glob(p, ignore_case), _star_pieces(p, ignore_case))
                for p in patterns]

    def test(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        folded = value.lower() if ignore_case else value
        plain = not ignore_case or value.isascii()
        for (head, tail), pattern, pieces in compiled:
            if folded.startswith(head) and folded.endswith(tail):
                if pieces is not None and plain:
                    if _star_match(folded, pieces):
                        return True
                elif pattern.fullmatch(value):
                    return True
        return False

    return test


def _star_pieces(pattern: str, ignore_case: bool) -> list[str] | None:
    """The literal pieces between a glob's `*`s, or None for a glob `_star_match` cannot decide."""
    if "*" not in pattern or "?" in pattern or (ignore_case and not pattern.isascii()):
        return None
    return (pattern.lower() if ignore_case else pattern).split("*")


def _star_match(value: str, pieces: list[str]) -> bool:
    """Whether value matches the glob of these pieces: the first starts it, the last ends it, and
    the others follow in order between them (leftmost is enough: a `*` takes any text)."""
    head, tail = pieces[0], pieces[-1]
    at, stop = len(head), len(value) - len(tail)
    if stop < at or not value.startswith(head) or not value.endswith(tail):
        return False
    for piece in pieces[1:-1]:
        found = value.find(piece, at, stop)
        if found < 0:
            return False
        at = found + len(piece)
    return True


def _literal_ends(pattern: str, ignore_case: bool) -> tuple[str, str]:
    text = pattern.lower() if ignore_case else pattern
    cut = [i for i, c in enumerate(text) if c in "*?"]
    if not cut:
        return text, text
    return text[:cut[0]], text[cut[-1] + 1:]
