"""A YAML stream cut into documents, each parsed alone by tree-sitter at its place in the file.

tree-sitter-yaml keeps rows in 16 bits (tree-sitter-grammars/tree-sitter-yaml#49) and writes
its indentation stack into a fixed 1,024-byte buffer (#48: about 254 nested levels overflow it
and crash the process). Parsing each document with `included_ranges` restarts the grammar's
row count at every document while node offsets and points stay those of the whole file, and
lets a keystroke re-parse one document. The stream is cut by a linear scan: a line that starts
with `---` or `...` (then a blank or the end of the line) always ends what came before it,
even a block scalar (YAML's "forbidden" lines), so no other context is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter

from blastguard.engine import parsing
from blastguard.engine.documents import yaml_tree
from blastguard.engine.values import DocumentError

# A document with more rows than this is read by libyaml instead (the grammar's rows are int16).
MAX_TS_ROWS = 32_000
# Block nesting the grammar's scanner can hold (it crashes at 254); deeper documents are refused.
MAX_NESTING = 200

# A line that is neither blank, a comment nor a directive: the document has begun.
_CONTENT = re.compile(rb"^[ \t]*[^ \t\r\n#%]", re.M)
# Indentation and dashes become `i`, everything else but line breaks `x` (see `may_nest_deeply`).
_PREFIX_CHARS = bytes(ord("i") if c in b" \t-" else c if c == ord("\n") else ord("x") for c in range(256))
_DEEP = b"i" * (MAX_NESTING - 2)
_SHALLOW = b"i" * 100
# `key:` at the start of a line's content (anchored, so linear): the line opens a mapping.
_KEY = re.compile(rb"[^#{\[\s][^#]*?:(?:[ \t]|$)")


@dataclass(slots=True)
class Segment:
    """One document's bytes [start, end) and the tree-sitter row (count of \\n) where it starts."""

    start: int
    end: int
    row: int
    rows: int  # \n inside it


def split(data: bytes) -> list[Segment]:
    """Cut a stream before each `---` that follows content and after each `...` line.

    Directives and comments before a `---` stay with the document they introduce."""
    rows = Rows(data)
    bounds = cuts(data)
    return [Segment(start, end, rows.at(start), data.count(b"\n", start, end)) for start, end in zip(bounds, bounds[1:])]


class Rows:
    """tree-sitter rows (counts of \n) at rising offsets, counted on from the last one asked:
    one pass over the text at most, only as far as the last document read."""

    __slots__ = ("data", "offset", "row")

    def __init__(self, data: bytes):
        self.data, self.offset, self.row = data, 0, 0

    def at(self, offset: int) -> int:
        self.row += self.data.count(b"\n", self.offset, offset)
        self.offset = offset
        return self.row


def cuts(data: bytes) -> list[int]:
    """Where each document of `split` starts, then the end of the text."""
    return [0, *following(data, 0)]


def following(data: bytes, last: int):
    """The cuts after `last`, itself a cut, then the end of the text. What comes after a cut
    depends only on the text from it on (and the line break before it), so an editor scans
    again from the last cut before an edit and stops at the first old cut after it."""
    cut = last
    for at in _markers(data, last):
        if data[at] == ord("."):
            newline = data.find(b"\n", at)
            found = len(data) if newline < 0 else newline + 1
        elif _CONTENT.search(data, cut, at) is None:
            continue  # only directives or comments so far: this `---` opens the same document
        else:
            found = at
        if found > cut:
            cut = found
            yield cut
    if cut < len(data) or last == 0 == cut:
        yield len(data)


def _markers(data: bytes, begin: int):
    """Starts (from `begin` on) of the lines that begin with `---` or `...` then a blank or the
    end of the line, in order and found as they are asked for (bytes.find, not a multi-line
    regex: an editor runs this on every keystroke)."""
    found = {token: _next_marker(data, token, begin) for token in (b"---", b"...")}
    while True:
        token = min(found, key=found.__getitem__)
        at = found[token]
        if at > len(data):
            return
        yield at
        found[token] = _next_marker(data, token, at + 1)


def _next_marker(data: bytes, token: bytes, begin: int) -> int:
    """The first line start at or after `begin` holding the marker `token`, or past the end."""
    if begin == 0 and data.startswith(token) and data[3:4] in _AFTER_MARKER:
        return 0
    at = data.find(b"\n" + token, max(begin - 1, 0))
    while at >= 0:
        if data[at + 4:at + 5] in _AFTER_MARKER:
            return at + 1
        at = data.find(b"\n" + token, at + 1)
    return len(data) + 1


_AFTER_MARKER = (b"", b" ", b"\t", b"\r", b"\n")


def may_nest_deeply(data: bytes, start: int = 0, end: int | None = None) -> bool:
    """Whether some line's indentation and dashes reach MAX_NESTING - 2 columns. Each level
    costs a column or more but for a sequence at its key's column (two levels per two columns),
    so only then can a document nest too deep: most files skip the line-by-line scan, which
    would run on every keystroke (a C translate and find, no Python loop, no regex)."""
    shape = (data if start == 0 and end is None else data[start:end]).translate(_PREFIX_CHARS)
    return shape.startswith(_DEEP) or shape.find(b"\n" + _DEEP) >= 0


def shallow(data: bytes, start: int, end: int) -> bool:
    """Whether the values in data[start:end] nest too little to ever reach MAX_DEPTH where it
    sits (a template's resource is at depth 2): its lines' indentation and dashes stay under 100
    columns, and it opens at most 40 flow collections. A block level costs a column (a sequence
    at its key's column and its items: two levels per two columns), a flow one a bracket (two when
    a pair sits in a sequence), so it holds fewer than 110 + 80 levels."""
    if data.count(b"[", start, end) + data.count(b"{", start, end) > 40:
        return False
    begin = data.rfind(b"\n", 0, start) + 1
    shape = data[begin:end].translate(_PREFIX_CHARS)
    return not shape.startswith(_SHALLOW) and shape.find(b"\n" + _SHALLOW) < 0


def nesting_problem(data: bytes, segment: Segment) -> tuple[str, int] | None:
    """(message, 1-based line) when a document nests deeper than the grammar can hold.

    A linear pre-scan of indentation that counts what the grammar's scanner stacks: a mapping
    or sequence level for each deeper line, one more for each `- ` of a compact nested
    sequence and for a `key:` after a dash, and a sequence at its parent key's column. Block
    scalar bodies are text. Flow collections do not use that stack (converted with a depth bound)."""
    stack: list[tuple[int, bool]] = []  # (column, is a mapping)
    scalar_indent = -1  # inside a block scalar: lines indented deeper than this are its text
    row = segment.row
    for line in data[segment.start:segment.end].split(b"\n"):
        row += 1
        body = line.lstrip(b" ").rstrip(b"\r")
        indent = len(line) - len(line.lstrip(b" "))
        if not body.strip() or body[:1] == b"#":
            continue
        if scalar_indent >= 0:
            if indent > scalar_indent:
                continue
            scalar_indent = -1
        dash = _is_dash(body)
        while stack and (stack[-1][0] > indent or (stack[-1][0] == indent and not (dash and stack[-1][1]))):
            stack.pop()
        column = indent
        while _is_dash(body):
            stack.append((column, False))
            rest = body[1:].lstrip(b" ")
            column += len(body) - len(rest)
            body = rest
        if _KEY.match(body):
            stack.append((column, True))
        elif not dash:
            stack.append((column, False))
        if len(stack) > MAX_NESTING:
            return f"YAML nested deeper than {MAX_NESTING} levels (the YAML grammar cannot hold it)", row
        if _block_header(body):
            scalar_indent = indent
    return None


def _is_dash(body: bytes) -> bool:
    return body[:1] == b"-" and (len(body) == 1 or body[1:2] in (b" ", b"\t"))


def _block_header(body: bytes) -> bool:
    """The line ends with a block scalar indicator (`|`, `>-`, `|2+`), before any comment."""
    words = body.split(b" #", 1)[0].split()
    last = words[-1] if words else b""
    return last[:1] in (b"|", b">") and len(last) <= 3 and not last[1:].strip(b"-+0123456789")


def parse(data: bytes, segment: Segment, old: tree_sitter.Tree | None) -> tree_sitter.Tree:
    """Parse one document of `data` in place: offsets and points are those of the whole file."""
    newline = data.rfind(b"\n", segment.start, segment.end)
    end_point = (segment.row + segment.rows, segment.end - (newline + 1 if newline >= 0 else segment.start))
    return parsing.parse_range("yaml", data, segment.start, segment.end, (segment.row, 0), end_point, old)


@dataclass(slots=True)
class Read:
    """What one document gave: its values (one, or none for a comment-only part), the byte of its
    first syntax error, its comments' spans and its tree (None when libyaml read it)."""

    values: list
    error_at: int | None
    comments: list[tuple[int, int]]
    tree: tree_sitter.Tree | None


def read(data: bytes, segment: Segment, old: tree_sitter.Tree | None, comments: bool = False,
         deep: bool = True, prune=None) -> Read:
    """tree-sitter first; where it fails (or cannot count the rows) and libyaml accepts the
    document, libyaml's reading, so BG001 is reported only for YAML that is really invalid.
    `deep`: whether the file may nest too deeply (see may_nest_deeply); `prune`: what a document
    read without error may leave unconverted (yaml_tree.documents).
    Raises DocumentError for a document nested too deeply to parse safely."""
    if deep:
        problem = nesting_problem(data, segment)
        if problem is not None:
            raise DocumentError(*problem)
    tree = error = None
    if segment.rows <= MAX_TS_ROWS:
        tree = parse(data, segment, old)
        root = tree.root_node
        found = parsing.first_error(root)
        if found is None:
            return Read(yaml_tree.documents(root, data, prune=prune), None, _tree_comments(root, comments), tree)
        error = found.start_byte
    # libyaml (with PyYAML) is imported only for a document tree-sitter cannot read.
    from blastguard.engine.documents import yaml_events

    try:
        values, scalars = yaml_events.documents(data, segment.start, segment.end)
    except yaml_events.YamlSyntaxError as exc:
        if tree is None:
            return Read([], exc.offset, [], None)
        # Really invalid: what tree-sitter recovered is still checked, and its error reported.
        root = tree.root_node
        return Read(yaml_tree.documents(root, data), error, _tree_comments(root, comments), tree)
    spans = yaml_events.comments(data, segment.start, segment.end, scalars) if comments else []
    return Read(values, None, spans, tree)


def _tree_comments(root, wanted: bool) -> list[tuple[int, int]]:
    if not wanted:
        return []
    return [(c.start_byte, c.end_byte) for c in parsing.captures("yaml", "(comment) @c", root).get("c", [])]
