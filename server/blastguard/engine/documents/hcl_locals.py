"""Resolve `local.x` references and list- and map-building calls (concat, merge) within a file.

Locals are definitive (unlike a variable's default, which callers override), so a literal
assigned in `locals { ... }` is matched where it is used; the finding points at the literal.
"""

from __future__ import annotations

import re

from blastguard.engine.values import LIST, MAP, UNKNOWN, Node

_REFERENCE = re.compile(r'^local\.([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[\s*"[^"]*"\s*\]|\[\s*\d+\s*\])*)$')
_STEP = re.compile(r'\.([A-Za-z_][\w-]*)|\[\s*"([^"]*)"\s*\]|\[\s*(\d+)\s*\]')
# Locals defined through other locals are followed this far, which also stops cycles.
MAX_HOPS = 8


def combine(name: str, args: list[Node], start: int, end: int) -> Node | None:
    """concat(lists...) and merge(maps...) of known values; None when not computable."""
    if not args or any(a.kind == UNKNOWN for a in args):
        return None
    if name == "concat" and all(a.kind == LIST for a in args):
        return Node(LIST, [item for a in args for item in a.value], start, end)
    if name == "merge" and all(a.kind == MAP for a in args):
        merged: dict[str, Node] = {}
        for a in args:
            merged.update(a.value)
        return Node(MAP, merged, start, end)
    return None


class Locals:
    """The file's locals, converted on first use, and the pass that substitutes them."""

    def __init__(self, bodies):
        self._bodies = bodies  # callables returning each locals block's converted body
        self._table: dict[str, Node] | None = None

    def table(self) -> dict[str, Node]:
        if self._table is None:
            self._table = {}
            for body in self._bodies:
                self._table.update(body().value)
        return self._table

    def lookup(self, text: str, hops: int = 0) -> Node | None:
        match = _REFERENCE.match(text.strip())
        if match is None or hops > MAX_HOPS:
            return None
        node = self.table().get(match.group(1))
        for step in _STEP.finditer(match.group(2)):
            if node is None:
                return None
            node = self.substitute(node, hops + 1)
            attr, key, index = step.groups()
            if node.kind == MAP:
                node = node.value.get(attr if attr is not None else key)
            elif node.kind == LIST and index is not None and int(index) < len(node.value):
                node = node.value[int(index)]
            else:
                return None
        return None if node is None else self.substitute(node, hops + 1)

    def substitute(self, node: Node, hops: int = 0) -> Node:
        """node with resolvable references and calls below it replaced (children in place)."""
        if hops > MAX_HOPS or not self._bodies:
            # Without locals nothing below can resolve: calls left unknown had unknown arguments.
            return node
        if node.kind == UNKNOWN:
            return self._resolve_unknown(node, hops) or node
        stack = [node]
        while stack:
            parent = stack.pop()
            if parent.kind == MAP:
                items = parent.value.items()
            elif parent.kind == LIST:
                items = enumerate(parent.value)
            else:
                continue
            for key, child in list(items):
                if child.kind == UNKNOWN:
                    resolved = self._resolve_unknown(child, hops)
                    if resolved is not None:
                        parent.value[key] = resolved
                else:
                    stack.append(child)
        return node

    def _resolve_unknown(self, node: Node, hops: int) -> Node | None:
        if node.meta and "call" in node.meta:
            args = [self.substitute(a, hops + 1) for a in node.meta["args"]]
            return combine(node.meta["call"], args, node.start, node.end)
        if node.text.startswith("local."):
            return self.lookup(node.text, hops)
        return None
