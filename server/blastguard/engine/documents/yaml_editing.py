"""An editor's YAML file between keystrokes: where each document is, what its analysis found, and
the trees of the few documents just parsed (see yaml_stream for why each document is parsed alone).

A keystroke changes one document. The cuts between documents are scanned again from the last
cut before the change to the first old cut after it; the documents before keep their extents
and those after are shifted, as lists of ints in C, and neither is visited in Python: what each
found (kinds, syntax error, suppression comments, findings) is kept relative to its start,
findings with the (byte, line) they were made at, and moved only when they are reported. So a
keystroke costs the documents it changed and the findings after it, not the documents of the file.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from itertools import chain, compress
from operator import attrgetter, not_

from blastguard.engine.documents import helm, yaml_stream
from blastguard.engine.lines import changed_span
from blastguard.engine.reuse import Reuse, shifted

# Trees kept for the next re-parse: those of the documents the last keystroke changed.
KEEP_TREES = 4


@dataclass(slots=True, eq=False)
class Part:
    """One document's text and what its analysis found, offsets relative to its start."""

    text: bytes
    kinds: tuple = ()  # the rule families of its values (kinds.classify), in order
    error_at: int = -1  # its first syntax error, or -1
    # (start, end) of its comments when it names blastguard (only those can be suppressions), so
    # a document read while the file named it nowhere needs no second reading once it does.
    comments: tuple = ()
    done: bool = True  # its findings below can be reused while its text stays
    findings: list | None = None
    origin: tuple[int, int] = (0, 0)  # (byte, line) of its start when its findings were made


_KINDS, _ERROR, _COMMENTS, _DONE, _FINDINGS = (attrgetter("kinds"), attrgetter("error_at"), attrgetter("comments"),
                                               attrgetter("done"), attrgetter("findings"))


class Stream:
    """A YAML file's documents: `bounds` (each document's start, then the end of the text) and
    `rows` (the tree-sitter row of each start) kept in step with the text, one Part each."""

    __slots__ = ("data", "masked", "suppressions", "bounds", "rows", "items", "trees", "analysed")

    def __init__(self, data: bytes, masked: bool, suppressions: bool):
        self.data = data  # the text read: the file's, or its masked copy (helm)
        self.masked = masked
        self.suppressions = suppressions  # whether the file may name blastguard (then comments are read)
        self.bounds: list[int] = []
        self.rows: list[int] = []
        self.items: list[Part] = []
        self.trees: dict[Part, object] = {}  # edited with every change since (see `edit`)
        self.analysed: list[int] = []

    def edit(self, **edit) -> None:
        """An edit of the text, as `tree.edit` takes it: only the kept trees need it (where
        the documents are now is found by comparing the texts)."""
        for tree in self.trees.values():
            tree.edit(**edit)

    def copy(self) -> "Stream":
        other = Stream(self.data, self.masked, self.suppressions)
        other.bounds, other.rows, other.items = self.bounds, self.rows, self.items
        other.trees = {item: tree.copy() for item, tree in self.trees.items()}
        return other

    def spans(self) -> list[tuple[int, int]]:
        return list(zip(self.bounds, self.bounds[1:]))

    def kept(self) -> dict[tuple[int, int], str]:
        """(start, end) -> S-expression of each tree kept, for tests comparing it to a fresh parse."""
        index = {item: k for k, item in enumerate(self.items)}
        return {(self.bounds[index[item]], self.bounds[index[item] + 1]): str(tree.root_node)
                for item, tree in self.trees.items() if item in index}

    def findings(self, fresh: list, lines) -> list:
        """Every document's findings: those just made (kept with the document they came from)
        and the kept ones of the others, moved to where their document is now. Documents start
        at a line's start, so a kept finding moves by whole lines and keeps its columns."""
        bounds, items = self.bounds, self.items
        owned: dict[int, list] = {k: [] for k in self.analysed}
        out = []
        for origin, finding in fresh:
            out.append(finding)
            k = bisect.bisect_right(bounds, origin) - 1
            if k in owned:
                if bounds[k] <= finding.start_byte and finding.end_byte <= bounds[k + 1]:
                    owned[k].append(finding)
                else:
                    items[k].done = False  # reported outside its document: analysed again next time
        for k, kept in owned.items():
            items[k].findings = kept
            items[k].origin = (bounds[k], lines.line_of(bounds[k])) if kept else (0, 0)
        # Only documents with findings are visited, chosen in C (most have none).
        for k in compress(range(len(items)), map(_FINDINGS, items)):
            if k in owned:
                continue
            item = items[k]
            then, now = item.origin, (bounds[k], lines.line_of(bounds[k]))
            if now != then:  # text before it changed length or lines (a character became a line break)
                item.findings = [shifted(f, now[0] - then[0], now[1] - then[1]) for f in item.findings]
                item.origin = now
            out.extend(item.findings)
        return out


def load(doc, data: bytes, old, reuse: Reuse, add) -> None:
    """Fill a Document (engine.documents.load) from the documents of `data` (masked first where
    it holds templates, see helm), reading only those the last analysis did not see; `old` is
    the Stream an editor kept and edited, or None (then the one kept in `reuse`, for clients
    that send whole texts). `add(doc, values, masked)` classifies a document's values and adds
    their subjects, and returns their kinds."""
    previous = old if isinstance(old, Stream) else reuse.state if isinstance(reuse.state, Stream) else None
    if previous is not None and not isinstance(reuse.state, Stream):
        previous = None  # a new Reuse: other rules, every finding is made again
    span = None
    if previous is not None and not previous.masked:
        # Templates and suppression comments are found on a line: only the lines changed are
        # searched for them (not the whole text, on every keystroke).
        span = changed_span(previous.data, data)
        start, new_end = span[0], span[2]
        lines = data[data.rfind(b"\n", 0, start) + 1:data.find(b"\n", new_end) % (len(data) + 1)]
        masked = helm.needs_mask(lines)
        suppressions = previous.suppressions or data.find(b"blastguard", max(start - 9, 0), new_end + 9) >= 0
    else:
        masked = helm.needs_mask(data)
        suppressions = b"blastguard" in data
    text = helm.mask(data) if masked else data
    trees = old.trees if previous is old and old is not None and not masked else {}
    if previous is not None and previous.masked != masked:
        previous = None  # each document's text is another
    state = Stream(text, masked, suppressions)
    if previous is None:
        state.bounds = yaml_stream.cuts(text)
        state.rows = _rows(text, state.bounds[:-1], 0, 0)
        state.items = [Part(text[s:e]) for s, e in zip(state.bounds, state.bounds[1:])]
        analysed = list(range(len(state.items)))
    else:
        analysed = _carry(state, previous, span or changed_span(previous.data, text))
    state.analysed = analysed
    reuse.hits += len(state.items) - len(analysed)
    reuse.misses += len(analysed)
    olds = {tree.included_ranges[0].start_byte: tree for tree in trees.values()}
    kept = {}
    bounds, rows, items = state.bounds, state.rows, state.items
    for k in analysed:
        start, end = bounds[k], bounds[k + 1]
        item = items[k]
        segment = yaml_stream.Segment(start, end, rows[k], item.text.count(b"\n"))
        wanted = suppressions and data.find(b"blastguard", start, end) >= 0
        part = yaml_stream.read(text, segment, olds.get(start), comments=wanted,
                                deep=yaml_stream.may_nest_deeply(text, start, end))
        if part.tree is not None and len(analysed) <= KEEP_TREES:
            kept[item] = part.tree
        item.error_at = part.error_at - start if part.error_at is not None else -1
        item.comments = tuple((s - start, e - start) for s, e in part.comments)
        item.done, item.findings = True, None
        item.kinds = add(doc, part.values, masked)
    state.trees = kept if not masked else {}
    reuse.state = state
    doc.tree = state
    doc.carry = state.findings
    doc.languages = list(dict.fromkeys(chain.from_iterable(map(_KINDS, items))))
    first = next(compress(range(len(items)), map((-1).__ne__, map(_ERROR, items))), None)
    doc.error_at = bounds[first] + items[first].error_at if first is not None else None
    if suppressions:
        from blastguard.engine.documents.load import Comment  # noqa: PLC0415

        spans = [(bounds[k] + s, bounds[k] + e) for k in compress(range(len(items)), map(_COMMENTS, items))
                 for s, e in items[k].comments]
        doc.comments = [Comment(s, e, data[s:e].decode("utf-8", "replace")) for s, e in spans]


def _carry(state: Stream, previous: Stream, span: tuple[int, int, int]) -> list[int]:
    """Fill `state` from `previous` and the one span where their texts differ (start, end in
    the old, end in the new); the indices of the documents to read (those changed, and those
    whose findings could not be kept)."""
    text, old = state.data, previous.data
    start, old_end, new_end = span
    delta = new_end - old_end
    bounds = previous.bounds
    # The last cut at least four bytes before the change (its `---` and the byte after it are
    # untouched) is a cut still; 0 always is.
    anchor = max(bisect.bisect_right(bounds, start - 4) - 1, 0)
    made, resume = [], len(bounds)
    for cut in yaml_stream.following(text, bounds[anchor]):
        # Past the change (and the line break before it), a cut the old text had: from there the
        # scan sees what it saw before, so the old cuts after it hold, shifted.
        if cut > new_end and cut - delta > old_end:
            j = bisect.bisect_left(bounds, cut - delta)
            if j < len(bounds) and bounds[j] == cut - delta:
                resume = j
                break
        made.append(cut)
    state.bounds = bounds[:anchor + 1] + made + list(map(delta.__add__, bounds[resume:]))
    # The documents scanned again, then those taken from the old ones shifted (if any).
    stop = anchor + 1 + len(made) if resume < len(bounds) else len(state.bounds) - 1
    state.rows = previous.rows[:anchor + 1] + _rows(text, state.bounds[anchor + 1:stop], previous.rows[anchor],
                                                   bounds[anchor])
    shift = text.count(b"\n", start, new_end) - old.count(b"\n", start, old_end)
    state.rows += map(shift.__add__, previous.rows[resume:])
    # Documents between the cuts scanned again keep what they found where their text is one
    # they had (a `---` typed and deleted again, a document moved whole).
    same: dict[bytes, Part] = {}
    for item in previous.items[anchor:resume]:
        same.setdefault(item.text, item)
    middle, analysed = [], []
    for k in range(anchor, stop):
        piece = text[state.bounds[k]:state.bounds[k + 1]]
        item = same.pop(piece, None)
        if item is None or not item.done:
            item = Part(piece)
            analysed.append(k)
        middle.append(item)
    items = state.items = previous.items[:anchor] + middle + previous.items[resume:]
    # Documents whose findings lay outside them are read again wherever they are (rare), as new
    # Parts: the old ones stay as they were for the Stream they came from.
    again = list(compress(range(len(items)), map(not_, map(_DONE, items))))
    for k in again:
        items[k] = Part(items[k].text)
    return sorted(set(analysed).union(again)) if again else analysed


def _rows(text: bytes, bounds: list[int], row: int, at: int) -> list[int]:
    """The tree-sitter row (\\n count) at each of the rising `bounds`, from `row` at offset `at`."""
    out = []
    for bound in bounds:
        row += text.count(b"\n", at, bound)
        at = bound
        out.append(row)
    return out
