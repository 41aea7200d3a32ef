"""Deep JSON containers read by the json module's C scanner; each node's span is found when asked.

json_scan reads a document's top levels itself and hands each container below them to the C
scanner (a tenth of the Python reader's cost per byte), which gives values but no offsets. Most
nodes never need one: spans are read for findings, fixes and references, a few per file. A node
made here (`Lazy`) leaves its span unset and knows its parent (weakly); the first read of `start`,
`end` or `key_start` finds the spans of all its siblings by reading its parent's text again, its
parent's first if need be.
"""

from __future__ import annotations

import re
from json.decoder import JSONDecoder, scanstring
from functools import partial
from json.scanner import NUMBER_RE, c_make_scanner
from weakref import ref as _ref

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
    """A node read by the C scanner: kind and value as read, the span found on first use.
    `up` is a weak reference to its parent, or for the top the text it was read from; `moved`
    (unset until then) marks a converted intrinsic that reports at its scalar argument (see
    take_span). A container's `height` is its nesting (1 when it holds no containers), and
    `opened` whether its children's spans are found (_open)."""

    __slots__ = ("up", "moved", "height", "opened", "__weakref__")
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
            up = self.up
        except AttributeError:
            return  # a value a repeated key replaced: in no tree, never read
        if type(up) is str:  # the top, located when read
            _move(self, up, _START.__get__(self))
        elif up is not None and (parent := up()) is not None and parent.opened:
            _move(self, _chain(self)[1], _START.__get__(self))
        # Otherwise _open moves it when it finds its siblings' spans.


_new = Lazy.__new__


class Scanner:
    """The C scanner whose maps and lists are Lazy nodes; maps of one entry go to `singles` as
    they close, as json_scan lists its own."""

    __slots__ = ("text", "scan")

    def __init__(self, text: str, singles: list[Node]):
        self.text = text
        self.scan = _make_scanner(_Context(partial(_container, singles)))

    def read(self, at: int, depth: int) -> tuple[Lazy, int]:
        """The container at `at`, itself at `depth`, and where it ends. Raises StopIteration or
        ValueError for text the json module refuses, Refused for more that json_scan refuses,
        Exact for a container json_scan must read itself."""
        value, end = self.scan(self.text, at)
        node = _container(None, value) if type(value) is list else value
        if node.height > MAX_DEPTH - depth:
            raise Refused("deep")  # json_scan refuses containers at MAX_DEPTH
        node.up = self.text
        _START.__set__(node, at)
        _END.__set__(node, end)
        _KEY.__set__(node, -1)
        return node, end


def _container(singles: list[Node] | None, value: dict | list) -> Lazy:
    """A map or list node of the C scanner's dict (a repeated key keeps its first place and takes
    the last value, as json_scan does) or list, its values made nodes in place; a map of one entry
    goes to `singles`. Its parent sets `up`."""
    node = _new(Lazy)
    is_map = type(value) is dict
    node.kind = MAP if is_map else LIST
    node.value = value
    node.text = ""
    node.src = node.meta = None
    # Children point to their parent weakly: no cycles, so reference counting frees a document's
    # nodes (the collector is held off during a batch run).
    up = _ref(node)
    height = 0
    for key, child in value.items() if is_map else enumerate(value):
        if is_map and not key.isascii() and scrub(key) != key:
            raise Exact()  # scrubbed keys may collide: json_scan keeps the last of them
        kind = type(child)
        if kind is list:
            child = value[key] = _container(None, child)
            kind = Lazy
        if kind is Lazy:
            child.up = up
            if child.height > height:
                height = child.height
            continue
        if kind is str and not child.isascii():
            child = _wide(child)
        # Lazy's __init__ written out: a call to a class costs more than the stores.
        scalar = value[key] = _new(Lazy)
        scalar.kind = SCALAR
        scalar.value = child
        scalar.text = ""
        scalar.src = scalar.meta = None
        scalar.up = up
    node.height = height + 1
    node.opened = False
    if is_map and len(value) == 1:
        singles.append(node)
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

    __slots__ = ("object_hook",)
    strict = True
    object_pairs_hook = None
    parse_float = staticmethod(_float)
    parse_int = int
    parse_constant = staticmethod(_constant)

    def __init__(self, mapping):
        self.object_hook = mapping


def _locate(node: Lazy) -> None:
    """Open each container from the top down to node's parent, where not yet opened."""
    chain, text = _chain(node)
    for parent in reversed(chain[1:]):
        if parent.kind not in _CONTAINERS:  # inside a converted intrinsic's argument
            raise AttributeError("a node no longer in its tree has no span")
        if not parent.opened:
            _open(parent, text)


def _chain(node: Lazy) -> tuple[list[Lazy], str]:
    """node, its parent, ... up to the top, and the text the top was read from."""
    chain = [node]
    up = node.up
    while type(up) is not str:
        parent = up() if up is not None else None
        if parent is None:
            # Nothing keeps a parent alive but what holds it (a document's root, its subjects).
            raise AttributeError("a node no longer in its tree has no span")
        chain.append(parent)
        up = parent.up
    return chain, up


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
    parent.opened = True


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
