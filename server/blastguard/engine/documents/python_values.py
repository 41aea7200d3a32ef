"""Python expressions as values: literals are known, anything else is unknown with the name it
refers to; a call's arguments and a function's parameter defaults become maps of them."""

from __future__ import annotations

from collections.abc import Iterator

from blastguard.engine.demand import Demand
from blastguard.engine.documents.python_names import Names, env_default
from blastguard.engine.documents.python_strings import string_value
from blastguard.engine.values import LIST, MAP, MAX_DEPTH, Node, Subject, scalar, unknown

# Keys of the callee and of `*args` / `**kwargs` in a call's argument map: not valid keywords,
# so they cannot clash, and free of `*`, which paths read as a glob.
CALLEE, ARGS_SPLAT, KWARGS_SPLAT = "()", "(args)", "(kwargs)"
# Path objects made from one literal are that path: `shutil.rmtree(Path("/etc"))` removes /etc.
_PATH_TYPES = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.PurePosixPath"})


def entry(value: Node, start: int) -> None:
    """Where the entry holding `value` starts; a constant's literal keeps its own location."""
    if value.start >= start:
        value.key_start = start


def call_subject(function, arguments, name: str, anchored: bool, names: Names) -> Subject:
    entries: dict[str, Node] = {}
    callee = unknown(function.start_byte, function.end_byte, function.text.decode("utf-8", "replace"))
    callee.meta = {"ref": name, "imported": anchored}
    if function.type == "attribute":
        # The name after the last dot: what a fix such as `load` -> `safe_load` rewrites.
        attr = function.child_by_field_name("attribute")
        callee.start = attr.start_byte
    entries[CALLEE] = callee
    position = 0
    for arg in arguments.named_children:
        t = arg.type
        if t == "comment":
            continue
        if t == "keyword_argument":
            key, value = arg.child_by_field_name("name"), arg.child_by_field_name("value")
            if key is None or value is None:
                continue
            child = convert(value, names)
            entry(child, arg.start_byte)
            entries[key.text.decode("utf-8", "replace")] = child
        elif t == "list_splat":
            entries[ARGS_SPLAT] = unknown(arg.start_byte, arg.end_byte, arg.text.decode("utf-8", "replace"))
        elif t == "dictionary_splat":
            entries[KWARGS_SPLAT] = unknown(arg.start_byte, arg.end_byte, arg.text.decode("utf-8", "replace"))
        else:
            child = convert(arg, names)
            entry(child, arg.start_byte)
            entries[str(position)] = child
            position += 1
    body = Node(MAP, entries, arguments.start_byte, arguments.end_byte)
    attrs = {"callee": "attribute" if function.type == "attribute" else "name"}
    return Subject("call", name, function.text.decode("utf-8", "replace"), body,
                   function.start_byte, function.end_byte, attrs)


def argument_keys(arguments) -> Iterator[str]:
    """The keys call_subject gives the argument map, without converting a value."""
    yield CALLEE
    position = 0
    for arg in arguments.named_children:
        t = arg.type
        if t == "keyword_argument":
            key = arg.child_by_field_name("name")
            if key is not None and arg.child_by_field_name("value") is not None:
                yield key.text.decode("utf-8", "replace")
        elif t == "list_splat":
            yield ARGS_SPLAT
        elif t == "dictionary_splat":
            yield KWARGS_SPLAT
        elif t != "comment":
            yield str(position)
            position += 1


def defaults(node, text: str, names: Names, wanted: Demand) -> Subject | None:
    name, parameters = node.child_by_field_name("name"), node.child_by_field_name("parameters")
    if parameters is None:
        return None
    found = []
    for parameter in parameters.named_children:
        if parameter.type not in ("default_parameter", "typed_default_parameter"):
            continue
        key, value = parameter.child_by_field_name("name"), parameter.child_by_field_name("value")
        if key is None or value is None or key.type != "identifier":
            continue
        found.append((key.text.decode("utf-8", "replace"), parameter, value))
    if not found or wanted.test is not None and not wanted.test([key for key, _, _ in found]):
        return None  # no default a rule reads: nothing converted
    entries: dict[str, Node] = {}
    for key, parameter, value in found:
        child = convert(value, names)
        entry(child, parameter.start_byte)
        entries[key] = child
    return Subject("def", text, text, Node(MAP, entries, parameters.start_byte, parameters.end_byte),
                   name.start_byte, name.end_byte)


def convert(node, names: Names, depth: int = 0) -> Node:
    """A Python expression as a value: literals are known, everything else is unknown
    (with the qualified name it refers to, for `refers_to`). Past MAX_DEPTH a value is
    unknown: a deeply nested literal is not worth refusing the whole file for."""
    t = node.type
    if depth > MAX_DEPTH:
        return unknown(node.start_byte, node.end_byte, t)
    start, end = node.start_byte, node.end_byte
    if t in ("string", "concatenated_string"):
        return string_value(node)
    if t == "integer":
        try:
            return scalar(int(node.text.decode().replace("_", "").rstrip("lLjJ"), 0), start, end)
        except ValueError:
            return unknown(start, end, node.text.decode())
    if t == "float":
        try:
            return scalar(float(node.text.decode().replace("_", "")), start, end)
        except ValueError:
            return unknown(start, end, node.text.decode())
    if t in ("true", "false"):
        return scalar(t == "true", start, end)
    if t == "none":
        return scalar(None, start, end)
    if t in ("list", "tuple", "set"):
        items = [convert(c, names, depth + 1) for c in node.named_children if c.type != "comment"]
        return Node(LIST, items, start, end)
    if t == "parenthesized_expression" and node.named_child_count == 1:
        return convert(node.named_children[0], names, depth + 1)
    if t == "dictionary":
        entries: dict[str, Node] = {}
        for pair in node.named_children:
            if pair.type == "comment":
                continue  # Django's settings comment their entries; the dict is still a literal
            if pair.type != "pair":
                return unknown(start, end, node.text.decode("utf-8", "replace"))
            key = string_value(pair.child_by_field_name("key")) if pair.child_by_field_name("key").type == "string" else None
            if key is None or not isinstance(key.value, str) or key.kind != "scalar":
                return unknown(start, end, node.text.decode("utf-8", "replace"))
            child = convert(pair.child_by_field_name("value"), names, depth + 1)
            entry(child, pair.start_byte)
            entries[key.value] = child
        return Node(MAP, entries, start, end)
    if t == "identifier" and node.text.decode("utf-8", "replace") in names.constants:
        # Reported where it is written, as Terraform locals are: one finding per literal, and a
        # fix edits the definition.
        return convert(names.constants[node.text.decode("utf-8", "replace")], names, depth + 1)
    if t == "call":
        name, _ = names.qualify(node)
        default = env_default(node, name)
        if default is not None:
            return default
        if name in _PATH_TYPES:
            arguments = node.child_by_field_name("arguments")
            args = [a for a in arguments.named_children if a.type != "comment"] if arguments is not None else []
            if len(args) == 1 and args[0].type in ("string", "concatenated_string"):
                return string_value(args[0])
        result = unknown(start, end, node.text.decode("utf-8", "replace"))
        result.meta = {"call": name}
        return result
    result = unknown(start, end, node.text.decode("utf-8", "replace"))
    if t in ("identifier", "attribute"):
        name, anchored = names.qualify(node)
        result.meta = {"ref": name, "imported": anchored}
    return result
