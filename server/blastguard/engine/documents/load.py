"""Parse a file's text into a Document: subjects for rules, comments for suppressions."""

from __future__ import annotations

from dataclasses import dataclass, field

from blastguard.engine import parsing
from blastguard.engine.documents import hcl, json_tree, terraform, terraform_json
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


def load(path: str, language: str, syntax: str, data: bytes, wanted: Wanted, old_tree=None) -> Document:
    grammar = "hcl" if syntax == "hcl" else syntax
    tree = parsing.parse(grammar, data, old_tree)
    root = tree.root_node
    doc = Document(path, language, syntax, data, tree=tree)
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
            value = next((c for c in root.named_children if c.type != "comment"), None)
            blocks = terraform_json.blocks(json_tree.convert(value, json_tree.offset_locator(0)) if value else None)
        doc.subjects = terraform.subjects(blocks, wanted)
    return doc
