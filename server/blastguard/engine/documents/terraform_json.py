"""Terraform JSON syntax (.tf.json) -> terraform.RawBlock, so the same rules apply."""

from __future__ import annotations

from blastguard.engine.documents.terraform import RawBlock
from blastguard.engine.values import LIST, MAP, Node

_TWO_LABELS = {"resource", "data"}
_ONE_LABEL = {"module", "provider", "variable", "output"}


def blocks(root: Node | None) -> list[RawBlock]:
    if root is None or root.kind != MAP:
        return []
    found: list[RawBlock] = []
    for kind, group in root.items():
        if kind in _TWO_LABELS:
            for type_, named in _maps(group):
                for name, body in _maps(named):
                    found.extend(_block(kind, [type_, name], body))
        elif kind in _ONE_LABEL:
            for name, body in _maps(group):
                found.extend(_block(kind, [name], body))
    return found


def _maps(node: Node):
    """Entries of a map, or of each map in a list (both spellings are valid Terraform JSON)."""
    for item in node.value if node.kind == LIST else [node]:
        yield from item.items()


def _block(kind: str, labels: list[str], body: Node):
    for item in body.value if body.kind == LIST else [body]:
        if item.kind == MAP:
            yield RawBlock(kind, labels, item.entry_start, item.start + 1, lambda item=item: item)
