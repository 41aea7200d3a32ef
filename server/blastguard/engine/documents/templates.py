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


# A whole value that is one expression made of a quoted literal and filters
# (`{{ 'S3cr3t' | password_hash('sha512') }}`, Helm's `{{ "hunter2" | b64enc }}`).
_FILTERED_LITERAL = re2.compile(
    r"""^["']?\{\{-?\s*(?:'([^'{}|]*)'|"([^"{}|]*)")\s*(?:\|\s*[A-Za-z_][\w.]*\s*(?:\([^(){}|]*\))?\s*)*-?\}\}["']?$""")


def untemplate(root: Node | None, pattern, source: bytes | None = None) -> None:
    """Turn every string scalar that holds an expression into an unknown node, in place. With the
    unmasked `source`, a value that only filters a literal reads as that literal: a password
    hashed or encoded at run time is still written in the file."""
    if root is None:
        return
    for node in root.walk():
        if node.kind == SCALAR and isinstance(node.value, str) and pattern.search(node.value):
            raw = source[node.start:node.end] if source is not None else b""
            if b"{{" in raw:
                literal = _FILTERED_LITERAL.match(raw.decode("utf-8", "replace").strip())
                if literal is not None:
                    node.value = literal.group(1) if literal.group(1) is not None else literal.group(2)
                    continue
            template = pattern.sub(unknown_part, node.value)
            node.kind, node.text, node.value = UNKNOWN, node.value, template
