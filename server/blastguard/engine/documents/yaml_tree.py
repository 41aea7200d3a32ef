"""YAML text -> one located value tree per document, via tree-sitter-yaml.

Anchors are shared, never copied: an alias becomes a small node that points at the anchored
value, and the values aliases stand for are counted, so a "billion laughs" document is refused
with an error long before it could be walked.
"""

from __future__ import annotations

from blastguard.engine.documents.yaml_kinds import NOT_PLAIN as _NOT_PLAIN
from blastguard.engine.documents.yaml_kinds import fields, kinds
from blastguard.engine.documents.yaml_stubs import Stubs
from blastguard.engine.documents.yaml_scalars import block, fold, to_float, to_int, unescape
from blastguard.engine.values import LIST, MAP, MAX_DEPTH, SCALAR, DocumentError, Node, scalar, unknown

# Values reachable through aliases, counted with multiplicity; past this a document is refused.
ALIAS_BUDGET = 100_000

_STANDARD_TAG = "tag:yaml.org,2002:"
# First bytes of a plain scalar the core schema may type (null `~`, booleans, numbers, `.inf`):
# any other is a string, read without asking its node.
_MAY_BE_TYPED = frozenset(b"0123456789+-.~tTfFnN")
# After `!`: a standard tag (`!!str`, `!<tag:yaml.org,2002:str>`) retypes the value (see `tagged`).
_NOT_LOCAL = frozenset(b"!<")
_BANG, _SPACE = ord("!"), ord(" ")


def document_nodes(root) -> list:
    return [doc for doc in root.named_children if doc.type == "document"]


def documents(root, data: bytes, skip: frozenset = frozenset(), prune=None) -> list[Node | None]:
    """The value of each document in a tree-sitter-yaml `stream` parsed from `data` (None for an
    empty one, and for the indexes in `skip`). Anchors belong to their document, so each is
    converted alone. `prune` (yaml_pruning.Pruning) may leave parts of it unconverted."""
    k = kinds()
    out: list[Node | None] = []
    for index, doc in enumerate(document_nodes(root)):
        content = next((c for c in doc.named_children if c.kind_id in k.nodes), None)
        if content is None or index in skip:
            out.append(None)
        else:
            # Sizes bound what aliases expand to: a document without `&` has no anchor to expand.
            # Nor any part to leave unconverted: an alias elsewhere may name an anchor in it.
            sized = data.find(b"&", content.start_byte, content.end_byte) >= 0
            value = _Converter(data, sized, None if sized else prune, not root.has_error).node(content, 0)
            if prune is not None and not sized:
                prune.settle(value)
            out.append(value)
    return out


class _Converter(Stubs):
    def __init__(self, data: bytes, sized: bool = True, prune=None, clean: bool = False) -> None:
        self.data = data
        # Without syntax errors a flow node starting as a plain scalar holds only that scalar, so
        # its text is read from its span (see `_NOT_PLAIN`); an error node could lie inside it.
        self.clean = clean
        self.k = kinds()
        self.anchors: dict[str, tuple[Node, int]] = {}
        self.expanded = 0
        self.sized = sized  # whether to count each value's size (see `documents`)
        self.prune = prune
        self.within: str | None = None  # the top-level section being converted (see `stub`)

    def node(self, ts_node, depth: int) -> Node:
        """Convert a block_node / flow_node (or bare content node); returns the value and
        registers its anchor."""
        if depth > MAX_DEPTH:
            raise DocumentError(f"nesting deeper than {MAX_DEPTH} levels", ts_node.start_point[0] + 1)
        k = self.k
        anchor = tag = content = None
        kind = ts_node.kind_id
        if kind in k.nodes:
            for child in (ts_node.named_child(0),) if ts_node.named_child_count == 1 else ts_node.named_children:
                child_kind = child.kind_id
                if child_kind == k.anchor:
                    anchor = child
                elif child_kind == k.tag:
                    tag = child.text.decode("utf-8", "replace")
                elif child_kind in k.content:
                    content, kind = child, child_kind
        else:
            content = ts_node
        if content is None:
            value, size = scalar(None, ts_node.end_byte, ts_node.end_byte), 1
        elif kind == k.plain:  # most values: content()'s dispatch and tuple skipped
            value, size = self.scalar(content, kind), 1
        else:
            value, size = self.content(content, kind, depth)
        if tag is not None:
            value = self.tagged(tag, value, ts_node)
        if anchor is not None:
            name = anchor.text.decode("utf-8", "replace").lstrip("&")
            self.anchors[name] = (value, size)
        return value

    def content(self, node, kind: int, depth: int) -> tuple[Node, int]:
        k = self.k
        if kind == k.alias:
            return self.alias(node)
        if kind in k.mappings:
            return self.mapping(node, depth)
        if kind in k.sequences:
            items, size = [], 1
            sized = self.sized
            for child in node.named_children:
                child_kind = child.kind_id
                if child_kind == k.item:
                    if child.named_child_count == 1:  # most items: no comment beside the value
                        inner = child.named_child(0)
                        inner = inner if inner.kind_id in k.nodes else None
                    else:
                        inner = next((c for c in child.named_children if c.kind_id in k.nodes), None)
                    if inner is None:
                        item = scalar(None, child.end_byte, child.end_byte)
                    elif inner.kind_id != k.flow_node or depth >= MAX_DEPTH:
                        if depth < MAX_DEPTH and inner.named_child_count == 1 \
                                and (block := inner.named_child(0)).kind_id == k.block_mapping:
                            item = self.mapping_of(block.named_children, block, depth + 1)  # as in mapping_of
                        else:
                            item = self.node(inner, depth + 1)
                    elif self.clean and (first := self.data[start := inner.start_byte]) not in _NOT_PLAIN \
                            and first not in _MAY_BE_TYPED:  # a string, as in mapping_of
                        item = _plain_string(self.data, start, inner.end_byte)
                    elif self.clean and first == _BANG and (item := self.tagged_plain(start, inner.end_byte)) is not None:
                        pass
                    elif inner.named_child_count == 1:
                        item = self.plain(inner.named_child(0)) or self.node(inner, depth + 1)
                    else:
                        item = self.node(inner, depth + 1)
                elif child_kind == k.flow_node:
                    item = self.node(child, depth + 1)
                elif child_kind == k.flow_pair:
                    item = self.mapping_of([child], child, depth + 1)
                else:
                    continue
                items.append(item)
                if sized:
                    size += _size(item)
            return Node(LIST, items, node.start_byte, node.end_byte), size
        return self.scalar(node, kind), 1

    def mapping(self, node, depth: int) -> tuple[Node, int]:
        value = self.mapping_of(node.named_children, node, depth)
        return value, _size(value) if self.sized else 1

    def mapping_of(self, children, node, depth: int) -> Node:
        """The map of the pairs among `children` (other named children are comments)."""
        entries: dict[str, Node] = {}
        merges: list[Node] = []
        key_field, value_field = fields()
        k, data, clean = self.k, self.data, self.clean
        pairs, flow_node, plain, colon, nodes = k.pairs, k.flow_node, k.plain, k.colon, k.nodes
        block_mapping = k.block_mapping
        stub = self.stub if self.prune is not None and (depth == 0 or (depth == 1 and self.within)) else None
        for pair in children:
            kind = pair.kind_id
            if kind not in pairs:
                continue
            if kind == flow_node:  # `{a}`: a key without a value
                key_node, value_node = pair, None
            elif len(parts := pair.children) == 3 and parts[1].kind_id == colon and parts[2].kind_id in nodes:
                # `key: value` (most pairs): by position, as the grammar's fields name them;
                # child_by_field_id costs several times more.
                key_node, value_node = parts[0], parts[2]
            else:
                key_node, value_node = pair.child_by_field_id(key_field), pair.child_by_field_id(value_field)
            if key_node is None:
                continue
            key_start = key_node.start_byte
            # A plain key alone in its node (most keys) is read here, without the calls of `key`.
            if clean and data[key_start] not in _NOT_PLAIN and key_node.kind_id == flow_node:
                key = data[key_start:key_node.end_byte].decode("utf-8", "replace")
                if "\n" in key:
                    key = fold(key)
            elif (inner := key_node.named_child(0) if key_node.named_child_count == 1 else None) is not None \
                    and inner.kind_id == plain:
                key = data[inner.start_byte:inner.end_byte].decode("utf-8", "replace")
                if "\n" in key:
                    key = fold(key)
            else:
                key = self.key(key_node)
                if key is None:
                    continue
            if value_node is None:
                child = scalar(None, pair.end_byte, pair.end_byte)
            elif value_node.kind_id != flow_node or depth >= MAX_DEPTH:
                if stub is not None and (child := stub(key, value_node, depth + 1, entries)) is not None:
                    pass
                elif depth < MAX_DEPTH and value_node.named_child_count == 1 \
                        and (inner := value_node.named_child(0)).kind_id == block_mapping:
                    child = self.mapping_of(inner.named_children, inner, depth + 1)  # node()'s dispatch skipped
                else:
                    child = self.node(value_node, depth + 1)
            elif clean and (first := data[start := value_node.start_byte]) not in _NOT_PLAIN \
                    and first not in _MAY_BE_TYPED:
                child = _plain_string(data, start, value_node.end_byte)  # most values: without asking the tree
            elif clean and first == _BANG and (child := self.tagged_plain(start, value_node.end_byte)) is not None:
                pass
            elif value_node.named_child_count == 1:
                child = self.plain(value_node.named_child(0)) or self.node(value_node, depth + 1)
            elif stub is None or (child := stub(key, value_node, depth + 1, entries)) is None:
                child = self.node(value_node, depth + 1)
            if key == "<<":
                merges.extend(child.value if child.kind == LIST else [child])
                continue
            if child.key_start >= 0:  # an alias's target already keyed elsewhere
                child = _copy(child)
            child.key_start = key_start
            entries[key] = child
        for merged in merges:  # explicit keys win over merged ones, whatever their order
            for key, child in merged.items():
                entries.setdefault(key, child)
        result = Node(MAP, entries, node.start_byte, node.end_byte)
        if self.sized:
            result.meta = {"size": 1 + sum(_size(c) for c in entries.values())}
        return result

    def alias(self, node) -> tuple[Node, int]:
        name = node.text.decode("utf-8", "replace").lstrip("*")
        found = self.anchors.get(name)
        if found is None:
            return unknown(node.start_byte, node.end_byte, f"*{name}"), 1
        target, size = found
        self.expanded += size
        if self.expanded > ALIAS_BUDGET:
            raise DocumentError(
                f"aliases expand to more than {ALIAS_BUDGET:,} values (a 'billion laughs' document?)",
                node.start_point[0] + 1)
        # The alias site gets its own span (so a finding or fix lands on `*name`), the value is
        # shared; the anchored value is marked, since an edit inside it changes every alias.
        copy = _copy(target)
        copy.start, copy.end, copy.key_start = node.start_byte, node.end_byte, -1
        if not (target.meta and target.meta.get("aliased")):
            copy.meta = target.meta
            target.meta = dict(target.meta or {}, aliased=True)
        else:
            copy.meta = {k: v for k, v in target.meta.items() if k != "aliased"} or None
        return copy, size

    def key(self, node) -> str | None:
        k = self.k
        content, kind = node, node.kind_id
        if kind in k.nodes:
            content = None
            for child in _named_children(node):
                kind = child.kind_id
                if kind in k.content:
                    content = child
                    break
        if content is None:
            return None
        if kind == k.plain:
            # Its text, folded: what `scalar` gives a string, and the text of any other typed value.
            text = self.data[content.start_byte:content.end_byte].decode("utf-8", "replace")
            return fold(text) if "\n" in text else text
        if kind not in k.quoted:
            return None
        return self.scalar(content, kind).value

    def tagged(self, tag: str, value: Node, ts_node) -> Node:
        """Standard tags retype a scalar; any other tag (`!Ref`, `!Sub`, `!vault`) makes the value
        unknown, keeping the tag and the inner value for document kinds that understand it."""
        name = tag[2:] if tag.startswith("!!") else tag[len(_STANDARD_TAG) + 2:-1] if tag.startswith("!<" + _STANDARD_TAG) else None
        start, end = ts_node.start_byte, ts_node.end_byte
        if name is not None:
            if value.kind == SCALAR and name == "str" and not isinstance(value.value, str):
                content = next((c for c in ts_node.named_children if c.kind_id in self.k.content), None)
                value.value = content.text.decode("utf-8", "replace") if content is not None else ""
            return value
        result = unknown(start, end, self.data[start:end].decode("utf-8", "replace"))
        result.meta = {"tag": tag, "value": value}
        return result

    def tagged_plain(self, start: int, end: int) -> Node | None:
        """A flow node of a tree without errors that is a local tag, a space and a plain string
        (`!Ref Name`: most of a template's intrinsics), read from the text as node() and tagged()
        read it from the tree; None for any other tagged value."""
        data = self.data
        space = data.find(b" ", start, end)
        if space < 0 or data[start + 1] in _NOT_LOCAL:
            return None
        tag = data[start:space]
        content = space + 1
        while content < end and data[content] == _SPACE:
            content += 1
        if content >= end or data[content] in _NOT_PLAIN or data[content] in _MAY_BE_TYPED \
                or b"\n" in tag or b"\t" in tag or b"\r" in tag:
            return None
        result = unknown(start, end, data[start:end].decode("utf-8", "replace"))
        result.meta = {"tag": tag.decode("utf-8", "replace"), "value": _plain_string(data, content, end)}
        return result

    def plain(self, content) -> Node | None:
        """A plain string straight from its node (most values: node()'s loop and scalar()'s
        dispatch skipped); None for any other content, left to node()."""
        if content.kind_id != self.k.plain:
            return None
        typed = content.named_child(0)
        if typed is not None and typed.kind_id in self.k.typed:
            return None
        return _plain_string(self.data, content.start_byte, content.end_byte)

    def scalar(self, node, kind: int) -> Node:
        k = self.k
        start, end = node.start_byte, node.end_byte
        raw = self.data[start:end].decode("utf-8", "replace")
        if kind == k.plain:
            child = node.named_child(0)
            typed = child.kind_id if child is not None else None
            if typed == k.integer:
                return Node(SCALAR, to_int(raw), start, end)
            if typed == k.float:
                return Node(SCALAR, to_float(raw), start, end)
            if typed == k.boolean:
                return Node(SCALAR, raw.lower() == "true", start, end)
            if typed == k.null:
                return Node(SCALAR, None, start, end)
            return Node(SCALAR, fold(raw) if "\n" in raw else raw, start, end)
        if kind == k.double:
            return scalar(unescape(fold(raw[1:-1])), start, end)
        if kind == k.single:
            return scalar(fold(raw[1:-1]).replace("''", "'"), start, end)
        if kind == k.block:
            return scalar(block(raw, _indent_of(node)), start, end)
        return unknown(start, end, raw)


def expand(stub: Node) -> bool:
    """Convert in place a part `documents` left unconverted (see `_Converter.stub`); whether it was one."""
    meta = stub.meta
    if not meta or "pruned" not in meta:
        return False
    full = meta["pruned"]()
    stub.value, stub.meta = full.value, full.meta
    return True


def _named_children(node) -> list | tuple:
    """A node's named children; most have one, and `named_child(0)` costs a quarter of the list."""
    return (node.named_child(0),) if node.named_child_count == 1 else node.named_children


def _plain_string(data: bytes, start: int, end: int) -> Node:
    """The string a plain scalar spelled data[start:end] means (its line breaks folded)."""
    raw = data[start:end].decode("utf-8", "replace")
    return Node(SCALAR, fold(raw) if "\n" in raw else raw, start, end)


def _copy(node: Node) -> Node:
    return Node(node.kind, node.value, node.start, node.end, node.key_start, node.text, node.src, node.meta)


def _size(node: Node) -> int:
    if node.kind == MAP and node.meta and "size" in node.meta:
        return node.meta["size"]
    if node.kind == LIST:
        return 1 + sum(_size(c) for c in node.value)
    return 1


def _indent_of(node) -> int:
    """The indentation of the entry holding a block scalar (its indicator digit counts from it)."""
    parent = node.parent
    while parent is not None and parent.type not in ("block_mapping_pair", "block_sequence_item"):
        parent = parent.parent
    return parent.start_point[1] if parent is not None else 0
