"""The literals a subject's source text must hold for a rule to fire on it: lets a YAML reader leave
a CloudFormation resource no rule can match as text, unconverted."""

from __future__ import annotations

from typing import Callable

import re2

from blastguard.engine import secrets
from blastguard.engine.conditions import All, Any_, Condition, Not, RegexTest, ScalarTest
from blastguard.engine.levels import Levels
from blastguard.engine.patterns import options
from blastguard.engine.paths import ANY_KEY, _index
from blastguard.engine.values import UNKNOWN_PART

# (literal, folded): one of a matcher's literals, looked for case-insensitively when folded.
Needs = list[tuple[str, bool]] | None
# What str() of an int or a float can hold (a regex test reads numbers as text).
_NUMBER_TEXT = frozenset("0123456789.+-einfa")


def text_gate(matchers: list) -> Callable[[bytes, int, int], bool] | None:
    """Whether data[start:end], a subject's source, may give one of the matchers a finding: each
    needs a literal there (a key its `each` path names, or text its test needs in a value). None
    when a matcher needs none. What holds only for text a reader takes as it is written: escapes
    (`\\x41KIA`), `Fn::Join`'s concatenation and merge keys (`<<`) are the reader's to exclude;
    folding (a plain scalar over two lines) and `''` in single quotes are allowed for here."""
    needs = [matcher_needs(m) for m in matchers]
    if not needs or None in needs:
        return None
    literals = sorted({n for found in needs for n in found})
    pattern = "|".join(f"(?i:{_spelled(text)})" if folded else _spelled(text) for text, folded in literals)
    try:
        search = re2.compile(pattern.encode("utf-8"), options()).search
    except (re2.error, UnicodeEncodeError):  # a lone surrogate in a rule's literal: no bound
        return None
    return lambda data, start, end: search(data, start, end) is not None


def _spelled(literal: str) -> str:
    """A literal as source text may spell it: a space may be a folded line break and indentation."""
    return "".join(r"\s+" if c.isspace() else "''?" if c == "'" else re2.escape(c) for c in literal)


def matcher_needs(matcher) -> Needs:
    """The literals one of which a subject's source holds when the matcher fires on it, or None.
    A node `each` reaches is the value of a key spelled as its step says (through unknowns it
    reaches only unknowns, which `each` drops); a test's literals are in the value it passes."""
    if matcher.each is not None:
        found = _path_needs(matcher.each)
        if found is not None:
            return found
    if matcher.where is None or (matcher.each is not None and _escapes(matcher.each)):
        return None
    return _condition_needs(matcher.where)


def _escapes(path: tuple[str, ...]) -> bool:
    """Whether the path may read outside the node it starts at (`$owner`, `$doc`, `$ref`, `$named:`)."""
    return any(step.startswith("$") for step in path)


def _path_needs(path: tuple[str, ...]) -> Needs:
    if _escapes(path):
        return None
    for step in reversed(path):  # the last key is the rarest (`Properties.*Password`)
        if step == ANY_KEY or _index(step) is not None:
            continue
        if "*" in step or "?" in step:  # a key glob ignores case (paths.key_glob)
            piece = max(step.replace("?", "*").split("*"), key=len)
            if piece:
                return [(piece, True)]
        else:
            return [(step, False)]
    return None


def _condition_needs(condition: Condition) -> Needs:
    if isinstance(condition, Levels):
        condition = condition.first  # deeper levels are below its path, with the same test
    if isinstance(condition, ScalarTest):
        if _escapes(condition.path):
            return None
        found = _test_needs(condition.test)
        if found is not None and condition.in_tests is not None:
            other = _test_needs(condition.in_tests)
            found = None if other is None else found + other
        return found
    if isinstance(condition, Any_):  # some part holds: each must need a literal
        parts = [_condition_needs(part) for part in condition.parts]
        return None if not parts or None in parts else [n for part in parts for n in part]
    if isinstance(condition, All):  # every part holds: any one part's literals will do
        return next((found for found in map(_condition_needs, condition.parts) if found is not None), None)
    if isinstance(condition, Not):
        return None
    return None


def _test_needs(test) -> Needs:
    """The literals a value passing the test holds (RE2's folding, as the source is searched)."""
    if test is secrets.script_secret or test is secrets.key_secret:
        needs = secrets._script_needs()
        if test is secrets.key_secret:
            needs = needs[:1]
        if any(n is None for n in needs):
            return None
        return [(literal, fold) for literals, fold in needs for literal in literals]
    if isinstance(test, RegexTest) and test.needs is not None:
        if any(UNKNOWN_PART in n or "$" in n for n in test.needs):
            return None  # text of a template's unknown part (`${X}` in the source)
        # A number is tested as its str(), which its source need not spell (`0x1F` is "31").
        if any(set(n.lower()) <= _NUMBER_TEXT for n in test.needs):
            return None
        return [(literal, test.fold) for literal in test.needs]
    return None

