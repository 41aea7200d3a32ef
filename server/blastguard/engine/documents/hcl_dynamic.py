"""Expand Terraform `dynamic` blocks whose `for_each` is a known list or map into one block each.

`dynamic "ingress" { for_each = [22, 3389] content { from_port = ingress.value ... } }` is two
ingress blocks; reading it as one block with an unknown port hid every port written this way. An
element read through `<iterator>.value` (and `.value.attr`, `.value["k"]`, `.value[0]`) is the
element's own node, so a finding points at the literal in `for_each`, where a fix also belongs
(the content is shared by every element). `<iterator>.key` is known for a map only: `toset` is
read as its list, and a set's key is its value, not an index. A `for_each` that does not resolve
leaves the content as one block, as before.

A resource or module with a known `for_each` is, the same way, one body per instance
(`each.value`, `each.key`), so `for_each = toset(["22", "3389"])` with `from_port = each.value`
is read as the two rules it creates; and one with a known `count` (a number, or a variable that
resolves to one) that reads `count.index`, one body per index: `count.index` is the number
(located at `count`), and `x[count.index]` of a local or variable is its element.
"""

from __future__ import annotations

import re
from typing import Callable

from blastguard.engine.documents.hcl_locals import follow
from blastguard.engine.values import LIST, MAP, MAX_DEPTH, SCALAR, UNKNOWN, DocumentError, Node, scalar

_REFERENCE = re.compile(
    r'^(?:"?\$\{\s*)?([A-Za-z_][\w-]*)\.(value|key|index)'
    r'((?:\.[A-Za-z_][\w-]*|\[\s*"[^"]*"\s*\]|\[\s*\d+\s*\])*)(?:\s*\}"?)?$')
# Past this many elements a block is left unexpanded: a generated list is data, not rules.
MAX_ELEMENTS = 256
DYNAMIC = "dynamic"


def mark(content: Node, dynamic_body: Node, label: str) -> None:
    """Remember on a dynamic block's content what it iterates over (read by expand())."""
    for_each = dynamic_body.get("for_each")
    if for_each is None:
        return
    iterator = dynamic_body.get("iterator")
    name = iterator.text if iterator is not None and iterator.kind == UNKNOWN and iterator.text else label
    content.meta = {**(content.meta or {}), DYNAMIC: (for_each, name)}


def expand(body: Node, resolve: Callable[[Node], Node]) -> Node:
    """body with every marked dynamic block whose for_each resolves (resolve substitutes the
    file's locals in an expression) replaced, in place, by one block per element."""
    stack = [body]
    while stack:
        parent = stack.pop()
        if parent.kind == MAP:
            items = list(parent.value.items())
        elif parent.kind == LIST:
            items = list(enumerate(parent.value))
        else:
            continue
        replaced = False
        for key, child in items:
            copies = _copies(child, resolve) if child.meta and DYNAMIC in child.meta else None
            if copies is None:
                stack.append(child)
                continue
            stack.extend(copies)
            if parent.kind == LIST:
                parent.value[key] = copies  # spliced below, keeping the order of the blocks
                replaced = True
            elif copies:
                parent.value[key] = Node(LIST, copies, child.start, child.end, child.key_start,
                                         meta={"blocks": True})
            else:
                del parent.value[key]  # for_each = []: no block at all
        if replaced:
            parent.value[:] = [n for item in parent.value for n in (item if isinstance(item, list) else [item])]
    return body


def instances(body: Node, resolve: Callable[[Node], Node] | None = None) -> list[Node] | None:
    """One body per instance of a block with a known `for_each` that reads `each.`, with
    `each.value` / `each.key` substituted, or with a known `count` that reads `count.index`;
    None otherwise. A list here is a set (`toset`), so each.key is the element itself."""
    count = body.get("count")
    if count is not None:
        return _counted(body, count, resolve or _same)
    for_each = body.get("for_each")
    if for_each is None or for_each.kind not in (LIST, MAP) or not 0 < len(for_each.value) <= MAX_ELEMENTS:
        return None
    if not any(n.kind == UNKNOWN and _REFERENCE.match(n.text.strip()) and n.text.strip().lstrip('"${ ').startswith("each.")
               for n in body.walk()):
        return None
    pairs = for_each.value.items() if for_each.kind == MAP else ((None, item) for item in for_each.value)
    out = []
    for key, value in pairs:
        key_node = value if key is None else scalar(key, value.entry_start, value.start)
        # Dynamic blocks left whole because they iterate over each.value can expand now.
        out.append(expand(_substituted(body, "each", key_node, value, _same, 0), _same))
    return out


def _same(node: Node) -> Node:
    return node


_INDEXED = re.compile(r"\[\s*count\.index\s*\]")


def _counted(body: Node, count: Node, resolve: Callable[[Node], Node]) -> list[Node] | None:
    if count.kind != SCALAR or type(count.value) is not int or not 0 < count.value <= MAX_ELEMENTS:
        return None
    if not any(n.kind == UNKNOWN and "count.index" in n.text for n in body.walk()):
        return None
    out = []
    for index in range(count.value):
        number = scalar(index, count.start, count.end)
        number.key_start, number.meta = count.key_start, count.meta
        out.append(_substituted(body, "count", number, number, resolve, 0))
    return out


def _copies(content: Node, resolve) -> list[Node] | None:
    for_each, name = content.meta[DYNAMIC]
    collection = resolve(for_each)
    if collection.kind == LIST:
        pairs = [(None, item) for item in collection.value]
    elif collection.kind == MAP:
        pairs = [(scalar(k, item.key_start if item.key_start >= 0 else item.start, item.start), item)
                 for k, item in collection.value.items()]
    else:
        return None
    if len(pairs) > MAX_ELEMENTS:
        return None
    copies = []
    for key, value in pairs:
        copy = _substituted(content, name, key, value, resolve, 0)
        copy.meta = {k: v for k, v in (copy.meta or {}).items() if k != DYNAMIC} or None
        copies.append(copy)
    return copies


def _substituted(node: Node, name: str, key: Node | None, value: Node, resolve, depth: int) -> Node:
    """A copy of node with `name.value...` / `name.key` references replaced by what they read."""
    if depth > MAX_DEPTH:
        raise DocumentError(f"nesting deeper than {MAX_DEPTH} levels")
    if node.kind == UNKNOWN:
        return _read(node, name, key, value, resolve) or node
    if node.kind not in (MAP, LIST):
        return node
    if node.kind == MAP:
        children = {k: _substituted(c, name, key, value, resolve, depth + 1) for k, c in node.value.items()}
    else:
        children = [_substituted(c, name, key, value, resolve, depth + 1) for c in node.value]
    meta = node.meta
    if meta and DYNAMIC in meta:
        # A nested dynamic block may iterate over part of this element (for_each = rule.value.ports).
        inner_for_each, inner_name = meta[DYNAMIC]
        inner = _substituted(resolve(inner_for_each), name, key, value, resolve, depth + 1)
        meta = {**meta, DYNAMIC: (inner, inner_name)}
    return Node(node.kind, children, node.start, node.end, node.key_start, node.text, node.src, meta)


def _read(reference: Node, name: str, key: Node | None, value: Node, resolve) -> Node | None:
    if name == "count":
        return _indexed(reference, key, resolve)
    match = _REFERENCE.match(reference.text.strip())
    if match is None or match.group(1) != name or match.group(2) == "index":
        return None
    if match.group(2) == "key":
        return key if not match.group(3) else None
    return follow(value, match.group(3))


def _indexed(reference: Node, index: Node, resolve) -> Node | None:
    """What a reference reads at one count index: `count.index` itself, or the element that
    `x[count.index]` selects of a local or variable (resolved again with the index written in)."""
    text = reference.text.strip()
    match = _REFERENCE.match(text)
    if match is not None and match.group(1) == "count":
        return index if match.group(2) == "index" and not match.group(3) else None
    if "[" not in text or not _INDEXED.search(text):
        return None
    written = _INDEXED.sub(f"[{index.value}]", text)
    found = resolve(Node(UNKNOWN, None, reference.start, reference.end, reference.key_start, written))
    return None if found.kind == UNKNOWN else found
