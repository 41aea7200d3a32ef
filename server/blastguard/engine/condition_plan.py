"""The order an `all` tests its parts in, and the parts several rules share, answered once per subject.

An `all` is false as soon as one part is: testing the parts that follow a reference last spares
them on most nodes. The CloudFormation security group rules test four CIDR paths, two through
parameters (`CidrIp.$ref.Default`), before the protocol and port they are about, false on most
rules. The truth of an `all` does not depend on the order, and its witnesses are put back in the
written order, so the answer is the same.

The same condition written in several rules (`Resource: "*"`, the `&ingress` CIDR test, each
rule file its own copy) is compiled once (`intern`); when a subject's rules test it on the same
node, the answer is kept for the subject (`Subject.memo`, set by Engine.findings) and reused.
Conditions are pure functions of the node and the subject, so a kept answer is the answer."""

from __future__ import annotations

import json
from typing import Any, Callable

from blastguard.engine.conditions import (
    All, Any_, Condition, Empty, Not, PortRange, Present, RefersTo, Resolved, Result, ScalarTest,
)
from blastguard.engine.paths import NAMED, REF

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
    # Only the parts that follow a reference move, to the end: which of two parts read on the node
    # is false more often is not known, and the written order is the rule author's guess (moving
    # cheap parts first made Terraform's rules dearer, 340 -> 367 M instructions a pass).
    order = tuple(sorted(range(len(parts)), key=lambda i: (follows(parts[i]), i)))
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


def follows(condition: Condition) -> bool:
    """Whether testing the condition follows a reference to another block (`$ref`, `$named:`):
    a call to the document's reader and a second path, where other parts read a key or two."""
    if isinstance(condition, (ScalarTest, Present, Empty, Resolved, RefersTo)):
        return _leaves(condition.path)
    if isinstance(condition, PortRange):
        return _leaves(condition.low) or _leaves(condition.high)
    if isinstance(condition, Not):
        return follows(condition.part)
    if isinstance(condition, (All, Any_)):
        return any(map(follows, condition.parts))
    return False


def _leaves(path: tuple[str, ...]) -> bool:
    return any(step == REF or step.startswith(NAMED) for step in path)
