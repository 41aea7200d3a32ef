"""The located value tree every document becomes: maps, lists and scalars with byte spans."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

# Node kinds. `unknown` is a value the engine cannot resolve (a variable, a function call,
# an interpolated string): rules treat it as "could be anything" and stay silent.
MAP, LIST, SCALAR, UNKNOWN = "map", "list", "scalar", "unknown"

# Stands for the unresolved parts of an interpolated string ("arn:${var.p}:x" -> "arn:\ue000:x"),
# kept as the value of an unknown node so a pattern can still match its literal parts.
UNKNOWN_PART = "\ue000"

# Deeper documents are refused with an error instead of exhausting the Python stack.
MAX_DEPTH = 200


class DocumentError(Exception):
    """A document that cannot be analysed; `line` is 1-based where known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass(slots=True, eq=False)
class Node:
    kind: str
    value: Any  # dict[str, Node] for maps, list[Node] for lists, a Python scalar otherwise
    start: int  # byte span of the value
    end: int
    key_start: int = -1  # start of the key when the node is a map entry's value
    text: str = ""  # source text of an unknown expression (e.g. a reference)
    src: Any = None  # tree-sitter node of a string, decoded on demand for embedded JSON
    meta: dict | None = None

    @property
    def entry_start(self) -> int:
        return self.key_start if self.key_start >= 0 else self.start

    def take_span(self, arg: "Node") -> None:
        """Report at arg, part of this node (an intrinsic at its argument), if arg lies inside it
        (a YAML alias's target may lie before). json_lazy's nodes find both spans later."""
        if arg.start >= self.start:
            self.start, self.end = arg.start, arg.end

    def get(self, key: str) -> "Node | None":
        if self.kind == MAP:
            return self.value.get(key)
        return None

    def items(self) -> Iterator[tuple[str, "Node"]]:
        if self.kind == MAP:
            yield from self.value.items()

    def walk(self) -> Iterator["Node"]:
        """Every node below and including this one, without recursion."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            if node.kind == MAP:
                stack.extend(reversed(list(node.value.values())))
            elif node.kind == LIST:
                stack.extend(reversed(node.value))


def is_text(node: Node) -> bool:
    """An interpolated string with literal parts ("serviceAccount:${x}"): its value is unknown,
    but it is certainly a non-empty string, present, with no keys or items below it. A template
    made only of expressions ("${var.x}") may be anything, even null, so it is not text."""
    return node.kind == UNKNOWN and isinstance(node.value, str) and bool(node.value.strip(UNKNOWN_PART))


_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub(text: str) -> str:
    """Decoded text without lone surrogates (a `\\ud800` escape, valid JSON, Python and YAML):
    each becomes U+FFFD, since RE2 and UTF-8 output need text that encodes; the file is still read."""
    return text if text.isascii() else _SURROGATE.sub("\ufffd", text)


def scalar(value: Any, start: int, end: int) -> Node:
    return Node(SCALAR, value, start, end)


def unknown(start: int, end: int, text: str = "") -> Node:
    return Node(UNKNOWN, None, start, end, text=text)


@dataclass(slots=True, eq=False)
class Subject:
    """A top-level thing rules look at: a resource, a data source, a module call, a policy."""

    kind: str  # resource | data | module | provider | variable | output | locals | policy ...
    type: str  # resource type, module source, provider name, policy owner type
    name: str
    node: Node  # the body
    start: int  # span to report when a rule flags something missing from the body
    end: int
    attrs: dict = field(default_factory=dict)  # extra selector fields (e.g. policy attribute)
    owner: Node | None = None  # for a policy: the body of the block that holds it
    document: Node | None = None  # the whole document it came from (`$doc.` paths)
    language: str = ""  # the rule family that checks it, when a file mixes kinds (YAML)
    # What it is part of, independent of lines: a Terraform address, a Kubernetes
    # kind/namespace/name, a CloudFormation logical id... (engine.identity uses it).
    unit: str = ""
    # The body of the resource a reference in this subject names in the same file
    # (`aws_lb.main.arn`, `!Ref PublicLoadBalancer`), or None: what a `$ref` path step follows.
    refs: Callable[[Node], "Node | None"] | None = None
    # Whether it comes from test code (engine.secrets.in_test_code of the file's path).
    in_tests: bool = False
    # Answers of conditions several of its rules share, while Engine.findings runs them (condition_plan).
    memo: dict | None = None


def _span_of_node(slot, read: Callable[[Node], int]) -> property:
    """A property over one of Subject's span slots: its value when given, else read from `at`."""
    get = slot.__get__

    def span(subject: "SubjectAt") -> int:
        value = get(subject)
        return read(subject.at) if value is None else value

    return property(span, slot.__set__)


class SubjectAt(Subject):
    """A subject reported at a node's span (from its key to its end), read when asked: a JSON
    node read by the C scanner finds its span only then (json_lazy), and most subjects have no
    finding to report."""

    __slots__ = ("at",)
    start = _span_of_node(Subject.start, lambda node: node.entry_start)
    end = _span_of_node(Subject.end, lambda node: node.end)


def subject_at(at: Node, kind: str, type_: str, name: str, node: Node, attrs: dict | None = None,
               **fields) -> Subject:
    """Subject(kind, type_, name, node, at.entry_start, at.end, attrs, **fields), its span read when asked."""
    subject = SubjectAt(kind, type_, name, node, None, None, {} if attrs is None else attrs, **fields)
    subject.at = at
    return subject
