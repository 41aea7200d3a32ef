"""Values of two versions compared as data: positions, layout and comments do not count."""

from __future__ import annotations

from typing import Any

from blastguard.engine.values import LIST, MAP, SCALAR, UNKNOWN, Node

# An unresolved value (a variable, a reference) compares by its text, spaces removed.
UNRESOLVED = "\ue001"


def plain(node: Node | None) -> Any:
    """The node as plain Python data: dicts, lists, scalars; unknowns as (UNRESOLVED, text)."""
    if node is None:
        return None
    if node.kind == MAP:
        return {k: plain(v) for k, v in node.value.items()}
    if node.kind == LIST:
        return [plain(v) for v in node.value]
    if node.kind == SCALAR:
        return node.value
    return (UNRESOLVED, "".join((node.text or str(node.value or "")).split()))


def known(node: Node | None) -> bool:
    """Whether the whole value is literal (no variable or reference anywhere in it)."""
    return node is not None and all(n.kind != UNKNOWN for n in node.walk())


def text(value: Any) -> str:
    """A short rendering for messages: `"db-1"`, `true`, `[a, b]`, `var.name`."""
    if isinstance(value, tuple) and value and value[0] == UNRESOLVED:
        return value[1]
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {text(v)}" for k, v in value.items()) + "}"
    return str(value)


def short(value: Any, limit: int = 60) -> str:
    """text(), cut to a length a one-line summary can hold."""
    rendered = text(value)
    return rendered if len(rendered) <= limit else rendered[:limit - 3] + "..."


def truthy(value: Any) -> bool | None:
    """A literal boolean (Terraform accepts "true"/"false" strings too); None when not one."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None
