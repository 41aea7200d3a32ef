"""A YAML document read by libyaml (PyYAML's event parser) into the same located value tree.

Used where tree-sitter-yaml fails on a document libyaml accepts (multi-line quoted scalars
less indented than their key, tree-sitter-grammars/tree-sitter-yaml#39, #10) and for documents
longer than the grammar's 16-bit row count. Events, not `compose`, so an alias keeps its own
position and the alias expansion bound of yaml_tree applies. Marks count code points from the
start of the text, converted here to byte offsets of the file. Plain scalars are typed by the
YAML 1.2 core schema, as tree-sitter-yaml types them (`on`/`yes` stay strings).
"""

from __future__ import annotations

import bisect
import re

import yaml

from blastguard.engine.documents.yaml_scalars import to_float, to_int
from blastguard.engine.documents.yaml_tree import ALIAS_BUDGET, _copy, _size
from blastguard.engine.values import LIST, MAP, MAX_DEPTH, SCALAR, DocumentError, Node, scalar, unknown

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the pure-Python one when C is absent
_STANDARD_TAG = "tag:yaml.org,2002:"
_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")
_STEP = 1024  # code points between byte-offset checkpoints


class YamlSyntaxError(Exception):
    """libyaml refused the text; `offset` is the byte where it says so."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


class _Offsets:
    """Code point index in `text` -> byte offset in the file, with a checkpoint every _STEP code points."""

    def __init__(self, text: str, base: int):
        self.text, self.base = text, base
        self.ascii = text.isascii()
        self.checkpoints: list[int] = []
        if not self.ascii:
            total = 0
            for at in range(0, len(text), _STEP):
                self.checkpoints.append(total)
                total += len(text[at:at + _STEP].encode("utf-8", "surrogatepass"))

    def __call__(self, index: int) -> int:
        index = max(0, min(index, len(self.text)))
        if self.ascii:
            return self.base + index
        # The end of a text whose length is a whole number of steps has no checkpoint of its own.
        block = min(index // _STEP, len(self.checkpoints) - 1)
        return self.base + self.checkpoints[block] + len(self.text[block * _STEP:index].encode("utf-8", "surrogatepass"))


def documents(data: bytes, start: int, end: int) -> tuple[list[Node | None], list[tuple[int, int]]]:
    """The values of the documents in data[start:end] and the byte spans of their scalars
    (to tell comments from `#` inside a string). Raises YamlSyntaxError or DocumentError."""
    text = data[start:end].decode("utf-8", "replace")
    offsets = _Offsets(text, start)
    reader = _Reader(offsets)
    try:
        events = yaml.parse(text, Loader=_Loader)
        values = reader.stream(events)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlSyntaxError(problem, offsets(mark.index) if mark is not None else start) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc).splitlines()[0], start) from None
    return values, reader.scalars


class _Reader:
    def __init__(self, offsets: _Offsets):
        self.at = offsets
        self.scalars: list[tuple[int, int]] = []
        self.anchors: dict[str, tuple[Node, int]] = {}
        self.expanded = 0
        self.events = iter(())

    def stream(self, events) -> list[Node | None]:
        self.events = iter(events)
        values: list[Node | None] = []
        for event in self.events:
            if isinstance(event, yaml.DocumentStartEvent):
                self.anchors = {}  # anchors belong to their document
                first = next(self.events)
                if isinstance(first, yaml.DocumentEndEvent):
                    values.append(None)
                    continue
                values.append(self.node(first, 0))
                next(self.events)  # DocumentEndEvent
        return values

    def node(self, event, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise DocumentError(f"nesting deeper than {MAX_DEPTH} levels", event.start_mark.line + 1)
        if isinstance(event, yaml.AliasEvent):
            return self.alias(event)
        start = self.at(event.start_mark.index)
        if isinstance(event, yaml.ScalarEvent):
            end = self.at(event.end_mark.index)
            self.scalars.append((start, end))
            value, size = self.scalar(event, start, end), 1
        elif isinstance(event, yaml.SequenceStartEvent):
            items, size = [], 1
            for child in iter(lambda: next(self.events), None):
                if isinstance(child, yaml.SequenceEndEvent):
                    break
                item = self.node(child, depth + 1)
                items.append(item)
                size += _size(item)
            end = self.at(child.end_mark.index) if event.flow_style else (items[-1].end if items else start)
            value = Node(LIST, items, start, end)
        else:
            value = self.mapping(event, start, depth)
            size = _size(value)
        tag = event.tag
        if tag is not None and not isinstance(event, yaml.ScalarEvent) and not tag.startswith(_STANDARD_TAG) and tag != "!":
            value = self.tagged(tag, value, start)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, size)
        return value

    def mapping(self, event, start: int, depth: int) -> Node:
        entries: dict[str, Node] = {}
        merges: list[Node] = []
        end = start
        for key_event in iter(lambda: next(self.events), None):
            if isinstance(key_event, yaml.MappingEndEvent):
                if event.flow_style:
                    end = self.at(key_event.end_mark.index)
                break
            key_node = self.node(key_event, depth + 1)
            child = self.node(next(self.events), depth + 1)
            end = max(end, child.end, key_node.end)
            if not isinstance(key_event, yaml.ScalarEvent):
                continue  # a complex or aliased key: nothing a rule can name
            key = key_event.value
            if key == "<<" and key_event.implicit[0]:
                merges.extend(child.value if child.kind == LIST else [child])
                continue
            if child.key_start >= 0:  # an alias's target already keyed elsewhere
                child = _copy(child)
            child.key_start = key_node.start
            if child.kind == SCALAR and child.value is None and child.start == child.end:
                child.start = child.end = key_node.end  # `key:` with nothing: placed after the key
            entries[key] = child
        for merged in merges:  # explicit keys win over merged ones, whatever their order
            for key, child in merged.items():
                entries.setdefault(key, child)
        result = Node(MAP, entries, start, end)
        result.meta = {"size": 1 + sum(_size(c) for c in entries.values())}
        return result

    def scalar(self, event, start: int, end: int) -> Node:
        text, tag = event.value, event.tag
        if tag is None or tag == "!":
            if event.implicit[0] and tag is None:
                return scalar(_typed(text), start, end)
            return scalar(text, start, end)
        if tag.startswith(_STANDARD_TAG):
            name = tag[len(_STANDARD_TAG):]
            return scalar(text if name == "str" else _typed(text), start, end)
        return self.tagged(tag, scalar(_typed(text) if event.implicit[0] else text, start, end), start)

    def tagged(self, tag: str, value: Node, start: int) -> Node:
        """A tag such as `!Ref` makes the value unknown, kept for kinds that understand it."""
        source = self.at.text[self._index(start):self._index(value.end)]
        result = unknown(start, value.end, source)
        result.meta = {"tag": tag, "value": value}
        return result

    def _index(self, offset: int) -> int:
        """Byte offset -> code point index (only for the rare tagged value's text)."""
        if self.at.ascii:
            return offset - self.at.base
        prefix = bisect.bisect_right(self.at.checkpoints, offset - self.at.base) - 1
        index = prefix * _STEP
        while index < len(self.at.text) and self.at(index) < offset:
            index += 1
        return index

    def alias(self, event) -> Node:
        start, end = self.at(event.start_mark.index), self.at(event.end_mark.index)
        found = self.anchors.get(event.anchor)
        if found is None:
            return unknown(start, end, f"*{event.anchor}")
        target, size = found
        self.expanded += size
        if self.expanded > ALIAS_BUDGET:
            raise DocumentError(
                f"aliases expand to more than {ALIAS_BUDGET:,} values (a 'billion laughs' document?)",
                event.start_mark.line + 1)
        copy = _copy(target)
        copy.start, copy.end, copy.key_start = start, end, -1
        return copy


def _typed(text: str):
    """A plain scalar's value under the YAML 1.2 core schema."""
    if _NULL.fullmatch(text):
        return None
    if _BOOL.fullmatch(text):
        return text.lower() == "true"
    if _INT.fullmatch(text):
        return to_int(text)
    if _FLOAT.fullmatch(text):
        return to_float(text)
    return text


def comments(data: bytes, start: int, end: int, scalars: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Byte spans of the comments in data[start:end]: a `#` at a line start or after a blank,
    outside every scalar (libyaml drops comments, so they are found around what it read)."""
    spans = sorted(scalars)
    starts = [s for s, _ in spans]
    found = []
    at = data.find(b"#", start, end)
    while at >= 0:
        line_end = data.find(b"\n", at, end)
        line_end = end if line_end < 0 else line_end
        if at == start or data[at - 1] in b" \t\n\r":
            i = bisect.bisect_right(starts, at) - 1
            if i < 0 or spans[i][1] <= at:
                stop = line_end - 1 if line_end > at and data[line_end - 1:line_end] == b"\r" else line_end
                found.append((at, stop))
                at = data.find(b"#", line_end, end)
                continue
        at = data.find(b"#", at + 1, end)
    return found
