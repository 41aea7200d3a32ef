"""Python name resolution for one file: imports, what assignments hold, and module constants."""

from __future__ import annotations

import builtins
import re

from blastguard.engine.documents.python_strings import is_literal, string_value
from blastguard.engine.values import Node, unknown

_BUILTINS = frozenset(dir(builtins))
# PEP 8 constants: module-level names in capitals, assigned once, are read as their literal.
_CONSTANT_NAME = re.compile(r"^_?[A-Z][A-Z0-9_]*$")
# Calls whose value is an environment variable or, when it is unset, their literal default.
_ENV_LOOKUPS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault"})


class Names:
    """Flow-insensitive name resolution for one file: imports, and what simple assignments hold."""

    def __init__(self) -> None:
        self.imports: dict[str, str] = {}
        self.assigned: dict[str, str | None] = {}  # name -> qualified type of the call it holds
        self.shadowed: set[str] = set()
        self.constants: dict[str, object] = {}  # NAME -> the literal's syntax node
        self.assignments: dict[str, int] = {}  # how often each plain name is assigned, anywhere
        self.parameters: set[str] = set()
        self._callees: dict[bytes, tuple[str | None, bool]] = {}

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

    def callee(self, node) -> tuple[str | None, bool]:
        """qualify, remembered by the callee's text: once the names are read, the same text names
        the same thing (a file calls the same few functions thousands of times)."""
        if node.has_error:
            return self.qualify(node)
        key = node.text
        found = self._callees.get(key)
        if found is None:
            found = self._callees[key] = self.qualify(node)
        return found

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

    def add_assignment(self, kind: str, target: str, right) -> None:
        """`target = right`, its left side an identifier or attribute (`kind`) spelled `target`."""
        if kind == "identifier":
            self.shadowed.add(target)
        held = None
        if right is not None and right.type == "call":
            name, anchored = self.qualify(right)
            held = name if anchored else None
        if target in self.assigned and self.assigned[target] != held:
            held = None  # assigned different things: unknown
        self.assigned[target] = held


def read_names(nodes) -> Names:
    """The names of a file from its collected nodes (python._collect), in one flow-insensitive pass."""
    names = Names()
    assignments = []  # (node, left kind, right, left text) of `name = ...` and `a.b = ...`
    parameters = []
    for node in nodes:
        t = node.type
        if t == "assignment":
            left = node.child_by_field_name("left")
            if left is not None and left.type in ("identifier", "attribute"):
                assignments.append((node, left.type, node.child_by_field_name("right"),
                                    left.text.decode("utf-8", "replace")))
        elif t in ("import_statement", "import_from_statement"):
            names.add_import(node)
        elif t in ("function_definition", "class_definition"):
            name = node.child_by_field_name("name")
            if name is not None:
                names.shadowed.add(name.text.decode("utf-8", "replace"))
        elif t in ("parameters", "lambda_parameters"):
            parameters.append(node)
    _constants(assignments, parameters, names)
    for _, kind, right, target in assignments:
        names.add_assignment(kind, target, right)
    # Again, so `c = s.client()` after `s = boto3.Session()` resolves whatever the order found.
    # Only calls can hold a type: any other value made its name unknown, which no later
    # assignment undoes.
    for _, kind, right, target in assignments:
        if right is not None and right.type == "call":
            names.add_assignment(kind, target, right)
    return names


def _parameter_names(node):
    for child in node.named_children:
        name = child if child.type == "identifier" else child.child_by_field_name("name")
        if name is None and child.named_children:
            name = child.named_children[0]  # *args, **kwargs
        if name is not None and name.type == "identifier":
            yield name.text.decode("utf-8", "replace")


def _constants(assignments, parameters, names: Names) -> None:
    """Module-level `NAME = <literal>` (or another constant value) assigned nowhere else and never a
    parameter: uses of NAME are read as the literal (`shutil.rmtree(TARGET)` with `TARGET = "/"`), located at NAME's definition."""
    candidates = {}
    counts = names.assignments
    for node, kind, right, name in assignments:
        if kind != "identifier":
            continue
        counts[name] = counts.get(name, 0) + 1
        # The name test first: a node's parent is found by a walk down from the root.
        if right is not None and _CONSTANT_NAME.match(name):
            parent = node.parent
            if parent is not None and parent.type == "expression_statement" \
                    and parent.parent is not None and parent.parent.type == "module":
                candidates[name] = right
    if candidates:  # parameter names are read only when a constant may need them (few files)
        for node in parameters:
            names.parameters.update(_parameter_names(node))
    for name, right in candidates.items():
        if counts[name] == 1 and name not in names.parameters and _is_constant_value(right, names):
            names.constants[name] = right


def _is_constant_value(node, names: Names) -> bool:
    """A literal, an environment lookup with a literal default (`os.environ.get("DIR", "/")`), or a
    name from an imported module (`ssl.PROTOCOL_TLSv1`): what the constant holds is then as
    known as if it were written at each use."""
    if is_literal(node):
        return True
    if node.type == "call":
        return env_default(node, names.qualify(node)[0]) is not None
    return node.type == "attribute" and names.qualify(node)[1]


def env_default(node, name: str | None) -> Node | None:
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
    if default is None or default.type not in ("string", "concatenated_string") or not is_literal(default):
        return None
    value = string_value(default)
    if not isinstance(value.value, str) or not value.value:
        return None
    result = unknown(node.start_byte, node.end_byte, node.text.decode("utf-8", "replace"))
    result.value, result.meta = value.value, {"call": name, "default": True}
    return result
