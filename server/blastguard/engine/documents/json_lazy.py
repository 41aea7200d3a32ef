"""Deep JSON containers read by the json module's C scanner; each node's span is found when asked.

json_scan reads a document's top levels itself and hands each container below them to the C
scanner (a tenth of the Python reader's cost per byte), which gives values but no offsets. Most
nodes never need one: spans are read for findings, fixes and references, a few per file. A node
made here (`Lazy`) leaves its span unset; the first read of `start`, `end` or `key_start` finds
the spans of all its siblings by reading its parent's text again, its parent's first if need be.
"""

from __future__ import annotations

import re
from json.decoder import JSONDecoder, scanstring
from json.scanner import NUMBER_RE, c_make_scanner
from weakref import ref

from blastguard.engine.documents.json_tree import PLACEHOLDER
from blastguard.engine.values import LIST, MAP, MAX_DEPTH, SCALAR, Node, scrub

_START, _END, _KEY = Node.start, Node.end, Node.key_start  # the slots under Lazy's properties
_SKIP = re.compile(r"[ \t\n\r]*").match
_make_scanner = c_make_scanner  # the Python one reads a JSONDecoder's parse_object, not the hook
# Skips a value whose end is wanted: a plain scanner builds no Nodes.
_skip_value = _make_scanner(JSONDecoder())
_CONTAINERS = (MAP, LIST)


class Refused(ValueError):
    """Not strict JSON as json_scan reads it (NaN, an exponent's plus sign)."""


class Exact(Exception):
    """A container json_scan must read itself: a string holds json_tree's stand-in."""


def _spanned(slot):
    """A property over one of Node's span slots: unset until asked, then found (_locate)."""
    read = slot.__get__

    def get(node):
        try:
            return read(node)
        except AttributeError:
            _locate(node)
            return read(node)

    return property(get, slot.__set__)


class Lazy(Node):
    """A node of a deep container: kind and value as read, the span found on first use.
    `up` is the Tree it was read in; `moved` (unset until then) marks a converted intrinsic that
    reports at its scalar argument (see take_span); `height` is a container's nesting (1 when it
    holds no containers)."""

    __slots__ = ("up", "moved", "height", "__weakref__")
    start = _spanned(_START)
    end = _spanned(_END)
    key_start = _spanned(_KEY)

    def __init__(self, kind: str, value, up=None, start=None, end=-1, key_start=-1, text="", src=None, meta=None):
        self.kind = kind
        self.value = value
        self.text = text
        self.src = src
        self.meta = meta
        self.up = up
        if start is not None:  # dataclasses.replace gives all of Node's fields
            self.start, self.end, self.key_start = start, end, key_start

    def take_span(self, arg: Node) -> None:
        self.moved = True
        try:
            start = _START.__get__(self)
        except AttributeError:
            return  # found with its siblings' when asked
        _move(self, self.up.text, start)


_new = Lazy.__new__


class Tree:
    """One container read by the scanner: the text and its top node. Nodes point here, not to
    their parents, and the top is held weakly: no cycles, so reference counting frees a tree."""

    __slots__ = ("text", "top")

    def __init__(self, text: str):
        self.text = text
        self.top = None


class Scanner:
    """The C scanner whose maps and lists are Lazy nodes; maps of one entry go to `singles` as
    they close, as json_scan lists its own."""

    __slots__ = ("text", "scan", "tree")

    def __init__(self, text: str, singles: list[Node]):
        self.text = text
        # The tree being read, in a list the hook holds: the hook holding self would make a cycle
        # (self -> scanner -> hook -> self) keeping every node alive until the collector runs.
        self.tree: list[Tree | None] = [None]
        current = self.tree

        def pairs(items):
            entries: dict[str, Node] = {}
            tree = current[0]
            node = Lazy(MAP, entries, tree)
            height = 0
            for key, value in items:
                if not key.isascii():
                    key = scrub(key)
                kind = type(value)
                if kind is Lazy:
                    if value.height > height:
                        height = value.height
                elif kind is list:
                    value = _items(value, tree)
                    if value.height > height:
                        height = value.height
                else:
                    if kind is str and not value.isascii():
                        value = _wide(value)
                    # Lazy's __init__ written out: a call to a class costs more than the stores.
                    scalar = _new(Lazy)
                    scalar.kind = SCALAR
                    scalar.value = value
                    scalar.text = ""
                    scalar.src = scalar.meta = None
                    scalar.up = tree
                    value = scalar
                # A repeated key keeps its first place and takes the last value, as json_scan does.
                entries[key] = value
            node.height = height + 1
            if len(entries) == 1:
                singles.append(node)
            return node

        self.scan = _make_scanner(_Context(pairs))

    def read(self, at: int, depth: int) -> tuple[Lazy, int]:
        """The container at `at`, itself at `depth`, and where it ends. Raises StopIteration or
        ValueError for text the json module refuses, Refused for more that json_scan refuses,
        Exact for a container json_scan must read itself."""
        tree = self.tree[0] = Tree(self.text)
        value, end = self.scan(self.text, at)
        node = _items(value, tree) if type(value) is list else value
        if node.height > MAX_DEPTH - depth:
            raise Refused("deep")  # json_scan refuses containers at MAX_DEPTH
        tree.top = ref(node)
        _START.__set__(node, at)
        _END.__set__(node, end)
        _KEY.__set__(node, -1)
        return node, end


def _items(values: list, tree: Tree) -> Lazy:
    found: list[Node] = []
    node = Lazy(LIST, found, tree)
    height = 0
    for value in values:
        kind = type(value)
        if kind is Lazy:
            if value.height > height:
                height = value.height
        elif kind is list:
            value = _items(value, tree)
            if value.height > height:
                height = value.height
        else:
            if kind is str and not value.isascii():
                value = _wide(value)
            scalar = _new(Lazy)
            scalar.kind = SCALAR
            scalar.value = value
            scalar.text = ""
            scalar.src = scalar.meta = None
            scalar.up = tree
            value = scalar
        found.append(value)
    node.height = height + 1
    return node


def _wide(text: str) -> str:
    if PLACEHOLDER in text:
        raise Exact()  # json_scan makes it unknown, with its source
    return scrub(text)


def _float(text: str) -> float:
    if "+" in text:
        raise Refused("an exponent with a plus sign")  # tree-sitter-json calls that an error
    return float(text)


def _constant(name: str):
    raise Refused(f"{name} is not JSON")


class _Context:
    """What the C scanner reads from a JSONDecoder, without making one (and its scanner) per file."""

    __slots__ = ("object_pairs_hook",)
    strict = True
    object_hook = None
    parse_float = staticmethod(_float)
    parse_int = int
    parse_constant = staticmethod(_constant)

    def __init__(self, pairs):
        self.object_pairs_hook = pairs


def _located(node: Node) -> bool:
    try:
        _START.__get__(node)
    except AttributeError:
        return False
    return True


def _locate(node: Lazy) -> None:
    """Open each container from the tree's top down to node's parent, where not yet opened."""
    tree = node.up
    chain: list[Lazy] = []
    top = tree.top()
    if top is None or not _path(top, node, chain):
        # Nothing keeps a top alive but what holds it (a document's root, its subjects).
        raise AttributeError("a node no longer in its tree has no span")
    for parent, child in zip(chain, chain[1:] + [node]):
        if not _located(child):
            _open(parent, tree.text)


def _path(at: Node, target: Node, chain: list[Node]) -> bool:
    """Whether target is below `at`; chain then holds `at` and the containers between them."""
    chain.append(at)
    kind = at.kind
    for child in at.value.values() if kind == MAP else at.value if kind == LIST else ():
        if child is target or (child.kind in _CONTAINERS and _path(child, target, chain)):
            return True
    chain.pop()
    return False


def _open(parent: Lazy, text: str) -> None:
    """Set the spans of every child of a located container, from its text."""
    start = _START.__get__(parent)
    closer = "}" if text[start] == "{" else "]"
    children = parent.value
    at = _SKIP(text, start + 1).end()
    index = 0
    while text[at] != closer:
        key_start = -1
        if closer == "}":
            key_start = at
            key, at = scanstring(text, at + 1, True)
            if not key.isascii():
                key = scrub(key)
            at = _SKIP(text, _SKIP(text, at).end() + 1).end()  # past the colon
            child = children[key]
        else:
            child = children[index]
            index += 1
        end = _end(text, at)
        _START.__set__(child, at)
        _END.__set__(child, end)
        _KEY.__set__(child, key_start)
        if type(child) is Lazy and getattr(child, "moved", False):
            _move(child, text, at)
        at = _SKIP(text, end).end()
        if text[at] == ",":
            at = _SKIP(text, at + 1).end()


def _end(text: str, at: int) -> int:
    first = text[at]
    if first == '"':
        return scanstring(text, at + 1, True)[1]
    if first in "{[":
        return _skip_value(text, at)[1]
    if first in "tn":
        return at + 4
    if first == "f":
        return at + 5
    return NUMBER_RE.match(text, at).end()


def _move(node: Lazy, text: str, start: int) -> None:
    """A converted one-entry map `{"Ref": "Name"}` reports at its argument's span: the last
    entry's value, as a repeated key keeps the last."""
    at = _SKIP(text, start + 1).end()
    while True:
        at = scanstring(text, at + 1, True)[1]
        value = _SKIP(text, _SKIP(text, at).end() + 1).end()
        end = _end(text, value)
        at = _SKIP(text, end).end()
        if text[at] != ",":
            break
        at = _SKIP(text, at + 1).end()
    _START.__set__(node, value)
    _END.__set__(node, end)
