"""Parse a file's text into a Document: subjects for rules, comments for suppressions."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from blastguard.engine import parsing
from blastguard.engine.documents import (helm, json_scan, json_tree, kinds, python, referenced, terraform,
                                         terraform_hcl, terraform_json, yaml_editing, yaml_pruning, yaml_stream)
from blastguard.engine.documents.templates import untemplate
from blastguard.engine.reuse import Reuse
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
    # Spans that other expressions read too (locals, anchors with aliases): a fix editing one
    # changes more than its finding, so it is not safe.
    shared: tuple[tuple[int, int], ...] = ()
    # Findings of all units (Terraform blocks, YAML documents) from those just made, when an
    # editor keeps them (terraform_hcl.Regions.findings, yaml_editing.Stream.findings).
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
        return _load_yaml(path, language, data, old_tree, reuse, demand)
    if language == "terraform" and syntax == "hcl":
        doc = Document(path, language, syntax, data)
        terraform_hcl.load(doc, data, wanted, old_tree, reuse, read, inputs, demand)
        return doc
    if syntax == "json" and language != "terraform" and old_tree is None:
        # Strict JSON is read without tree-sitter (see json_scan); an editor's next parse then
        # has no old tree and reads it the same way. Terraform JSON keeps its tree: embedded
        # policies are decoded from the tree-sitter string nodes.
        singles: list = []
        try:
            value = json_scan.read(data, singles)
        except json_scan.NotStrict:
            pass
        else:
            doc = Document(path, language, syntax, data)
            doc.languages = list(dict.fromkeys(_add_values(doc, [value], False, singles)))
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
        doc.subjects = python.subjects(root, partial(wanted, "python"), shared, demand and partial(demand, "python"))
        doc.shared = tuple(shared)
        doc.languages = ["python"]
    else:
        doc.languages = list(dict.fromkeys(_add_values(doc, [_json_value(root)], False)))
    return doc


def _load_yaml(path: str, language: str, data: bytes, old_tree, reuse: Reuse | None, demand) -> Document:
    """Each document of the stream is parsed alone (see yaml_stream); an editor keeps what each
    found from one keystroke to the next (see yaml_editing). A template's parts no rule reads are
    left unconverted (yaml_pruning; not in a masked chart, whose values are rewritten)."""
    doc = Document(path, language, "yaml", data)
    if reuse is not None:
        yaml_editing.load(doc, data, old_tree, reuse, _add_values)
        return doc
    masked = helm.needs_mask(data)
    text = helm.mask(data) if masked else data
    # A scan lets each document's tree go once it is read, or a bundle at the size limit holds a
    # gigabyte of them.
    comments = b"blastguard" in data
    pruning = yaml_pruning.Pruning(text, demand) if demand is not None and not masked else None
    bounds = yaml_stream.cuts(text)
    rows = yaml_stream.Rows(text)
    for start, end in zip(bounds, bounds[1:]):
        segment = yaml_stream.Segment(start, end, rows.at(start), text.count(b"\n", start, end))
        part = yaml_stream.read(text, segment, None, comments=comments,
                                deep=yaml_stream.may_nest_deeply(text, segment.start, segment.end), prune=pruning)
        if part.error_at is not None and doc.error_at is None:
            doc.error_at = part.error_at
        doc.comments.extend(Comment(start, end, data[start:end].decode("utf-8", "replace"))
                            for start, end in part.comments)
        made = len(doc.subjects)
        for kind in _add_values(doc, part.values, masked):  # one at a time: values not kept go now
            if kind not in doc.languages:
                doc.languages.append(kind)
        if pruning is not None:
            pruning.read(doc.subjects[made:])
    return doc


def _add_values(doc: Document, values: list, masked: bool, singles: list | None = None) -> tuple[str, ...]:
    """Classify each value of a YAML or JSON document and add its subjects; the kinds found.
    `singles`: the one-entry maps of the one value, when its reader listed them (json_scan)."""
    found = []
    for value in values:
        kind = kinds.classify(value, doc.path, doc.syntax)
        if kind is None:
            continue
        found.append(kind)
        if masked:
            untemplate(value, helm.MASKED, doc.data)
        doc.subjects.extend(kinds.subjects(value, kind, doc.path, singles))
    return tuple(found)


def _comments(grammar: str, data: bytes, root) -> list[Comment]:
    found = [Comment(c.start_byte, c.end_byte, c.text.decode("utf-8", "replace"))
             for c in parsing.captures(grammar, "(comment) @c", root).get("c", [])]
    return sorted(found, key=lambda c: c.start)


def _json_value(root):
    value = next((c for c in root.named_children if c.type != "comment"), None)
    return json_tree.convert(value, json_tree.offset_locator(0)) if value is not None else None
