"""RE2 compilation for rule patterns (regexes, value globs, key globs): linear time, no hangs."""

from __future__ import annotations

from functools import cache

import re2


def options(ignore_case: bool = False) -> re2.Options:
    result = re2.Options()
    result.case_sensitive = not ignore_case
    result.log_errors = False  # the loader reports bad patterns itself, in one line
    return result


@cache
def compile_glob(pattern: str, ignore_case: bool = False):
    """A whole-string glob (`*`, `?`) as an RE2 pattern, so no glob can backtrack exponentially."""
    out = []
    for char in pattern:
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        else:
            out.append(re2.escape(char))
    return re2.compile("(?s:" + "".join(out) + ")", options(ignore_case))


@cache
def compile_template(template: str, hole: str, ignore_case: bool = False):
    """An interpolated string as an RE2 pattern of every value it can take: its literal parts
    in order, anything where an expression (`hole`) stands."""
    pattern = ".*".join(re2.escape(part) for part in template.split(hole))
    return re2.compile("(?s:" + pattern + ")", options(ignore_case))
