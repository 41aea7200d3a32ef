"""Python subjects: calls typed by the name their callee resolves to, arguments as values."""

from __future__ import annotations

import sysconfig
from pathlib import Path

from blastguard.engine import parsing
from blastguard.engine.documents import python
from blastguard.engine.documents.load import load
from blastguard.engine.documents.python_names import read_names
from blastguard.engine.values import MAP, UNKNOWN, UNKNOWN_PART


def calls(text: str):
    doc = load("tool.py", "python", "python", text.encode(), lambda language, kind, type_: True)
    doc.subjects = list(doc.subjects)  # made as they are read: kept here to look at twice
    return [(s.type, {k: _plain(v) for k, v in s.node.value.items() if k != "()"})
            for s in doc.subjects if s.kind == "call"], doc


def _plain(node):
    if node.kind == MAP:
        return {k: _plain(v) for k, v in node.value.items()}
    if node.kind == "list":
        return [_plain(v) for v in node.value]
    if node.kind == UNKNOWN:
        return ("?", (node.meta or {}).get("ref") or node.value)
    return node.value


def test_import_aliases_and_from_imports_resolve():
    found, _ = calls(
        "import subprocess as sp\nfrom os import system as run_it, popen\nimport os.path\n"
        "sp.run('ls -l', shell=True)\nrun_it(cmd)\npopen(f'rm {x}')\nos.path.join('a', 'b')\n")
    assert found == [
        ("subprocess.run", {"0": "ls -l", "shell": True}),
        ("os.system", {"0": ("?", "cmd")}),
        ("os.popen", {"0": ("?", f"rm {UNKNOWN_PART}")}),
        ("os.path.join", {"0": "a", "1": "b"}),
    ]


def test_objects_from_calls_carry_the_call_name():
    found, _ = calls(
        "import boto3\nsession = boto3.Session()\ns3 = session.client('s3')\n"
        "s3.delete_bucket(Bucket='b')\nboto3.client('rds').delete_db_instance(SkipFinalSnapshot=True, **kw)\n"
        "class Store:\n    def __init__(self):\n        self.ddb = boto3.client('dynamodb')\n"
        "    def drop(self):\n        self.ddb.delete_table(TableName=t)\n")
    types = [t for t, _ in found]
    assert "boto3.Session.client.delete_bucket" in types
    assert ("boto3.client.delete_db_instance", {"SkipFinalSnapshot": True, "(kwargs)": ("?", None)}) in found
    assert "boto3.client.delete_table" in types


def test_builtins_resolve_unless_shadowed_and_text_never_matches():
    found, doc = calls(
        '"""Never call eval(x) or subprocess.run(c, shell=True)."""\n'
        "# os.system(cmd)\nprint('eval(x)')\neval(expr)\n")
    assert [t for t, _ in found] == ["print", "eval"]
    strings = [s.node.value for s in doc.subjects if s.kind == "string"]
    assert strings == ["Never call eval(x) or subprocess.run(c, shell=True).", "eval(x)"]
    # A file's own eval is not the builtin.
    found, doc = calls("def eval(x):\n    return x\neval(y)\n")
    assert found == [("<local>.eval", {"0": ("?", "y")})]
    callee = next(s for s in doc.subjects if s.kind == "call").node.get("()")
    assert callee.meta == {"ref": "<local>.eval", "imported": False}


def test_names_passed_as_arguments_resolve_for_refers_to():
    _, doc = calls("import yaml\nfrom yaml import SafeLoader\nyaml.load(s, Loader=yaml.Loader)\n"
                   "yaml.load(s, Loader=SafeLoader)\nyaml.load(s, Loader=my_loader)\n")
    loaders = [s.node.get("Loader").meta for s in doc.subjects if s.kind == "call"]
    assert loaders == [{"ref": "yaml.Loader", "imported": True}, {"ref": "yaml.SafeLoader", "imported": True},
                       {"ref": "my_loader", "imported": False}]


def test_a_lone_surrogate_in_a_string_does_not_stop_the_rules(engine):
    result = engine.analyze("tool.py", b'import os\nMARK = "\\ud800"\nos.system(cmd)\n')
    assert result.errors == []
    assert "PY101" in {f.rule for f in result.findings}


def test_subjects_come_in_document_order_with_the_scope_around_them():
    doc = load("tool.py", "python", "python", (
        "import os\n"
        "class Deploy:\n"
        "    def run(self, x='a' 'b'):\n"
        "        os.system(f(g(x)))\n"
        "        def inner():\n"
        "            return h('c' f'{\"d\"}')\n"
        "    y = k()\n"
        "m()\n").encode(), lambda language, kind, type_: True)
    assert [(s.kind, s.type or s.node.value, s.unit) for s in doc.subjects] == [
        ("import", "os", "<module>"),
        ("def", "run", "Deploy"),
        ("string", "ab", "Deploy.run"),  # a concatenation is one string, not its pieces
        ("call", "os.system", "Deploy.run"),
        ("call", "f", "Deploy.run"),
        ("call", "g", "Deploy.run"),
        ("call", "h", "Deploy.run.inner"),
        ("string", "c" + UNKNOWN_PART, "Deploy.run.inner"),
        ("string", "d", "Deploy.run.inner"),  # a string inside an f-string's interpolation
        ("assign", "y", "Deploy"),
        ("call", "k", "Deploy"),
        ("call", "m", "<module>"),
    ]


def test_only_f_strings_are_templates_and_a_callee_spelled_alike_resolves_alike():
    found, _ = calls(
        "import os\nfrom subprocess import run\nos.system(F'a{x}')\nos.system(rf'b{x}' 'c')\n"
        "os.system('d{x}')\nos.system(b'e{x}')\nos.system(R'{x}' u'g')\n"
        "run('h')\nrun = other\nos . system('i')\n")
    assert found == [
        ("os.system", {"0": ("?", f"a{UNKNOWN_PART}")}),
        ("os.system", {"0": ("?", f"b{UNKNOWN_PART}c")}),
        ("os.system", {"0": "d{x}"}),
        ("os.system", {"0": "e{x}"}),
        ("os.system", {"0": "{x}g"}),
        ("subprocess.run", {"0": "h"}),
        ("os.system", {"0": "i"}),
    ]


def test_a_callee_resolves_alike_from_its_text_and_from_its_tree():
    """Names.callee reads a dotted callee from its text: the same as qualify on its subtree, on
    the standard library's modules and on names that tree-sitter reads as literals."""
    sources = [p.read_bytes() for p in sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py"))[:80]]
    sources.append(b"import boto3\nx.y = boto3.client()\nx.y()\nx.y.z()\nNone.x()\nTrue.y()\nprint(1)\n"
                   b"open = open(p)\nopen(q)\nself.s = x.y\nself.s()\nx.None()\n")
    compared = 0
    for data in sources:
        root = parsing.parse("python", data).root_node
        found = parsing.captures("python", python._QUERY, root)
        names = read_names(python._assignments(found.get("assign", ()), data, root.has_error), found.get("import", ()),
                           [], (), data)
        for call in found.get("call", ()):
            function = call.child_by_field_name("function")
            if function is not None and not function.has_error:
                assert names.callee(function, function.text) == names.qualify(function), function.text
                compared += 1
    assert compared > 10_000


def test_a_callee_or_target_read_from_the_text_is_the_whole_node():
    """python._CALLEE_AT and _TARGET_AT: where one call starts (two share a start in chains),
    the dotted name before `(` is its callee; the dotted name before `=` or `:` where an
    assignment starts is its left side, an attribute when it holds a dot; _DEFINED_AT: the name
    after `def` or `class` is a definition's."""
    sources = [p.read_bytes() for p in sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py"))[:80]]
    sources.append("f(x)(y)\na.b(x).c()\nd.e(x)[0](y)\nfoo (x)\n(g\n (x))\nh\\\n(x)\n@deco.r(1)\ndef k(): pass\n"
                   "x . y = 1\nx: int = 1\nz.w: int\na = b = c()\n(x) = 1\nx[0] = 1\na, b = 1, 2\né = f()\n"
                   "x.é = é.x(1)\nx.y.z = 2\nself.a = (yield)\nNone.x()\nasync  def a(): pass\nclass C: pass\n"
                   "def fé(): pass\nclass \\\n D: pass\n".encode())
    callees = targets = definitions = 0
    for data in sources:
        root = parsing.parse("python", data).root_node
        assert not root.has_error
        found = parsing.captures("python", python._QUERY, root)
        calls = found.get("call", [])
        starts = [call.start_byte for call in calls]
        for call in calls:
            spelled = python._CALLEE_AT.match(data, call.start_byte)
            if spelled is not None and starts.count(call.start_byte) == 1:
                assert spelled.group() == call.child_by_field_name("function").text
                callees += 1
        for node, left, _, kind, text, _ in python._assignments(found.get("assign", []), data, False):
            if left is None:
                left = node.child_by_field_name("left")
                assert (left.text, left.type) == (text, kind)
                targets += 1
        for node, _, _, name, _, function in python._scopes(found.get("scope", []), data, False):
            if function is not None:
                assert (name.encode(), function) == (node.child_by_field_name("name").text,
                                                     node.type == "function_definition")
                definitions += 1
    assert callees > 10_000 and targets > 5_000 and definitions > 3_000


def test_subjects_do_not_depend_on_the_order_the_query_gives_nodes_in(monkeypatch):
    """tree-sitter's capture lists are not in document order, nor in the same order twice: the
    names phase must read assignments and imports in document order all the same."""
    def read(text: bytes):
        doc = load("tool.py", "python", "python", text, lambda language, kind, type_: True)
        return [(s.kind, s.type, s.start, s.unit, repr(s.node.value)) for s in doc.subjects]

    sources = [p.read_bytes() for p in sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py"))[:40]]
    sources.append(b"import boto3\ns = boto3.Session()\nc = s.client('s3')\nc.delete_bucket(B='b')\n"
                   b"import os as o\nimport sys as o\no.system(x)\nc = 5\n")
    expected = [read(text) for text in sources]
    captures = parsing.captures
    monkeypatch.setattr(parsing, "captures", lambda *args: {name: nodes[::-1] for name, nodes in captures(*args).items()})
    assert [read(text) for text in sources] == expected
