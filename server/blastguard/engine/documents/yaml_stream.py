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
from blastguard.engine.documents import yaml_events, yaml_tree
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
    cuts = [0]
    for at in _markers(data):
        if data[at] == ord("."):
            newline = data.find(b"\n", at)
            cut = len(data) if newline < 0 else newline + 1
        elif _CONTENT.search(data, cuts[-1], at) is None:
            continue  # only directives or comments so far: this `---` opens the same document
        else:
            cut = at
        if cut > cuts[-1]:
            cuts.append(cut)
    if cuts[-1] < len(data) or len(cuts) == 1:
        cuts.append(len(data))
    return cuts


def _markers(data: bytes) -> list[int]:
    """Starts of the lines that begin with `---` or `...` then a blank or the end of the line
    (bytes.find, not a multi-line regex: this runs on every keystroke)."""
    found = []
    for token in (b"---", b"..."):
        starts = [0] if data.startswith(token) else []
        at = data.find(b"\n" + token)
        while at >= 0:
            starts.append(at + 1)
            at = data.find(b"\n" + token, at + 1)
        found.extend(start for start in starts if data[start + 3:start + 4] in (b"", b" ", b"\t", b"\r", b"\n"))
    return sorted(found)


def may_nest_deeply(data: bytes, start: int = 0, end: int | None = None) -> bool:
    """Whether some line's indentation and dashes reach MAX_NESTING - 2 columns. Each level
    costs a column or more but for a sequence at its key's column (two levels per two columns),
    so only then can a document nest too deep: most files skip the line-by-line scan, which
    would run on every keystroke (a C translate and find, no Python loop, no regex)."""
    shape = (data if start == 0 and end is None else data[start:end]).translate(_PREFIX_CHARS)
    return shape.startswith(_DEEP) or shape.find(b"\n" + _DEEP) >= 0


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


class Trees:
    """The tree of each document of a YAML file (None where it was not parsed by tree-sitter).

    An editor treats it like one tree: `edit` moves every document's tree with a change and
    `copy` keeps the last analysis intact; the next parse takes each document's old tree from
    here by where it starts, and knows whether an edit touched it (if not, and the document's
    text is one the editor already analysed, the tree is taken as it is, not parsed again).
    Each document's extent is kept as plain ints, so an edit finds the documents it reaches by
    bisection and leaves those before it alone: a keystroke costs nothing per earlier document."""

    __slots__ = ("trees", "clean", "keys", "starts", "ends", "_by_start")

    def __init__(self, trees: list[tree_sitter.Tree | None], clean: list[bool] | None = None,
                 keys: list[bytes | None] | None = None, spans: tuple[list[int], list[int]] | None = None):
        self.trees = trees
        self.clean = clean if clean is not None else [True] * len(trees)
        self.keys = keys if keys is not None else [None] * len(trees)  # each document's text key
        if spans is None:
            ranges = [t.included_ranges[0] if t is not None else None for t in trees]
            spans = ([r.start_byte if r else -1 for r in ranges], [r.end_byte if r else -1 for r in ranges])
        self.starts, self.ends = spans  # each tree's extent in the current text (-1 without a tree)
        self._by_start: dict[int, int] | None = None

    def edit(self, **edit) -> None:
        start, old_end, new_end = edit["start_byte"], edit["old_end_byte"], edit["new_end_byte"]
        delta = new_end - old_end
        trees, starts, ends = self.trees, self.starts, self.ends
        # Documents are in file order and do not overlap: the first that ends at or after the
        # edit's start is the first it can reach (one without a tree has -1 and is passed).
        for index in range(_first_ending_at_or_after(ends, start), len(trees)):
            tree = trees[index]
            if tree is None:
                continue
            if starts[index] > old_end:  # after the edit: moved only
                starts[index] += delta
                ends[index] += delta
                tree.edit(**edit)
            else:
                self.clean[index] = False  # the edit reaches into it (or touches its ends)
                tree.edit(**edit)
                span = tree.included_ranges[0]
                starts[index], ends[index] = span.start_byte, span.end_byte
        self._by_start = None

    def copy(self) -> "Trees":
        return Trees([tree.copy() if tree is not None else None for tree in self.trees], list(self.clean),
                     list(self.keys), (list(self.starts), list(self.ends)))

    def by_start(self) -> dict[int, int]:
        """Where each (edited) tree's document starts now -> its index: the next parse takes the
        tree, whether no edit reached into it, its text's key and its end from there."""
        if self._by_start is None:
            self._by_start = {s: i for i, s in enumerate(self.starts) if s >= 0}
        return self._by_start

    def sexp(self) -> str:
        """Every tree's S-expression, for tests comparing an edited parse to a fresh one."""
        return "\n".join(str(t.root_node) if t is not None else "-" for t in self.trees)


def _first_ending_at_or_after(ends: list[int], offset: int) -> int:
    """Bisection over ends that rise but for -1 (a document without a tree): those are skipped
    by looking at the nearest document with one."""
    low, high = 0, len(ends)
    while low < high:
        middle = (low + high) // 2
        probe = middle
        while probe < high and ends[probe] < 0:
            probe += 1
        if probe == high:
            high = middle
        elif ends[probe] < offset:
            low = probe + 1
        else:
            high = middle
    return low


def parse(data: bytes, segment: Segment, old: tree_sitter.Tree | None) -> tree_sitter.Tree:
    """Parse one document of `data` in place: offsets and points are those of the whole file."""
    newline = data.rfind(b"\n", segment.start, segment.end)
    end_point = (segment.row + segment.rows, segment.end - (newline + 1 if newline >= 0 else segment.start))
    return parsing.parse_range("yaml", data, segment.start, segment.end, (segment.row, 0), end_point, old)


@dataclass(slots=True)
class Read:
    """What one document gave: its values (one, or none for a comment-only part), the byte of its
    first syntax error, its comments' spans, its tree (None when libyaml read it), and whether
    tree-sitter failed on it (libyaml's verdict is then worth keeping while it does not change)."""

    values: list
    error_at: int | None
    comments: list[tuple[int, int]]
    tree: tree_sitter.Tree | None
    failed: bool = False


def read(data: bytes, segment: Segment, old: tree_sitter.Tree | None, convert: bool = True,
         comments: bool = False, deep: bool = True, known: Read | None = None, unchanged: bool = False) -> Read:
    """tree-sitter first; where it fails (or cannot count the rows) and libyaml accepts the
    document, libyaml's reading, so BG001 is reported only for YAML that is really invalid.
    `deep`: whether the file may nest too deeply (see may_nest_deeply); `known`: the last
    reading of this same unchanged text that tree-sitter failed on, so libyaml is not run again;
    `unchanged`: `old` is the tree of this very text, only moved by edits elsewhere.
    Raises DocumentError for a document nested too deeply to parse safely."""
    if deep:
        problem = nesting_problem(data, segment)
        if problem is not None:
            raise DocumentError(*problem)
    tree = error = None
    if segment.rows <= MAX_TS_ROWS:
        tree = old if unchanged and old is not None else parse(data, segment, old)
        root = tree.root_node
        found = parsing.first_error(root)
        if found is None:
            return Read(yaml_tree.documents(root) if convert else [], None, _tree_comments(root, comments), tree)
        error = found.start_byte
    if known is not None and not convert:
        return Read([], known.error_at, known.comments, tree, True)
    try:
        values, scalars = yaml_events.documents(data, segment.start, segment.end)
    except yaml_events.YamlSyntaxError as exc:
        if tree is None:
            return Read([], exc.offset, [], None, True)
        # Really invalid: what tree-sitter recovered is still checked, and its error reported.
        root = tree.root_node
        return Read(yaml_tree.documents(root) if convert else [], error, _tree_comments(root, comments), tree, True)
    spans = yaml_events.comments(data, segment.start, segment.end, scalars) if comments else []
    return Read(values if convert else [], None, spans, tree, True)


def _tree_comments(root, wanted: bool) -> list[tuple[int, int]]:
    if not wanted:
        return []
    return [(c.start_byte, c.end_byte) for c in parsing.captures("yaml", "(comment) @c", root).get("c", [])]


def moved(start: int, comments: bool, reading: Read, now: int, wanted: bool) -> Read | None:
    """A kept reading of a document that started at `start`, moved to `now` (None if it was made
    without the comments that are now wanted)."""
    if wanted and not comments:
        return None
    delta = now - start
    return Read([], reading.error_at + delta if reading.error_at is not None else None,
                [(s + delta, e + delta) for s, e in reading.comments], None, True)
