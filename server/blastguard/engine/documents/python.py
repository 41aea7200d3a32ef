"""Python source -> call, assignment, import, def and string subjects, with names resolved through imports.

Rules see structure, never text: `subprocess.run("ls", shell=True)` is a `call` subject of type
`subprocess.run` whose arguments map holds `0` -> "ls" and `shell` -> true, whatever alias the
module was imported under; a docstring that mentions `shell=True` is only a string.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from functools import cache, partial
from operator import attrgetter, itemgetter
from types import SimpleNamespace

from blastguard.engine import parsing
from blastguard.engine.demand import Demand
from blastguard.engine.documents.python_names import Names, read_names
from blastguard.engine.documents.python_strings import only_escaped, plain_string_gate, string_value
from blastguard.engine.documents.python_values import argument_keys, call_subject, convert, defaults, entry
from blastguard.engine.values import SCALAR, Subject, scalar

# One query, one capture name per role: each phase reads only its own nodes, in document order.
_QUERY = """
(call) @call
(assignment) @assign
[(import_statement) (import_from_statement)] @import
[(function_definition) (class_definition)] @scope
[(parameters) (lambda_parameters)] @parameters
(concatenated_string) @concatenated
"""
# The strings to read: all of them, or (python_strings.only_escaped) those with an escape sequence.
_STRINGS = {False: "(string) @string", True: "(string (string_content (escape_sequence))) @string"}
_START = attrgetter("start_byte")
_ORDER = itemgetter(0, 1)
# Values convert() may turn into a map or a list.
_CONTAINERS = frozenset({"dictionary", "list", "tuple", "set", "parenthesized_expression"})
_TARGETS = frozenset({"identifier", "attribute", "subscript"})
# A dotted name (ASCII, no space) where an assignment or a call starts, right before its `=` (or
# an annotation's `:`) or its argument list: the whole target or callee, unless another node
# starts there too (`f(x).y(z)` holds `f(x)`).
_TARGET_AT = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?=[ \t]*[=:])")
_CALLEE_AT = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?=[ \t]*\()")
# `def name` or `class name` where a definition starts, the name ASCII (a non-ASCII letter after
# it would be part of it).
_DEFINED_AT = re.compile(rb"(?:async[ \t]+)?(def|class)[ \t]+([A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_\x80-\xff])")
_EVERY = Demand(None, False)  # without an engine's demand, every subject of a wanted type is made
_UNREAD = object()


def subjects(root, wanted, shared: list | None = None, demand=None) -> Iterator[Subject]:
    """The file's subjects, in document order; `shared` receives the spans of module constants'
    literals, which every use of the constant reads (a fix there changes them all). With
    `demand(kind, type)` (engine.demand), a call or assignment no rule can fire on is not made:
    most calls meet only rules that read keywords they do not have. A query finds the nodes in
    C (walking every node from Python cost most of a parse again); each phase reads only the
    nodes of its role, and only the subjects made are ordered and given their scope."""
    if demand is None:
        demand = partial(_every, wanted)
    # The module node starts at the file's first token: its text after leading blank lines is
    # shorter than the file, and every offset below is the file's.
    text = b" " * root.start_byte + root.text
    strings = demand("string", "")
    # Plain literals whose source text holds none of the text string rules need are not made.
    may_fire, ascii_only = plain_string_gate(strings, text) if strings is not None else (None, False)
    escaped = strings is not None and only_escaped(may_fire, ascii_only, text)
    found = parsing.captures("python", _QUERY + _STRINGS[escaped] if strings is not None else _QUERY, root)
    # A capture list is not in document order (nor in the same order twice): the names phase,
    # which reads assignments and imports in order, gets them sorted.
    scopes = _scopes(found.get("scope", ()), text, root.has_error)
    assignments = _assignments(found.get("assign", ()), text, root.has_error)
    imports = sorted(found.get("import", ()), key=_START)
    calls = found.get("call", ())
    starts = [node.start_byte for node in calls]
    # Where two calls start at one byte (`f(x)(y)`, `a.b(x).c()`), the callee of the outer one is
    # not the dotted name there: those are read from the tree, as every callee of a tree with an error.
    seen: set[int] = set()
    chained = {start for start in starts if start in seen or seen.add(start)}
    callee_at = None if root.has_error else partial(_callee_at, text, chained)
    names = read_names(assignments, imports, [scope[3] for scope in scopes], found.get("parameters", ()), text,
                       callee_at)
    if shared is not None:
        shared.extend((node.start_byte, node.end_byte) for node in names.constants.values())
    concatenated = found.get("concatenated", ())
    read = _Reader(names, demand, text, root.has_error, sorted(node.start_byte for node in concatenated))
    made: list[tuple[int, int, Subject]] = []
    read.calls(calls, starts, chained, made)
    read.assignments(assignments, made)
    read.definitions(scopes, made)
    for node in imports:
        made.extend((node.start_byte, -node.end_byte, s) for s in _imports(node) if wanted("import", s.type))
    if strings is not None:
        read.strings(found.get("string", ()), concatenated, None if escaped else may_fire, ascii_only,
                     strings.holds if may_fire is not None else None, made)
    # As a walk finds them: by start, the enclosing node (the one ending later) first.
    made.sort(key=_ORDER)
    _units(made, scopes)
    return (subject for _, _, subject in made)


def _assignments(nodes, text: bytes, has_error: bool) -> list[tuple]:
    """(node, left or None, right, left's type, left's text, right's type or None) of each
    assignment, in document order: both the names phase and the reader read them, and each
    attribute of a tree-sitter node is a call into C that makes a new object, so each is read
    once, and a left side spelled as a dotted name before its `=` or `:` (most are) is read from
    the text (in a tree without an error, where that text is the whole node)."""
    out = []
    fields = _fields()
    target_at = None if has_error else _TARGET_AT.match
    for node in sorted(nodes, key=_START):
        right = node.child_by_field_id(fields.right)
        spelled = target_at(text, node.start_byte) if target_at is not None else None
        if spelled is not None:
            key = spelled.group()
            out.append((node, None, right, "attribute" if b"." in key else "identifier", key,
                        right.type if right is not None else None))
            continue
        left = node.child_by_field_id(fields.left)
        if left is not None:
            out.append((node, left, right, left.type, left.text, right.type if right is not None else None))
    return out


@cache
def _fields():
    """tree-sitter's numbers for the fields read most: asking for a child by its field's name
    compares the name with every field name of the grammar."""
    field = parsing.language("python").field_id_for_name
    return SimpleNamespace(function=field("function"), arguments=field("arguments"), left=field("left"),
                           right=field("right"), name=field("name"))


def _callee_at(text: bytes, chained: set[int], start: int) -> str | None:
    """The callee of the call at `start` when it is a dotted name, read from the text."""
    if start in chained:
        return None
    spelled = _CALLEE_AT.match(text, start)
    return spelled.group().decode("ascii") if spelled is not None else None


def _every(wanted, kind: str, type_: str) -> Demand | None:
    return _EVERY if wanted(kind, type_) else None


def _scopes(nodes, text: bytes, has_error: bool) -> list[tuple]:
    """(node, start, end, own name or None, qualified name, whether a function or None when not
    read) of each function and class, in document order: `Deploy.run` is what a finding in
    Python is known by, whatever its line. An ASCII name after `def` or `class` is read from the
    text (in a tree without an error)."""
    out = []
    around: list[tuple[int, str]] = []  # (end, qualified name) of the definitions around
    field = _fields().name
    defined_at = None if has_error else _DEFINED_AT.match
    for node in sorted(nodes, key=_START):
        start, end = node.start_byte, node.end_byte
        while around and around[-1][0] <= start:
            around.pop()
        inner = around[-1][1] if around else ""
        spelled = defined_at(text, start) if defined_at is not None else None
        function = None
        if spelled is not None:
            name, function = spelled.group(2).decode("ascii"), spelled.group(1) == b"def"
        else:
            name = node.child_by_field_id(field)
            name = name.text.decode("utf-8", "replace") if name is not None else None
        if name is not None:
            inner = f"{inner}.{name}" if inner else name
        around.append((end, inner))
        out.append((node, start, end, name, inner, function))
    return out


def _units(made: list[tuple[int, int, Subject]], scopes: list[tuple]) -> None:
    """Each subject's scope: the functions and classes that start before it and end after it
    (a definition's own `def` subject is in the scope around it)."""
    around: list[tuple[int, str]] = []
    at, count = 0, len(scopes)
    for start, _, subject in made:
        while at < count and scopes[at][1] < start:
            _, begin, end, _, qualified, _ = scopes[at]
            while around and around[-1][0] <= begin:
                around.pop()
            around.append((end, qualified))
            at += 1
        while around and around[-1][0] <= start:
            around.pop()
        subject.unit = (around[-1][1] if around else "") or "<module>"


class _Reader:
    """The subjects of one file's nodes, each kind read only as far as a rule may fire on it."""

    def __init__(self, names: Names, demand, text: bytes, has_error: bool, concatenated: list[int]) -> None:
        self.names, self.demand, self.text = names, demand, text
        self.has_error = has_error  # else no node has one, and equal text means an equal subtree
        self.concatenated = concatenated  # where each string concatenation starts, in order
        self._spelled: dict[int, bool] = {}

    def spelled(self, wanted: Demand) -> bool:
        """Whether the file spells a key the demand asks for: if not, no subject of it is read."""
        if wanted.spelled_in is None:
            return True
        found = self._spelled.get(id(wanted.spelled_in))
        if found is None:
            found = self._spelled[id(wanted.spelled_in)] = wanted.spelled_in(self.text)
        return found

    def calls(self, nodes, starts: list[int], chained: set[int], made: list) -> None:
        """Call subjects of `nodes`, which start at `starts`; a dotted callee is read from the
        text (_callee_at) where no other call starts."""
        # A file calls the same few functions thousands of times: what a callee's text names,
        # and whether a rule may fire on that name, is decided once per text.
        decided: dict[bytes, tuple | None] = {}
        fields, text = _fields(), self.text
        callee_at = None if self.has_error else _CALLEE_AT.match
        for node, start in zip(nodes, starts):
            spelled = callee_at(text, start) if callee_at is not None and start not in chained else None
            if spelled is not None:
                function, key = None, spelled.group()
                decision = decided.get(key, _UNREAD)
                if decision is _UNREAD:
                    decision = decided[key] = self._callee(*self.names.dotted(key))
            else:
                function = node.child_by_field_id(fields.function)
                if function is None:
                    continue
                if self.has_error and function.has_error:
                    decision = self._callee(*self.names.qualify(function))
                else:
                    key = function.text
                    decision = decided.get(key, _UNREAD)
                    if decision is _UNREAD:
                        decision = decided[key] = self._callee(*self.names.callee(function, key))
            if decision is None:
                continue
            name, anchored, test, keywords = decision
            # Most calls meet only rules that read a keyword: one without an `=` has none, and its
            # own end tells that with one read instead of three (its argument list, type and span).
            if keywords and text.find(b"=", start, node.end_byte) < 0:
                continue
            arguments = node.child_by_field_id(fields.arguments)
            if arguments is None or arguments.type != "argument_list":
                continue
            if test is not None and (keywords and text.find(b"=", arguments.start_byte, arguments.end_byte) < 0
                                     or not test(argument_keys(arguments))):
                continue
            if function is None:
                function = node.child_by_field_id(fields.function)
            made.append((node.start_byte, -node.end_byte, call_subject(function, arguments, name, anchored, self.names)))

    def _callee(self, name: str | None, anchored: bool) -> tuple | None:
        """(qualified name, whether anchored, the test of its argument keys, whether only a
        keyword's name can pass it) of a callee some rule may fire on, or None. When the text can
        tell (Demand.spelled_in), no key the reader makes up passes: a call without `=` among
        its arguments has no key to read."""
        wanted = self.demand("call", name) if name is not None else None
        if wanted is None or wanted.test is not None and not self.spelled(wanted):
            return None
        return name, anchored, wanted.test, wanted.spelled_in is not None

    def assignments(self, nodes, made: list) -> None:
        decided: dict[bytes, tuple | None] = {}
        for node, left, right, kind, key, value in nodes:
            if value is None or kind not in _TARGETS:
                continue
            if self.has_error and left.has_error:
                decision = self._target(left, kind, key, False)
            else:
                decision = decided.get(key, _UNREAD)
                if decision is _UNREAD:
                    decision = decided[key] = self._target(left, kind, key, True)
            if decision is None:
                continue
            target, wanted = decision
            # Rules that read an assignment only through `each` paths reach nothing in a value that
            # is not a map or a list (convert makes those only from these, or a constant's literal
            # list), and rules whose paths start with a key nothing in one without a map, which
            # only a `{` begins (`__all__ = [...]`, the commonest container).
            if wanted.each_only and (value not in _CONTAINERS or wanted.maps_only
                                     and self.text.find(b"{", right.start_byte, right.end_byte) < 0):
                continue
            if wanted.text_gate is not None and self.unspelled(wanted.text_gate, right.start_byte, right.end_byte):
                continue
            converted = convert(right, self.names)
            entry(converted, node.start_byte)
            made.append((node.start_byte, -node.end_byte, Subject(
                "assign", target, key.decode("utf-8", "replace"), converted, node.start_byte, node.end_byte)))

    def unspelled(self, gate, start: int, end: int) -> bool:
        """Whether no rule can fire on the value spelled text[start:end] because it lacks every
        literal they need there (Demand.text_gate; most values are large tables with no secret
        key, and converting them cost more than the rest of the reader). A value holds text its
        source does not spell through an escape, a carriage return (a newline in a string), a
        string concatenation (`"pass" "word"`) or a module constant (converted where it is
        defined): such a value is converted, as is any in a tree with an error."""
        text = self.text
        if self.has_error or gate(text, start, end) or text.find(b"\\", start, end) >= 0 \
                or text.find(b"\r", start, end) >= 0:
            return False
        at = bisect_left(self.concatenated, start)
        if at < len(self.concatenated) and self.concatenated[at] < end:
            return False
        return not any(text.find(name.encode(), start, end) >= 0 for name in self.names.constants)

    def _target(self, left, kind: str, text: bytes, whole: bool) -> tuple[str, Demand] | None:
        """(the type of an assignment to `left`, of type `kind` and spelled `text`, the demand of
        its rules), or None when no rule reads it; `whole`: `left` has no error."""
        names = self.names
        if kind == "subscript":
            target = _item_target(left, names)
        elif kind == "attribute":
            target = names.stored(text) if whole else False
            if target is False:
                obj = left.child_by_field_name("object")
                base, _ = names.qualify(obj) if obj is not None else (None, False)
                attr = left.child_by_field_name("attribute")
                target = f"{base}.{attr.text.decode('utf-8', 'replace')}" if base and attr is not None else None
        else:
            target = text.decode("utf-8", "replace")
        wanted = self.demand("assign", target) if target is not None else None
        if wanted is None:  # no rule of its type: nothing converted
            return None
        return target, wanted

    def definitions(self, scopes: list[tuple], made: list) -> None:
        """`def` subjects: a function's parameters that have a default (`def connect(host,
        password="...")`), each mapped to it; the default is what every call that omits it uses."""
        for node, start, end, text, _, function in scopes:
            if text is None or not (node.type == "function_definition" if function is None else function):
                continue
            wanted = self.demand("def", text)
            if wanted is None or wanted.test is not None and not self.spelled(wanted):
                continue
            subject = defaults(node, text, self.names, wanted)
            if subject is not None:
                made.append((start, -end, subject))

    def strings(self, nodes, concatenated, may_fire, ascii_only: bool, holds, made: list) -> None:
        """String subjects; a plain literal (python_strings.plain_string_gate) is made only when
        `may_fire` says its text may hold what a string rule needs, and any other known string
        only when `holds` (Demand.holds) finds it in its value: most are escaped docstrings and
        messages, and a string rule tests each value it meets."""
        # The pieces of a concatenation are one string; a query may find a node twice.
        seen = {part.start_byte for node in concatenated for part in node.named_children if part.type == "string"}
        for node in nodes:
            start = node.start_byte
            if start in seen:
                continue
            seen.add(start)
            if may_fire is not None:
                raw = node.text
                if b"\\" not in raw and b"\r" not in raw and (not ascii_only or raw.isascii()) \
                        and not may_fire(raw):
                    continue
            _string(node, start, holds, made)
        for node in concatenated:
            _string(node, node.start_byte, holds, made)


def _string(node, start: int, holds, made: list) -> None:
    """The string subject of `node`, unless `holds` finds no needed text in its known value."""
    value = string_value(node)
    if holds is None or value.kind != SCALAR or holds(value.value.encode()):
        made.append((start, -node.end_byte, Subject("string", "", "", value, start, node.end_byte)))


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
