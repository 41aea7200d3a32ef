"""Rule conditions compiled from YAML: three-valued (true / false / unknown), with witnesses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import re2

from blastguard.engine import literals
from blastguard.engine.paths import PLAIN_KEYS, flatten, locate, scalars
from blastguard.engine.patterns import compile_template, options
from blastguard.engine.values import LIST, MAP, SCALAR, UNKNOWN, UNKNOWN_PART, Node, is_text

TRUE, FALSE, UNKNOWN_RESULT = 1, 0, -1
Result = tuple[int, list[Node]]  # (truth, the nodes that made it true)


class RuleError(ValueError):
    """A rule that cannot be compiled; the loader adds file and line."""


class Condition:
    def evaluate(self, node: Node, scope=None) -> Result:  # pragma: no cover - interface
        raise NotImplementedError


@dataclass(slots=True)
class All(Condition):
    parts: list[Condition]
    # How the parts are tested (condition_plan): those following a reference last, shared ones
    # once per subject.
    _plan: Any = field(default=None, repr=False, compare=False)

    def evaluate(self, node: Node, scope=None) -> Result:
        plan = self._plan
        if plan is None:
            from blastguard.engine.condition_plan import plan as make_plan  # it reads these classes
            plan = self._plan = make_plan(self.parts)
        order, calls = plan
        unknown = False
        if order is None:
            witnesses: list[Node] = []
            for call in calls:
                truth, found = call(node, scope)
                if truth == FALSE:
                    return FALSE, []
                if truth == UNKNOWN_RESULT:
                    unknown = True
                witnesses.extend(found)
            return (UNKNOWN_RESULT, []) if unknown else (TRUE, witnesses)
        written: list = [None] * len(calls)
        for index, call in zip(order, calls):
            truth, found = call(node, scope)
            if truth == FALSE:
                return FALSE, []
            if truth == UNKNOWN_RESULT:
                unknown = True
            written[index] = found
        if unknown:
            return UNKNOWN_RESULT, []
        witnesses = []
        for found in written:  # in the order the rule wrote its parts
            witnesses.extend(found)
        return TRUE, witnesses


@dataclass(slots=True)
class Any_(Condition):
    parts: list[Condition]

    def evaluate(self, node: Node, scope=None) -> Result:
        unknown = False
        for part in self.parts:
            truth, found = part.evaluate(node, scope)
            if truth == TRUE:
                return TRUE, found
            if truth == UNKNOWN_RESULT:
                unknown = True
        return (UNKNOWN_RESULT, []) if unknown else (FALSE, [])


@dataclass(slots=True)
class Not(Condition):
    part: Condition

    def evaluate(self, node: Node, scope=None) -> Result:
        truth, _ = self.part.evaluate(node, scope)
        if truth == UNKNOWN_RESULT:
            return UNKNOWN_RESULT, []
        return (FALSE if truth == TRUE else TRUE), []


@dataclass(slots=True)
class Present(Condition):
    path: tuple[str, ...]
    wanted: bool

    def evaluate(self, node: Node, scope=None) -> Result:
        found = locate(node, scope, self.path)
        # A string with literal parts is present even though the rest of it is unknown.
        real = [n for n in found if n.kind != UNKNOWN and not (n.kind == SCALAR and n.value is None) or is_text(n)]
        if real:
            return (TRUE, real[:1]) if self.wanted else (FALSE, [])
        if found:  # only unknown values: might be null, might be set
            return UNKNOWN_RESULT, []
        return (FALSE, []) if self.wanted else (TRUE, [])


@dataclass(slots=True)
class Empty(Condition):
    path: tuple[str, ...]

    def evaluate(self, node: Node, scope=None) -> Result:
        found = locate(node, scope, self.path)
        if any(n.kind == UNKNOWN and not is_text(n) for n in found):
            return UNKNOWN_RESULT, []
        hits = [n for n in found if n.kind not in (SCALAR, UNKNOWN) and not n.value
                or n.kind == SCALAR and n.value in ("", None)]
        return (TRUE, hits) if hits else (FALSE, [])


@dataclass(slots=True)
class Resolved(Condition):
    """`resolved: false` holds where the value at the path is an expression the engine cannot
    resolve (a variable, a template, a call): for rules where "not a literal" is the risk,
    such as `eval(user_input)` or `rm -rf {{ path }}`. Absent values are neither."""

    path: tuple[str, ...]
    wanted: bool

    def evaluate(self, node: Node, scope=None) -> Result:
        found = locate(node, scope, self.path)
        hits = [n for n in found if (n.kind != UNKNOWN) == self.wanted]
        return (TRUE, hits[:1]) if hits else (FALSE, [])


@dataclass(slots=True)
class RefersTo(Condition):
    """The value is a name that resolves (through imports) to one of the globs: `yaml.Loader`;
    in Terraform, a reference whose address is one (`data.azurerm_subscription.*.id`), since
    some attributes are known by the type that exports them. A name from an import that
    resolves elsewhere, or a literal, is false; a local name or any other expression is unknown."""

    path: tuple[str, ...]
    test: Callable[[Any], bool]

    def evaluate(self, node: Node, scope=None) -> Result:
        unknown = False
        for leaf in scalars(locate(node, scope, self.path)):
            ref = None
            if leaf.kind == UNKNOWN:
                ref = leaf.meta.get("ref") if leaf.meta else _address(leaf.text)
            if ref is not None and self.test(ref):
                return TRUE, [leaf]
            if leaf.kind == UNKNOWN and not (leaf.meta or {}).get("imported"):
                unknown = True
        return (UNKNOWN_RESULT if unknown else FALSE), []


# A bare Terraform reference (`data.x.y.id`, `x.y[0].id`), alone or as the one part of a
# template (`"${data.x.y.id}"`); index keys are dropped so one glob covers every instance.
_ADDRESS = re2.compile(r'^"?(?:\$\{)?([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[[^\]]*\])+)\}?"?$')
_INDEX = re2.compile(r"\[[^\]]*\]")


def _address(text: str) -> str | None:
    if not text or "." not in text:
        return None
    match = _ADDRESS.match(text.strip())
    return _INDEX.sub("", match.group(1)) if match else None


@dataclass(slots=True)
class ScalarTest(Condition):
    """Any scalar at the path passes `test`; `every` requires all of them to."""

    path: tuple[str, ...]
    test: Callable[[Any], bool]
    every: bool = False
    # The test for a subject of test code, where it differs (the named-secret test asks for a
    # generated-looking value there: fixture passwords are written to be public).
    in_tests: Callable[[Any], bool] | None = None

    def evaluate(self, node: Node, scope=None) -> Result:
        if not self.path and node.kind == SCALAR:
            # The node itself, as locate and scalars would yield it: a string subject meets
            # every secret pattern, and the generators cost more than the test.
            return (TRUE, [node]) if self.test_for(scope)(node.value) else (FALSE, [])
        path = self.path
        if len(path) == 1 and node.kind == MAP and PLAIN_KEYS.get(path[0]):  # locate's first case, without its call
            child = node.value.get(path[0])
            if child is None:
                return FALSE, []  # judge's answer on nothing found, with or without `every`
            if child.kind == SCALAR:  # judge's answer on one scalar, without its call
                return (TRUE, [child]) if self.test_for(scope)(child.value) else (FALSE, [])
            return self.judge([child], scope)
        return self.judge(locate(node, scope, path), scope)

    def test_for(self, scope) -> Callable[[Any], bool]:
        return self.in_tests if self.in_tests is not None and getattr(scope, "in_tests", False) else self.test

    def judge(self, found: list[Node], scope=None) -> Result:
        """The test over the nodes found at the path."""
        test = self.in_tests if self.in_tests is not None and getattr(scope, "in_tests", False) else self.test
        hits: list[Node] = []
        unknown = misses = False
        partial = getattr(test, "partial", None)
        # scalars(found), inlined: every scalar test of every rule runs this on every subject.
        for node in found:
            for leaf in flatten(node) if node.kind == LIST else (node,):
                kind = leaf.kind
                if kind == SCALAR:
                    if test(leaf.value):
                        hits.append(leaf)
                    else:
                        misses = True
                elif kind == UNKNOWN:
                    if partial is not None and isinstance(leaf.value, str) and partial(leaf.value):
                        hits.append(leaf)
                    elif is_text(leaf) and getattr(test, "excludes", None) and test.excludes(leaf.value):
                        misses = True  # its literal parts rule the tested values out ("a-${x}" is not "true")
                    else:
                        unknown = True
        if self.every:
            if misses:
                return FALSE, []
            if unknown or not hits:
                return UNKNOWN_RESULT if unknown else FALSE, []
            return TRUE, hits
        if hits:
            return TRUE, hits
        return (UNKNOWN_RESULT if unknown else FALSE), []


@dataclass(slots=True)
class PortRange(Condition):
    """A from/to port pair whose range reaches any of `ports` (or covers every port)."""

    low: tuple[str, ...]
    high: tuple[str, ...]
    ports: Callable[[tuple[int, int]], bool]

    def evaluate(self, node: Node, scope=None) -> Result:
        lows, highs = list(scalars(locate(node, scope, self.low))), list(scalars(locate(node, scope, self.high)))
        if not lows or not highs:
            return FALSE, []
        if any(n.kind == UNKNOWN for n in lows + highs):
            return UNKNOWN_RESULT, []
        low, high = as_int(lows[0].value), as_int(highs[0].value)
        if low is None or high is None:
            return FALSE, []
        if low == -1 and high == -1:  # AWS: protocol -1 uses -1/-1 or 0/0 for every port
            low, high = 0, 65535
        return (TRUE, [lows[0]]) if self.ports((low, high)) else (FALSE, [])


def precheck(condition: Condition) -> Callable[[Node], bool] | None:
    """A cheap test the node must pass for the condition to hold on it, or None: the literal
    text a regex on the node itself needs. A string subject meets every secret pattern of its
    language; this turns most of those meetings into one substring test."""
    if isinstance(condition, ScalarTest) and not condition.path and isinstance(condition.test, RegexTest) \
            and condition.test.needs is not None:
        may_match = condition.test.may_match
        return lambda node: node.kind != SCALAR or not isinstance(node.value, str) or may_match(node.value)
    if isinstance(condition, All):
        checks = [check for check in map(precheck, condition.parts) if check is not None]
        if len(checks) > 1:
            return lambda node: all(check(node) for check in checks)
        return checks[0] if checks else None
    return None


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def port_span(value: Any) -> tuple[int, int] | None:
    """22, "22", "20-30", "*", "all", "0-65535" -> (low, high); None when not a port spec."""
    number = as_int(value)
    if number is not None:
        return (0, 65535) if number == -1 else (number, number)
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text in ("*", "all", "any"):
        return (0, 65535)
    low, sep, high = text.partition("-")
    if sep:
        lo, hi = as_int(low), as_int(high)
        if lo is not None and hi is not None:
            return (lo, hi)
    return None


class EqualsTest:
    """`equals` / `in`: loose equality with any of `wanted`; `excludes` tells, for an interpolated
    string, that its literal parts rule out every wanted value, so `not: {equals: ...}` is known."""

    __slots__ = ("wanted", "ignore_case", "_texts")

    def __init__(self, wanted: list, ignore_case: bool):
        self.wanted, self.ignore_case = wanted, ignore_case
        # Only strings wanted (`*`, `Deny`, `tcp`): loose_equals then compares a string or a
        # number's text with each, which one set lookup does (a policy's every statement and rule).
        self._texts = None
        if all(isinstance(w, str) for w in wanted):
            self._texts = frozenset(w.lower() for w in wanted) if ignore_case else frozenset(wanted)

    def __call__(self, value: Any) -> bool:
        texts = self._texts
        if texts is not None:
            if not isinstance(value, str):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    return False
                value = str(value)
            return (value.lower() if self.ignore_case else value) in texts
        return any(loose_equals(value, w, self.ignore_case) for w in self.wanted)

    def excludes(self, template: str) -> bool:
        return not any(_template_can_equal(template, w, self.ignore_case) for w in self.wanted)


_NUMBER_CHARS = frozenset("0123456789.+-eE \t" + UNKNOWN_PART)


def _template_can_equal(template: str, expected: Any, ignore_case: bool) -> bool:
    if expected is None:
        return False  # a string is never null
    if isinstance(expected, bool):
        word = "true" if expected else "false"
        return compile_template(template.strip(), UNKNOWN_PART, True).fullmatch(word) is not None
    if isinstance(expected, (int, float)):
        return set(template) <= _NUMBER_CHARS  # "${x}0" may be "10"; "port-${x}" is no number
    return compile_template(template, UNKNOWN_PART, ignore_case).fullmatch(str(expected)) is not None


def loose_equals(actual: Any, expected: Any, ignore_case: bool = False) -> bool:
    """Equality with Terraform's and CloudFormation's coercions ("true" == true, "22" == 22)."""
    if isinstance(expected, bool):
        if isinstance(actual, bool):
            return actual is expected
        return isinstance(actual, str) and actual.strip().lower() == ("true" if expected else "false")
    if isinstance(expected, (int, float)):
        if isinstance(actual, bool):
            return False
        if isinstance(actual, (int, float)):
            return actual == expected
        if isinstance(actual, str):
            try:
                return float(actual.strip()) == expected
            except ValueError:
                return False
        return False
    if expected is None:
        return actual is None
    if isinstance(actual, (int, float)) and not isinstance(actual, bool):
        actual = str(actual)
    if not isinstance(actual, str):
        return False
    if ignore_case:
        return actual.lower() == str(expected).lower()
    return actual == expected


def ports_test(spec: Any) -> Callable[[tuple[int, int]], bool]:
    """`all` (the range covers every port) or a list of ports (the range reaches one)."""
    if spec == "all":
        return lambda span: span[0] <= 1 and span[1] >= 65535
    if not isinstance(spec, list) or not all(isinstance(p, int) and not isinstance(p, bool) for p in spec):
        raise RuleError("ports takes a list of port numbers or the word all")
    wanted = sorted(set(spec))
    return lambda span: any(span[0] <= p <= span[1] for p in wanted)


class RegexTest:
    """RE2 runs in linear time, so a rule or config regex cannot hang the server."""

    __slots__ = ("compiled", "names_unknown", "needs", "fold", "_may_contain")

    def __init__(self, pattern: str, ignore_case: bool):
        # A pattern that writes the unresolved part itself (`\x{E000}`) is about templates:
        # `rm -rf \x{E000}` is "rm -rf followed by a variable", so its matches may include one.
        self.names_unknown = "\\x{e000}" in pattern.lower() or UNKNOWN_PART in pattern
        try:
            self.compiled = re2.compile(pattern, options(ignore_case))
        except re2.error as exc:
            reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else exc
            raise RuleError(f"invalid regular expression {pattern!r}: {reason}") from None
        # Text every match contains: a Python file's thousands of strings meet the secret
        # patterns, and a substring test rejects nearly all of them for a fraction of RE2's cost.
        self.needs, self.fold = literals.required(pattern, ignore_case) or (None, False)
        self._may_contain = None  # literals.gate, made on first use: a start-up compiles no gate

    def __call__(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return False
        text = str(value)
        if self.needs is not None and not self.may_match(text):
            return False
        return self.compiled.search(_encodable(text)) is not None

    def may_match(self, text: str) -> bool:
        """False when the text cannot match: it holds none of the literals every match needs."""
        may_contain = self._may_contain
        if may_contain is None:
            may_contain = self._may_contain = literals.gate(self.needs, self.fold)
        return may_contain(text if self.fold or text.isascii() else _encodable(text))

    def partial(self, template: str) -> bool:
        """An interpolated string matches when some match lies wholly in its literal parts
        (`arn:${var.partition}:iam::aws:policy/AdministratorAccess` ends in a literal name)."""
        if self.needs is not None and not self.may_match(template):
            return False
        return any(self.names_unknown or UNKNOWN_PART not in m.group()
                   for m in self.compiled.finditer(_encodable(template)))


def _encodable(text: str) -> str:
    """RE2 takes UTF-8: a lone surrogate (a Python "\\ud800" literal) would raise."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def regex_test(pattern: str, ignore_case: bool) -> RegexTest:
    return RegexTest(pattern, ignore_case)
