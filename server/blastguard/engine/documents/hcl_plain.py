"""A top-level block whose text a regex proves to be valid HCL, so one no rule reads is never parsed.

Most of a module's regions are `output` blocks (1,600 of the 2,955 regions of the real-world
corpus) that no rule reads: their parse only told that they hold no syntax error. A block made
of one-line attributes of plain values (strings without templates, numbers, references,
one-line lists and calls of those, two calls deep) has none, which one regex pass in C tells;
anything else (a heredoc, an object, a template, a nested block, a multi-line value, a
keyword where a name goes) does not match and is parsed as before. hcl_regions' scan takes
such a block's end from the same match, instead of walking its bytes in Python. tests/test_hcl_plain.py
checks on generated texts that every one it accepts parses without an error.
"""

from __future__ import annotations

import re
from functools import cache

_WS = rb"[ \t]"
# Keywords are left to the parser wherever a name stands (`for = 1`, `true.x`).
_KEYWORD = rb"(?:true|false|null|for|in|if|else|endif|endfor)(?![A-Za-z0-9_-])"
_NAME = rb"(?!" + _KEYWORD + rb")[A-Za-z_][A-Za-z0-9_-]*+"
# No template (`${`, `%{`, and their `$${` escapes), no control character, only common escapes.
_STRING = rb'"(?:[^\x00-\x08\x0a-\x1f\x7f"\\$%]++|\\[nrt"\\]|[$%](?![{$%]))*+"'
_NUMBER = rb"-?[0-9]++(?:\.[0-9]++)?+(?![A-Za-z0-9_.-])"
_LITERAL = rb"(?:true|false|null)(?![A-Za-z0-9_.\[-])"
_REFERENCE = _NAME + rb"(?:\." + _NAME + rb"|\[[0-9]++\]|\[\*\]|\.\*)*+"
_VALUE = rb"(?:" + _STRING + rb"|" + _NUMBER + rb"|" + _LITERAL + rb"|" + _REFERENCE + rb")"


def _items(item: bytes) -> bytes:
    """Comma-separated items (no trailing comma), or none."""
    return rb"(?:" + item + rb"(?:" + _WS + rb"*+," + _WS + rb"*+" + item + rb")*+" + _WS + rb"*+)?+"


_LIST = rb"\[" + _WS + rb"*+" + _items(_VALUE) + rb"\]"
_INNER = rb"(?:" + _NAME + rb"\(" + _WS + rb"*+" + _items(rb"(?:" + _VALUE + rb"|" + _LIST + rb")") + rb"\)|" \
    + _LIST + rb"|" + _VALUE + rb")"
_EXPRESSION = rb"(?:" + _NAME + rb"\(" + _WS + rb"*+" + _items(_INNER) + rb"\)|" + _INNER + rb")"
_LINE_END = _WS + rb"*+(?:(?:#|//)[^\n]*+)?+\r?+\n"
_LINE = _WS + rb"*+(?:" + _NAME + _WS + rb"*+=" + _WS + rb"*+" + _EXPRESSION + rb")?+" + _LINE_END
_LABEL = rb'"([^\x00-\x1f\x7f"\\$%]*+)"'
_HEADER = rb"(" + _NAME + rb")(?:" + _WS + rb"++" + _LABEL + rb")?+(?:" + _WS + rb'++"[^\x00-\x1f\x7f"\\$%]*+")*+' \
    + _WS + rb"*+\{" + _LINE_END


@cache
def _plain() -> re.Pattern:
    """The block ends at the first `}` outside its strings and comments, where hcl_regions' scan
    ends it. Compiled on first use: the 11 KB pattern takes 14 ms, which a YAML or Python check
    need not pay at start-up."""
    return re.compile(_HEADER + rb"(?:" + _LINE + rb")*+" + _WS + rb"*+\}")


def match(data: bytes, start: int) -> tuple[int, tuple[str, str]] | None:
    """(end, (type, first label or "")) of such a block starting at `start`, as hcl.blocks reads
    its type and labels; None when what starts there is not one."""
    found = _plain().match(data, start)
    if found is None:
        return None
    return found.end(), (found.group(1).decode(), (found.group(2) or b"").decode("utf-8", "replace"))


def plain_block(text: bytes) -> tuple[str, str] | None:
    """(type, first label) of a text that is one such block, else None."""
    found = match(text, 0)
    return found[1] if found is not None and found[0] == len(text) else None
