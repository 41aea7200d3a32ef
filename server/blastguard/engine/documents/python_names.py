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
# A callee spelled as ASCII names and dots only: its text alone says how it resolves.
_DOTTED = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
# Spelled like names, but tree-sitter reads them as literals, which resolve to nothing.
_LITERALS = frozenset({"None", "True", "False"})


class Names:
    """Flow-insensitive name resolution for one file: imports, and what simple assignments hold."""

    def __init__(self) -> None:
        self.imports: dict[str, str] = {}
        self.assigned: dict[str, str | None] = {}  # name -> qualified type of the call it holds
        self.shadowed: set[str] = set()
        self.constants: dict[str, object] = {}  # NAME -> the literal's syntax node
        self.assignments: dict[str, int] = {}  # how often each plain name is assigned, anywhere
        self.parameters: set[str] = set()
        self.star: str | None = None  # the module of `from M import *`, when the file has exactly one
        self._stars = 0
        self._dotted: dict[str, tuple[str | None, bool]] = {}

    def qualify(self, node) -> tuple[str | None, bool]:
        """(dotted name, whether it is anchored in an import or a builtin) for a callee or value."""
        t = node.type
        if t == "identifier":
            return self._identifier(node.text.decode("utf-8", "replace"))
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

    def _identifier(self, name: str) -> tuple[str, bool]:
        if name in self.imports:
            return self.imports[name], True
        if self.assigned.get(name):
            return self.assigned[name], True
        if name in _BUILTINS:
            # A local `def eval(...)` is not the builtin: give it a type no builtin rule names.
            return (name, True) if name not in self.shadowed else (f"<local>.{name}", False)
        if self.star is not None and name not in self.shadowed and name not in self.assignments:
            # Defined nowhere in the file, so from the one module imported with `*`. Two such
            # imports leave it unknown: which one defines it is not written here.
            return f"{self.star}.{name}", True
        return name, False

    def callee(self, node, text: bytes) -> tuple[str | None, bool]:
        """qualify for a callee whose `text` is given, without reading its subtree when it is a
        dotted name (most are: `self.assertEqual`, `os.path.join`); the node has no error and
        the names are read, so what a text names is remembered."""
        if _DOTTED.fullmatch(text) is None:
            return self.qualify(node)
        return self.dotted(text)

    def dotted(self, text: bytes) -> tuple[str | None, bool]:
        """callee for a text known to be a dotted name (python._CALLEE_AT found it)."""
        return self._qualify_dotted(text.decode("ascii"), self._dotted)

    def stored(self, text: bytes) -> str | None | bool:
        """The dotted name an assignment to the attribute spelled `text` stores to (`self.x`,
        `app.config.debug`: its object qualified, then the attribute), or None; read from the
        text, as callee does, when it is a dotted name and the node has no error (most are), and
        False when it is not (the node must be read)."""
        if _DOTTED.fullmatch(text) is None:
            return False
        spelled = text.decode("ascii")
        dot = spelled.rfind(".")
        base, _ = self._qualify_dotted(spelled[:dot], self._dotted)
        return f"{base}.{spelled[dot + 1:]}" if base else None

    def _qualify_dotted(self, text: str, known: dict) -> tuple[str | None, bool]:
        """qualify, read from the text of an identifier or a chain of attributes on one."""
        found = known.get(text)
        if found is None:
            dot = text.rfind(".")
            if dot < 0:
                found = (None, False) if text in _LITERALS else self._identifier(text)
            elif self.assigned.get(text):
                found = self.assigned[text], True
            else:
                base, anchored = self._qualify_dotted(text[:dot], known)
                found = (None, False) if base is None else (f"{base}.{text[dot + 1:]}", anchored)
            known[text] = found
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
            if child.type == "wildcard_import":
                self._stars += 1
                self.star = prefix if self._stars == 1 else None
            if child.type == "dotted_name":
                self.imports[child.text.decode().split(".")[-1]] = f"{prefix}.{child.text.decode()}"
            elif child.type == "aliased_import":
                name, alias = child.child_by_field_name("name"), child.child_by_field_name("alias")
                if name is not None and alias is not None:
                    self.imports[alias.text.decode()] = f"{prefix}.{name.text.decode()}"

    def add_assignments(self, named, calls_only: bool) -> None:
        """`target = right` for each (node, kind, right, right's type, target, callee) of `named`,
        its left side an identifier or attribute (`kind`) spelled `target`; only those of a call
        when `calls_only`. In order: what a call returns is read with the names assigned so far."""
        shadowed, assigned = self.shadowed, self.assigned
        for _, kind, right, value, target, callee in named:
            if value != "call":
                if not calls_only:
                    if kind == "identifier":
                        shadowed.add(target)
                    assigned[target] = None
                continue
            if kind == "identifier":
                shadowed.add(target)  # before its value is read: `open = open(path)` is not the builtin
            function, dotted = callee
            if dotted is not None:  # what the call returns is named after its callee, read from the text
                name, anchored = self._qualify_dotted(dotted, {})
            else:
                name, anchored = self.qualify(function) if function is not None else (None, False)
            held = name if anchored else None
            if held is not None and target in assigned and assigned[target] != held:
                held = None  # assigned different things: unknown
            assigned[target] = held


def read_names(assignments, imports, defined, parameters, text: bytes, callee_at=None) -> Names:
    """The names of a file, in one flow-insensitive pass: `assignments` as python._assignments
    gives them, the import statements, the names of its functions and classes (None when
    missing), and its parameter lists (python.subjects reads them all with one query); `text`
    the file's bytes; `callee_at(start)` the dotted callee of the call at `start` read from the
    text, or None when it must be read from the tree."""
    names = Names()
    # (node, left kind, right, right's type, left text, callee) of `name = ...` and `a.b = ...`;
    # a call's callee (function, its text when a dotted name) is read once for both passes.
    named = []
    for node, _, right, kind, spelled, value in assignments:
        if kind == "identifier" or kind == "attribute":
            named.append((node, kind, right, value, spelled.decode("utf-8", "replace"),
                          _callee(right, callee_at) if value == "call" else None))
    for node in imports:
        names.add_import(node)
    names.shadowed.update(name for name in defined if name is not None)
    _constants(named, parameters, names, text)
    names.add_assignments(named, False)
    # Again, so `c = s.client()` after `s = boto3.Session()` resolves whatever the order found.
    # Only calls can hold a type: any other value made its name unknown, which no later
    # assignment undoes.
    names.add_assignments(named, True)
    return names


def _callee(call, callee_at) -> tuple:
    """(function, its text when it is a dotted name without an error) of a call; the function
    is not read (None) when callee_at finds its text."""
    spelled = callee_at(call.start_byte) if callee_at is not None else None
    if spelled is not None:
        return None, spelled
    function = call.child_by_field_name("function")
    if function is None or function.has_error:
        return function, None
    text = function.text
    return function, text.decode("ascii") if _DOTTED.fullmatch(text) is not None else None


def _parameter_names(node):
    for child in node.named_children:
        name = child if child.type == "identifier" else child.child_by_field_name("name")
        if name is None and child.named_children:
            name = child.named_children[0]  # *args, **kwargs
        if name is not None and name.type == "identifier":
            yield name.text.decode("utf-8", "replace")


def _constants(assignments, parameters, names: Names, text: bytes) -> None:
    """Module-level `NAME = <literal>` (or another constant value) assigned nowhere else and never a
    parameter: uses of NAME are read as the literal (`shutil.rmtree(TARGET)` with `TARGET = "/"`), located at NAME's definition."""
    candidates = {}
    counts = names.assignments
    for node, kind, right, _, name, _ in assignments:
        if kind != "identifier":
            continue
        counts[name] = counts.get(name, 0) + 1
        # The name test first: a node's parent is found by a walk down from the root.
        if right is not None and name.isupper() and _CONSTANT_NAME.match(name):
            parent = node.parent
            if parent is not None and parent.type == "expression_statement" \
                    and parent.parent is not None and parent.parent.type == "module":
                candidates[name] = right
    if candidates:
        # A parameter of a candidate's name vetoes it: only the lists that spell a candidate are
        # read (they seldom do; there are thousands of lists).
        sources = [text[node.start_byte:node.end_byte] for node in parameters]
        joined = b"\0".join(sources)
        spelled = [name for name in map(str.encode, candidates) if name in joined]
        for node, source in zip(parameters, sources) if spelled else ():
            if any(name in source for name in spelled):
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
