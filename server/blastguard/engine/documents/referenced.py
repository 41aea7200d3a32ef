"""Files a Terraform value reads with `file()` / `templatefile()`: their text, read (never run)
from inside the checked tree, stands in for the call so the same rules check it.

Everything found in such a file is reported at the call (`user_data = file("init.sh")`): that
is the line of the .tf file that brings the content in, and the one a reviewer changes.
"""

from __future__ import annotations

import json
import os
import re
import stat
from typing import Callable

from blastguard.engine.documents import json_tree
from blastguard.engine.documents.embedded import Decoded
from blastguard.engine.values import LIST, MAP, MAX_DEPTH, SCALAR, UNKNOWN, UNKNOWN_PART, DocumentError, Node

READS = "reads"  # meta key of a call node: the path it reads, relative to the .tf file's folder
# A literal path, optionally under `${path.module}` (the folder of the .tf file): anything else
# (a variable, path.root, a for expression) is not resolved.
_PATH = re.compile(r'^"(?:\$\{path\.module\}/)?([^"$%{}\\\n]+)"$')

Read = Callable[[str], "str | None"]
DECODERS = ("yamldecode", "jsondecode")  # yamldecode(file("pod.yaml")) is read and decoded too
# Meta key of every value that comes from another file: it stands at the call, so a fix that edited
# it would overwrite the call; engine.fixes offers none.
READ = "read"
# Whether a file's text calls one of those functions at all: most do not, and walking every block's
# values for calls would cost each keystroke in an editor.
_CALL = re.compile(rb"\b(?:file|filebase64|templatefile)\s*\(")


def may_read(data: bytes) -> bool:
    return _CALL.search(data) is not None


def call_path(name: str, argument_text: str) -> str | None:
    """The relative path a `file(...)` / `templatefile(...)` call reads, when written literally."""
    if name not in ("file", "filebase64", "templatefile"):  # filebase64: the same text, for matching
        return None
    match = _PATH.match(argument_text.strip())
    return match.group(1) if match else None


class Reader:
    """Reads the files one document refers to: relative to its folder, only regular UTF-8 files
    within `roots` (after resolving symbolic links) and under `max_size`; anything else is None."""

    def __init__(self, path: str, roots: tuple[str, ...], max_size: int):
        self.folder = os.path.dirname(os.path.abspath(path))
        self.roots = tuple(os.path.realpath(r) for r in roots) or (os.path.realpath(self.folder),)
        self.max_size = max_size
        self._cache: dict[str, str | None] = {}

    def __call__(self, relative: str) -> str | None:
        if relative not in self._cache:
            self._cache[relative] = self._read(relative)
        return self._cache[relative]

    def _read(self, relative: str) -> str | None:
        target = os.path.realpath(os.path.join(self.folder, relative))
        if not any(target == root or target.startswith(root.rstrip(os.sep) + os.sep) for root in self.roots):
            return None
        try:
            info = os.stat(target)
            if not stat.S_ISREG(info.st_mode) or info.st_size > self.max_size:
                return None
            with open(target, "rb") as handle:
                data = handle.read(self.max_size + 1)
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        return None if "\0" in text else text


def inline(body: Node, read: Read) -> None:
    """Replace, in place, each call node below body that reads a file by the file's content."""
    stack = [body]
    while stack:
        node = stack.pop()
        if node.kind == MAP:
            for key, child in node.value.items():
                if _reads(child):
                    node.value[key] = _content(child, read)
                else:
                    stack.append(child)
        elif node.kind == LIST:
            for i, child in enumerate(node.value):
                if _reads(child):
                    node.value[i] = _content(child, read)
                else:
                    stack.append(child)


def _reads(node: Node) -> bool:
    return node.kind == UNKNOWN and node.meta is not None and READS in node.meta


def _content(call: Node, read: Read) -> Node:
    relative, template = call.meta[READS], call.meta["function"] == "templatefile"
    text = read(relative)
    if text is None:
        return call  # missing, outside the tree, binary: stays unknown, so silent
    if call.meta.get("decode"):
        return _decoded(call, text, template)
    meta = {READ: True, "read_from": relative, "template": template, "text": text}
    if template:
        parts = _template_parts(text)
        if any(kind != "text" for kind, _ in parts):
            value = "".join(chunk if kind == "text" else UNKNOWN_PART for kind, chunk in parts)
            return Node(UNKNOWN, value, call.start, call.end, key_start=call.key_start, text=call.text, meta=meta)
        text = "".join(chunk for _, chunk in parts)
    return Node(SCALAR, text, call.start, call.end, key_start=call.key_start, meta=meta)


def _decoded(call: Node, text: str, template: bool) -> Node:
    """yamldecode() / jsondecode() of a read file: its values, every one located at the call; a
    template's expressions are unknown parts of the strings that hold them."""
    if template:
        text = "".join(chunk if kind == "text" else UNKNOWN_PART for kind, chunk in _template_parts(text))
    try:
        if call.meta["decode"] == "jsondecode":
            data = json.loads(text)
        else:
            from blastguard.engine import safe_yaml  # PyYAML only for the files that need it

            data = safe_yaml.load(text)
        return _node(data, call, 0)
    except (ValueError, RecursionError, DocumentError) as exc:  # not JSON or YAML, or too deep: unknown
        del exc
        return call
    except Exception:  # PyYAML's errors (yaml.YAMLError), without importing yaml here
        return call


def _node(value, call: Node, depth: int) -> Node:
    if depth > MAX_DEPTH:
        raise DocumentError(f"nesting deeper than {MAX_DEPTH} levels")
    at = (call.start, call.end)
    meta = {READ: True}
    if isinstance(value, dict):
        entries = {str(k): _node(v, call, depth + 1) for k, v in value.items()}
        for child in entries.values():
            child.key_start = call.entry_start
        return Node(MAP, entries, *at, key_start=call.key_start, meta=meta)
    if isinstance(value, list):
        return Node(LIST, [_node(v, call, depth + 1) for v in value], *at, key_start=call.key_start, meta=meta)
    if isinstance(value, str) and UNKNOWN_PART in value:
        return Node(UNKNOWN, value, *at, key_start=call.key_start, text=call.text, meta=meta)
    if not isinstance(value, (str, int, float, bool)) and value is not None:
        value = str(value)  # dates and other YAML types compare as text
    return Node(SCALAR, value, *at, key_start=call.key_start, meta=meta)


def embedded_json(node: Node, opener: bytes) -> Node | None:
    """The JSON a read file holds (a task's container definitions), every value located at the call."""
    meta = node.meta or {}
    if "read_from" not in meta:
        return None
    decoded = Decoded(json=True)
    if meta["template"]:
        for kind, chunk in _template_parts(meta["text"]):
            if kind == "text":
                decoded.add(chunk.encode("utf-8"), node.start)
            else:
                decoded.placeholder(node.start)
    else:
        decoded.add(meta["text"].encode("utf-8"), node.start)
    data = bytes(decoded.out)
    if not data.lstrip().startswith(opener):
        return None
    try:
        value, tree = json_tree.parse_json(data, lambda i: node.start)
    except Exception:  # a file that is not JSON is just text
        return None
    if value is None or value.kind != (MAP if opener == b"{" else LIST) or tree.root_node.has_error:
        return None
    for inner in value.walk():
        inner.start, inner.end, inner.meta = node.start, node.end, {**(inner.meta or {}), READ: True}
        if inner.key_start >= 0:
            inner.key_start = node.entry_start
    value.key_start = node.key_start
    return value


def _template_parts(text: str) -> list[tuple[str, str]]:
    """A Terraform template's text split into ("text", literal) and ("expr", source) parts;
    `$${` and `%%{` are literal `${` and `%{`. Linear: one pass, braces counted."""
    parts: list[tuple[str, str]] = []
    literal: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "$%" and text.startswith(c + c + "{", i):
            literal.append(c + "{")
            i += 3
            continue
        if c in "$%" and text.startswith(c + "{", i):
            depth, j = 1, i + 2
            while j < n and depth:
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                j += 1
            if literal:
                parts.append(("text", "".join(literal)))
                literal = []
            parts.append(("expr", text[i:j]))
            i = j
            continue
        literal.append(c)
        i += 1
    if literal:
        parts.append(("text", "".join(literal)))
    return parts
