"""The keys a subject's map body must hold for a matcher to fire: lets a reader skip the subjects no rule can match."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Callable, Iterable

import re2

from blastguard.engine.conditions import (
    All, Any_, Condition, Empty, Not, PortRange, Present, RefersTo, RegexTest, Resolved, ScalarTest,
)
from blastguard.engine.levels import Levels
from blastguard.engine.patterns import options
from blastguard.engine.text_gate import text_gate
from blastguard.engine.paths import ANY_KEY, DOC, NAMED, OWNER, REF, ROOT, _index, key_glob

# Keys = a frozenset of key names and key globs, one of which the body must hold; None = no such bound.
Keys = frozenset | None


def matcher_keys(each: tuple[str, ...] | None, where: Condition | None) -> Keys:
    """For a body that is a map: `each` reaches nothing, and `where` is never true, unless the
    map holds a key the result accepts (paths.resolve reads a map's keys exactly, or by glob)."""
    if each is not None:
        return _first_key(each)
    return _required(where) if where is not None else None


def _first_key(path: tuple[str, ...]) -> Keys:
    if not path or REF in path:
        return None
    first = path[0]
    # `$`/`$owner`/`$doc` start elsewhere, `*` takes any key, `[1]` reads a list, not a map.
    if first in (ROOT, OWNER, DOC, ANY_KEY) or _index(first) is not None:
        return None
    return frozenset((first,))


def _required(condition: Condition) -> Keys:
    """Keys without which the condition is false (or unknown) on a map: every test below finds
    nothing at a path whose first key is absent, and is false then, except `present: false`."""
    if isinstance(condition, (ScalarTest, Empty, Resolved, RefersTo)):
        return _first_key(condition.path)
    if isinstance(condition, Present):
        return _first_key(condition.path) if condition.wanted else None
    if isinstance(condition, PortRange):
        return _first_key(condition.low)
    if isinstance(condition, Levels):  # its `any` of one path and deeper ones under it
        return _first_key(condition.first.path)
    if isinstance(condition, All):  # each part must hold: any one part's bound will do
        bounds = [keys for keys in map(_required, condition.parts) if keys is not None]
        return min(bounds, key=len) if bounds else None
    if isinstance(condition, Any_):  # some part must hold: bounded only if every part is
        bounds = [_required(part) for part in condition.parts]
        return None if not bounds or None in bounds else frozenset().union(*bounds)
    if isinstance(condition, Not):
        return None
    return None


@dataclass(frozen=True, slots=True)
class Demand:
    """What a subject of one type must hold for some rule to fire on it. `test` takes the keys of
    its map body and says whether one may be read (None: no bound, the body is always made);
    `each_only`: every rule reads the body through an `each` path, which reaches nothing from a
    body that is neither a map nor a list (a scalar, a variable)."""

    test: Callable[[Iterable[str]], bool] | None
    each_only: bool
    # For a string subject: (literals, folded) pairs, one of whose literals the string must
    # contain (lower-cased first when folded) for a rule to fire on it; None: no such bound.
    texts: tuple[tuple[tuple[str, ...], bool], ...] | None = None
    # Whether a file's text holds one of those literals (case-insensitively where folded): a scan
    # shared with every other demand's (_Literals); `holds` asks the same of a string's text.
    found_in: Callable[[bytes], bool] | None = None
    # Whether a source text may spell a key `test` accepts; None when a key the reader makes up
    # (a position, the callee) may pass, so the text cannot tell.
    spelled_in: Callable[[bytes], bool] | None = None
    # Every key of the map body any path of the matchers reads; None: no such bound (body_reads).
    reads: frozenset | None = None
    # Every rule's `each` starts with a key step: through a body holding no map (lists are walked
    # through) it reaches only unknowns, which `each` drops, so such a body is not worth making.
    maps_only: bool = False
    holds: Callable[[bytes], bool] | None = None
    # Whether the map body's source text data[start:end] may give a finding (text_gate); None: no such bound.
    text_gate: Callable[[bytes, int, int], bool] | None = None
    # Whether a matcher may read the whole document (`$doc.`), beyond its subject and what that names.
    reads_document: bool = True


def demand_of(matchers: list) -> Demand:
    """The demand of a type's candidate matchers: the body may meet any of them."""
    bounds = [matcher_keys(m.each, m.where) for m in matchers]
    test = None if None in bounds else key_test(frozenset().union(*bounds))
    texts = [_needed_text(m.where) if m.each is None and m.where is not None else None for m in matchers]
    texts = None if None in texts else tuple(texts)
    # As analyze._may_reach: an `each` that starts at the body reaches nothing from a scalar.
    each_only = all(m.each and m.each[0] not in (ROOT, OWNER, DOC) for m in matchers)
    maps_only = each_only and all(_keyed(m.each) for m in matchers)
    keys = None if test is None else frozenset().union(*bounds)
    return Demand(test, each_only, texts, _scanner(_text_literals(texts)) if texts else None, _speller(keys),
                  body_reads(matchers), maps_only, _finder(texts) if texts else None, text_gate(matchers),
                  reads_document(matchers))


def body_reads(matchers: list) -> frozenset | None:
    """The keys of a subject's map body that the matchers' paths (each, where, report) can read:
    a body holding only those gives the same findings. None when a path may read another (a
    glob or `*` first key, the owner, the document, a reference) or a fix edits the body."""
    keys: set[str] = set()
    for matcher in matchers:
        paths = _condition_paths(matcher.where) if matcher.where is not None else []
        if matcher.fix is not None or paths is None:
            return None
        paths += [matcher.report] if matcher.report is not None else []
        if matcher.each is not None:
            # The others start at the nodes `each` reaches, unless they start at the subject's root.
            paths = [matcher.each] + [p for p in paths if p[:1] == (ROOT,)]
        for path in paths:
            if REF in path or any(segment.startswith(NAMED) for segment in path):
                return None
            first = path[1:2] if path[:1] == (ROOT,) else path[:1]
            if not first or first[0] in (OWNER, DOC) or "*" in first[0] or "?" in first[0] \
                    or _index(first[0]) is not None:
                return None
            keys.add(first[0])
    return frozenset(keys)


def reads_document(matchers: list) -> bool:
    """Whether a matcher's path may start at the document (`$doc.`); so may a condition unknown here."""
    for matcher in matchers:
        paths = [matcher.each, matcher.report]
        if matcher.where is not None:
            found = _condition_paths(matcher.where)
            if found is None:
                return True
            paths.extend(found)
        if any(path is not None and DOC in path for path in paths):
            return True
    return False


def _condition_paths(condition: Condition) -> list[tuple[str, ...]] | None:
    """Every path a condition reads from the node it is asked of; None for a condition unknown here."""
    if isinstance(condition, (All, Any_)):
        found: list[tuple[str, ...]] = []
        for part in condition.parts:
            paths = _condition_paths(part)
            if paths is None:
                return None
            found.extend(paths)
        return found
    if isinstance(condition, Not):
        return _condition_paths(condition.part)
    if isinstance(condition, (ScalarTest, Empty, Resolved, RefersTo, Present)):
        return [condition.path]
    if isinstance(condition, PortRange):
        return [condition.low, condition.high]
    if isinstance(condition, Levels):  # deeper levels are below its first path
        return [condition.first.path]
    return None


def _keyed(path: tuple[str, ...]) -> bool:
    """Whether the path's first step reads a map's keys (paths.resolve): from a scalar it finds
    nothing and from an unknown only that unknown, unlike `[1]`, which takes a list's element."""
    return _index(path[0]) is None and not any(step.startswith("$") for step in path)


# Keys a reader makes rather than reads from the text (python's callee, splats and positions).
_MADE_KEYS = ("()", "(args)", "(kwargs)", "0", "1", "12")


@cache  # one per key set: a reader asks each once per file
def _speller(keys: frozenset | None) -> Callable[[bytes], bool] | None:
    """A key read from the text is spelled there: an exact key as it is, a `*`-glob's longest
    literal piece in any case (RE2 folds as the key glob does)."""
    if keys is None or key_test(keys)(_MADE_KEYS) \
            or any("?" in k or k.isdigit() or "(" in k for k in keys):
        return None
    exact = [k for k in keys if "*" not in k]
    pieces = [max(k.split("*"), key=len) for k in keys if "*" in k]
    if any(not piece or piece.isdigit() for piece in pieces):
        return None
    return _scanner(((False, exact), (True, pieces)))


def _text_literals(texts) -> tuple:
    return tuple((folded, sorted({n for needs, fold in texts if fold == folded for n in needs}))
                 for folded in (False, True))


def _finder(texts) -> Callable[[bytes], bool]:
    """RE2's case folding also folds a few non-ASCII letters onto ASCII ones (the Kelvin sign):
    it may find more than a lower-cased comparison would, never less, which only costs time.
    One set of one pattern, the folded literals in a `(?i:...)` group: a string is asked once,
    and a set's answer is a list, not a match object (a third of the cost of two searches)."""
    parts = []
    for folded, literals in _text_literals(texts):
        if literals:
            pattern = b"|".join(re2.escape(n.encode("utf-8", "surrogatepass")) for n in literals)
            parts.append(b"(?i:" + pattern + b")" if folded else pattern)
    matcher = re2.Set.SearchSet(options())
    matcher.Add(b"|".join(parts))
    matcher.Compile()
    match = matcher.Match
    return lambda data: bool(match(data))


def _scanner(literals) -> Callable[[bytes], bool]:
    """Whether a file's text holds one of the (folded, literals) pairs' literals, as _finder's
    search tells (RE2 folds `(?i:...)` as it folds a case-insensitive pattern)."""
    wanted = frozenset().union(*(_LITERALS.add(texts, folded) for folded, texts in literals))
    return lambda data: not wanted.isdisjoint(_LITERALS.found(data))


class _Literals:
    """Every literal the demands look for in a file, found in one pass of an RE2 set: a Python
    file is asked about the call and def rules' key sets and the string rules' texts, and one
    search each read the whole file up to ten times."""

    def __init__(self) -> None:
        self._index: dict[tuple[bytes, bool], int] = {}
        self._set = None
        self._last: tuple = (None, None, frozenset())  # (text, the set it was scanned with, found)

    def add(self, literals, folded: bool) -> frozenset[int]:
        ids = []
        for literal in literals:
            key = (literal.encode("utf-8", "surrogatepass"), folded)
            if key not in self._index:
                self._index[key] = len(self._index)
                self._set = None
            ids.append(self._index[key])
        return frozenset(ids)

    def found(self, data: bytes) -> frozenset[int]:
        """The indices of the literals `data` holds; the last text's are kept, since the reader
        asks about one file several times (the text object is the same one)."""
        if not self._index:
            return frozenset()
        matcher = self._set or self._compile()
        last = self._last
        if last[0] is data and last[1] is matcher:
            return last[2]
        found = frozenset(matcher.Match(data) or ())
        self._last = (data, matcher, found)
        return found

    def _compile(self):
        matcher = re2.Set.SearchSet(options())
        for literal, folded in self._index:  # in index order: Add numbers them from 0
            pattern = re2.escape(literal)
            matcher.Add(b"(?i:" + pattern + b")" if folded else pattern)
        matcher.Compile()
        self._set = matcher
        return matcher


_LITERALS = _Literals()


def _needed_text(condition: Condition) -> tuple[tuple[str, ...], bool] | None:
    """The literals a regex on the node itself needs (conditions.precheck's test): RegexTest
    rejects a value without one before RE2 is asked, and so does its `partial` for a template."""
    if isinstance(condition, ScalarTest) and not condition.path and isinstance(condition.test, RegexTest):
        needs = condition.test.needs
        return None if needs is None else (needs, condition.test.fold)
    if isinstance(condition, All):
        return next((found for found in map(_needed_text, condition.parts) if found is not None), None)
    return None


def key_test(keys: frozenset) -> Callable[[Iterable[str]], bool]:
    """Whether some key of a body is one `keys` accepts, as paths.resolve accepts it. Globs of the
    form `*suffix` are told for an ASCII key by its lower-cased ending, which is what RE2's
    case-insensitive match means there; any other key or glob goes through key_glob."""
    exact = frozenset(k for k in keys if "*" not in k)
    globs = [k for k in keys if "*" in k]
    simple = [g for g in globs if g.rfind("*") == 0 and "?" not in g and g.isascii()]
    suffixes = tuple(g[1:].lower() for g in simple)
    others = [key_glob(g) for g in globs if g not in simple]
    every = [key_glob(g) for g in globs]

    if not globs:
        return lambda body_keys: not exact.isdisjoint(body_keys)

    def test(body_keys: Iterable[str]) -> bool:
        for key in body_keys:
            if key in exact:
                return True
            if key.isascii():
                if key.lower().endswith(suffixes) or any(accepts(key) for accepts in others):
                    return True
            elif any(accepts(key) for accepts in every):
                return True
        return False

    return test
