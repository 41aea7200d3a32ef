"""Resolve `local.x` references and list- and map-building calls (concat, merge) within a file.

Locals are definitive, so a literal assigned in `locals { ... }` is matched where it is used;
the finding points at the literal. `var.x` is resolved in the same pass by hcl_variables (a
variable's default, which callers may override, is reported at its use, naming its origin).
"""

from __future__ import annotations

import re

from blastguard.engine.values import LIST, MAP, UNKNOWN, Node

_REFERENCE = re.compile(r'^local\.([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[\s*"[^"]*"\s*\]|\[\s*\d+\s*\])*)$')
_STEP = re.compile(r'\.([A-Za-z_][\w-]*)|\[\s*"([^"]*)"\s*\]|\[\s*(\d+)\s*\]')
# Locals defined through other locals are followed this far, which also stops cycles.
MAX_HOPS = 8


def combine(name: str, args: list[Node], start: int, end: int) -> Node | None:
    """concat(lists...) and merge(maps...) of known values; None when not computable. A concat
    with some known lists holds their elements whatever the unknown ones add
    (`concat(["0.0.0.0/0"], var.extra_cidrs)`): each unknown argument stays as an unknown element."""
    if name == "concat" and any(a.kind == LIST for a in args) and all(a.kind in (LIST, UNKNOWN) for a in args):
        return Node(LIST, [item for a in args for item in (a.value if a.kind == LIST else (a,))], start, end)
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


def follow(node: Node | None, steps: str) -> Node | None:
    """The node that `.attr`, `["key"]` and `[0]` steps (as written after a reference) reach
    from node; None when a step finds nothing."""
    for step in _STEP.finditer(steps):
        if node is None:
            return None
        attr, key, index = step.groups()
        if node.kind == MAP:
            node = node.value.get(attr if attr is not None else key)
        elif node.kind == LIST and index is not None and int(index) < len(node.value):
            node = node.value[int(index)]
        else:
            return None
    return node


class Locals:
    """The file's locals, each resolved once on first use, and the pass that substitutes them.

    A local is resolved at most once: a reference met while that local is still being resolved
    (a cycle, `tags = { self = local.tags }`) stays unknown. Substitution edits trees in place,
    so re-resolving a local could link two locals to each other and make the tree cyclic.
    """

    def __init__(self, bodies, variables=None):
        self._bodies = bodies  # callables returning each locals block's converted body
        self._variables = variables  # hcl_variables.Variables: what `var.x` reads, or None
        self._table: dict[str, Node] | None = None
        self._state: dict[str, bool] = {}  # name -> resolved (True) or being resolved (False)
        self._defined: dict[str, Node] = {}  # name -> the node as written

    def table(self) -> dict[str, Node]:
        if self._table is None:
            self._table = {}
            for body in self._bodies:
                self._table.update(body().value)
            self._defined = dict(self._table)
        return self._table

    def own(self, body: Node) -> Node:
        """A locals block's body with each of its locals resolved (as resolved() does, so a
        local refers to itself only as unknown); a name defined again later stays as written."""
        self.table()
        for name, value in list(body.value.items()):
            if self._defined.get(name) is value:
                body.value[name] = self.resolved(name) or value
        return body

    def resolved(self, name: str, hops: int = 0) -> Node | None:
        """The local's value with its own references substituted; None when it is unknown here
        (undefined, part of a cycle, or past MAX_HOPS of locals defined through locals)."""
        state = self._state.get(name)
        if state is False or (state is None and hops > MAX_HOPS):
            return None
        node = self.table().get(name)
        if node is None or state:
            return node
        self._state[name] = False
        node = self._table[name] = self.substitute(node, hops + 1)
        self._state[name] = True
        return node

    def lookup(self, text: str, hops: int = 0) -> Node | None:
        match = _REFERENCE.match(text.strip())
        if match is None:
            return None
        return follow(self.resolved(match.group(1), hops), match.group(2))

    def substitute(self, node: Node, hops: int = 0) -> Node:
        """node with resolvable references and calls below it replaced (children in place)."""
        if not self._bodies and self._variables is None:
            # Without locals or variables nothing below can resolve: calls left unknown had
            # unknown arguments.
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
                elif not (child.meta and ("use" in child.meta or "via" in child.meta)):  # already substituted
                    stack.append(child)
        return node

    def _resolve_unknown(self, node: Node, hops: int) -> Node | None:
        if node.meta and "call" in node.meta:
            args = [self.substitute(a, hops) for a in node.meta["args"]]
            return combine(node.meta["call"], args, node.start, node.end)
        if node.text.startswith("local."):
            found = self.lookup(node.text, hops)
            return None if found is None else used_at(found, node)
        if self._variables is not None and "var." in node.text:
            return self._variables.lookup(node)
        return None


def used_at(value: Node, reference: Node) -> Node:
    """value as read through `reference`: the same span and children (a finding still points
    at the literal in `locals`), plus where it is used, so a fix can edit the use, not the
    local that other expressions may read too."""
    meta = dict(value.meta or {})
    meta["use"] = (reference.start, reference.end, reference.key_start)
    return Node(value.kind, value.value, value.start, value.end, value.key_start, value.text, value.src, meta)
