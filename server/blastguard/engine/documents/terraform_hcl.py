"""Load a Terraform HCL file region by region (see hcl_regions): parse, errors, comments, subjects.

An editor keeps the `Regions` of the last analysis (in place of a tree): after an edit only the
regions whose text changed are parsed and analysed again, with those that depend on what
changed (every region that may read a `local.` when a `locals` region changed, every region
document when a block that uses policy documents changed); the others keep their syntax error,
suppression comments and findings, moved with the text. No tree of the whole file is held:
the trees of the few regions just parsed are kept for the next keystroke's re-parse.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from functools import cache
from itertools import compress
from operator import attrgetter, not_

from blastguard.engine import parsing
from blastguard.engine.documents import hcl, hcl_regions, hcl_unparsed, hcl_variables, referenced, terraform
from blastguard.engine.documents.hcl_locals import Locals
from blastguard.engine.lines import changed_span
from blastguard.engine.reuse import moved
from blastguard.engine.values import MAP, DocumentError, Node

# A top-level block's tree costs about 200 bytes per byte of text (a list of a million short
# strings, 4 MB, took 1.4 GB): a larger one is refused, naming its line, so a file within the
# size limit stays within the memory budget.
MAX_REGION_BYTES = 256 * 1024
# Trees kept for the next re-parse: the regions an editor's last keystrokes touched.
KEEP_TREES = 4
_COMMENT = re.compile(rb"#[^\n]*+|//[^\n]*+|/\*(?:[^*]++|\*(?!/))*+\*/")


@dataclass(slots=True, eq=False)
class Region:
    """One region's text and what its analysis found, offsets relative to where it starts."""

    text: bytes
    lead: int  # bytes of blank space and comments before it, from the previous region's end
    locals: bool  # may define locals
    reads_locals: bool  # may read a local (or defines some: they read each other)
    # Uses a policy document (`data.aws_iam_policy_document.x.json`): a document takes the type
    # of the resource that uses it, so every document is analysed again when a user changes.
    policy_user: bool
    policy: bool  # may define a policy document
    reads_vars: bool = False  # may read a variable (`var.`)
    variable: bool = False  # is a `variable` block
    plain: tuple[str, str] | None = None  # (type, first label) when hcl_plain shows it valid
    done: bool = False  # its findings below can be reused while its text and dependencies stay
    broken: bool = False  # its parse has a syntax error
    stray: int | None = None  # words before a block's header line (hcl.stray_header)
    has_stray: bool = False
    comments: tuple = ()  # (start, end) of its suppression comments, and of those before it
    shared: tuple = ()  # spans of its locals blocks
    findings: list | None = None
    origin: tuple[int, int] = (0, 0)  # (byte, line) of its start when its findings were made


_TEXT, _LOCALS, _POLICY, _DONE = attrgetter("text"), attrgetter("locals"), attrgetter("policy_user"), attrgetter("done")
_BROKEN, _SHARED, _COMMENTS, _FINDINGS = attrgetter("broken"), attrgetter("shared"), attrgetter("comments"), \
    attrgetter("findings")


_STRAY, _READS_VARS, _VARIABLE = attrgetter("has_stray"), attrgetter("reads_vars"), attrgetter("variable")


def _region(data: bytes, cut: hcl_regions.Cut) -> Region:
    text = data[cut.start:cut.end]
    defines = b"locals" in text
    # The grammar leaves blanks at a label's ends out of its text (`"aws_iam_policy_document\t"`
    # names the type too), so a document is known by the bare type name.
    return Region(text, cut.start - cut.begin, defines, defines or b"local." in text,
                  b"data.aws_iam_policy_document." in text, b"aws_iam_policy_document" in text,
                  b"var." in text, hcl_variables.is_variable(text), plain=cut.plain)


class Regions:
    """A Terraform file's regions: starts, ends and rows kept in step with the text, and the
    edits made since the analysis that produced them (what `tree.edit` gives a tree)."""

    __slots__ = ("data", "starts", "ends", "rows", "items", "whole", "edits", "trees", "locals_key",
                 "policy_key", "vars_key", "analysed", "followed")

    def __init__(self, data: bytes):
        self.data = data
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.rows: list[int] = []  # tree-sitter row (\n count) of each start
        self.items: list[Region] = []
        self.whole = False  # top-level assignments: the file is one region
        self.edits: list[tuple[int, int, int]] = []
        self.trees: dict[Region, object] = {}
        self.locals_key: tuple = ()
        self.policy_key: tuple = ()
        self.vars_key: tuple = ()  # what `var.x` reads (hcl_variables.Variables.key)
        self.analysed: list[int] = []
        self.followed: set[int] = set()  # offsets of references followed to other blocks

    def edit(self, **edit) -> None:
        self.edits.append((edit["start_byte"], edit["old_end_byte"], edit["new_end_byte"]))
        for tree in self.trees.values():
            tree.edit(**edit)

    def copy(self) -> "Regions":
        other = Regions(self.data)
        other.starts, other.ends, other.rows, other.items = self.starts, self.ends, self.rows, self.items
        other.whole, other.edits = self.whole, list(self.edits)
        other.trees = {item: tree.copy() for item, tree in self.trees.items()}
        other.locals_key, other.policy_key, other.vars_key = self.locals_key, self.policy_key, self.vars_key
        return other

    def spans(self) -> list[tuple[int, int]]:
        return list(zip(self.starts, self.ends))

    def kept(self) -> dict[tuple[int, int], str]:
        """(start, end) -> S-expression of each tree kept, for tests comparing it to a fresh parse."""
        index = {item: k for k, item in enumerate(self.items)}
        return {(self.starts[index[item]], self.ends[index[item]]): str(tree.root_node)
                for item, tree in self.trees.items() if item in index}

    # -- findings ----------------------------------------------------------------------------

    def findings(self, fresh: list, lines) -> list:
        """Every region's findings: those just made (stored with the region they came from) and
        the kept ones of the others, moved to where their region is now."""
        starts, ends, items = self.starts, self.ends, self.items
        owned: dict[int, list] = {k: [] for k in self.analysed}
        movable = dict.fromkeys(self.analysed, True)
        out = []
        for origin, finding in fresh:
            out.append(finding)
            k = bisect.bisect_right(starts, origin) - 1
            if k in owned:
                if starts[k] <= finding.start_byte and finding.end_byte <= ends[k]:
                    owned[k].append(finding)
                else:
                    movable[k] = False  # reported elsewhere (at a local's literal): analysed again
        for offset in self.followed:
            # Its findings depend on the block a reference names, which may change alone.
            movable[bisect.bisect_right(starts, offset) - 1] = False
        for k, kept in owned.items():
            item = items[k]
            item.findings, item.done = kept, movable[k]
            item.origin = (starts[k], lines.line_of(starts[k])) if kept else (0, 0)
        # Only regions with findings are visited, chosen in C (most have none).
        for k in compress(range(len(items)), map(_FINDINGS, items)):
            item = items[k]
            if k not in owned:
                now = (starts[k], lines.line_of(starts[k]))
                if now != item.origin:
                    item.findings = [moved(f, now[0] - item.origin[0], lines) for f in item.findings]
                    item.origin = now
                out.extend(item.findings)
        return out


def regions(data: bytes, old: Regions | None, edits: list | None) -> tuple[Regions, dict[Region, object]]:
    """The regions of `data`, those outside the `edits` made to `old`'s text carried over, and
    the old (edited) trees of regions that start where an old one did, by new region."""
    new = Regions(data)
    olds: dict[Region, object] = {}
    change = None
    if old is not None and not old.whole:
        change = hcl_regions.window(len(old.data), edits)
        if len(old.data) + change.delta != len(data):
            change = None  # not the edits of this text: read it afresh
    found = hcl_regions.rescan(data, old.ends, change) if change is not None else None
    if found is None:
        cuts = hcl_regions.scan(data)
        if cuts is None:
            start = hcl_regions._TRIVIA.match(data, 0).end()
            cuts = [hcl_regions.Cut(0, start, len(data))] if start < len(data) else []
            new.whole = True
        row, at = 0, 0
        for cut in cuts:
            row += data.count(b"\n", at, cut.start)
            at = cut.start
            new.starts.append(cut.start)
            new.ends.append(cut.end)
            new.rows.append(row)
            new.items.append(_region(data, cut))
        if old is not None:
            _old_trees(old, new, (0, len(old.items)), (0, len(new.items)), olds)
        return new, olds
    i, j, cuts = found
    delta = change.delta
    new.starts = old.starts[:i]
    new.ends = old.ends[:i]
    new.rows = old.rows[:i]
    new.items = old.items[:i]
    begin = old.ends[i - 1] if i else 0
    row = old.rows[i - 1] + data.count(b"\n", old.starts[i - 1], begin) if i else 0
    at = begin
    # Regions of the old text between the edits, by text: an unchanged one keeps its results.
    same: dict[bytes, Region] = {}
    for item in old.items[i:j]:
        same.setdefault(item.text, item)
    for cut in cuts:
        row += data.count(b"\n", at, cut.start)
        at = cut.start
        text = data[cut.start:cut.end]
        item = same.pop(text, None)
        if item is None:
            item = _region(data, cut)
        elif item.comments or data.find(b"blastguard", cut.begin, cut.start) >= 0:
            # Its suppression comments, and those before it, are read again.
            item = replace(item, lead=cut.start - cut.begin, done=False)
        elif item.lead != cut.start - cut.begin:
            item = replace(item, lead=cut.start - cut.begin)
        new.starts.append(cut.start)
        new.ends.append(cut.end)
        new.rows.append(row)
        new.items.append(item)
    if j < len(old.items):
        after = old.starts[j] + delta
        row += data.count(b"\n", at, after)
        shift = row - old.rows[j]
        new.starts.extend(map(delta.__add__, old.starts[j:]))
        new.ends.extend(map(delta.__add__, old.ends[j:]))
        new.rows.extend(map(shift.__add__, old.rows[j:]))
        new.items.extend(old.items[j:])
    _old_trees(old, new, (i, j), (i, i + len(cuts)), olds)
    return new, olds


def _old_trees(old: Regions, new: Regions, replaced: tuple[int, int], made: tuple[int, int], olds: dict) -> None:
    """Old trees of the replaced regions, for the new regions made in their place that start
    where one of them did (the trees were edited with the text: offsets are the new text's)."""
    if not old.trees:
        return
    by_start = {}
    for k in range(*replaced):
        tree = old.trees.get(old.items[k])
        if tree is not None:
            by_start[tree.included_ranges[0].start_byte] = tree
    for k in range(*made):
        tree = by_start.get(new.starts[k])
        if tree is not None:
            olds[new.items[k]] = tree


def load(doc, data: bytes, wanted, old, reuse, read=None, inputs=None, demand=None) -> None:
    """Fill a Document (engine.documents.load) with the file's subjects, first syntax error,
    suppression comments and locals' spans; an editor (reuse given) passes the last Regions.
    `read`: the text of a file a value reads (terraform.subjects), and the reader of the
    folder's files that define variables (hcl_variables); `inputs`: values a caller gives its
    variables, when the file is read as a local module's (module_inputs); `demand`: what rules
    read of a subject (engine.demand), so a region may be read without its whole parse."""
    path = doc.path
    # The last analysis: the tree an editor kept and edited, or the one kept in `reuse` (a
    # client that sends whole texts), compared with this text.
    previous, edits = None, None
    if isinstance(old, Regions):
        previous, edits = old, old.edits
    elif reuse is not None and isinstance(reuse.state, Regions):
        previous = reuse.state
        start, old_end, new_end = changed_span(previous.data, data)
        edits = [(start, old_end, new_end)]
        previous.trees = {}  # not edited with this change
    state, olds = regions(data, previous, edits)
    items, starts, ends = state.items, state.starts, state.ends
    # What every region is read with; C iterators, as these run for every region on every keystroke.
    texts = list(map(_TEXT, items))
    state.locals_key = tuple(compress(texts, map(_LOCALS, items)))
    state.policy_key = tuple(compress(texts, map(_POLICY, items)))
    # The values `var.x` reads: the file's own variable blocks (this text) and its folder's files.
    variables = None
    if inputs or any(map(_READS_VARS, items)) and (
            state.whole or any(_may_reach_rule(item, wanted) for item in compress(items, map(_READS_VARS, items)))):
        own = [(items[k].text, state.rows[k]) for k in compress(range(len(items)), map(_VARIABLE, items))]
        variables = hcl_variables.Variables(path, read, own, data if reuse is None else None, inputs)
        state.vars_key = variables.key()
        variables = variables if variables.table else None
    # A new Reuse (the settings changed) has no state: every finding is made again.
    reusing = reuse is not None and previous is not None and isinstance(reuse.state, Regions)
    same_vars = reusing and state.vars_key == previous.vars_key
    # Locals may be defined through variables: a changed variable is a changed local.
    same_locals = reusing and state.locals_key == previous.locals_key and same_vars
    same_policy = reusing and state.policy_key == previous.policy_key
    if not reusing:
        analysed = list(range(len(items)))
    elif same_locals and same_policy and same_vars:
        analysed = list(compress(range(len(items)), map(not_, map(_DONE, items))))
    else:
        analysed = [k for k, item in enumerate(items)
                    if not (item.done and (same_locals or not item.reads_locals) and (same_policy or not item.policy)
                            and (same_vars or not item.reads_vars))]
    if reusing and any(items[k].policy for k in analysed):
        # A policy document takes its type from the block that uses it: an edited document is
        # read with its users, even where they did not change.
        analysed = sorted(set(analysed).union(compress(range(len(items)), map(_POLICY, items))))
    if inputs:
        analysed = _reading(items, inputs, lambda kind, type_: wanted("terraform", kind, type_))
    state.analysed = analysed
    if reuse is not None:
        reuse.hits += len(items) - len(analysed)
        reuse.misses += len(analysed)
    # The locals regions are parsed first: their conversions serve the table and their subjects.
    parsed = {k: _parse(state, k, olds.get(items[k])) for k in analysed if items[k].locals}
    bodies, local_bodies = _locals(state, parsed)
    locals_ = Locals(bodies, variables)
    kept = {} if reuse is not None and len(analysed) <= KEEP_TREES else None

    def raw():
        # One region at a time: its tree is freed once its blocks are converted (unless a
        # value still points into it), so a file's trees are never all held at once.
        for k in analysed:
            item = items[k]
            unparsed = hcl_unparsed.how(item, state.whole, wanted, demand)
            if unparsed is not None:
                # No syntax error, stray words or comments to find in its tree (hcl_plain).
                item.broken, item.stray, item.has_stray, item.shared = False, None, False, ()
                item.comments = _comments(data, starts[k] - item.lead, starts[k], None)
                if unparsed == hcl_unparsed.DEFAULT:
                    yield hcl_unparsed.variable(data, item.text, starts[k], state.rows[k], locals_)
                continue
            tree = parsed.pop(k, None) or _parse(state, k, olds.get(item))
            if kept is not None:
                kept[item] = tree
            root = tree.root_node
            top = hcl.top_level(root, data)
            item.broken = root.has_error
            stray = hcl.stray_header(top)
            item.stray = None if stray is None else stray - starts[k]
            item.has_stray = stray is not None
            item.shared = tuple((s - starts[k], e - starts[k]) for s, e in hcl.locals_spans(top))
            item.comments = _comments(data, starts[k] - item.lead, starts[k], root)
            yield from hcl.blocks(root, top, locals_=(locals_, local_bodies))

    def every_block():
        return _every_block(state, (locals_, local_bodies))

    # Whether a value may read a file is asked of the blocks analysed, not of the whole text.
    if read is not None and not any(referenced.may_read(items[k].text) for k in analysed):
        read = None
    doc.subjects = terraform.subjects(raw(), lambda kind, type_: wanted("terraform", kind, type_), read,
                                      every_block, None if inputs else doc.modules)
    follow = next((subject.refs for subject in doc.subjects if subject.refs is not None), None)
    if follow is not None:
        def recording(node, follow=follow):
            state.followed.add(node.start)  # the block it is in is analysed again next time
            return follow(node)

        for subject in doc.subjects:
            if subject.refs is follow:
                subject.refs = recording
    if reuse is not None:
        reuse.state = state
        state.trees = kept or {}
    doc.languages = ["terraform"]
    doc.tree = state
    doc.carry = state.findings
    doc.error_at = _error_at(state)
    doc.shared = tuple((starts[k] + s, starts[k] + e) for k in compress(range(len(items)), map(_SHARED, items))
                       for s, e in items[k].shared)
    if b"blastguard" in data:
        from blastguard.engine.documents.load import Comment  # noqa: PLC0415
        doc.comments = [Comment(start, end, data[start:end].decode("utf-8", "replace"))
                        for k in compress(range(len(items)), map(_COMMENTS, items))
                        for start, end in ((starts[k] - items[k].lead + s, starts[k] - items[k].lead + e)
                                           for s, e in items[k].comments)]


def _reading(items: list[Region], inputs: dict, wanted) -> list[int]:
    """The regions a caller's inputs can change a finding of (module_inputs only wants those):
    resources and data sources a rule looks at, or that may hold a policy, which name one of
    the variables, or read locals when a locals region names one."""
    needles = [b"var." + name.encode() for name in inputs]
    names = {k for k, item in enumerate(items) if item.reads_vars and any(n in item.text for n in needles)}
    through = [b"local." + m.group(1) for k in names if items[k].locals
               for m in _LOCAL_OF.finditer(items[k].text) if any(n in m.group(2) for n in needles)]
    if through:  # locals defined with an input: the regions that read one of those
        names.update(k for k, item in enumerate(items) if item.reads_locals and any(n in item.text for n in through))
    out = []
    for k in sorted(names):
        header = _HEADER.match(items[k].text)
        if header is not None and (wanted(header.group(1).decode(), header.group(2).decode("utf-8", "replace"))
                                   or b"polic" in items[k].text):
            out.append(k)
    return out


def _may_reach_rule(item: Region, wanted) -> bool:
    """Whether what a region reads may reach a rule: resources, data sources, modules and locals
    are read by rules (and by each other, through references and locals); another block (an
    `output`, most of the `var.` reads of a registry module) only when a rule targets its kind.
    Without any, the folder's variables and tfvars files are not read (a cold run parses them)."""
    header = _OTHER_HEADER.match(item.text)
    if header is None or header.group(1) in (b"resource", b"data", b"module", b"locals"):
        return True
    label = header.group(2)
    return wanted("terraform", header.group(1).decode(), "" if label is None else label.decode("utf-8", "replace"))


def _every_block(state: Regions, locals_) -> list:
    """Every resource and data block, for references followed to another block (`aws_lb.web.arn`;
    only rules that follow references ask). A one-block region's address is read from its
    header line and its region parsed only when its body is asked for; others are parsed now."""
    found = []
    for k, item in enumerate(state.items):
        text = item.text
        header = _HEADER.match(text) if text.endswith(b"}") and not state.whole else None
        if header is None:
            if b"resource" in text or b"data" in text:
                tree = _parse(state, k, None)
                found.extend(hcl.blocks(tree.root_node, hcl.top_level(tree.root_node, state.data), locals_=locals_))
            continue
        labels = [header.group(2).decode("utf-8", "replace"), header.group(3).decode("utf-8", "replace")]
        start = state.starts[k]

        def body(k=k, start=start):
            tree = _parse(state, k, None)
            blocks = hcl.blocks(tree.root_node, hcl.top_level(tree.root_node, state.data), locals_=locals_)
            # A region its header made look like one block may parse as none (`"site" {\`): a
            # reference into it then finds nothing, as when the region is parsed at once.
            return blocks[0].body() if blocks else Node(MAP, {}, start, state.ends[k])

        found.append(terraform.RawBlock(header.group(1).decode(), labels, start, start + header.end(), body,
                                        stop=state.ends[k]))
    return found


# `name = value` on one line of a locals block: which locals a value names a variable in.
_LOCAL_OF = re.compile(rb"^[ \t]*([A-Za-z_][\w-]*)[ \t]*=([^\n]*)", re.M)
# A block of no or one plain label (`output "id" {`, `terraform {`), as terraform.subjects reads its type.
_OTHER_HEADER = re.compile(rb'([A-Za-z_][\w-]*)[ \t]*(?:"([^"\\\n$%]*)"[ \t]*)?\{')
# A block's header on its first line, labels without escapes (others are parsed).
_HEADER = re.compile(rb'(resource|data)[ \t]+"([^"\\\n$%]*)"[ \t]+"([^"\\\n$%]*)"')


def _error_at(state: Regions) -> int | None:
    """The file's first syntax error, where a whole-file parse puts it. tree-sitter's error
    recovery weighs what stands around the error, so a region parsed alone can blame another
    line than the whole file does (`acl =` then `}`: the `acl` line alone, the `}` line when
    a block follows). The first broken region is parsed again with the regions either side of
    it; the words before a block's header line (hcl.stray_header) count too."""
    items, starts = state.items, state.starts
    at = None
    first = next(compress(range(len(items)), map(_BROKEN, items)), None)
    if first is not None:
        low, high = max(first - 1, 0), min(first + 1, len(items) - 1)
        if state.ends[high] - starts[low] > MAX_REGION_BYTES:
            low = high = first
        tree = _parse(state, low, None, through=high)
        found = parsing.first_error(tree.root_node)
        at = found.start_byte if found is not None else starts[first]
    for k in compress(range(len(items)), map(_STRAY, items)):
        stray = starts[k] + items[k].stray
        if at is None or stray < at:
            at = stray  # tree-sitter took the stray words for the block's type
        break  # later ones start later
    return at


def _parse(state: Regions, k: int, old_tree, through: int | None = None):
    """Parse region k (through region `through`, and what lies between)."""
    start, end = state.starts[k], state.ends[k if through is None else through]
    if through is None and end - start > MAX_REGION_BYTES:
        raise DocumentError(f"a top-level block of {end - start:,} bytes, over the {MAX_REGION_BYTES:,} bytes "
                            f"a block can be analysed in", state.rows[k] + 1)
    data = state.data
    row = state.rows[k]
    end_row = row + data.count(b"\n", start, end)
    last = data.rfind(b"\n", 0, end)
    points = (row, start - (data.rfind(b"\n", 0, start) + 1)), (end_row, end - (last + 1))
    tree = parsing.parse_range("hcl", data, start, end, *points, old_tree)
    if old_tree is not None and tree.root_node.has_error:
        # Error recovery that starts from an old tree can settle on another tree than a fresh
        # parse would, and the next keystroke builds on it: a broken region is parsed afresh.
        tree = parsing.parse_range("hcl", data, start, end, *points)
    return tree


def _locals(state: Regions, parsed: dict) -> tuple[list, dict]:
    """The file's locals blocks in order, each converted once on first use: those of regions
    just parsed by their node's id (the same conversion serves the block's own subject), the
    others by parsing their region when a local is first looked up."""
    bodies, by_id = [], {}
    for k in compress(range(len(state.items)), map(_LOCALS, state.items)):
        tree = parsed.get(k)
        if tree is None:
            bodies.append(cache(lambda k=k: _region_locals(state, k)))
            continue
        top = hcl.top_level(tree.root_node, state.data)
        for index in top.locals:
            block = top.blocks[index]
            by_id[block.id] = body = cache(lambda b=block: hcl.block_value(b, 0))
            bodies.append(body)
    return bodies, by_id


def _region_locals(state: Regions, k: int) -> Node:
    """The locals a region defines, merged in order (one table update, as one per block)."""
    top = hcl.top_level(_parse(state, k, None).root_node, state.data)
    merged: dict = {}
    for index in top.locals:
        merged.update(hcl.block_value(top.blocks[index], 0).value)
    return Node(MAP, merged, state.starts[k], state.ends[k])


def _comments(data: bytes, begin: int, start: int, root) -> tuple:
    """Comments that may be suppressions (they name blastguard), relative to `begin`: those in
    the blank space before the region (a scan: it is never parsed) and in the region's tree
    (None: a region not parsed, which holds none)."""
    found = []
    if data.find(b"blastguard", begin, start) >= 0:
        found.extend((m.start() - begin, m.end() - begin) for m in _COMMENT.finditer(data, begin, start))
    if root is not None and data.find(b"blastguard", start, root.end_byte) >= 0:
        found.extend((c.start_byte - begin, c.end_byte - begin)
                     for c in parsing.captures("hcl", "(comment) @c", root).get("c", []))
    return tuple(found)
