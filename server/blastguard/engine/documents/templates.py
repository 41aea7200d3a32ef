"""Strings holding template expressions (`{{ x }}`, `${X}`) become unknown values whose literal
parts rules can still match."""

from __future__ import annotations

import re

from blastguard.engine.values import SCALAR, UNKNOWN, UNKNOWN_PART, Node

JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)  # Ansible, Helm
SHELL_VARIABLE = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")  # Docker Compose interpolation


def untemplate(root: Node | None, pattern: re.Pattern) -> None:
    """Turn every string scalar that holds an expression into an unknown node, in place."""
    if root is None:
        return
    for node in root.walk():
        if node.kind == SCALAR and isinstance(node.value, str) and pattern.search(node.value):
            template = pattern.sub(UNKNOWN_PART, node.value)
            node.kind, node.text, node.value = UNKNOWN, node.value, template
