"""The blocks of Terraform module directories, by address, for comparing two versions."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from blastguard.engine import parsing
from blastguard.engine.documents import hcl, json_tree, terraform_json
from blastguard.engine.documents.terraform import address
from blastguard.engine.values import LIST, MAP, DocumentError, Node


@dataclass(slots=True)
class Block:
    path: str
    kind: str  # resource, module, data, moved, removed, ...
    labels: list[str]
    address: str
    start: int  # the header (kind and labels)
    end: int
    stop: int  # end of the whole block (-1 when not known: .tf.json)
    body: Node

    @property
    def type(self) -> str:
        return self.labels[0] if self.kind in ("resource", "data") and self.labels else ""

    def get(self, *keys: str) -> Node | None:
        """The value at a path of nested blocks and attributes (`lifecycle`, `prevent_destroy`)."""
        node = self.body
        for key in keys:
            if node is not None and node.kind == LIST:  # a repeated block: the first
                node = node.value[0] if node.value else None
            node = node.get(key) if node is not None and node.kind == MAP else None
        return node


def is_config(path: str) -> bool:
    """Terraform configuration files (not variable files, plans or other HCL such as Packer)."""
    name = posixpath.basename(path).lower()
    return name.endswith(".tf") or (name.endswith(".tf.json") and not name.endswith(".tfvars.json"))


def directory(path: str) -> str:
    return posixpath.dirname(path.replace("\\", "/"))


def read(path: str, data: bytes) -> list[Block] | None:
    """A configuration file's blocks, or None when it cannot be read whole (a syntax error,
    too deep): then what seems to be missing from it may only be unreadable."""
    try:
        if path.lower().endswith(".json"):
            root = parsing.parse("json", data).root_node
            value = next((c for c in root.named_children if c.type != "comment"), None)
            tree = json_tree.convert(value, json_tree.offset_locator(0)) if value is not None else None
            if terraform_json.is_plan(tree):
                return []
            raw = terraform_json.blocks(tree)
        else:
            root = parsing.parse("hcl", data).root_node
            raw = hcl.blocks(root)
        if root.has_error:
            return None
        return [Block(path, r.kind, r.labels, address(r.kind, r.labels), r.start, r.end, r.stop, r.body())
                for r in raw]
    except (DocumentError, RecursionError, UnicodeDecodeError):
        return None


def by_directory(files: dict[str, bytes]) -> tuple[dict[str, list[Block]], set[str]]:
    """The blocks of every configuration file, grouped by module directory, in file order, and
    the paths that could not be read whole."""
    out: dict[str, list[Block]] = {}
    unreadable: set[str] = set()
    for path in sorted(files):
        if is_config(path):
            blocks = read(path, files[path])
            if blocks is None:
                unreadable.add(path)
            out.setdefault(directory(path), []).extend(blocks or [])
    return out, unreadable
