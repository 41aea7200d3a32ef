"""Turn a rule's fix template into byte edits, and apply edits to a document."""

from __future__ import annotations

import json
from typing import Any

from blastguard.engine.compile import FixTemplate
from blastguard.engine.lines import LineIndex
from blastguard.engine.model import Edit, Fix
from blastguard.engine.paths import locate
from blastguard.engine.values import UNKNOWN, Node


def render(value: Any, syntax: str) -> str:
    """A literal in the document's syntax (HCL, JSON and YAML agree on these spellings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    if syntax == "yaml" and isinstance(value, str) and value.replace("-", "").replace("_", "").isalnum():
        return value
    return json.dumps(value)


def build(template: FixTemplate, context: Node, syntax: str, lines: LineIndex, scope=None) -> Fix | None:
    targets = [n for n in locate(context, scope, template.path) if n.kind != UNKNOWN]
    if not targets:
        return None
    target = targets[0]
    if template.action == "set":
        edit = Edit(target.start, target.end, render(template.value, syntax))
    elif template.action == "replace":
        edit = Edit(target.start, target.end, str(template.value))
    else:
        edit = removal(target, lines)
    return Fix(template.title, (edit,), template.safe)


def removal(target: Node, lines: LineIndex) -> Edit:
    """Remove a map entry; whole lines when it stands alone on its lines."""
    start, end = target.entry_start, target.end
    first, last = lines.line_of(start), lines.line_of(max(start, end - 1))
    line_start = lines.starts[first]
    before = lines.data[line_start:start]
    after = lines.data[end:lines.line_end(last)]
    if not before.strip() and not after.strip():
        stop = lines.starts[last + 1] if last + 1 < len(lines.starts) else len(lines.data)
        return Edit(line_start, stop, "")
    return Edit(start, end, "")


def apply(data: bytes, edits: list[Edit]) -> tuple[bytes, list[Edit]]:
    """Apply non-overlapping edits (earliest first wins); return new bytes and those applied."""
    applied: list[Edit] = []
    last_end = -1
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < last_end or edit in applied:
            continue
        applied.append(edit)
        last_end = max(edit.end, edit.start + (1 if edit.start == edit.end else 0))
    out = bytearray(data)
    for edit in reversed(applied):
        out[edit.start:edit.end] = edit.text.encode("utf-8")
    return bytes(out), applied
