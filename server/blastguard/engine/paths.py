"""Paths into the value tree (`ingress.cidr_blocks`, `Principal.*`) and their resolution."""

from __future__ import annotations

from blastguard.engine.values import LIST, MAP, SCALAR, UNKNOWN, Node

ANY_KEY = "*"


def compile_path(path: str | list) -> tuple[str, ...]:
    """`a.b.*` or a list of segments (for keys that contain dots); `.` is the node itself."""
    if isinstance(path, list):
        return tuple(str(p) for p in path)
    if path in ("", "."):
        return ()
    return tuple(path.split("."))


def flatten(node: Node):
    """A list's elements (recursively); any other node as itself."""
    if node.kind != LIST:
        yield node
        return
    stack = list(reversed(node.value))
    while stack:
        item = stack.pop()
        if item.kind == LIST:
            stack.extend(reversed(item.value))
        else:
            yield item


def resolve(node: Node, segments: tuple[str, ...]) -> list[Node]:
    """Nodes at the path; lists are walked through. Unknown nodes stand for what is below them."""
    current = [node]
    for segment in segments:
        following: list[Node] = []
        for parent in current:
            for item in flatten(parent):
                if item.kind == MAP:
                    if segment == ANY_KEY:
                        following.extend(item.value.values())
                    else:
                        child = item.value.get(segment)
                        if child is not None:
                            following.append(child)
                elif item.kind == UNKNOWN:
                    following.append(item)
        current = following
    return current


def scalars(nodes: list[Node]):
    """Scalar and unknown leaves of nodes, walking through lists."""
    for node in nodes:
        for item in flatten(node):
            if item.kind in (SCALAR, UNKNOWN):
                yield item
