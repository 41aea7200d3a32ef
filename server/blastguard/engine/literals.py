"""The literal text a regex match must contain, so most values are rejected before RE2 is asked.

As in RE2's own prefilter and code search's trigram index: from the parsed pattern, a set of
strings such that every match contains at least one of them (`(AKIA|ASIA)[A-Z2-7]{16}` needs
"AKIA" or "ASIA"). A value holding none of them cannot match, and a substring test costs a
fraction of a call into RE2. Only a necessary condition: a value that passes still goes to RE2.

The pattern is read with Python's own regex parser, which shares RE2's syntax for everything
this looks at; a pattern it reads differently or refuses (POSIX classes, `\\pL`, `\\x{...}`)
simply gets no prefilter.
"""

from __future__ import annotations

import re
import warnings
from typing import Callable

try:  # a private module of the standard library: without it, every value goes to RE2
    from re import _constants as sre_constants, _parser as sre_parser
except ImportError:  # pragma: no cover - Python versions without it
    sre_constants = sre_parser = None

_MAX_SET = 16  # alternatives kept per position before the exact set is given up

Needs = tuple[tuple[str, ...], bool] | None
# Reading a pattern costs about half a millisecond, a one-file check reads some 150: results
# are remembered, and the rule cache stores them beside the rules they come from (`known`, `seed`).
_memo: dict[tuple[str, bool], Needs] = {}


def required(pattern: str, ignore_case: bool) -> Needs:
    """(strings one of which every match contains, whether they are lower-cased and must be
    looked for in a lower-cased value), or None when the pattern requires no literal text."""
    key = (pattern, ignore_case)
    if key not in _memo:
        _memo[key] = _required(pattern, ignore_case)
    return _memo[key]


def known() -> list[list]:
    """Every result so far, as JSON-ready [pattern, ignore_case, needs or None, fold] rows."""
    return [[p, i, list(r[0]) if r else None, r[1] if r else False] for (p, i), r in _memo.items()]


def seed(rows: object) -> None:
    """Take results stored by `known`; anything not shaped like its rows is ignored whole."""
    if not isinstance(rows, list):
        return
    table: dict[tuple[str, bool], Needs] = {}
    for row in rows:
        if not (isinstance(row, list) and len(row) == 4 and isinstance(row[0], str)
                and isinstance(row[1], bool) and isinstance(row[3], bool)):
            return
        needs = row[2]
        if needs is None:
            table[(row[0], row[1])] = None
        elif isinstance(needs, list) and all(isinstance(n, str) for n in needs):
            table[(row[0], row[1])] = (tuple(needs), row[3])
        else:
            return
    _memo.update(table)


def _required(pattern: str, ignore_case: bool) -> Needs:
    if sre_parser is None or "[:" in pattern:  # `[[:alpha:]]` is a class in RE2, literals in Python
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = sre_parser.parse(pattern, 0)
    except (re.error, RecursionError, OverflowError, ValueError, TypeError):
        return None
    fold = ignore_case or bool(parsed.state.flags & re.IGNORECASE) or _folds(parsed.data)
    try:
        _, best = _sequence(parsed.data, fold)
    except RecursionError:
        return None
    if best is None:
        return None
    return tuple(sorted(best)), fold


def gate(needs: tuple[str, ...], fold: bool) -> Callable[[str], bool]:
    """A test for one pattern's `needs` (from `required`): False when a text holds none of them,
    so the pattern cannot match it. The literals are looked for in one pass of an alternation (a
    literal-only regex: no backtracking), four times faster than a substring test each over
    the short strings of a template."""
    search = re.compile("|".join(map(re.escape, needs))).search

    def may_contain(text: str) -> bool:
        if text.isascii():
            return search(text.lower() if fold else text) is not None
        if fold:
            # The only non-ASCII letters RE2's folding takes to ASCII are `ſ` (to `s`) and `K`
            # (Kelvin, to `k`), and str.lower() already does the second. Most such texts are
            # templates holding UNKNOWN_PART, which used to pass unsearched.
            return search(text.lower().replace("\u017f", "s")) is not None
        return search(text) is not None

    return may_contain


def set_gate(needs: tuple[str, ...], fold: bool) -> Callable[[bytes], bool]:
    """gate's test for a UTF-8 text, by one RE2 set of the literals (case-insensitive when
    `fold`: RE2 folds as the patterns themselves do): for a long text, such as many values joined,
    where re's alternation tries every literal at every position and RE2's automaton reads each
    byte once. Invalid UTF-8 (a lone surrogate passed through) is read byte by byte and matches
    no ASCII literal it does not hold."""
    import re2

    from blastguard.engine.patterns import options

    found = re2.Set.SearchSet(options(fold))
    for literal in needs:
        found.Add(re2.escape(literal.encode("utf-8")))
    found.Compile()
    match = found.Match
    return lambda data: bool(match(data))


def _folds(items) -> bool:
    """Whether some group turns case-insensitivity on: then every literal is compared folded."""
    for op, arg in items:
        if op == sre_constants.SUBPATTERN:
            if arg[1] & re.IGNORECASE or _folds(arg[3]):
                return True
        elif op == sre_constants.BRANCH:
            if any(_folds(alt) for alt in arg[1]):
                return True
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, _POSSESSIVE):
            if _folds(arg[2]):
                return True
    return False


_POSSESSIVE = getattr(sre_constants, "POSSESSIVE_REPEAT", None)


def _better(a: frozenset | None, b: frozenset | None) -> frozenset | None:
    """The more selective of two requirements: the longer shortest alternative, then fewer."""
    if a is None:
        return b
    if b is None:
        return a
    return a if (min(map(len, a)), -len(a)) >= (min(map(len, b)), -len(b)) else b


def _candidate(exact: frozenset | None) -> frozenset | None:
    # An exact set holding "" (an optional part, an anchor alone) requires nothing.
    return exact if exact and all(exact) else None


def _sequence(items, fold: bool) -> tuple[frozenset | None, frozenset | None]:
    """(the exact strings the sequence matches, if few and known; its best requirement)."""
    exact: frozenset = frozenset({""})  # what the current run of known parts matches
    whole = True  # no part broke the run: `exact` is the whole sequence's
    best = None
    for op, arg in items:
        item_exact, item_best = _item(op, arg, fold)
        if item_exact is not None and len(exact) * len(item_exact) <= _MAX_SET:
            exact = frozenset(a + b for a in exact for b in item_exact)
            continue
        whole = False
        best = _better(_better(best, _candidate(exact)), item_best)
        # A new run starts with this part, or after it when it matches unknown text.
        exact = item_exact if item_exact is not None else frozenset({""})
    best = _better(best, _candidate(exact))
    return (exact if whole else None), best


def _item(op, arg, fold: bool) -> tuple[frozenset | None, frozenset | None]:
    c = sre_constants
    if op == c.LITERAL:
        char = chr(arg)
        if not char.isascii():
            return None, None
        return frozenset({char.lower() if fold else char}), None
    if op == c.AT:
        return frozenset({""}), None  # an anchor matches no text
    if op == c.IN:
        if all(o == c.LITERAL for o, _ in arg) and len(arg) <= 6:
            chars = {chr(a) for _, a in arg}
            if all(ch.isascii() for ch in chars):
                return frozenset(ch.lower() if fold else ch for ch in chars), None
        return None, None
    if op == c.SUBPATTERN:
        return _sequence(arg[3], fold)
    if op == c.BRANCH:
        results = [_sequence(alt, fold) for alt in arg[1]]
        exacts = [e for e, _ in results]
        if all(e is not None for e in exacts):
            union = frozenset().union(*exacts)
            if len(union) <= _MAX_SET:
                return union, None
        bests = [_better(b, _candidate(e)) for e, b in results]
        if all(b is not None for b in bests):
            return None, frozenset().union(*bests)
        return None, None
    if op in (c.MAX_REPEAT, c.MIN_REPEAT) or (_POSSESSIVE is not None and op == _POSSESSIVE):
        low, high, body = arg
        if low == 0:
            return None, None
        body_exact, body_best = _sequence(body, fold)
        if low == high == 1:
            return body_exact, body_best
        return None, _better(body_best, _candidate(body_exact))
    return None, None  # any character, a class, a back-reference, a lookaround: no literal
