"""Resolve `var.x` in a Terraform file: the literal a tfvars file of its folder assigns, else the
literal `default` of its `variable` block in the same module (the .tf files of the folder).

Precision: a default is what the configuration does unless someone overrides it, and a module's
callers may; still, a default of 0.0.0.0/0 on an SSH ingress or `skip_final_snapshot = true` is what
a reviewer blocks ("unsafe unless every caller remembers"), so defaults count, as CloudFormation
parameter defaults do. What keeps this precise:
- only literals count: a variable without a default, with `default = null`, or whose default or
  tfvars value holds anything unknown stays unknown (rules stay silent, as before);
- a default of `false` stays unknown too: a module exposing a protection switch
  (`deletion_protection`, `block_public_acls`) with the provider's own default is the
  missing-hardening case rules leave alone when the attribute is absent. `true`, numbers, strings
  and lists count: `skip_final_snapshot = true`, a retention of 0 or 0.0.0.0/0 is a choice someone
  made. A tfvars file's `false` counts: it is written for this deployment;
- an assignment in a tfvars file wins over the default, as in Terraform: `terraform.tfvars`,
  `terraform.tfvars.json`, then `*.auto.tfvars(.json)` in name order, the last one winning. A value
  in another tfvars file of the folder (`prod.tfvars`, given with `-var-file`) is used when every
  such file that assigns the variable gives the same literal; when they differ, it is unknown (the
  configuration is deployed with different values and we cannot tell which);
- a finding reached through a variable is reported at the expression that reads it (the line a
  reviewer sees), its message names where the value comes from ("the default of var.ssh_cidr,
  variables.tf line 12"), and it carries no fix (the value is written in another place).

Files are read, never executed, and only inside the checked tree (referenced.Reader): the .tf and
tfvars files of the analysed file's folder, each parsed once per content (a small cache keyed by
path, size and modification time), and only their `variable` blocks. The analysed file's own
variables come from its text (an editor's unsaved buffer), not from disk.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

from blastguard.engine import parsing
from blastguard.engine.documents import hcl_regions
from blastguard.engine.documents.hcl_locals import follow
from blastguard.engine.documents.referenced import READ, Reader
from blastguard.engine.values import LIST, MAP, SCALAR, UNKNOWN, Node

VIA = "via"  # meta key of a value read through a variable: where it comes from, for the message
VARIABLE = "variable"  # ... and the variable's name
# Starts the origin of a value a caller gives a local module's variable (module_inputs reads it
# back from the module's findings and reports them at the caller).
INPUT = "\x00input "
_REFERENCE = re.compile(
    r'^(?:"\$\{\s*)?var\.([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[\s*"[^"]*"\s*\]|\[\s*\d+\s*\])*)(?:\s*\}")?$')
_VARIABLE_HEADER = re.compile(rb'variable[ \t]+"?([A-Za-z_][\w-]*)"?[ \t]*\{')
_LINE_VARIABLE = re.compile(rb'^variable[ \t]+"?([A-Za-z_][\w-]*)"?[ \t]*\{', re.M)
_DEFAULT = re.compile(rb"^[ \t]*default[ \t]*=", re.M)
_AUTO = re.compile(r"^(?:terraform\.tfvars(?:\.json)?|.*\.auto\.tfvars(?:\.json)?)$")
# Folder listings and parsed files kept between analyses (an editor asks on every keystroke).
_CACHE_SIZE = 512
_SMALL = 16 * 1024  # variable blocks kept by text up to this size


def is_variable(text: bytes) -> bool:
    """Whether a top-level region's text is a `variable` block (read from its first bytes)."""
    return text.startswith(b"variable") and _VARIABLE_HEADER.match(text) is not None


class Variables:
    """The values `var.x` reads in one file: built from its own `variable` regions (text and row)
    and from the folder's other files through `reader`."""

    def __init__(self, path: str, reader: Reader | None, own: list[tuple[bytes, int]], data: bytes | None = None,
                 inputs: dict[str, Node] | None = None):
        self.name = os.path.basename(path)
        declared: dict[str, tuple[Node | None, str, int]] = {}  # name -> (default, file, line)
        overrides: list[tuple[str, dict]] = []
        files = _folder(reader, self.name) if reader is not None else ([], [], [])
        tf_files, auto, explicit = files
        # A scan's file is the one on disk: parsed once with the folder (an editor passes no data:
        # comparing its buffer with the disk would cost a read of the file per keystroke).
        on_disk = _parsed(reader, self.name, _declared_in_file, data) if reader and own and data is not None else None
        if on_disk is not None:  # the file as saved, parsed once with its folder's other files
            for name, (default, line) in on_disk.items():
                declared.setdefault(name, (default, self.name, line))
        for text, row in own if on_disk is None else ():
            for name, (default, line) in _declared(text).items():
                declared.setdefault(name, (default, self.name, row + line))
        for name in tf_files:
            found = _file_declared(reader, name)
            if _is_override(name):
                overrides.append((name, found))
                continue
            for var, (default, line) in found.items():
                declared.setdefault(var, (default, name, line))
        for name, found in overrides:  # override files replace the defaults of the others
            for var, (default, line) in found.items():
                if var in declared:
                    declared[var] = (default, name, line)
        table: dict[str, tuple[Node, str]] = {}
        assigned: dict[str, list[tuple[Node, str, int]]] = {}
        for name in explicit:
            for var, (value, line) in _file_assigned(reader, name).items():
                assigned.setdefault(var, []).append((value, name, line))
        chosen: dict[str, tuple[Node, str, int] | None] = {}
        for var, values in assigned.items():
            plain = {_plain(v) for v, _, _ in values}
            chosen[var] = values[0] if len(plain) == 1 and None not in plain else None
        for name in auto:
            for var, (value, line) in _file_assigned(reader, name).items():
                if var not in assigned:  # a -var-file wins over the auto-loaded files
                    chosen[var] = (value, name, line)
        for var, (default, file, line) in declared.items():
            if inputs and var in inputs:  # a caller's value (module_inputs), marked as such
                table[var] = (inputs[var], INPUT + var)
            elif var in chosen:
                found = chosen[var]
                if found is not None and _plain(found[0]) is not None:
                    table[var] = (found[0], f"var.{var} as set in {found[1]} line {found[2]}")
            elif default is not None and _plain(default) is not None and not _is_false(default):
                where = f"line {line}" if file == self.name else f"{file} line {line}"
                table[var] = (default, f"the default of var.{var}, {where}")
        self.table = table

    def key(self) -> tuple:
        """What the table holds, comparable between analyses (an editor re-analyses the blocks
        that read variables when it changes: a default edited, a tfvars file saved)."""
        return tuple(sorted((var, origin, repr(_plain(value))) for var, (value, origin) in self.table.items()))

    def lookup(self, reference: Node) -> Node | None:
        """The value `var.x` (`.attr`, `["k"]`, `[0]`, or `"${var.x}"`) reads, located at the
        reference; None when it is unknown."""
        match = _REFERENCE.match(reference.text.strip())
        if match is None:
            return None
        found = self.table.get(match.group(1))
        if found is None:
            return None
        value = follow(found[0], match.group(2))
        if value is None:
            return None
        if reference.text.lstrip().startswith('"') and value.kind != SCALAR:
            return None  # "${var.list}" is an error in Terraform, not the list
        return located(value, reference, found[1], match.group(1))


def located(value: Node, reference: Node, origin: str, name: str) -> Node:
    """A copy of value with every node at the reference (findings point at the expression that
    reads the variable), marked as read from elsewhere (no fix) with where it comes from."""
    meta = {READ: True, VIA: origin, VARIABLE: name}
    start, end, key_start = reference.start, reference.end, reference.key_start

    def copy(node: Node, key_at: int) -> Node:
        if node.kind == MAP:
            inner = {k: copy(child, reference.entry_start) for k, child in node.value.items()}
        elif node.kind == LIST:
            inner = [copy(child, -1) for child in node.value]
        else:
            inner = node.value
        return Node(node.kind, inner, start, end, key_at, node.text, None, meta)

    return copy(value, key_start)


def origins(nodes) -> tuple[list[str], list[str]]:
    """Where the values read through variables among nodes come from, and those variables' names,
    each once."""
    found: list[str] = []
    names: list[str] = []
    for node in nodes:
        if node is not None and node.meta and VIA in node.meta and node.meta[VIA] not in found:
            found.append(node.meta[VIA])
            names.append(node.meta[VARIABLE])
    return found, names


def is_literal(node: Node) -> bool:
    """Whether a value is wholly known (no unknown part, not null)."""
    return _plain(node) is not None


def _is_false(node: Node) -> bool:
    """A default of `false`: a switch (deletion_protection, block_public_acls) left at the
    provider's own default, which rules leave alone when the attribute is absent."""
    return node.kind == SCALAR and node.value is False


def _plain(node: Node):
    """A literal's Python value (lists and maps as tuples, for comparing), None when any part of
    it is unknown or it is null."""
    if node.kind == UNKNOWN:
        return None
    if node.kind == SCALAR:
        return None if node.value is None else (type(node.value).__name__, node.value)
    parts = []
    for key, child in node.items() if node.kind == MAP else enumerate(node.value):
        if child.kind == SCALAR and child.value is None:
            parts.append((key, None))  # a null attribute inside an object is still a literal
            continue
        value = _plain(child)
        if value is None:
            return None
        parts.append((key, value))
    return (node.kind, tuple(parts))


def _is_override(name: str) -> bool:
    return name == "override.tf" or name.endswith("_override.tf")


def _folder(reader: Reader, own: str) -> tuple[list[str], list[str], list[str]]:
    """The folder's other .tf files, its auto-loaded tfvars files in Terraform's order, and its
    other tfvars files, by name (an unreadable folder has none)."""
    try:
        names = sorted(entry.name for entry in os.scandir(reader.folder)
                       if entry.name.endswith((".tf", ".tfvars", ".tfvars.json")) and entry.name != own)
    except OSError:
        return [], [], []
    tf_files = [n for n in names if n.endswith(".tf")]
    tfvars = [n for n in names if not n.endswith(".tf")]
    auto = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in tfvars] + \
        [n for n in tfvars if _AUTO.match(n) and not n.startswith("terraform.tfvars")]
    explicit = [n for n in tfvars if not _AUTO.match(n)]
    return tf_files, auto, explicit


def _file_declared(reader: Reader, name: str) -> dict[str, tuple[Node | None, int]]:
    """The `variable` blocks of a .tf file of the folder: name -> (literal default or None, line)."""
    return _parsed(reader, name, _declared_in_file)


def _file_assigned(reader: Reader, name: str) -> dict[str, tuple[Node, int]]:
    """A tfvars file's assignments: name -> (value, line)."""
    return _parsed(reader, name, _assigned_json if name.endswith(".json") else _assigned_hcl)


_PARSED: dict[tuple, dict] = {}


def _parsed(reader: Reader, name: str, parse, same: bytes | None = None) -> dict | None:
    """parse(bytes) of a file of the folder, kept while its path, size and modification time stay
    (an editor asks again on every keystroke); {} for a file the reader refuses. With `same`:
    None unless the file holds exactly those bytes (the analysed file, maybe edited unsaved)."""
    path = os.path.join(reader.folder, name)
    try:
        info = os.stat(path)
    except OSError:
        return {} if same is None else None
    key = (path, info.st_mtime_ns, info.st_size, info.st_ino, reader.roots)  # what it may read depends on roots
    if same is not None and (info.st_size != len(same) or reader(name) != same.decode("utf-8", "replace")):
        return None
    found = _PARSED.get(key)
    if found is None:
        text = reader(name)
        found = {} if text is None else parse(text.encode("utf-8"))
        if len(_PARSED) >= _CACHE_SIZE:
            _PARSED.clear()
        _PARSED[key] = found
    return found


def _declared_in_file(data: bytes) -> dict[str, tuple[Node | None, int]]:
    """The `variable` blocks of a file, read without parsing the rest of it: each block is cut
    out (hcl_regions; a top-level block starts a line in a file `terraform fmt` wrote), and only
    the text from its `default` on is parsed, all of them in one parse (the description and type
    before it are most of a registry module's variables.tf)."""
    found: dict[str, tuple[Node | None, int]] = {}
    parts: list[bytes] = []
    lines: list[tuple[str, int]] = []
    row = at = 0
    for match in _LINE_VARIABLE.finditer(data):
        cut, _ = hcl_regions.scan_region(data, match.start())
        if cut is None:
            continue
        name, text = match.group(1).decode("utf-8", "replace"), data[cut.start:cut.end]
        row, at = row + data.count(b"\n", at, cut.start), cut.start
        default = _DEFAULT.search(text)
        if default is None or not text.endswith(b"}"):
            found.setdefault(name, (None, row + 1))
            continue
        lines.append((name, row + text.count(b"\n", 0, default.start()) + 1))
        parts.append(b"v {\n" + text[default.start():-1] + b"\n}\n")
    if not parts:
        return found
    from blastguard.engine.documents import hcl  # noqa: PLC0415

    tree = parsing.parse("hcl", b"".join(parts))
    blocks = hcl.top_level(tree.root_node, tree.root_node.text).blocks
    if tree.root_node.has_error or len(blocks) != len(parts):  # one is broken: read each alone
        blocks = [hcl.top_level(t.root_node, part).blocks for part in parts
                  for t in (parsing.parse("hcl", part),)]
        blocks = [b[0] if len(b) == 1 else None for b in blocks]
    for (name, line), block in zip(lines, blocks):
        found.setdefault(name, (_detached(_default(block)) if block is not None else None, line))
    return found


def _declared(text: bytes) -> dict[str, tuple[Node | None, int]]:
    """The variable blocks of a region's text: name -> (default or None, 1-based line in it);
    small blocks (nearly all) are kept by text, as an editor asks on every keystroke."""
    return _declared_small(text) if len(text) <= _SMALL else _parse_declared(text)


def _parse_declared(text: bytes) -> dict[str, tuple[Node | None, int]]:
    from blastguard.engine.documents import hcl  # noqa: PLC0415 (hcl imports this module's users)

    tree = parsing.parse("hcl", text)
    found: dict[str, tuple[Node | None, int]] = {}
    top = hcl.top_level(tree.root_node, text)
    for block in top.blocks:
        head = hcl.header(block)
        if head[0].text != b"variable" or len(head) != 2:
            continue
        default = _default(block)
        line = default.entry_start if default is not None else block.start_byte
        found.setdefault(hcl.label_text(head[1]), (_detached(default), text.count(b"\n", 0, line) + 1))
    return found


def _default(block) -> Node | None:
    """The `default` attribute's value of a variable block, converting nothing else (the
    description, type and validation blocks are most of its text)."""
    from blastguard.engine.documents import hcl  # noqa: PLC0415

    body = next((c for c in block.named_children if c.type == "body"), None)
    for child in body.named_children if body is not None else ():
        if child.type == "attribute" and child.named_children[0].text == b"default":
            expr = child.child_by_field_name("val") or hcl._last_expression(child)
            value = hcl.expression(expr, 1)
            value.key_start = child.start_byte
            return value
    return None


def _assigned_json(data: bytes) -> dict[str, tuple[Node, int]]:
    from blastguard.engine.documents import json_tree  # noqa: PLC0415

    try:
        value, tree = json_tree.parse_json(data)
    except Exception:  # not JSON: assigns nothing we can read
        return {}
    if value is None or value.kind != MAP or tree.root_node.has_error:
        return {}
    return _lines(value, data)


def _assigned_hcl(data: bytes) -> dict[str, tuple[Node, int]]:
    from blastguard.engine.documents import hcl  # noqa: PLC0415

    tree = parsing.parse("hcl", data)
    if tree.root_node.has_error:
        return {}
    body = next((c for c in tree.root_node.named_children if c.type == "body"), None)
    return {} if body is None else _lines(hcl.body_value(body, 0), data)


def _lines(value: Node, data: bytes) -> dict[str, tuple[Node, int]]:
    return {name: (_detached(node), data.count(b"\n", 0, node.entry_start) + 1) for name, node in value.items()}


def _detached(node: Node | None) -> Node | None:
    """node without its tree-sitter nodes, so a kept value does not keep its file's tree alive."""
    for inner in node.walk() if node is not None else ():
        inner.src = None
    return node


_declared_small = lru_cache(maxsize=_CACHE_SIZE)(_parse_declared)
