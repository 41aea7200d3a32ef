"""Parse a file's text into a Document: subjects for rules, comments for suppressions."""

from __future__ import annotations

from dataclasses import dataclass, field

from blastguard.engine import parsing
from blastguard.engine.documents import (helm, json_tree, kinds, python, referenced, terraform, terraform_hcl,
                                         terraform_json, yaml_stream)
from blastguard.engine.documents.templates import untemplate
from blastguard.engine.reuse import Reuse, Unit, unit_key
from blastguard.engine.documents.terraform import Wanted
from blastguard.engine.values import Subject


@dataclass(slots=True)
class Comment:
    start: int
    end: int
    text: str


@dataclass(slots=True)
class Document:
    path: str
    language: str
    syntax: str
    data: bytes
    subjects: list[Subject] = field(default_factory=list)  # Python: an iterator, read once
    comments: list[Comment] = field(default_factory=list)
    error_at: int | None = None  # byte offset of the first syntax error
    tree: object = None
    # The rule families of the documents found (a YAML file may hold several kinds, or none).
    languages: list[str] = field(default_factory=list)
    # Top-level units (Terraform blocks, YAML documents) when an editor reuses findings.
    units: list[Unit] = field(default_factory=list)
    # Spans that other expressions read too (locals, anchors with aliases): a fix editing one
    # changes more than its finding, so it is not safe.
    shared: tuple[tuple[int, int], ...] = ()
    # Findings of all units from those just made, when the loader keeps them itself
    # (terraform_hcl.Regions.findings), in place of `units` and a Reuse.
    carry: object = None
    # Terraform module calls with a local source: (block, body), for module_inputs.
    modules: list = field(default_factory=list)


def load(path: str, language: str, syntax: str, data: bytes, wanted: Wanted, old_tree=None,
         reuse: Reuse | None = None, read: referenced.Read | None = None, demand=None,
         inputs: dict | None = None) -> Document:
    """`read` gives the text of a file a Terraform value reads (`file("init.sh")`), or None;
    `demand(language, kind, type)` what a subject must hold for a rule to fire (engine.demand);
    `inputs`: a local module's variables as a caller sets them (module_inputs)."""
    if syntax == "yaml":
        return _load_yaml(path, language, data, old_tree, reuse)
    if language == "terraform" and syntax == "hcl":
        doc = Document(path, language, syntax, data)
        terraform_hcl.load(doc, data, wanted, old_tree, reuse, read, inputs)
        return doc
    grammar = "hcl" if syntax == "hcl" else syntax
    tree = parsing.parse(grammar, data, old_tree)
    root = tree.root_node
    doc = Document(path, language, syntax, data, tree=tree)
    error = parsing.first_error(root)
    if error is not None:
        doc.error_at = error.start_byte
    # Comments matter only as suppressions, which all name blastguard: no need to collect them
    # (a query over the whole tree, on every keystroke in an editor) in a file without one.
    if b"blastguard" in data:
        doc.comments = _comments(grammar, data, root)
    if language == "terraform":
        doc.subjects = terraform.subjects(terraform_json.blocks(_json_value(root)),
                                          lambda kind, type_: wanted("terraform", kind, type_))
        doc.languages = ["terraform"]
    elif language == "python":
        shared: list[tuple[int, int]] = []
        doc.subjects = python.subjects(root, lambda kind, type_: wanted("python", kind, type_), shared,
                                       demand and (lambda kind, type_: demand("python", kind, type_)))
        doc.shared = tuple(shared)
        doc.languages = ["python"]
    else:
        _add_values(doc, [(None, [_json_value(root)])], False, reuse)
    return doc


def _load_yaml(path: str, language: str, data: bytes, old_tree, reuse: Reuse | None) -> Document:
    """Each document of the stream is parsed alone (see yaml_stream); a unit per document."""
    masked = helm.needs_mask(data)
    text = helm.mask(data) if masked else data
    # A masked text differs from the edited one beyond the edit, so its old trees cannot be reused.
    old = old_tree if isinstance(old_tree, yaml_stream.Trees) and not masked else None
    bounds = yaml_stream.cuts(text)
    rows = yaml_stream.Rows(text)
    doc = Document(path, language, "yaml", data)
    seen: dict[tuple, int] = {}
    # Only an editor (which passes a Reuse) parses again from the old trees: a scan lets each
    # document's tree go once it is read, or a bundle at the size limit holds a gigabyte of them.
    keep = reuse is not None
    trees, keys, starts, ends = [], [], [], []
    comments = b"blastguard" in data
    name = path.encode()
    at = old.by_start() if old is not None else {}
    for start, end in zip(bounds, bounds[1:]):
        index = at.get(start)
        if index is None:
            previous, clean, text_key = None, False, None
        else:  # the old tree of the document that starts here (moved by the edits)
            previous, clean, text_key = old.trees[index], old.clean[index], old.keys[index]
            if old.ends[index] != end:
                clean = False  # not the same extent: its text cannot be assumed unchanged
        unit = None
        if reuse is not None:
            # The key of a document no edit reached is the one computed for its text last time.
            if not clean or text_key is None:
                text_key = unit_key(b"yaml", name, data[start:end])
            count = seen[text_key] = seen.get(text_key, 0) + 1
            unit = Unit(start, end, unit_key(text_key, b"%d" % count))
            unit.reused = unit.key in reuse.entries
            doc.units.append(unit)
            if unit.reused and clean and not comments and not previous.root_node.has_error:
                # The same text, analysed before, its tree only moved: nothing to read again
                # (what `read` would do, without its cost on every document at every keystroke).
                trees.append(previous)
                keys.append(text_key)
                starts.append(start)
                ends.append(end)
                for kind in reuse.kinds.get(unit.key, ()):
                    if kind not in doc.languages:
                        doc.languages.append(kind)
                continue
        segment = yaml_stream.Segment(start, end, rows.at(start), text.count(b"\n", start, end))
        known = None
        if unit is not None and unit.reused and unit.key in reuse.readings:
            known = yaml_stream.moved(*reuse.readings[unit.key], segment.start, comments)
        unchanged = clean and unit is not None and unit.reused
        # A document analysed before passed the nesting bound; the scan costs a pass over its bytes.
        deep = not unchanged and yaml_stream.may_nest_deeply(text, segment.start, segment.end)
        part = yaml_stream.read(text, segment, previous, convert=unit is None or not unit.reused, comments=comments,
                                deep=deep, known=known, unchanged=unchanged)
        if unit is not None and part.failed:
            reuse.readings[unit.key] = (segment.start, comments, part)
        if keep:
            trees.append(part.tree)
            keys.append(text_key)
            starts.append(segment.start if part.tree is not None else -1)
            ends.append(segment.end if part.tree is not None else -1)
        if part.error_at is not None and doc.error_at is None:
            doc.error_at = part.error_at
        doc.comments.extend(Comment(start, end, data[start:end].decode("utf-8", "replace"))
                            for start, end in part.comments)
        _add_values(doc, [(unit, part.values)], masked, reuse)  # one at a time: values not kept go now
    doc.tree = yaml_stream.Trees(trees, keys=keys, spans=(starts, ends)) if keep and not masked else None
    return doc


def _add_values(doc: Document, read: list, masked: bool, reuse: Reuse | None) -> None:
    """Classify each YAML or JSON document and add its subjects; a reused unit keeps its kinds."""
    for unit, values in read:
        if unit is not None and unit.reused:
            for kind in reuse.kinds.get(unit.key, ()):
                if kind not in doc.languages:
                    doc.languages.append(kind)
            continue
        found = []
        for value in values:
            kind = kinds.classify(value, doc.path, doc.syntax)
            if kind is None:
                continue
            found.append(kind)
            if masked:
                untemplate(value, helm.MASKED)
            doc.subjects.extend(kinds.subjects(value, kind, doc.path))
            if kind not in doc.languages:
                doc.languages.append(kind)
        if unit is not None:
            reuse.kinds[unit.key] = tuple(found)


def _comments(grammar: str, data: bytes, root) -> list[Comment]:
    found = [Comment(c.start_byte, c.end_byte, c.text.decode("utf-8", "replace"))
             for c in parsing.captures(grammar, "(comment) @c", root).get("c", [])]
    return sorted(found, key=lambda c: c.start)


def _json_value(root):
    value = next((c for c in root.named_children if c.type != "comment"), None)
    return json_tree.convert(value, json_tree.offset_locator(0)) if value is not None else None
