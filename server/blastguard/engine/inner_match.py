"""The lines inside a multi-line value that made a rule's test pass (the `${{ }}` of a `run: |`
script, the token in a heredoc, the `rm -rf /` of an Ansible `shell: |` block), so a finding
marks those lines rather than the key the whole value hangs from."""

from __future__ import annotations

from typing import Any, Callable

from blastguard.engine.conditions import All, Any_, Condition, ScalarTest
from blastguard.engine.values import SCALAR, UNKNOWN, Node


def tests(condition: Condition | None, focus: tuple[str, ...] | None = None) -> tuple[tuple, ...]:
    """The ways a line may make the condition true, each the scalar tests at the reported path
    (`focus`: the matcher's `report`, else the path of the first test) that must all pass."""
    if focus is None:
        focus = _first_path(condition)
    if focus is None:
        return ()
    return tuple(alt for alt in _alternatives(condition, focus) if alt)


def _first_path(condition) -> tuple[str, ...] | None:
    if isinstance(condition, ScalarTest):
        return condition.path
    if isinstance(condition, (All, Any_)):
        return next((p for p in map(_first_path, condition.parts) if p is not None), None)
    return None


def _alternatives(condition, focus: tuple[str, ...]) -> list[tuple]:
    if isinstance(condition, ScalarTest):
        return [(condition.test,)] if condition.path == focus else [()]
    if isinstance(condition, Any_):
        return [alt for part in condition.parts for alt in _alternatives(part, focus)]
    if isinstance(condition, All):
        found: list[tuple] = [()]
        for part in condition.parts:
            found = [a + b for a in found for b in _alternatives(part, focus)][:_MOST]
        return found
    return [()]  # presence, ports, `not`: not a test a line passes


_MOST = 16  # alternatives kept: rules' conditions have a handful


def spans(checks: tuple[tuple[Callable[[Any], bool], ...], ...], node: Node, data: bytes) -> list[tuple[int, int]]:
    """The source span of each line of a multi-line string node that passes the tests of one of
    the ways (`tests`) on its own, where the line stands in the source as it reads in the value (block scalars and
    heredocs: only the indentation differs). Empty when no line passes alone (the test needs
    the whole text) or the source spells the value differently (escapes, folded lines): the
    finding then keeps the whole value."""
    value = node.value
    if node.kind not in (SCALAR, UNKNOWN) or not isinstance(value, str) or "\n" not in value:
        return []
    if node.kind == UNKNOWN:  # a template: only literal parts may match (RegexTest.partial)
        checks = tuple(alt for alt in (tuple(getattr(t, "partial", None) for t in alt) for alt in checks)
                       if None not in alt)
    if not checks:
        return []
    found: list[tuple[int, int]] = []
    source = data[node.start:node.end]
    cursor = 0
    for line in value.split("\n"):
        text = line.strip().encode("utf-8", "surrogatepass")
        if not text:
            continue
        at = source.find(text, cursor)
        if at < 0:
            return []  # the source does not read line by line as the value does
        cursor = at + len(text)
        if any(all(test(line) for test in alt) for alt in checks):
            found.append((node.start + at, node.start + cursor))
    return found
