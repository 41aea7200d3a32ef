"""Strings holding template expressions (`{{ x }}`, `${X}`) become unknown values whose literal
parts rules can still match."""

from __future__ import annotations

import re2

from blastguard.engine.values import SCALAR, UNKNOWN, UNKNOWN_PART, Node

# RE2, linear time: a run of `{{` or `${` with no end made backtracking quadratic.
JINJA = re2.compile(r"(?s)\{\{.*?\}\}|\{%.*?%\}")  # Ansible, Helm
SHELL_VARIABLE = re2.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")  # Docker Compose interpolation


def unknown_part(_match) -> str:
    """The replacement for an expression (google-re2's sub garbles a non-ASCII replacement
    string, but not a function's result)."""
    return UNKNOWN_PART


def untemplate(root: Node | None, pattern) -> None:
    """Turn every string scalar that holds an expression into an unknown node, in place."""
    if root is None:
        return
    for node in root.walk():
        if node.kind == SCALAR and isinstance(node.value, str) and pattern.search(node.value):
            template = pattern.sub(unknown_part, node.value)
            node.kind, node.text, node.value = UNKNOWN, node.value, template
