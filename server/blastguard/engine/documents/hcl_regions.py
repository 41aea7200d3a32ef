"""A Terraform file cut into its top-level blocks by a text scan, so each is parsed alone.

tree-sitter-hcl's tree of a whole file costs about 200 bytes per byte of text (1.4 GB for 5 MB
of comments), and after an edit that breaks the syntax its incremental re-parse walks the whole
file again. A top-level block ends at the `}` that closes its first `{`, which a scan of
strings, templates, heredocs and comments finds without a parser; each block (with any words
before it: tree-sitter reads a stray line and the block after it as one block) is then parsed
alone with `included_ranges`, so offsets and points stay the file's. Comment-only stretches
between blocks are never parsed. Where a `}` is missing, the region runs to the end of the
file, so the parse sees what a whole-file parse would. A file with top-level assignments (a
.tfvars file) is one region: its assignments form one subject.

After an edit, the regions wholly before and after the edited bytes are kept (moved): the scan
restarts at the start of the first region the edit reached and stops at the first cut that is
an old cut in the unchanged text after the edit.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from blastguard.engine.documents import hcl_plain

# Blank space and complete comments before a block (possessive: linear, no backtracking stack).
_TRIVIA = re.compile(rb"(?:[ \t\r\n\f\v]++|#[^\n]*+|//[^\n]*+|/\*(?:[^*]++|\*(?!/))*+\*/)*+")
# What needs no attention between tokens that matter: outside strings, and inside them.
_CODE = re.compile(rb'[^{}"#/<=]*+')
_CODE_NESTED = re.compile(rb'[^{}"#/<]*+')  # inside a block, `=` is an attribute's, not a top-level one
_STRING = re.compile(rb'[^"\\$%]*+')
_HEREDOC_ID = re.compile(rb"-?[ \t]*([A-Za-z0-9_\-\x80-\xff]*)")


@dataclass(slots=True)
class Cut:
    """One region: leading blank space and comments from `begin`, then text [start, end)."""

    begin: int
    start: int
    end: int
    plain: tuple[str, str] | None = None  # (type, first label) of a block hcl_plain shows is valid


def scan_region(data: bytes, begin: int) -> tuple[Cut | None, bool]:
    """The region that begins at `begin` (None when only blank space and comments remain), and
    whether a top-level assignment was met (the file is then one region)."""
    start = _TRIVIA.match(data, begin).end()
    size = len(data)
    if start >= size:
        return None, False
    plain = hcl_plain.match(data, start)
    if plain is not None:  # most blocks: their end told by one regex, not byte by byte below
        return Cut(begin, start, plain[0], plain[1]), False
    depth = 0
    # Open strings and template interpolations: ("s", 0) for a string, ("t", depth) for a
    # `${`/`%{` whose `}` returns to the string at that brace depth.
    stack: list[tuple[str, int]] = []
    at = start
    while at < size:
        if stack and stack[-1][0] == "s":
            at = _STRING.match(data, at).end()
            if at >= size:
                break
            char = data[at]
            if char == 0x22:  # "
                stack.pop()
                at += 1
            elif char == 0x5C:  # backslash escapes the next byte
                at += 2
            elif data[at + 1:at + 2] == b"{":  # ${ or %{
                depth += 1
                stack.append(("t", depth))
                at += 2
            elif data[at + 1:at + 3] == bytes((char, 0x7B)):  # $${ or %%{: literal text
                at += 3
            else:
                at += 1
            continue
        at = (_CODE_NESTED if depth or stack else _CODE).match(data, at).end()
        if at >= size:
            break
        char = data[at]
        if char == 0x7B:  # {
            depth += 1
            at += 1
        elif char == 0x7D:  # }
            if stack and stack[-1] == ("t", depth):
                stack.pop()
            depth -= 1
            at += 1
            if depth <= 0 and not stack:
                return Cut(begin, start, at), False
        elif char == 0x22:  # "
            stack.append(("s", 0))
            at += 1
        elif char == 0x23:  # # comment
            at = _line_end(data, at)
        elif char == 0x2F:  # / : a comment, or a division
            following = data[at + 1:at + 2]
            if following == b"/":
                at = _line_end(data, at)
            elif following == b"*":
                close = data.find(b"*/", at + 2)
                at = size if close < 0 else close + 2
            else:
                at += 1
        elif char == 0x3C:  # < : a heredoc after <<
            at = _heredoc_end(data, at) if data[at + 1:at + 2] == b"<" else at + 1
        else:  # = at the top level: an assignment
            return None, True
    return Cut(begin, start, size), False


def _line_end(data: bytes, at: int) -> int:
    end = data.find(b"\n", at)
    return len(data) if end < 0 else end


def _heredoc_end(data: bytes, at: int) -> int:
    """Past a heredoc that opens at `<<`: its body ends at a line holding only its identifier
    (and blank space), as tree-sitter-hcl's scanner reads it; the rest of the opening line
    is skipped, as there. Unterminated: the end of the text."""
    ident = _HEREDOC_ID.match(data, at + 2)
    newline = data.find(b"\n", ident.end())
    if newline < 0:
        return len(data)
    closing = re.compile(rb"\n[ \t\r\f\v]*" + re.escape(ident.group(1)) + rb"[ \t\r\f\v]*\n")
    found = closing.search(data, newline)
    return len(data) if found is None else found.end() - 1


def scan(data: bytes, begin: int = 0, stop: "Callable[[int], bool] | None" = None) -> list[Cut] | None:
    """The regions from `begin` (a cut) to the end, or to the first region end for which
    `stop` holds; None when a top-level assignment makes the file one region."""
    cuts = []
    while True:
        cut, assignment = scan_region(data, begin)
        if assignment:
            return None
        if cut is None:
            return cuts
        cuts.append(cut)
        if stop is not None and stop(cut.end):
            return cuts
        begin = cut.end


def whole(data: bytes) -> list[Cut]:
    """The file's regions: its blocks, or the whole text when it has top-level assignments."""
    cuts = scan(data)
    if cuts is None:
        start = _TRIVIA.match(data, 0).end()
        return [Cut(0, start, len(data))] if start < len(data) else []
    return cuts


@dataclass(slots=True)
class Window:
    """What changed since the last analysis: the text before `prefix` and the last `suffix`
    bytes are the same as before; `delta` is the change in length."""

    prefix: int
    suffix: int
    delta: int


def window(old_size: int, edits: list[tuple[int, int, int]]) -> Window:
    """Compose tree-sitter style edits (start, old end, new end), in the order they were made."""
    prefix, suffix, size = old_size, old_size, old_size
    for start, old_end, new_end in edits:
        prefix = min(prefix, start)
        suffix = min(suffix, size - old_end)
        size += new_end - old_end
    return Window(prefix, suffix, size - old_size)


def rescan(data: bytes, ends: list[int], change: Window) -> tuple[int, int, list[Cut]] | None:
    """(i, j, cuts): the old regions [i, j) are replaced by `cuts`, those from j on are moved by
    change.delta. `ends` are the old regions' ends. None: scan the whole file again."""
    i = bisect.bisect_right(ends, change.prefix)
    if i and ends[i - 1] == len(data) - change.delta:
        i -= 1  # it ran to the end of the text (unclosed): what follows may close it
    begin = ends[i - 1] if i else 0
    unchanged_from = len(data) - change.suffix  # in the new text
    old_ends = ends

    def synced(end: int) -> bool:
        if end < unchanged_from:
            return False
        k = bisect.bisect_left(old_ends, end - change.delta)
        return k < len(old_ends) and old_ends[k] == end - change.delta

    cuts = scan(data, begin, synced)
    if cuts is None:
        return None
    if cuts and synced(cuts[-1].end):
        j = bisect.bisect_left(old_ends, cuts[-1].end - change.delta) + 1
    else:
        j = len(ends)
    return i, j, cuts
