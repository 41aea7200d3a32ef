"""What a finding is, without its line: its unit (address, object, function) and its path in it.

Two versions of a file are compared by these (engine.change): moving a block, reformatting it
or adding lines above it changes every line number and none of these.
"""

from __future__ import annotations

from blastguard.engine.values import LIST, MAP, SCALAR, Node, Subject

# Keys that name a list element better than its index (a container, a statement, a step).
_ELEMENT_NAMES = ("name", "id", "Sid", "sid")
# Python subjects are many per function: the callee or target tells them apart.
_TYPED_KINDS = frozenset({"call", "assign", "import", "def"})


def where(subject: Subject, offset: int) -> str:
    """`kind path` of the node at byte offset within the subject (`resource ingress[0].cidr_blocks`);
    the path is empty when the finding is on the subject itself or outside it."""
    head = f"{subject.kind} {subject.type}" if subject.kind in _TYPED_KINDS else subject.kind
    return f"{head} {path_to(subject.node, offset)}".rstrip()


def path_to(node: Node, offset: int) -> str:
    """The keys (and list elements) leading from node to the innermost value at offset."""
    parts: list[str] = []
    while True:
        if node.kind == MAP:
            found = next(((key, child) for key, child in node.value.items() if _holds(child, offset)), None)
            if found is None:
                break
            key, child = found
            parts.append(("." if parts else "") + key)
            if child.kind == MAP and child.key_start == child.start:
                # An HCL block written once: the first of its kind, as when it is repeated.
                parts.append("[0]")
        elif node.kind == LIST:
            found = next(((i, child) for i, child in enumerate(node.value) if _holds(child, offset)), None)
            if found is None:
                break
            index, child = found
            parts.append(f"[{_element_label(child, index)}]")
        else:
            break
        if child is node:
            break
        node = child
    return "".join(parts)


def _holds(node: Node, offset: int) -> bool:
    return node.entry_start <= offset < node.end or offset == node.entry_start


def _element_label(node: Node, index: int) -> str:
    if node.kind == MAP:
        for key in _ELEMENT_NAMES:
            value = node.value.get(key)
            if value is not None and value.kind == SCALAR and isinstance(value.value, (str, int)):
                return f"{key}={value.value}"
    return str(index)


def key(finding) -> tuple[str, str, str]:
    """What matches a finding across versions: rule, unit and path, never the line."""
    return finding.rule, finding.unit, finding.where

