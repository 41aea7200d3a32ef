"""An `any` of one scalar test at a path and at each `*` level below it, reached level by level."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from blastguard.engine.conditions import FALSE, TRUE, UNKNOWN_RESULT, Condition, Result, ScalarTest
from blastguard.engine.paths import ANY_KEY, flatten, locate
from blastguard.engine.values import LIST, MAP, SCALAR, UNKNOWN, Node


@dataclass(slots=True)
class Levels(Condition):
    """`{any: [{path: P.*, secret: script}, {path: P.*.*, ...}, ...]}` (CFN503, four levels under
    each resource's properties) as one condition: each level is resolved from the nodes of the
    level above, where the `any` resolved every path from the subject again. Same answer and
    witnesses: resolving `P.*` is resolving `P`, then `*` from each node found, in order."""

    first: ScalarTest  # the test at the shallowest path
    depth: int  # the number of levels, the first included
    # The test's `none_of(texts)`, when it has one and it speaks for every leaf (see levels()):
    # true when the test is false on each text and on anything not a string.
    none_of: Callable[[list[str]], bool] | None = None
    # The first path's key when it is `key.*` (a plain key, as resolve reads it), else None.
    key: str | None = None

    def evaluate(self, node: Node, scope=None) -> Result:
        child = node.value.get(self.key) if self.key is not None and node.kind == MAP else None
        if child is not None and child.kind == MAP:
            found = list(child.value.values())  # `Properties.*` of a resource: locate's answer, without its calls
        else:
            found = locate(node, scope, self.first.path)
        if self.none_of is not None:
            # Every string of every level asked at once: nearly always none can pass, and then no
            # level holds, unknown if some leaf is (judge's answer where its test is false on
            # each). The levels are walked as below, in any order: the answer does not depend on it.
            texts: list[str] = []
            add = texts.append
            unknown = False
            level = found
            for depth in range(self.depth, 0, -1):
                below: list[Node] = []
                deeper = below.extend if depth > 1 else None
                pending = list(level)
                for item in pending:  # a list's items are appended, and read in turn
                    kind = item.kind
                    if kind == SCALAR:  # most nodes: tested first
                        if isinstance(item.value, str):
                            add(item.value)
                    elif kind == MAP:
                        if deeper is not None:
                            deeper(item.value.values())
                    elif kind == LIST:
                        pending.extend(item.value)
                    elif kind == UNKNOWN:
                        unknown = True
                        if isinstance(item.value, str):
                            add(item.value)
                level = below
            if self.none_of(texts):
                return (UNKNOWN_RESULT, []) if unknown else (FALSE, [])
        unknown = False
        for level in range(self.depth):
            if level:
                found = _below(found)
            truth, witnesses = self.first.judge(found, scope)
            if truth == TRUE:
                return TRUE, witnesses
            if truth == UNKNOWN_RESULT:
                unknown = True
        return (UNKNOWN_RESULT, []) if unknown else (FALSE, [])


def _below(found: list[Node]) -> list[Node]:
    """resolve(parent, ("*",)) of each node, in order, without a call per node: a map's values,
    lists walked through, scalars dropped. resolve keeps an unknown as itself (it stands for what is
    below it), but this level's judge already saw it: the same test on the same node, under an
    `any` that is not `every`, can only give the unknown it gave there, so it is dropped."""
    below: list[Node] = []
    for parent in found:
        for item in flatten(parent) if parent.kind == LIST else (parent,):
            if item.kind == MAP:
                below.extend(item.value.values())
    return below


def levels(parts: list[Condition]) -> Levels | None:
    """The Levels an `any` of these parts is, or None: one test (the same object, not `every`)
    at a plain path, then at that path with one more `*` per part."""
    first = parts[0] if parts else None
    if len(parts) < 2 or not isinstance(first, ScalarTest) or not first.path or first.every:
        return None
    if any(segment[:1] in ("$", "[") for segment in first.path):  # `$doc.`, `$ref`, `[1]`: not plain
        return None
    for depth, part in enumerate(parts):
        if not isinstance(part, ScalarTest) or (part.test, part.in_tests, part.every) != (first.test, first.in_tests, False) \
                or part.path != first.path + (ANY_KEY,) * depth:
            return None
    test = first.test
    # The one-search rejection holds where judge asks nothing but the test of each leaf: the
    # same test for templates' literal parts (or none), none other in test code, no `excludes`.
    none_of = getattr(test, "none_of", None)
    if first.in_tests is not None or getattr(test, "partial", test) is not test or getattr(test, "excludes", None):
        none_of = None
    path = first.path
    key = path[0] if len(path) == 2 and path[1] == ANY_KEY and "*" not in path[0] else None
    return Levels(first, len(parts), none_of, key)
