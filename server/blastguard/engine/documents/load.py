"""Parse a file's text into a Document: subjects for rules, comments for suppressions."""

from __future__ import annotations

from dataclasses import dataclass, field

from blastguard.engine import parsing
from blastguard.engine.documents import helm, hcl, json_tree, kinds, python, terraform, terraform_json, yaml_tree
from blastguard.engine.documents.templates import untemplate
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
    subjects: list[Subject] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    error_at: int | None = None  # byte offset of the first syntax error
    tree: object = None
    # The rule families of the documents found (a YAML file may hold several kinds, or none).
    languages: list[str] = field(default_factory=list)


def load(path: str, language: str, syntax: str, data: bytes, wanted: Wanted, old_tree=None) -> Document:
    grammar = "hcl" if syntax == "hcl" else syntax
    masked = syntax == "yaml" and helm.needs_mask(data)
    # A masked text differs from the edited one beyond the edit, so its old tree cannot be reused.
    tree = parsing.parse(grammar, helm.mask(data) if masked else data, None if masked else old_tree)
    root = tree.root_node
    doc = Document(path, language, syntax, data, tree=None if masked else tree)
    error = parsing.first_error(root)
    if error is not None:
        doc.error_at = error.start_byte
    doc.comments = [Comment(c.start_byte, c.end_byte, c.text.decode("utf-8", "replace"))
                    for c in parsing.captures(grammar, "(comment) @c", root).get("c", [])]
    doc.comments.sort(key=lambda c: c.start)
    if language == "terraform":
        if syntax == "hcl":
            blocks = hcl.blocks(root)
        else:
            blocks = terraform_json.blocks(_json_value(root))
        doc.subjects = terraform.subjects(blocks, lambda kind, type_: wanted("terraform", kind, type_))
        doc.languages = ["terraform"]
    elif language == "python":
        doc.subjects = python.subjects(root, lambda kind, type_: wanted("python", kind, type_))
        doc.languages = ["python"]
    else:
        values = yaml_tree.documents(root) if syntax == "yaml" else [_json_value(root)]
        for value in values:
            kind = kinds.classify(value, path, syntax)
            if kind is None:
                continue
            if masked:
                untemplate(value, helm.MASKED)
            doc.subjects.extend(kinds.subjects(value, kind, path))
            if kind not in doc.languages:
                doc.languages.append(kind)
    return doc


def _json_value(root):
    value = next((c for c in root.named_children if c.type != "comment"), None)
    return json_tree.convert(value, json_tree.offset_locator(0)) if value is not None else None
