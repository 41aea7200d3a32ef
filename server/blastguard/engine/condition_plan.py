"""The order an `all` tests its parts in, and the parts several rules share, answered once per subject.

An `all` is false as soon as one part is: testing the cheap parts first (a plain key's `equals`
or `present`) spares the dear ones (a regex, a port range, a `$ref` followed) on most nodes. The
CloudFormation IAM rules test `Resource: "*"` on every statement after a regex on its actions,
and the security group rules test four CIDR paths, two through parameters, before the port they
are about. The truth of an `all` does not depend on the order, and its witnesses are put back in
the written order, so the answer is the same.

The same condition written in several rules (`Resource: "*"`, the `&ingress` CIDR test, each
rule file its own copy) is compiled once (`intern`); when a subject's rules test it on the same
node, the answer is kept for the subject (`Subject.memo`, set by Engine.findings) and reused.
Conditions are pure functions of the node and the subject, so a kept answer is the answer."""

from __future__ import annotations

import json
from typing import Any, Callable

from blastguard.engine.conditions import (
    All, Any_, Condition, Empty, EqualsTest, Not, PortRange, Present, RefersTo, Resolved, Result, ScalarTest,
)

_INTERNED: dict[str, Condition] = {}  # a condition's spec, as canonical JSON -> its compiled condition
_SHARED: set[int] = set()  # id() of the interned conditions more than one rule asked for


def intern(spec: Any, compile_: Callable[[Any], Condition]) -> Condition:
    """The condition compiled from spec, the same object for the same spec (a rule file's YAML is
    data: equal specs compile to conditions that give equal answers)."""
    try:
        key = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):  # a value JSON cannot spell (a YAML date): not shared
        return compile_(spec)
    found = _INTERNED.get(key)
    if found is None:
        found = _INTERNED[key] = compile_(spec)
    else:
        _SHARED.add(id(found))
    return found


def plan(parts: list[Condition]) -> tuple[tuple[int, ...] | None, list[Callable]]:
    """(the written index of each part in test order, or None when that is the written order;
    the parts' evaluate functions in test order, a shared part's through the subject's memo)."""
    order = tuple(sorted(range(len(parts)), key=lambda i: (cost(parts[i]), i)))
    calls = [_memoised(parts[i]) if id(parts[i]) in _SHARED else parts[i].evaluate for i in order]
    return (None if order == tuple(range(len(parts))) else order), calls


def _memoised(condition: Condition) -> Callable[[Any, Any], Result]:
    evaluate = condition.evaluate
    ident = id(condition)

    def shared(node, scope=None) -> Result:
        memo = getattr(scope, "memo", None)
        if memo is None:
            return evaluate(node, scope)
        key = (ident, node)  # the node itself, not its id: kept alive, its id is never reused meanwhile
        result = memo.get(key)
        if result is None:
            result = memo[key] = evaluate(node, scope)
        return result

    return shared


def cost(condition: Condition) -> int:
    """A rough price of testing the condition: one per plain key read, more for key globs, tests
    other than a set lookup, and steps that leave the node (`$ref`, `$doc`, `$named:`)."""
    if isinstance(condition, ScalarTest):
        return _path_cost(condition.path) + (0 if isinstance(condition.test, EqualsTest) else 2)
    if isinstance(condition, (Present, Empty, Resolved)):
        return _path_cost(condition.path)
    if isinstance(condition, RefersTo):
        return _path_cost(condition.path) + 2
    if isinstance(condition, PortRange):
        return _path_cost(condition.low) + _path_cost(condition.high) + 2
    if isinstance(condition, Not):
        return cost(condition.part)
    if isinstance(condition, (All, Any_)):
        return sum(map(cost, condition.parts))
    return 50  # Levels and anything else: a walk below the node


def _path_cost(path: tuple[str, ...]) -> int:
    price = 1
    for segment in path:
        if segment.startswith("$"):
            price += 8
        elif "*" in segment:
            price += 3
        else:
            price += 1
    return price
