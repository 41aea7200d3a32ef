"""HCL (Terraform) syntax tree -> located value tree; blocks become terraform.RawBlock."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from blastguard.engine.documents import referenced
from blastguard.engine.documents.embedded import decode_template
from blastguard.engine.documents.terraform import RawBlock
from blastguard.engine.documents import hcl_dynamic
from blastguard.engine.documents.hcl_locals import Locals, combine
from blastguard.engine.documents.json_tree import PLACEHOLDER
from blastguard.engine.values import LIST, MAP, MAX_DEPTH, UNKNOWN, UNKNOWN_PART, DocumentError, Node, scalar, unknown

# Functions whose result is, for matching, their argument: jsonencode keeps a policy's
# structure visible; the conversions keep literal lists and maps literal; base64encode keeps a
# launch template's user data script readable.
_TRANSPARENT_FUNCTIONS = {"jsonencode", "tolist", "toset", "tomap", "base64encode"}
_COMBINING_FUNCTIONS = {"concat", "merge"}
_PLAIN_STRING_PARTS = {"quoted_template_start", "quoted_template_end", "template_literal"}


@dataclass(slots=True)
class TopLevel:
    """A config_file's top level, read in one pass: an editor does this on every keystroke,
    so each block costs one child lookup and bytes operations, never a list of its children."""

    body: object = None
    blocks: list = field(default_factory=list)  # the `block` nodes
    spans: list = field(default_factory=list)  # their (start, end) bytes
    texts: list = field(default_factory=list)  # their bytes
    locals: list = field(default_factory=list)  # indexes of the `locals` blocks
    multiline: list = field(default_factory=list)  # indexes of blocks whose header may span lines
    attributes: bool = False  # top-level assignments: a .tfvars file


def top_level(root, data: bytes) -> TopLevel:
    top = TopLevel(next((c for c in root.named_children if c.type == "body"), None))
    if top.body is None:
        return top
    for c in top.body.named_children:
        kind = c.type
        if kind == "block":
            first = c.named_child(0)
            if first is not None and first.type == "identifier":
                start, end = c.start_byte, c.end_byte
                text = data[start:end]
                if text.startswith(b"locals") and is_locals(text):
                    top.locals.append(len(top.blocks))
                brace = text.find(b"{")
                if text.find(b"\n", 0, brace) >= 0:
                    top.multiline.append(len(top.blocks))
                top.blocks.append(c)
                top.spans.append((start, end))
                top.texts.append(text)
        elif kind == "attribute":
            top.attributes = True
    return top


def top_blocks(root) -> list:
    """The top-level `block` nodes of a config_file."""
    return top_level(root, root.text).blocks


_AFTER_TYPE = frozenset(b" \t\r\n{")


def is_locals(text: bytes) -> bool:
    """Whether a top-level block's text is a `locals` block: its type is its first word, read
    from the bytes without making child nodes (this runs for every block on every keystroke)."""
    return text.startswith(b"locals") and len(text) > 6 and text[6] in _AFTER_TYPE


def locals_spans(top: TopLevel) -> tuple[tuple[int, int], ...]:
    """The spans of the `locals` blocks: values any expression of the module may read."""
    return tuple(top.spans[i] for i in top.locals)


def blocks(root, top: TopLevel | None = None, skip: frozenset = frozenset(),
           locals_: tuple[Locals, dict] | None = None) -> list[RawBlock]:
    """The top-level blocks of a config_file (top: its top_level, when already at hand), with
    lazily converted bodies; blocks starting at an offset in `skip` are left out (an editor
    reuses their findings). `locals_`: the file's locals table and the conversions of its
    locals blocks by node id, when the file is parsed in parts (terraform_hcl)."""
    if top is None:
        top = top_level(root, root.text)
    body = top.body
    if body is None:
        return []
    if locals_ is None:
        # Each locals block is converted once, for the locals table and for its own subject.
        local_bodies = {top.blocks[i].id: cache(lambda b=top.blocks[i]: block_value(b, 0)) for i in top.locals}
        locals_ = Locals(list(local_bodies.values()))
    else:
        locals_, local_bodies = locals_
    found = []
    if top.attributes:
        # A .tfvars file: its top-level assignments are one subject of kind `tfvars`.
        found.append(RawBlock("tfvars", [], body.start_byte, body.start_byte,
                              lambda: locals_.substitute(body_value(body, 0)), stop=body.end_byte))
    for block, (start, _), text in zip(top.blocks, top.spans, top.texts):
        if start in skip:
            continue
        head = header(block)
        labels = [label_text(c) for c in head[1:]]
        if block.id in local_bodies:
            value_of = lambda body_of=local_bodies[block.id]: locals_.own(body_of())  # noqa: E731
        elif b"dynamic" in text:
            value_of = lambda block=block: hcl_dynamic.expand(  # noqa: E731
                locals_.substitute(block_value(block, 0)), locals_.substitute)
        else:
            value_of = lambda block=block: locals_.substitute(block_value(block, 0))  # noqa: E731
        found.append(RawBlock(head[0].text.decode("utf-8", "replace"), labels, head[0].start_byte,
                              labels_end(block), value_of,
                              _lazy_names(block), block.end_byte, locals_.substitute))
    return found


def header(block) -> list:
    """The type and labels of a block: those on the line of its `{`. HCL wants a block header
    on one line, but tree-sitter-hcl reads `oops` then `resource "a" "b" {` on the next line
    as one block of type `oops`; the real block is what stands on the brace's line."""
    head = [c for c in block.named_children if c.type in ("string_lit", "identifier")]
    brace = next((c for c in block.children if c.type == "block_start"), None)
    if brace is None or head[0].start_point[0] == brace.start_point[0]:
        return head
    same_line = [c for c in head if c.start_point[0] == brace.start_point[0]]
    return same_line if same_line and same_line[0].type == "identifier" else head


def stray_header(top: TopLevel) -> int | None:
    """Byte offset of the first words before a block's header line (see `header`), or None."""
    return next((at for at in map(_stray_words, (top.blocks[i] for i in top.multiline)) if at is not None), None)


def _stray_words(block) -> int | None:
    head = header(block)
    return block.start_byte if head[0].start_byte != block.start_byte else None


def labels_end(block) -> int:
    end = block.start_byte
    for child in block.children:
        if child.type == "block_start":
            break
        end = child.end_byte
    return end


def label_text(node) -> str:
    if node.type == "string_lit":
        return "".join(c.text.decode("utf-8", "replace") for c in node.children
                       if c.type == "template_literal")
    return node.text.decode("utf-8", "replace")


def _lazy_names(block):
    def names():
        bodies = [c for c in block.named_children if c.type == "body"]
        while bodies:
            for child in bodies.pop().named_children:
                if child.type == "attribute":
                    yield child.named_children[0].text.decode("utf-8", "replace")
                elif child.type == "block":
                    bodies.extend(c for c in child.named_children if c.type == "body")

    return names


def block_value(block, depth: int) -> Node:
    body = next((c for c in block.named_children if c.type == "body"), None)
    node = body_value(body, depth + 1) if body is not None else Node(MAP, {}, block.end_byte, block.end_byte)
    node.start, node.end, node.key_start = block.start_byte, block.end_byte, block.start_byte
    return node


def body_value(body, depth: int) -> Node:
    if depth > MAX_DEPTH:
        raise DocumentError(f"nesting deeper than {MAX_DEPTH} levels", body.start_point[0] + 1)
    entries: dict[str, Node] = {}
    for child in body.named_children:
        if child.type == "attribute":
            ident = child.named_children[0]
            expr = child.child_by_field_name("val") or _last_expression(child)
            if expr is None:
                continue
            value = expression(expr, depth + 1)
            value.key_start = ident.start_byte
            entries[ident.text.decode("utf-8", "replace")] = value
        elif child.type == "block":
            named = child.named_children
            if not named or named[0].type != "identifier":
                continue
            key = named[0].text.decode("utf-8", "replace")
            if key == "dynamic":
                # dynamic "ingress" { content { ... } }: match the content as an ingress block.
                labels = [c for c in named if c.type == "string_lit"]
                key = label_text(labels[0]) if labels else key
                value = block_value(child, depth)
                content = value.get("content")
                if content is not None and content.kind == MAP:
                    content.start, content.end, content.key_start = child.start_byte, child.end_byte, child.start_byte
                    hcl_dynamic.mark(content, value, key)
                    value = content
            else:
                value = block_value(child, depth)
            previous = entries.get(key)
            if previous is None:
                entries[key] = value
            elif previous.kind == LIST and previous.meta and previous.meta.get("blocks"):
                previous.value.append(value)
                previous.end = value.end
            else:
                entries[key] = Node(LIST, [previous, value], previous.start, value.end,
                                    key_start=previous.key_start, meta={"blocks": True})
    return Node(MAP, entries, body.start_byte, body.end_byte)


def _last_expression(attribute):
    for child in reversed(attribute.named_children):
        if child.type == "expression":
            return child
    return None


def expression(node, depth: int) -> Node:
    if depth > MAX_DEPTH:
        raise DocumentError(f"nesting deeper than {MAX_DEPTH} levels", node.start_point[0] + 1)
    if node.type == "expression":
        named = [c for c in node.named_children if c.type != "comment"]
        if len(named) != 1:  # a reference with attribute or index access
            return unknown(node.start_byte, node.end_byte, node.text.decode("utf-8", "replace"))
        node = named[0]
    t = node.type
    start, end = node.start_byte, node.end_byte
    if t == "literal_value":
        return literal(node.named_children[0])
    if t == "template_expr":
        inner = node.named_children[0]
        if inner.type == "quoted_template" and all(c.type in _PLAIN_STRING_PARTS for c in inner.children):
            return string_value(inner)
        if inner.type == "heredoc_template":
            parts = {c.type for c in inner.children}
            if "template_interpolation" not in parts and "template_directive" not in parts:
                return heredoc_value(inner)
        result = unknown(start, end, node.text.decode("utf-8", "replace"))
        result.src = inner  # an interpolated heredoc may still hold a JSON policy
        if inner.type == "quoted_template":
            result.value = template_text(inner)
        elif inner.type == "heredoc_template":  # a user_data script with ${...} in it
            text = template_text(inner)
            dedent = inner.children and inner.children[0].type == "heredoc_start" and inner.children[0].text == b"<<-"
            result.value = _dedent(text) if dedent else text[1:] if text.startswith("\n") else text
        return result
    if t == "collection_value":
        inner = node.named_children[0]
        if inner.type == "tuple":
            items = [expression(c, depth + 1) for c in inner.named_children if c.type == "expression"]
            return Node(LIST, items, start, end)
        if inner.type == "object":
            return object_value(inner, depth + 1)
    if t == "function_call":
        name = node.named_children[0].text.decode()
        args = next((c for c in node.named_children if c.type == "function_arguments"), None)
        exprs = [c for c in args.named_children if c.type == "expression"] if args is not None else []
        relative = referenced.call_path(name, exprs[0].text.decode("utf-8", "replace")) if exprs else None
        if relative is not None:  # read later, where the document's path is known
            return Node(UNKNOWN, None, start, end, text=node.text.decode("utf-8", "replace"),
                        meta={referenced.READS: relative, "function": name})
        if name in referenced.DECODERS and len(exprs) == 1:  # yamldecode(file("pod.yaml"))
            inner = expression(exprs[0], depth + 1)
            if inner.kind == UNKNOWN and inner.meta and referenced.READS in inner.meta:
                inner.meta["decode"] = name
                inner.start, inner.end, inner.text = start, end, node.text.decode("utf-8", "replace")
                return inner
        if name in _TRANSPARENT_FUNCTIONS and len(exprs) == 1:
            return expression(exprs[0], depth + 1)
        if name in _COMBINING_FUNCTIONS:
            values = [expression(e, depth + 1) for e in exprs]
            combined = combine(name, values, start, end)
            if combined is not None:
                return combined
            # Arguments may still resolve once the file's locals are known.
            return Node(UNKNOWN, None, start, end, text=node.text.decode("utf-8", "replace"),
                        meta={"call": name, "args": values})
    if t == "operation":
        inner = node.named_children[0]
        if inner.type == "unary_operation" and inner.children[0].type == "-":
            value = expression(inner.named_children[-1], depth + 1)
            if value.kind == "scalar" and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
                return scalar(-value.value, start, end)
    return unknown(start, end, node.text.decode("utf-8", "replace"))


def object_value(node, depth: int) -> Node:
    entries: dict[str, Node] = {}
    for elem in node.named_children:
        if elem.type != "object_elem":
            continue
        exprs = [c for c in elem.named_children if c.type == "expression"]
        if len(exprs) != 2:
            continue
        key = object_key(exprs[0])
        if key is None:
            continue
        value = expression(exprs[1], depth + 1)
        value.key_start = elem.start_byte
        entries[key] = value
    return Node(MAP, entries, node.start_byte, node.end_byte)


def object_key(expr) -> str | None:
    named = expr.named_children
    if len(named) != 1:
        return None
    inner = named[0]
    if inner.type == "variable_expr":
        return inner.text.decode("utf-8", "replace")
    if inner.type == "literal_value" and inner.named_children[0].type == "string_lit":
        return string_value(inner.named_children[0]).value
    if inner.type == "template_expr":
        value = expression(expr, 0)
        return value.value if value.kind == "scalar" else None
    return None


def literal(node) -> Node:
    start, end = node.start_byte, node.end_byte
    t = node.type
    if t == "string_lit":
        return string_value(node)
    if t == "numeric_lit":
        raw = node.text.decode()
        try:
            return scalar(int(raw), start, end)
        except ValueError:
            try:
                return scalar(float(raw), start, end)
            except ValueError:
                return unknown(start, end, raw)
    if t == "bool_lit":
        return scalar(node.text.strip() == b"true", start, end)
    if t == "null_lit":
        return scalar(None, start, end)
    return unknown(start, end, node.text.decode("utf-8", "replace"))


def string_value(node) -> Node:
    raw = b"".join(c.text for c in node.children if c.type == "template_literal")
    if b"\\" in raw or b"$${" in raw or b"%%{" in raw:
        decoded = decode_template(node)
        raw = bytes(decoded.out) if decoded is not None else b""
    text = raw.decode("utf-8", "replace")
    result = scalar(text, node.start_byte, node.end_byte)
    if text[:1] in ("{", "["):
        result.src = node  # may hold embedded JSON: a policy, ECS container definitions
    return result


def template_text(node) -> str:
    """An interpolated string's text with each interpolation as UNKNOWN_PART."""
    decoded = decode_template(node, json=False)
    if decoded is None:
        return UNKNOWN_PART
    text = bytes(decoded.out).decode("utf-8", "replace")
    return text.replace(PLACEHOLDER, UNKNOWN_PART)


def heredoc_value(node) -> Node:
    decoded = decode_template(node)
    text = bytes(decoded.out).decode("utf-8", "replace") if decoded is not None else ""
    if node.children and node.children[0].type == "heredoc_start" and node.children[0].text == b"<<-":
        text = _dedent(text)
    else:
        text = text[1:] if text.startswith("\n") else text
    result = scalar(text, node.start_byte, node.end_byte)
    result.src = node
    return result


def _dedent(text: str) -> str:
    lines = text.split("\n")
    if lines and lines[0] == "":
        lines = lines[1:]
    indents = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(line[cut:] for line in lines)
