"""Subjects left unmade because no rule can fire on them (engine.demand) never change a finding."""

from __future__ import annotations

import sysconfig
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest
import re2

from blastguard.engine import languages, parsing
from blastguard.engine.analyze import Engine, _each
from blastguard.engine.compile import compile_match
from blastguard.engine.conditions import TRUE
from blastguard.engine.demand import Demand, _finder, _scanner, key_test, matcher_keys
from blastguard.engine.documents import python
from blastguard.engine.documents.load import load
from blastguard.engine.loader import RuleSet, load_rules
from blastguard.engine.options import Options
from blastguard.engine.paths import key_glob, key_text, locate
from blastguard.engine.patterns import options
from blastguard.engine.values import LIST, MAP, SCALAR, UNKNOWN, Node
from tests.test_prefilters import _key_globs, _samples
from tests.test_rule_examples import DEFAULT_PATH

RULES = load_rules().rules
STDLIB = Path(sysconfig.get_paths()["stdlib"])


def _all_made(engine: Engine) -> Engine:
    """The same engine with every subject made, as before demands existed."""
    engine.demand = lambda language, kind, type_: Demand(None, False)
    return engine


def _findings(engine: Engine, path: str, data: bytes):
    result = engine.analyze(path, data)
    return result.errors, [(f.rule, f.start_byte, f.end_byte, f.message, f.fix) for f in result.findings]


def _examples():
    for rule in RULES:
        for kind in ("valid", "invalid"):
            for case in rule.examples[kind]:
                case = {"code": case} if isinstance(case, str) else case
                for text in (case["code"], case.get("fixed")):
                    if text is not None and not case.get("files"):
                        yield rule, case.get("path", DEFAULT_PATH[rule.language]), text.encode()


def test_findings_are_those_of_every_subject_made_on_examples_and_the_stdlib():
    fast, slow = Engine(load_rules()), _all_made(Engine(load_rules()))
    compared = 0
    sources = [(path, data) for _, path, data in _examples()]
    sources += [(str(p), p.read_bytes()) for p in sorted(STDLIB.glob("*.py"))[:60]]
    for path, data in sources:
        expected = _findings(slow, path, data)
        assert _findings(fast, path, data) == expected, path
        compared += len(expected[1])
    assert compared > 500


def test_a_map_without_the_keys_a_matcher_needs_gives_no_finding():
    """Every matcher of every rule, over every map-bodied subject of every example (with the
    keys cut down to none of those it needs): `each` reaches nothing and `where` is not true."""
    matchers = [m for rule in RULES for m in rule.match]
    checked = 0
    for rule, path, data in _examples():
        language, syntax = languages.detect(path, data)
        for subject in load(path, language, syntax, data, lambda *_: True).subjects:
            if subject.node.kind != MAP:
                continue
            for matcher in matchers:
                keys = matcher_keys(matcher.each, matcher.where)
                if keys is None:
                    continue
                accepts = key_test(keys)
                body = replace(subject.node, value={k: v for k, v in subject.node.value.items() if not accepts([k])})
                checked += 1
                if matcher.each is not None:
                    assert [n for n in _each(locate(body, subject, matcher.each)) if n.kind != UNKNOWN] == [], rule.id
                else:
                    assert matcher.where.evaluate(body, subject)[0] != TRUE, (rule.id, subject.type)
    assert checked > 10_000


def test_an_each_path_reaches_nothing_below_a_body_without_its_last_key_s_text():
    """Matcher.reaches (paths.last_key_pieces) against key_text, for every matcher with one and
    every subject of every example: where the body's keys lack the text, `each` finds nothing."""
    matchers = [m for rule in RULES for m in rule.match if m.reaches is not None]
    checked = 0
    for rule, path, data in _examples():
        language, syntax = languages.detect(path, data)
        for subject in load(path, language, syntax, data, lambda *_: True).subjects:
            keys = key_text(subject.node)
            for matcher in matchers:
                if keys is None or all(piece in keys for piece in matcher.reaches):
                    continue
                checked += 1
                assert [n for n in _each(locate(subject.node, subject, matcher.each)) if n.kind != UNKNOWN] == [], \
                    (rule.id, matcher.each)
    assert checked > 10_000
    # A key RE2 may fold onto ASCII (the Kelvin sign) leaves the text unknown: no skipping then.
    assert key_text(Node(MAP, {"a": Node(MAP, {"\u212aey_password": Node(SCALAR, "x", 0, 1)}, 0, 1)}, 0, 1)) is None
    assert key_text(Node(MAP, {"Tags": Node(LIST, [Node(MAP, {"DB_Password": Node(SCALAR, "x", 0, 1)}, 0, 1)], 0, 1)},
                         0, 1)) in ("tags\ndb_password", "db_password\ntags")


def test_key_tests_accept_what_key_globs_accept():
    keys = [k for k in _samples() if "\ud800" not in k]
    keys += ["DB_PASSWORD", "MasterUserPassword", "\u212aey_password", "ſecret_access_key", "password", "0", "()"]
    globs = _key_globs() | {"*ecret_access_key", "*key*", "a?c*"}
    for glob in globs:
        test = key_test(frozenset({glob, "exact_name"}))
        for key in keys:
            assert test([key]) == (key == "exact_name" or key_glob(glob)(key)), (glob, key)


def _engine_with(spec: dict) -> Engine:
    base = next(r for r in RULES if r.id == "PY402")
    rule = replace(base, id="PY999", match=compile_match(spec, None))
    return Engine(RuleSet([rule]), Options())


@pytest.mark.parametrize("pattern,source,line", [
    # RE2 folds `ſ` onto s: a folded test lets non-ASCII text through.
    ("(?i)secret", 'x = "\u017fecret"\n', 1),
    # Escapes and carriage returns decode into other characters.
    ("AKIA", 'x = "\\x41KIA"\n', 1),
    ("a\nb", 'x = """a\r\nb"""\n', 1),
    # A concatenation joins text that no single literal holds.
    ("AKIA", 'x = ("AK"\n     "IA")\n', 1),
    ("AKIA", 'x = f"AK{y}IA"\ny = "AKIA"\n', 2),
])
def test_a_string_rule_still_sees_text_the_file_does_not_spell_out(pattern, source, line):
    engine = _engine_with({"subject": {"kind": "string"}, "where": {"path": ".", "matches": pattern}})
    findings = engine.analyze("tool.py", source.encode()).findings
    assert {(f.rule, f.start.line) for f in findings} == {("PY999", line)}


# Octal, \u, \N{...}, a line continuation, bytes, an f-string's text and a string inside its braces.
@pytest.mark.parametrize("source", [
    'x = "\\101KIA"', 'x = "\\u0041KIA"', 'x = "\\N{LATIN CAPITAL LETTER A}KIA"', 'x = "AK\\\nIA"',
    'x = b"\\x41KIA"', 'x = f"{y}\\x41KIA"', 'x = f"{y} {\'\\x41KIA\'}"', 'x = ("\\x41K"\n     r"IA")',
])
def test_every_escape_python_decodes_counts_in_a_file_that_spells_none_of_the_text(source):
    """Such a file is read for strings with an escape sequence only (python_strings.only_escaped)."""
    engine = _engine_with({"subject": {"kind": "string"}, "where": {"path": ".", "matches": "AKIA"}})
    findings = engine.analyze("tool.py", source.encode() + b"\n").findings
    assert {(f.rule, f.start.line) for f in findings} == {("PY999", 1)}


def test_a_call_is_read_for_the_keyword_a_rule_needs_whatever_its_callee():
    engine = _engine_with({"subject": {"kind": "call"}, "each": "*password", "where": {"path": ".", "equals": "x"}})
    source = b'f(1, 2, user="u")\ng(a, DB_Password="x")\nh(**{"password": "x"})\nk(*args, password="x")\n'
    assert {(f.rule, f.start.line) for f in engine.analyze("tool.py", source).findings} == {("PY999", 2), ("PY999", 4)}


def test_a_rule_on_keys_the_reader_makes_reads_every_call():
    """Positions and the callee are keys no text spells: the file's text cannot rule them out."""
    engine = _engine_with({"subject": {"kind": "call"}, "each": "0", "where": {"path": ".", "equals": "x"}})
    assert {(f.rule, f.start.line) for f in engine.analyze("tool.py", b'f(1)\ng("x")\n').findings} == {("PY999", 2)}
    engine = _engine_with({"subject": {"kind": "call"}, "where": {"path": "()", "resolved": False}})
    assert {(f.rule, f.start.line) for f in engine.analyze("tool.py", b'f(1)\n').findings} == {("PY999", 1)}


def test_an_assignment_is_read_through_a_map_wherever_one_is():
    """Rules whose `each` starts with a key reach nothing in a value without a map: such values are
    not made, and one holding a map anywhere (in a list, a tuple) still is."""
    engine = _engine_with({"subject": {"kind": "assign"}, "each": "*password", "where": {"path": ".", "equals": "x"}})
    assert engine.demand("python", "assign", "creds").maps_only
    source = (b'a = ["password", "x"]\nb = [{"password": "x"}]\nc = ({"db": {"password": "x"}},)\n'
              b'd = {"password": "x"}\ne = ("{", "password", "x")\nf = [[{"PASSWORD": "x"}]]\n')
    assert {(f.rule, f.start.line) for f in engine.analyze("tool.py", source).findings} == {
        ("PY999", 2), ("PY999", 4), ("PY999", 6)}
    engine = _engine_with({"subject": {"kind": "assign"}, "each": "[1]", "where": {"path": ".", "equals": "x"}})
    assert not engine.demand("python", "assign", "creds").maps_only
    assert {(f.rule, f.start.line) for f in engine.analyze("tool.py", source).findings} == {("PY999", 1)}


def test_one_scan_for_every_demand_finds_what_a_search_per_demand_finds():
    """demand._Literals looks for every demand's literals in one RE2 set pass over a file; each
    demand must still answer as a search of its own literals would, RE2's case folding included
    (`ſ` is an s, the Kelvin sign a k), and a file's answer must not leak into the next's."""
    groups = [((False, ["token", "auth"]), (True, ["password", "secret"])), ((False, []), (True, ["secret_key"])),
              ((False, ["AKIA", "ASIA", "-----BEGIN "]), (True, [])), ((False, ["KEY"]), (True, ["key", "ſ"]))]
    scanners = [_scanner(group) for group in groups]
    # Demand.holds, which asks the same of one string, is one search of the same literals.
    holders = [_finder([(tuple(texts), folded) for folded, texts in group if texts]) for group in groups]

    def searched(group, data: bytes) -> bool:
        return any(re2.compile(b"|".join(re2.escape(t.encode()) for t in texts), options(folded)).search(data)
                   for folded, texts in group if texts)

    texts = [p.read_bytes() for p in sorted(STDLIB.glob("*.py"))[:60]]
    texts += [b"", b"PASSWORD", b"\xc5\xbfecret", b"x = '-----BEGIN '", b"\xe2\x84\xaaey", b"kEY", b"s", b"Token"]
    found = 0
    for data in texts:
        for group, scanner in zip(groups, scanners):
            assert scanner(data) == searched(group, data), (group, data[:40])
            found += scanner(data)
        for group, holds in zip(groups, holders):
            assert holds(data) == searched(group, data), (group, data[:40])
    assert 0 < found < len(texts) * len(groups)


@pytest.mark.parametrize("source,lines", [
    # The file spells AKIA: plain literals are judged by their text, escaped ones by their value.
    ('a = "tab\\there"\nb = "\\x41KIA"\nc = f"{q}\\tAK"\nd = "AKIA\\n"\ne = "plain"\nf = "\\\\AKIA"\n', [2, 3, 4, 6]),
    # It does not: only literals with an escape are read, and made when their value holds it.
    ('a = "tab\\there"\nb = "\\x41KIA"\nc = f"{q}\\tAK"\nd = b"\\x41K\\x49A"\ne = "\\N{DIGIT ONE}"\n', [2, 3, 4]),
])
def test_an_escaped_string_is_made_only_when_its_value_holds_a_needed_text(source, lines):
    """Escapes decode into other characters, so the source text cannot tell, but the value can:
    a string rule tests nothing else. A template (an f-string) is made as before."""
    engine = _engine_with({"subject": {"kind": "string"}, "where": {"path": ".", "matches": "AKIA"}})
    root = parsing.parse("python", source.encode()).root_node
    made = python.subjects(root, partial(engine.wanted, "python"), [], partial(engine.demand, "python"))
    assert [source.encode().count(b"\n", 0, s.start) + 1 for s in made if s.kind == "string"] == lines


def test_offsets_count_from_the_file_start_when_it_opens_with_blank_lines():
    """tree-sitter's module node starts at the first token, so its text is shorter than the
    file: the reader's text is the file's, so a `{` is looked for where the value is and a
    callee or target is read where it starts."""
    engine = _engine_with({"subject": {"kind": "assign"}, "each": "*password", "where": {"path": ".", "equals": "x"}})
    findings = engine.analyze("tool.py", b"\n  \n\nd = {'password': 'x'}\n").findings
    assert {(f.rule, f.start.line) for f in findings} == {("PY999", 4)}
    engine = _engine_with({"subject": {"kind": "call", "type": "subprocess.run"},
                           "where": {"path": "shell", "equals": True}})
    findings = engine.analyze("tool.py", b"\n\nimport subprocess\nsubprocess.run(cmd, shell=True)\n").findings
    assert {(f.rule, f.start.line) for f in findings} == {("PY999", 4)}



_AKIA_IN_MAPS = {"subject": {"kind": "assign"}, "each": "*", "where": {"path": ".", "matches": "AKIA"}}


@pytest.mark.parametrize("source,lines,made", [
    # A value that spells the text is converted; a table that does not is not.
    ('a = {"k": "AKIA1"}\nb = {"k": [1, 2.5, None]}\nc = {"k": ["AKIA2"]}\n', [1, 3], ["a", "c"]),
    # Escapes, a concatenation and a module constant give a value text its source does not spell;
    # the constant's literal is reported where it is written.
    ('a = {"k": "\\x41KIA"}\nb = {"k": ("AK"\n           "IA")}\n', [1, 2], ["a", "b"]),
    ('K = "AKIA1"\nb = {"k": K}\nc = {"k": OTHER}\n', [1], ["b"]),
    ('a = {"k": "A\\\nKIA"}\nb = {"k": """AK\r\nIA"""}\n', [1], ["a", "b"]),
])
def test_a_value_is_converted_only_when_its_source_may_hold_a_needed_text(source, lines, made):
    """Demand.text_gate: an assignment's value is converted only when its source spells a literal
    its rules need, or escapes, a carriage return, a concatenation or a constant may put there
    text it does not spell."""
    engine = _engine_with(_AKIA_IN_MAPS)
    assert engine.demand("python", "assign", "a").text_gate is not None
    data = source.encode()
    assert {(f.rule, f.start.line) for f in engine.analyze("tool.py", data).findings} == {("PY999", n) for n in lines}
    assert _findings(engine, "tool.py", data) == _findings(_all_made(_engine_with(_AKIA_IN_MAPS)), "tool.py", data)
    root = parsing.parse("python", data).root_node
    subjects = python.subjects(root, partial(engine.wanted, "python"), [], partial(engine.demand, "python"))
    assert [s.name for s in subjects if s.kind == "assign"] == made
