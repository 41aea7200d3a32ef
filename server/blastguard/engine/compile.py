"""Compile a rule file's `match` and `fix` sections into matchers the engine runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from blastguard.engine.conditions import (
    All, Any_, Condition, Empty, EqualsTest, Not, PortRange, Present, RefersTo, Resolved, RuleError, ScalarTest,
    port_span, ports_test, precheck, regex_test,
)
from blastguard.engine import inner_match
from blastguard.engine.condition_plan import intern
from blastguard.engine.demand import key_test, matcher_keys
from blastguard.engine.levels import levels
from blastguard.engine.paths import compile_path, last_key_pieces
from blastguard.engine.patterns import glob_test
from blastguard.engine.secrets import (
    looks_like_base64_secret, looks_like_named_base64_secret, looks_like_named_secret, looks_like_secret,
    key_secret, script_base64_secret, script_secret,
)

_SCALAR_OPS = ("equals", "in", "matches", "glob", "gt", "gte", "lt", "lte", "ports", "secret")


@dataclass(slots=True)
class EditTemplate:
    action: str  # set | remove | replace
    path: tuple[str, ...]
    value: Any = None  # the value to set, or the replacement text
    transform: str | None = None  # replace: compute the text from the old value


@dataclass(slots=True)
class FixTemplate:
    title: str
    safe: bool
    edits: list[EditTemplate]


@dataclass(slots=True)
class Selector:
    kind: str
    types: list[str]  # exact names or globs; empty means any
    attrs: dict[str, list[str]] = field(default_factory=dict)
    not_types: list[str] = field(default_factory=list)  # globs a type must not match
    _exact: frozenset = frozenset()
    _globs: list = field(default_factory=list)
    _excluded: Any = None

    def __post_init__(self) -> None:
        self._exact = frozenset(t for t in self.types if "*" not in t and "?" not in t)
        globs = [t for t in self.types if t not in self._exact]
        self._globs = [glob_test(globs, False)] if globs else []
        self._excluded = glob_test(self.not_types, False) if self.not_types else None

    def accepts_type(self, type_: str) -> bool:
        if self._excluded is not None and self._excluded(type_):
            return False
        if not self.types:
            return True
        return type_ in self._exact or any(g(type_) for g in self._globs)

    def accepts(self, subject) -> bool:
        return subject.kind == self.kind and self.accepts_type(subject.type) and self.accepts_attrs(subject)

    def accepts_attrs(self, subject) -> bool:
        """The selector's extra keys; kind and type are checked once per type (Engine.candidates)."""
        for key, allowed in self.attrs.items():
            if subject.attrs.get(key, "") not in allowed:
                return False
        return True


@dataclass(slots=True)
class Matcher:
    selector: Selector
    each: tuple[str, ...] | None
    where: Condition | None
    report: tuple[str, ...] | None
    fix: FixTemplate | None
    # Without `each`: a test the subject's body must pass for `where` to hold (conditions.precheck).
    need: Callable[[Any], bool] | None = None
    # Whether a map body holds a key the matcher may read (demand.matcher_keys); None: no bound.
    keys: Callable[[Any], bool] | None = None
    # The same bound when it lists exact keys only: the engine tests it without a call.
    key_set: frozenset | None = None
    # Text some key below the body must hold for `each` to reach anything (paths.last_key_pieces).
    reaches: tuple[str, ...] | None = None
    # Whether `reaches` is worth reading the body's key text for (the path has a key glob).
    walks: bool = False
    # The scalar tests of `where`: the lines of a multi-line value they pass on are reported.
    checks: tuple = ()

    def __post_init__(self) -> None:
        if self.each is None and self.where is not None:
            self.need = precheck(self.where)
        bound = matcher_keys(self.each, self.where)
        self.keys = key_test(bound) if bound is not None else None
        if bound is not None and not any("*" in key for key in bound):
            self.key_set = bound
        self.reaches = last_key_pieces(self.each)
        # A plain path (`Statement`, `Properties.SecurityGroupIngress`) is read by a get per step,
        # cheaper than the walk of every key below the body: its `reaches` is asked only of a
        # subject whose key text another matcher had read.
        self.walks = self.each is not None and any("*" in step for step in self.each)
        self.checks = inner_match.tests(self.where, self.report)


class DeferredMatch:
    """A rule's matchers, compiled on first use: a one-file check compiles only the rules of
    that file's language. Only for rule documents that compiled before (read from the cache),
    so deferring cannot turn a load error into a scan error."""

    __slots__ = ("_spec", "_fix", "_compiled")

    def __init__(self, spec: Any, rule_fix: Any):
        self._spec, self._fix, self._compiled = spec, rule_fix, None

    def _get(self) -> list[Matcher]:
        if self._compiled is None:
            self._compiled = compile_match(self._spec, self._fix)
        return self._compiled

    def __iter__(self):
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __getitem__(self, index):
        return self._get()[index]


def compile_match(spec: Any, rule_fix: Any) -> list[Matcher]:
    blocks = spec if isinstance(spec, list) else [spec]
    default_fix = compile_fix(rule_fix) if rule_fix else None
    out = []
    for block in blocks:
        if not isinstance(block, dict):
            raise RuleError("each match block must be a mapping")
        subject = block.get("subject") or {}
        types = subject.get("type", [])
        types = [types] if isinstance(types, str) else list(types)
        listed = {k: [v] if isinstance(v, str) else list(v) for k, v in subject.items() if k != "kind"}
        attrs = {k: v for k, v in listed.items() if k not in ("type", "not_type")}
        selector = Selector(subject.get("kind", "resource"), types, attrs, listed.get("not_type", []))
        each = compile_path(block["each"]) if "each" in block else None
        where = compile_condition(block["where"]) if "where" in block else None
        report = compile_path(block["report"]) if "report" in block else None
        fix = compile_fix(block["fix"]) if block.get("fix") else default_fix
        out.append(Matcher(selector, each, where, report, fix))
    return out


def compile_fix(spec: dict) -> FixTemplate:
    edits = [compile_edit(spec)] + [compile_edit(more) for more in spec.get("also", [])]
    return FixTemplate(spec["title"], spec.get("safe", True), edits)


def compile_edit(spec: dict) -> EditTemplate:
    for action in ("set", "remove", "replace"):
        if action in spec:
            target = spec[action]
            if action == "remove":
                return EditTemplate(action, compile_path(target))
            return EditTemplate(action, compile_path(target["path"]), target.get("value", target.get("text")),
                                target.get("transform"))
    raise RuleError("fix needs one of set, remove or replace")


def compile_condition(spec: Any) -> Condition:
    """The condition a `where` spec (or a part of one) means; equal specs give the same object."""
    return intern(spec, _compile_condition)


def _compile_condition(spec: Any) -> Condition:
    if isinstance(spec, list):
        return All([compile_condition(s) for s in spec])
    if not isinstance(spec, dict):
        raise RuleError(f"a condition must be a mapping, not {spec!r}")
    if "all" in spec:
        return All([compile_condition(s) for s in spec["all"]])
    if "any" in spec:
        parts = [compile_condition(s) for s in spec["any"]]
        return levels(parts) or Any_(parts)
    if "not" in spec:
        return Not(compile_condition(spec["not"]))
    if "port_range" in spec:
        pr = spec["port_range"]
        return PortRange(compile_path(pr["from"]), compile_path(pr["to"]), ports_test(spec.get("ports")))
    if "path" not in spec:
        raise RuleError(f"a condition needs all, any, not, port_range or path: {spec!r}")
    path = compile_path(spec["path"])
    if "present" in spec:
        return Present(path, bool(spec["present"]))
    if "empty" in spec:
        return Empty(path)
    if "resolved" in spec:
        return Resolved(path, bool(spec["resolved"]))
    if "refers_to" in spec:
        names = spec["refers_to"]
        return RefersTo(path, glob_test([names] if isinstance(names, str) else list(names), False))
    ops = [op for op in _SCALAR_OPS if op in spec]
    if len(ops) != 1:
        raise RuleError(f"a path condition needs exactly one of present, empty, resolved, refers_to, "
                        f"{', '.join(_SCALAR_OPS)}")
    test = scalar_test(ops[0], spec[ops[0]], bool(spec.get("ignore_case")))
    return ScalarTest(path, test, every=spec.get("quantifier", "any") == "all", in_tests=getattr(test, "in_tests", None))


def scalar_test(op: str, arg: Any, ignore_case: bool):
    if op == "equals":
        return EqualsTest([arg], ignore_case)
    if op == "in":
        if not isinstance(arg, list):
            raise RuleError("in takes a list")
        return EqualsTest(list(arg), ignore_case)
    if op == "matches":
        return regex_test(str(arg), ignore_case)
    if op == "glob":
        return glob_test([arg] if isinstance(arg, str) else list(arg), ignore_case)
    if op == "secret":
        tests = {True: looks_like_secret, "base64": looks_like_base64_secret, "script": script_secret,
                 "named": looks_like_named_secret, "named-base64": looks_like_named_base64_secret,
                 "script-base64": script_base64_secret, "key": key_secret}
        if arg not in tests:
            raise RuleError("secret takes true (judged by shape), named (the key names a credential), "
                            "base64 / named-base64 for values stored base64-encoded, or script (script-base64) for "
                            "a text that may hold a key or a credential's assignment, or key for a key of a "
                            "documented shape only")
        return tests[arg]
    if op == "ports":
        covers = ports_test(arg)
        return lambda v: (span := port_span(v)) is not None and covers(span)
    bound = float(arg)
    compare = {"gt": bound.__lt__, "gte": bound.__le__, "lt": bound.__gt__, "lte": bound.__ge__}[op]

    def numeric(v: Any) -> bool:
        if isinstance(v, bool):
            return False
        try:
            return compare(float(v))
        except (TypeError, ValueError):
            return False

    return numeric

