"""RE2 compilation for rule patterns (regexes, value globs, key globs): linear time, no hangs."""

from __future__ import annotations

import re
from functools import cache

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
