"""Python source -> call, assignment, import, def and string subjects, with names resolved through imports.

Rules see structure, never text: `subprocess.run("ls", shell=True)` is a `call` subject of type
`subprocess.run` whose arguments map holds `0` -> "ls" and `shell` -> true, whatever alias the
module was imported under; a docstring that mentions `shell=True` is only a string.
"""

from __future__ import annotations

import ast
import builtins
import re
import warnings
from collections.abc import Iterator
from operator import attrgetter

from blastguard.engine import parsing
from blastguard.engine.demand import Demand
from blastguard.engine.values import LIST, MAP, MAX_DEPTH, UNKNOWN_PART, Node, Subject, scalar, scrub, unknown

_BUILTINS = frozenset(dir(builtins))
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
# PEP 8 constants: module-level names in capitals, assigned once, are read as their literal.
_CONSTANT_NAME = re.compile(r"^_?[A-Z][A-Z0-9_]*$")
# Calls whose value is an environment variable or, when it is unset, their literal default.
_ENV_LOOKUPS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault"})
_PLAIN_PREFIXES = frozenset({"", "r", "u", "b", "br", "rb"})
# Values convert() may turn into a map or a list.
_CONTAINERS = frozenset({"dictionary", "list", "tuple", "set", "parenthesized_expression"})
_EVERY = Demand(None, False)  # without an engine's demand, every subject is made


class _Names:
    """Flow-insensitive name resolution for one file: imports, and what simple assignments hold."""

    def __init__(self) -> None:
        self.imports: dict[str, str] = {}
        self.assigned: dict[str, str | None] = {}  # name -> qualified type of the call it holds
        self.shadowed: set[str] = set()
        self.constants: dict[str, object] = {}  # NAME -> the literal's syntax node
        self.assignments: dict[str, int] = {}  # how often each plain name is assigned, anywhere
        self.parameters: set[str] = set()

    def qualify(self, node) -> tuple[str | None, bool]:
        """(dotted name, whether it is anchored in an import or a builtin) for a callee or value."""
        t = node.type
        if t == "identifier":
            name = node.text.decode("utf-8", "replace")
            if name in self.imports:
                return self.imports[name], True
            if self.assigned.get(name):
                return self.assigned[name], True
            if name in _BUILTINS:
                # A local `def eval(...)` is not the builtin: give it a type no builtin rule names.
                return (name, True) if name not in self.shadowed else (f"<local>.{name}", False)
            return name, False
        if t == "attribute":
            obj, attr = node.child_by_field_name("object"), node.child_by_field_name("attribute")
            if obj is None or attr is None:
                return None, False
            text = node.text.decode("utf-8", "replace")
            if self.assigned.get(text):
                return self.assigned[text], True
            base, anchored = self.qualify(obj)
            if base is None:
                return None, False
            return f"{base}.{attr.text.decode('utf-8', 'replace')}", anchored
        if t == "call":
            function = node.child_by_field_name("function")
            return self.qualify(function) if function is not None else (None, False)
        if t == "parenthesized_expression" and node.named_child_count == 1:
            return self.qualify(node.named_children[0])
        return None, False

    def add_import(self, node) -> None:
        if node.type == "import_statement":
            for child in node.named_children:
                if child.type == "dotted_name":
                    module = child.text.decode()
                    self.imports[module.split(".")[0]] = module.split(".")[0]
                elif child.type == "aliased_import":
                    name, alias = child.child_by_field_name("name"), child.child_by_field_name("alias")
                    if name is not None and alias is not None:
                        self.imports[alias.text.decode()] = name.text.decode()
            return
        module = node.child_by_field_name("module_name")
        if module is None or module.type != "dotted_name":  # relative imports are the project's own code
            return
        prefix = module.text.decode()
        for child in node.named_children:
            if child == module:
                continue
            if child.type == "dotted_name":
                self.imports[child.text.decode().split(".")[-1]] = f"{prefix}.{child.text.decode()}"
            elif child.type == "aliased_import":
                name, alias = child.child_by_field_name("name"), child.child_by_field_name("alias")
                if name is not None and alias is not None:
                    self.imports[alias.text.decode()] = f"{prefix}.{name.text.decode()}"

    def add_assignment(self, node) -> None:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or left.type not in ("identifier", "attribute"):
            return
        target = left.text.decode("utf-8", "replace")
        if left.type == "identifier":
            self.shadowed.add(target)
        held = None
        if right is not None and right.type == "call":
            name, anchored = self.qualify(right)
            held = name if anchored else None
        if target in self.assigned and self.assigned[target] != held:
            held = None  # assigned different things: unknown
        self.assigned[target] = held


def subjects(root, wanted, shared: list | None = None, demand=None) -> Iterator[Subject]:
    """The file's subjects, made as they are read (a large file's are never all held at once);
    `shared` receives the spans of module constants' literals, which every use of the constant
    reads (a fix there changes them all). With `demand(kind, type)` (engine.demand), a call or
    assignment no rule can fire on is not made: most calls meet only rules that read keywords
    they do not have."""
    collected = _collect(root)
    nodes = [node for node, _, _ in collected]
    names = _Names()
    for node in nodes:
        if node.type in ("import_statement", "import_from_statement"):
            names.add_import(node)
        elif node.type in ("function_definition", "class_definition"):
            name = node.child_by_field_name("name")
            if name is not None:
                names.shadowed.add(name.text.decode("utf-8", "replace"))
        elif node.type in ("parameters", "lambda_parameters"):
            names.parameters.update(_parameter_names(node))
    _constants(nodes, names)
    if shared is not None:
        shared.extend((node.start_byte, node.end_byte) for node in names.constants.values())
    # Twice, so `c = s.client()` after `s = boto3.Session()` resolves whatever the order found.
    for _ in range(2):
        for node in nodes:
            if node.type == "assignment":
                names.add_assignment(node)
    del nodes
    return _made(collected, names, wanted, demand or (lambda kind, type_: _EVERY), root.text)


def _made(collected: list[tuple], names: _Names, wanted, demand, text: bytes) -> Iterator[Subject]:
    want_strings = wanted("string", "")
    # Plain literals of a file holding none of the text string rules need are not made.
    skip_plain, ascii_only = _plain_strings_dead(demand("string", ""), text) if want_strings else (False, False)
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
            subject = _assignment(node, names, demand)
            if subject is not None and wanted("assign", subject.type):
                made.append(subject)
        elif t in ("import_statement", "import_from_statement"):
            made.extend(s for s in _imports(node) if wanted("import", s.type))
        elif t == "function_definition":
            subject = _defaults(node, names, demand, spelled)
            if subject is not None and wanted("def", subject.type):
                made.append(subject)
        elif want_strings and t in ("string", "concatenated_string") and not part:
            if skip_plain and t == "string":
                raw = node.text
                if b"\\" not in raw and b"\r" not in raw and (not ascii_only or raw.isascii()):
                    continue
            value = _string(node)
            made.append(Subject("string", "", "", value, node.start_byte, node.end_byte))
        for subject in made:
            subject.unit = scope
            yield subject


def _plain_strings_dead(wanted: Demand, data: bytes) -> tuple[bool, bool]:
    """(whether no plain literal of the file can hold the text every string rule needs, whether
    that holds only for ASCII literals). A literal without a backslash or carriage return (which
    decoding turns into another character) reads as its own source text, so a needed string
    absent from the file is absent from it (an f-string's pieces are its source text); a folded
    test lets non-ASCII text through (RE2 folds `ſ` to s)."""
    if not wanted.texts or any(UNKNOWN_PART in n for needs, _ in wanted.texts for n in needs) \
            or wanted.found_in(data):
        return False, False
    return True, any(folded for _, folded in wanted.texts)


def _entry(value: Node, start: int) -> None:
    """Where the entry holding `value` starts; a constant's literal keeps its own location."""
    if value.start >= start:
        value.key_start = start


def _parameter_names(node):
    for child in node.named_children:
        name = child if child.type == "identifier" else child.child_by_field_name("name")
        if name is None and child.named_children:
            name = child.named_children[0]  # *args, **kwargs
        if name is not None and name.type == "identifier":
            yield name.text.decode("utf-8", "replace")


def _constants(nodes, names: _Names) -> None:
    """Module-level `NAME = <literal>` (or another constant value) assigned nowhere else and never a
    parameter: uses of NAME are read as the literal (`shutil.rmtree(TARGET)` with `TARGET = "/"`), located at NAME's definition."""
    candidates = {}
    for node in nodes:
        if node.type != "assignment":
            continue
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or left.type != "identifier":
            continue
        name = left.text.decode("utf-8", "replace")
        names.assignments[name] = names.assignments.get(name, 0) + 1
        parent = node.parent
        if right is not None and parent is not None and parent.type == "expression_statement" \
                and parent.parent is not None and parent.parent.type == "module" and _CONSTANT_NAME.match(name):
            candidates[name] = right
    for name, right in candidates.items():
        if names.assignments[name] == 1 and name not in names.parameters and _is_constant_value(right, names):
            names.constants[name] = right


def _is_constant_value(node, names: _Names) -> bool:
    """A literal, an environment lookup with a literal default (`os.environ.get("DIR", "/")`), or a
    name from an imported module (`ssl.PROTOCOL_TLSv1`): what the constant holds is then as
    known as if it were written at each use."""
    if _is_literal(node):
        return True
    if node.type == "call":
        return _env_default(node, names.qualify(node)[0]) is not None
    return node.type == "attribute" and names.qualify(node)[1]


def _is_literal(node) -> bool:
    if node.type in ("string", "concatenated_string"):
        return not any(c.type == "interpolation" for s in (node.named_children if node.type == "concatenated_string"
                                                           else [node]) for c in s.named_children)
    if node.type in ("integer", "float", "true", "false", "none"):
        return True
    if node.type in ("list", "tuple"):
        return all(_is_literal(c) for c in node.named_children if c.type != "comment")
    return False


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


def _call(node, names: _Names, demand, spelled) -> Subject | None:
    function, arguments = node.child_by_field_name("function"), node.child_by_field_name("arguments")
    if function is None or arguments is None or arguments.type != "argument_list":
        return None
    name, anchored = names.qualify(function)
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


def _assignment(node, names: _Names, demand) -> Subject | None:
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
    if target is None:
        return None
    # Rules that read an assignment only through `each` paths reach nothing in a value that is
    # not a map or a list (convert makes those only from these, or a constant's literal list).
    if demand("assign", target).each_only and right.type not in _CONTAINERS:
        return None
    value = convert(right, names)
    _entry(value, node.start_byte)
    return Subject("assign", target, left.text.decode("utf-8", "replace"), value, node.start_byte, node.end_byte)


def _item_target(left, names: _Names) -> str | None:
    """`os.environ["DB_PASSWORD"]` / `app.config["SECRET_KEY"]` as `os.environ[DB_PASSWORD]`: an
    item stored under a literal string key is named like an attribute, so rules can select it by
    its key. Computed keys and slices stay unnamed."""
    obj, key = left.child_by_field_name("value"), left.child_by_field_name("subscript")
    if obj is None or key is None or key.type != "string" or left.named_child_count != 2:
        return None
    base, _ = names.qualify(obj)
    key_value = _string(key)
    if base is None or key_value.kind != "scalar" or not isinstance(key_value.value, str):
        return None
    return f"{base}[{key_value.value}]"


def _defaults(node, names: _Names, demand, spelled) -> Subject | None:
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


def convert(node, names: _Names, depth: int = 0) -> Node:
    """A Python expression as a value: literals are known, everything else is unknown
    (with the qualified name it refers to, for `refers_to`). Past MAX_DEPTH a value is
    unknown: a deeply nested literal is not worth refusing the whole file for."""
    t = node.type
    if depth > MAX_DEPTH:
        return unknown(node.start_byte, node.end_byte, t)
    start, end = node.start_byte, node.end_byte
    if t in ("string", "concatenated_string"):
        return _string(node)
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
            if pair.type != "pair":
                return unknown(start, end, node.text.decode("utf-8", "replace"))
            key = _string(pair.child_by_field_name("key")) if pair.child_by_field_name("key").type == "string" else None
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
        default = _env_default(node, name)
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


def _env_default(node, name: str | None) -> Node | None:
    """`os.environ.get("DIR", "/")` (`name` is the callee's qualified name): unknown, but "/"
    when the variable is unset, so a rule that looks for "/" matches it (the value is a
    template with no unresolved part)."""
    if name not in _ENV_LOOKUPS:
        return None
    arguments = node.child_by_field_name("arguments")
    args = [a for a in arguments.named_children if a.type != "comment"] if arguments is not None else []
    default = None
    if len(args) >= 2 and args[1].type != "keyword_argument":
        default = args[1]
    for arg in args:
        if arg.type == "keyword_argument" and arg.child_by_field_name("name") is not None \
                and arg.child_by_field_name("name").text == b"default":
            default = arg.child_by_field_name("value")
    if default is None or default.type not in ("string", "concatenated_string") or not _is_literal(default):
        return None
    value = _string(default)
    if not isinstance(value.value, str) or not value.value:
        return None
    result = unknown(node.start_byte, node.end_byte, node.text.decode("utf-8", "replace"))
    result.value, result.meta = value.value, {"call": name, "default": True}
    return result


def _string(node) -> Node:
    """A string literal's value; an f-string or a concatenation with one becomes a template
    whose interpolations are unknown parts."""
    start, end = node.start_byte, node.end_byte
    parts = node.named_children if node.type == "concatenated_string" else [node]
    pieces: list[str] = []
    templated = False
    for part in parts:
        if part.type != "string":
            return unknown(start, end, node.text.decode("utf-8", "replace"))
        if any(c.type == "interpolation" for c in part.named_children):
            templated = True
            for child in part.named_children:
                if child.type == "interpolation":
                    pieces.append(UNKNOWN_PART)
                elif child.type in ("string_content", "escape_sequence"):
                    pieces.append(_literal(child.text.decode("utf-8", "replace")))
            continue
        source = part.text.decode("utf-8", "replace")
        value = _plain(source)
        if value is None:
            try:
                with warnings.catch_warnings():  # "invalid escape sequence" is the file's business
                    warnings.simplefilter("ignore")
                    value = ast.literal_eval(source)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                return unknown(start, end, node.text.decode("utf-8", "replace"))
        pieces.append(value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))
    text = scrub("".join(pieces))
    if templated:
        result = unknown(start, end, node.text.decode("utf-8", "replace"))
        result.value = text
        return result
    return scalar(text, start, end)


def _plain(source: str) -> str | None:
    """The value of a string literal with nothing to decode (no escape, no carriage return, no
    f prefix), read without compiling it as literal_eval does: most literals are like that, and
    a Python file has thousands. None when it needs literal_eval (which also judges bad ones)."""
    if "\\" in source or "\r" in source:
        return None
    quote_at = 0
    while quote_at < len(source) and source[quote_at] not in "'\"":
        quote_at += 1
    prefix = source[:quote_at].lower()
    if quote_at >= len(source) or prefix not in _PLAIN_PREFIXES:
        return None
    quote = source[quote_at:quote_at + 3]
    if quote not in ('"""', "'''"):
        quote = source[quote_at]
    body = source[quote_at + len(quote):len(source) - len(quote)]
    if len(source) < quote_at + 2 * len(quote) or not source.endswith(quote) or quote in body \
            or body.endswith(quote[0]) and len(quote) == 3 \
            or (len(quote) == 1 and "\n" in body) or ("b" in prefix and not body.isascii()):
        return None
    return body


def _literal(text: str) -> str:
    """String content of an f-string piece, escapes decoded where they are plain."""
    if "\\" not in text:
        return text
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.literal_eval('"' + text.replace('"', '\\"') + '"')
    except (ValueError, SyntaxError):
        return text
