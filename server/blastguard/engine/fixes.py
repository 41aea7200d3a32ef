"""Turn a rule's fix template into byte edits, and apply edits to a document."""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from blastguard.engine.compile import FixTemplate
from blastguard.engine.lines import LineIndex
from blastguard.engine.model import Edit, Fix
from blastguard.engine.paths import locate
from blastguard.engine.values import LIST, MAP, SCALAR, Node


def render(value: Any, syntax: str) -> str:
    """A literal in the document's syntax (HCL, JSON and YAML agree on these spellings; Python
    spells True, False and None its own way)."""
    if syntax == "python" and (isinstance(value, bool) or value is None):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    if syntax == "yaml" and isinstance(value, str) and value.replace("-", "").replace("_", "").isalnum():
        return value
    return json.dumps(value)


# Anything a shell would interpret (quotes, expansion, redirection, globs, operators, comments).
_SHELL_SYNTAX = re.compile(r"""[|&;<>()$`\\"'*?\[\]{}~#!\n\r]""")


def _argv(node: Node) -> str | None:
    """A literal shell command as a Python argument list, when splitting on blanks is exactly
    what the shell would do with it."""
    if node.kind != SCALAR or not isinstance(node.value, str) or _SHELL_SYNTAX.search(node.value):
        return None
    words = node.value.split()
    if not words or "=" in words[0]:  # `VAR=x cmd` sets the environment
        return None
    return "[" + ", ".join(json.dumps(w) for w in words) + "]"


TRANSFORMS: dict[str, Callable[[Node], str | None]] = {"argv": _argv}


def build(template: FixTemplate, context: Node, syntax: str, lines: LineIndex, scope=None,
          shared: tuple[tuple[int, int], ...] = ()) -> Fix | None:
    """All of the template's edits, or no fix when one of them has nothing to act on.

    A value read through a reference (`force_destroy = local.is_dev`) is replaced where it is
    used, not where it is defined. An edit inside a `shared` span (text that other expressions
    read too: a `locals` block, a YAML anchor with aliases) would change them as well, so such
    a fix is offered (in an editor) but not safe."""
    edits = []
    for step in template.edits:
        targets = locate(context, scope, step.path, exact=True)
        if not targets or (targets[0].meta or {}).get("read"):
            return None  # none, or a value read from another file (it stands at the call that reads it)
        target = _use_site(targets[0])
        if step.action == "set":
            edit = Edit(target.start, target.end, render(step.value, syntax))
        elif step.action == "replace":
            text = TRANSFORMS[step.transform](target) if step.transform else str(step.value)
            if text is None:
                return None
            edit = Edit(target.start, target.end, text)
        else:
            edit = removal(target, lines, syntax)
        edits.append(edit)
    if any(not e.text and e.start <= start and end <= e.end for e in edits for start, end in shared):
        return None  # removing a shared definition's whole value (`VERIFY = False`) leaves `VERIFY =`
    safe = template.safe and not any(e.start < end and start < max(e.end, e.start + 1)
                                     for e in edits for start, end in shared)
    document = getattr(scope, "document", None)
    if safe and document is not None:
        safe = not any(_in_aliased(document, e.start, e.end) for e in edits)
    return Fix(template.title, tuple(sorted(edits, key=lambda e: e.start)), safe)


def _in_aliased(root: Node, start: int, end: int) -> bool:
    """Whether [start, end) lies inside a YAML anchored value that an alias reads too (found by
    descending through the nodes whose spans hold it; an alias site has its own span)."""
    node: Node | None = root
    while node is not None:
        if node.meta and node.meta.get("aliased"):
            return True
        children = node.value.values() if node.kind == MAP else node.value if node.kind == LIST else ()
        node = next((c for c in children if c.entry_start <= start and end <= c.end), None)
    return False


def _use_site(target: Node) -> Node:
    """The node to edit: a value substituted for a reference stands for the reference."""
    if not target.meta or "use" not in target.meta:
        return target
    start, end, key_start = target.meta["use"]
    return Node(target.kind, target.value, start, end, key_start, target.text, target.src)


# Commas separate entries in these syntaxes, so removing one entry must take one comma with it.
_COMMA_SEPARATED = {"json", "python", "yaml"}
# Where a comma after the last entry is an error (YAML block entries have no commas at all).
_TRAILING_COMMA_MATTERS = {"json"}


def removal(target: Node, lines: LineIndex, syntax: str = "") -> Edit:
    """Remove a map entry (or an argument); whole lines when it stands alone on its lines,
    with the separating comma where the syntax has one."""
    data = lines.data
    start, end = target.entry_start, target.end
    first, last = lines.line_of(start), lines.line_of(max(start, end - 1))
    line_start = lines.starts[first]
    before = data[line_start:start]
    after = data[end:lines.line_end(last)]
    commas = syntax in _COMMA_SEPARATED
    if not before.strip() and (not after.strip() or commas and after.strip() == b","):
        stop = lines.starts[last + 1] if last + 1 < len(lines.starts) else len(data)
        if syntax in _TRAILING_COMMA_MATTERS and after.strip() != b",":
            # The last entry goes: the comma that ended the entry before it goes too.
            back = line_start
            while back > 0 and data[back - 1:back] in b" \t\r\n":
                back -= 1
            if back > 0 and data[back - 1:back] == b",":
                return Edit(back - 1, stop, data[back:line_start].decode("utf-8"))
        return Edit(line_start, stop, "")
    if commas:
        after_end = end
        while data[after_end:after_end + 1] in (b" ", b"\t"):
            after_end += 1
        if data[after_end:after_end + 1] == b",":
            after_end += 1
            while data[after_end:after_end + 1] in (b" ", b"\t"):
                after_end += 1
            return Edit(start, after_end, "")
        back = start
        while back > 0 and data[back - 1:back] in (b" ", b"\t"):
            back -= 1
        if back > 0 and data[back - 1:back] == b",":
            return Edit(back - 1, end, "")
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
