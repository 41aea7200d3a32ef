"""Python source -> call, assignment, import, def and string subjects, with names resolved through imports.

Rules see structure, never text: `subprocess.run("ls", shell=True)` is a `call` subject of type
`subprocess.run` whose arguments map holds `0` -> "ls" and `shell` -> true, whatever alias the
module was imported under; a docstring that mentions `shell=True` is only a string.
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import attrgetter

from blastguard.engine import parsing
from blastguard.engine.demand import Demand
from blastguard.engine.documents.python_names import Names, env_default, read_names
from blastguard.engine.documents.python_strings import plain_string_gate, string_value
from blastguard.engine.values import LIST, MAP, MAX_DEPTH, Node, Subject, scalar, unknown

# Keys of the callee and of `*args` / `**kwargs` in a call's argument map: not valid keywords,
# so they cannot clash, and free of `*`, which paths read as a glob.
CALLEE, ARGS_SPLAT, KWARGS_SPLAT = "()", "(args)", "(kwargs)"
_QUERY = """
[(call) (assignment) (import_statement) (import_from_statement) (function_definition) (class_definition)
 (string) (concatenated_string) (parameters) (lambda_parameters)] @node
(concatenated_string (string) @part)
"""
_START = attrgetter("start_byte")
_ORDER = lambda node: (node.start_byte, -node.end_byte)  # noqa: E731
# Values convert() may turn into a map or a list.
_CONTAINERS = frozenset({"dictionary", "list", "tuple", "set", "parenthesized_expression"})
_EVERY = Demand(None, False)  # without an engine's demand, every subject is made


def subjects(root, wanted, shared: list | None = None, demand=None) -> Iterator[Subject]:
    """The file's subjects, made as they are read (a large file's are never all held at once);
    `shared` receives the spans of module constants' literals, which every use of the constant
    reads (a fix there changes them all). With `demand(kind, type)` (engine.demand), a call or
    assignment no rule can fire on is not made: most calls meet only rules that read keywords
    they do not have."""
    collected = _collect(root)
    nodes = [node for node, _, _ in collected]
    names = read_names(nodes)
    if shared is not None:
        shared.extend((node.start_byte, node.end_byte) for node in names.constants.values())
    del nodes
    return _made(collected, names, wanted, demand or (lambda kind, type_: _EVERY), root.text)


def _made(collected: list[tuple], names: Names, wanted, demand, text: bytes) -> Iterator[Subject]:
    want_strings = wanted("string", "")
    # Plain literals whose source text holds none of the text string rules need are not made.
    may_fire, ascii_only = plain_string_gate(demand("string", ""), text) if want_strings else (None, False)
    # Whether the file spells a key a demand asks for: if not, no call of that demand is read.
    spelled_in: dict[int, bool] = {}

    def spelled(wanted: Demand) -> bool:
        if wanted.spelled_in is None:
            return True
        found = spelled_in.get(id(wanted.spelled_in))
        if found is None:
            found = spelled_in[id(wanted.spelled_in)] = wanted.spelled_in(text)
        return found

    collected.reverse()  # popped in document order: each node is let go once read
    while collected:
        node, part, scope = collected.pop()
        t = node.type
        made: list[Subject] = []
        if t == "call":
            subject = _call(node, names, demand, spelled)
            if subject is not None and wanted("call", subject.type):
                made.append(subject)
        elif t == "assignment":
            subject = _assignment(node, names, demand, wanted)
            if subject is not None:
                made.append(subject)
        elif t in ("import_statement", "import_from_statement"):
            made.extend(s for s in _imports(node) if wanted("import", s.type))
        elif t == "function_definition":
            subject = _defaults(node, names, demand, spelled)
            if subject is not None and wanted("def", subject.type):
                made.append(subject)
        elif want_strings and t in ("string", "concatenated_string") and not part:
            if may_fire is not None and t == "string":
                raw = node.text
                if b"\\" not in raw and b"\r" not in raw and (not ascii_only or raw.isascii()) and not may_fire(raw):
                    continue
            value = string_value(node)
            made.append(Subject("string", "", "", value, node.start_byte, node.end_byte))
        for subject in made:
            subject.unit = scope
            yield subject


def _entry(value: Node, start: int) -> None:
    """Where the entry holding `value` starts; a constant's literal keeps its own location."""
    if value.start >= start:
        value.key_start = start


def _collect(root) -> list[tuple]:
    """Every node of the kinds we look at, in document order, with whether it is a piece of a
    concatenated string and the qualified name of the functions and classes around it
    (`Deploy.run`, or `<module>`: what a finding in Python is known by, whatever its line).
    A query finds them in C; walking every node from Python cost most of a parse again (a
    module has eight times as many nodes as these). Scopes come from one pass over the found
    nodes, never from asking a node for its parents (60 KB of nested calls made that quadratic)."""
    found = parsing.captures("python", _QUERY, root)
    nodes = found.get("node", [])
    # Pre-order, as a walk finds them: by start, the enclosing node (the one ending later) first.
    nodes.sort(key=_ORDER)
    parts = frozenset(map(_START, found.get("part", ())))
    out = []
    scopes: list[tuple[int, str]] = []  # (end, qualified name) of the definitions around
    for node in nodes:
        start = node.start_byte
        while scopes and scopes[-1][0] <= start:
            scopes.pop()
        scope = scopes[-1][1] if scopes else ""
        t = node.type
        out.append((node, t == "string" and start in parts, scope or "<module>"))
        if t in ("function_definition", "class_definition"):
            name = node.child_by_field_name("name")
            inner = scope
            if name is not None:
                text = name.text.decode("utf-8", "replace")
                inner = f"{scope}.{text}" if scope else text
            scopes.append((node.end_byte, inner))
    return out


def _call(node, names: Names, demand, spelled) -> Subject | None:
    function, arguments = node.child_by_field_name("function"), node.child_by_field_name("arguments")
    if function is None or arguments is None or arguments.type != "argument_list":
        return None
    name, anchored = names.callee(function)
    if name is None:
        return None
    wanted = demand("call", name)
    if wanted.test is not None and not (spelled(wanted) and wanted.test(_argument_keys(arguments))):
        return None
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
            _entry(child, arg.start_byte)
            entries[key.text.decode("utf-8", "replace")] = child
        elif t == "list_splat":
            entries[ARGS_SPLAT] = unknown(arg.start_byte, arg.end_byte, arg.text.decode("utf-8", "replace"))
        elif t == "dictionary_splat":
            entries[KWARGS_SPLAT] = unknown(arg.start_byte, arg.end_byte, arg.text.decode("utf-8", "replace"))
        else:
            child = convert(arg, names)
            _entry(child, arg.start_byte)
            entries[str(position)] = child
            position += 1
    body = Node(MAP, entries, arguments.start_byte, arguments.end_byte)
    attrs = {"callee": "attribute" if function.type == "attribute" else "name"}
    return Subject("call", name, function.text.decode("utf-8", "replace"), body,
                   function.start_byte, function.end_byte, attrs)


def _argument_keys(arguments) -> Iterator[str]:
    """The keys _call gives the argument map, without converting a value."""
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


def _assignment(node, names: Names, demand, wanted) -> Subject | None:
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is None or right is None or left.type not in ("identifier", "attribute", "subscript"):
        return None
    if left.type == "subscript":
        target = _item_target(left, names)
    elif left.type == "attribute":
        obj = left.child_by_field_name("object")
        base, _ = names.qualify(obj) if obj is not None else (None, False)
        attr = left.child_by_field_name("attribute")
        target = f"{base}.{attr.text.decode('utf-8', 'replace')}" if base and attr is not None else None
    else:
        target = left.text.decode("utf-8", "replace")
    if target is None or not wanted("assign", target):  # no rule of its type: nothing converted
        return None
    # Rules that read an assignment only through `each` paths reach nothing in a value that is
    # not a map or a list (convert makes those only from these, or a constant's literal list).
    if demand("assign", target).each_only and right.type not in _CONTAINERS:
        return None
    value = convert(right, names)
    _entry(value, node.start_byte)
    return Subject("assign", target, left.text.decode("utf-8", "replace"), value, node.start_byte, node.end_byte)


def _item_target(left, names: Names) -> str | None:
    """`os.environ["DB_PASSWORD"]` / `app.config["SECRET_KEY"]` as `os.environ[DB_PASSWORD]`: an
    item stored under a literal string key is named like an attribute, so rules can select it by
    its key. Computed keys and slices stay unnamed."""
    obj, key = left.child_by_field_name("value"), left.child_by_field_name("subscript")
    if obj is None or key is None or key.type != "string" or left.named_child_count != 2:
        return None
    base, _ = names.qualify(obj)
    key_value = string_value(key)
    if base is None or key_value.kind != "scalar" or not isinstance(key_value.value, str):
        return None
    return f"{base}[{key_value.value}]"


def _defaults(node, names: Names, demand, spelled) -> Subject | None:
    """A `def` subject: the function's parameters that have a default (`def connect(host,
    password="...")`), each mapped to it; the default is what every call that omits it uses."""
    name, parameters = node.child_by_field_name("name"), node.child_by_field_name("parameters")
    if name is None or parameters is None:
        return None
    text = name.text.decode("utf-8", "replace")
    wanted = demand("def", text)
    if wanted.test is not None and not spelled(wanted):
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
        _entry(child, parameter.start_byte)
        entries[key] = child
    return Subject("def", text, text, Node(MAP, entries, parameters.start_byte, parameters.end_byte),
                   name.start_byte, name.end_byte)


def _imports(node):
    module = node.child_by_field_name("module_name")
    if node.type == "import_from_statement":
        if module is not None and module.type == "dotted_name":
            yield Subject("import", module.text.decode(), "", scalar(module.text.decode(), module.start_byte,
                                                                        module.end_byte), node.start_byte, node.end_byte)
        return
    for child in node.named_children:
        name = child.child_by_field_name("name") if child.type == "aliased_import" else child
        if name is not None and name.type == "dotted_name":
            text = name.text.decode()
            yield Subject("import", text, "", scalar(text, name.start_byte, name.end_byte), node.start_byte, node.end_byte)


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
            _entry(child, pair.start_byte)
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
        result = unknown(start, end, node.text.decode("utf-8", "replace"))
        result.meta = {"call": name}
        return result
    result = unknown(start, end, node.text.decode("utf-8", "replace"))
    if t in ("identifier", "attribute"):
        name, anchored = names.qualify(node)
        result.meta = {"ref": name, "imported": anchored}
    return result
