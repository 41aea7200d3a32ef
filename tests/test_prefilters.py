"""The shortcuts that skip work never change an answer: the literal text a regex requires,
plain Python string literals read without literal_eval, and `each` paths that cannot reach."""

from __future__ import annotations

import ast
import sysconfig
import warnings
from pathlib import Path

import pytest
import re2
from hypothesis import given, settings, strategies as st

from blastguard.engine import languages, literals, parsing
from blastguard.engine.analyze import _each, _may_reach
from blastguard.engine.compile import compile_match
from blastguard.engine.conditions import FALSE, TRUE, UNKNOWN_RESULT, All, Any_, Not, RegexTest, ScalarTest, _encodable
from blastguard.engine.documents import json_tree, python_strings
from blastguard.engine.documents.load import load
from blastguard.engine.levels import Levels, levels
from blastguard.engine.loader import load_rules
from blastguard.engine.paths import locate
from blastguard.engine.values import UNKNOWN, UNKNOWN_PART, scrub
from tests.conftest import SHARED
from tests.test_rule_examples import DEFAULT_PATH

RULES = load_rules().rules
STDLIB = Path(sysconfig.get_paths()["stdlib"])


def _regex_tests() -> dict[tuple, RegexTest]:
    """Every distinct RegexTest in the bundled rules (anchors repeat many), by pattern."""
    def walk(condition):
        if isinstance(condition, (All, Any_)):
            for part in condition.parts:
                yield from walk(part)
        elif isinstance(condition, Not):
            yield from walk(condition.part)
        elif isinstance(condition, ScalarTest) and isinstance(condition.test, RegexTest):
            yield condition.test

    found = {}
    for rule in RULES:
        for matcher in rule.match:
            if matcher.where is not None:
                for test in walk(matcher.where):
                    found[(test.compiled.pattern, test.compiled.options.case_sensitive)] = test
    return found


def _samples() -> list[str]:
    """Values to try: every line and word of every rule example (they hold the texts the
    patterns are written for), and values that only RE2's case folding matches."""
    found = {"", "ſecret_access_key", "\u212aey", "AKIA" + "A" * 16, "secret\ue000", "\ud800AKIA",
             "\ue000/ſecret_access_key", "\u212aEY_\ue000", "DB_PAſſWORD=Zq8vN2rL5xT9wK3m \ue000", "ſ\u212a\ue000"}
    for rule in RULES:
        for kind in ("valid", "invalid"):
            for case in rule.examples[kind]:
                code = case if isinstance(case, str) else case["code"]
                for line in code.splitlines():
                    found.add(line)
                    found.update(line.split())
                    found.update(part.strip("\"',") for part in line.split("="))
    return sorted(found)


@pytest.mark.parametrize("pattern,expected", [
    (r"(^|[^A-Za-z0-9/+])(AKIA|ASIA)[A-Z2-7]{16}", (("AKIA", "ASIA"), False)),
    (r"(?i)secret_?access_?key\s*=", (("secret",), True)),
    (r"-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY", (("-----BEGIN ",), False)),
    (r"a(b|c)d", (("abd", "acd"), False)),
    (r"^[A-Za-z0-9/+]{40}$", None),
    (r"x?", None),
    (r"[[:alpha:]]+x", None),  # a class in RE2, three literals to Python's parser
    (r"\x{E000}", None),
])
def test_required_literals(pattern, expected):
    assert literals.required(pattern, False) == expected


def test_required_literals_fold_under_ignore_case():
    assert literals.required("Token_[0-9]+", True) == (("token_",), True)
    assert literals.required("(?i:Token)_[0-9]+", False) == (("token_",), True)


def test_prefilter_never_changes_a_rule_regex_answer():
    samples = _samples()
    tests = _regex_tests()
    assert sum(1 for t in tests.values() if t.needs is not None) > 20  # the prefilter is in use
    for (pattern, _), test in tests.items():
        plain = re2.compile(pattern, test.compiled.options)
        for value in samples:
            text = value.encode("utf-8", "replace").decode("utf-8")
            assert test(value) == (plain.search(text) is not None), (pattern, value)
            if UNKNOWN_PART in value:
                with_prefilter = test.partial(value)
                test_needs, test.needs = test.needs, None
                try:
                    assert with_prefilter == test.partial(value), (pattern, value)
                finally:
                    test.needs = test_needs


def test_script_secret_prefilter_never_changes_its_answer():
    from blastguard.engine.secrets import _script_holds_secret, script_secret

    traps = ["DB_PAſSWORD=Zq8vN2rL5xT9wK3m", "export API_KEY=Zq8vN2rL5xT9wK3mYh", "MYSQL -uroot -pZq8vN2rL5xT9",
             "postgresql://app:Zq8vN2rL5xT9wK3m@db/orders", "ghp_" + "a1B2" * 9, "AKIA" + "Q7ZT" * 4]
    samples = _samples() + traps + [line for value in traps for line in (value.upper(), value.lower())]
    samples = [value for value in samples if value == _encodable(value)]  # RE2 raises on a lone surrogate
    answers = [(value, _script_holds_secret(value)) for value in samples]
    assert sum(answer for _, answer in answers) > 20  # secrets among them, not only misses
    for value, answer in answers:
        assert script_secret(value) == answer, value


def test_re2_folds_only_the_long_s_and_the_kelvin_sign_onto_ascii():
    """literals.gate lower-cases a non-ASCII text and writes its long s as `s`: sound only while
    these two are the only non-ASCII characters RE2's case folding takes to an ASCII one."""
    text = "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000)
    folded = {m.group() for m in re2.compile("(?i)[\\x00-\\x7f]").finditer(text)}
    assert folded == {"\u017f", "\u212a"}


def test_gate_searches_a_non_ascii_text_folded():
    gate = literals.gate(("secret", "_key"), True)
    assert not gate("arn:\ue000:s3:::\ue000/*")  # a template with none of the literals
    assert gate("\ue000/ſECRET") and gate("\ue000_\u212aEY") and gate("\ue000SeCrEt")
    assert not literals.gate(("AKIA",), False)("akia\ue000")  # not folded: the case must be right


def test_case_folding_that_str_lower_does_not_do_still_matches():
    test = RegexTest("(?i)secret_access_key", False)
    assert test.needs == ("secret_access_key",)
    assert test("ſecret_access_key")  # RE2 folds the long s to s


def _literal_eval(source: str):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = ast.literal_eval(source)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


TRICKY = ['"a"', "'a'", '""', "''", '""""""', "''''''", '"""a"b"""', '"""a\n"\nb"""', "'a\nb'",
          'r"a"', 'R"a"', 'u"a"', 'U"a"', 'b"a"', 'B"a"', 'br"a"', 'Rb"a"', 'rB"a"', 'ub"a"', 'ur"a"',
          'bb"a"', 'f"a"', 'F"a"', 'rf"a"', 'b"\u00e9"', '"\u00e9"', '"a\\nb"', '"""a\r\nb"""', '"a',
          '"""a""""', '"a"b"', "'''a'b'''", '"""a""b"""', '"\t\x0c"', 'x"a"', '"""\n"""',
          # Escapes: the common ones, unknown ones (kept), invalid ones, and quotes and newlines
          # escaped or not, in raw, bytes and triple-quoted literals.
          r'"a\tb\\c\'d\"e"', r'"\d\w\8\9"', r'"\x41\x4"', r'"\x4"', r'"\u00e9\U0001F600"', r'"\U00110000"',
          r'"\ud800"', r'"\N{DASH}"', r'"\0\07\101\777\1234"', r'b"\0\377\400\777"', r'b"\xc3\xa9\xff"',
          r'b"\u00e9\N"', r'"\"', r'"a\\"', r'"a\\\"', r'r"\"', r'r"\""', r'r"a\"b"', r"r'\d\x'", r'rb"\xff"',
          '"a\\\nb"', 'r"a\\\nb"', '"a\\\r\nb"', '"""a\\""""', '"""a\\""" """', '"""\\"""""',
          r"'''a\'''b'''", '"\\\x00"', '"\x00\\n"', r'"\a\b\f\v\r"', r'u"\n"', r'B"\n\x41"']


@pytest.mark.parametrize("source", TRICKY)
def test_plain_literal_reads_as_literal_eval_does(source):
    value = python_strings._plain(source)
    assert value is None or value == _literal_eval(source)


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(["", "r", "b", "u", "rb", "Br", "R", "f"]), st.sampled_from(["'", '"', "'''", '"""']),
       st.text(st.sampled_from(["a", "\\", "'", '"', "\n", "\r", "x", "u", "U", "N", "0", "1", "4", "7", "8", "f",
                                "A", "n", "t", "d", "{", "}", "\u00e9", " "]), max_size=14))
def test_escaped_literals_read_as_literal_eval_does(prefix, quote, body):
    # A source is decoded UTF-8 (errors replaced) without a NUL (engine.check_input refuses
    # the file), so it holds neither a lone surrogate nor a NUL itself; escapes of both it may.
    source = prefix + quote + body + quote
    value = python_strings._plain(source)
    assert value is None or value == _literal_eval(source)


def test_plain_literals_of_the_standard_library_read_as_literal_eval_does():
    """Escaped ones too: all but a few (`\\N{...}`, f-strings) are read without literal_eval."""
    plain = escaped = 0
    for path in sorted(STDLIB.glob("*.py")):
        root = parsing.parse("python", path.read_bytes()).root_node
        for node in parsing.captures("python", "(string) @s", root).get("s", []):
            source = node.text.decode("utf-8", "replace")
            value = python_strings._plain(source)
            if value is not None:
                plain += 1
                escaped += "\\" in source
                assert value == _literal_eval(source), (path.name, source[:80])
    assert plain > 10_000 and escaped > 1_000


def test_each_that_cannot_reach_finds_nothing():
    """Over every subject of every rule example: whenever `_may_reach` says no, walking the
    path finds no context either (the other way round it only costs time)."""
    matchers = [m for rule in RULES for m in rule.match if m.each]
    matchers += compile_match([{"subject": {"kind": "call"}, "each": "."},
                               {"subject": {"kind": "call"}, "each": "$.x"}], None)
    skipped = 0
    for rule in RULES:
        for kind in ("valid", "invalid"):
            for case in rule.examples[kind]:
                case = {"code": case} if isinstance(case, str) else case
                path = case.get("path", DEFAULT_PATH[rule.language])
                data = case["code"].encode()
                language, syntax = languages.detect(path, data)
                doc = load(path, language, syntax, data, lambda *_: True)
                for subject in doc.subjects:
                    for matcher in matchers:
                        if _may_reach(matcher.each, subject.node):
                            continue
                        skipped += 1
                        found = [n for n in _each(locate(subject.node, subject, matcher.each)) if n.kind != UNKNOWN]
                        assert found == [], (rule.id, subject.type, matcher.each)
    assert skipped > 1000


JSON_STRINGS = [b'"a"', b'""', b'"a\\u0041"', b'"\\""', b'"a\\\\"', b'"\xc3\xa9"', b'"\xed\xa0\x80"', b'"\x7f"',
                b'"a\tb"', b'"a\nb"', b'"\x00"', b'"\xff"', b'"a\\/b"', b'"a\\x"']


def test_json_strings_read_as_json_loads_does():
    import json

    data = b"[" + b", ".join(JSON_STRINGS) + b"]"
    for path in sorted((Path(__file__).parent.parent / "examples").rglob("*.json")):
        data += b"\n" + path.read_bytes()
    root = parsing.parse("json", data).root_node
    strings = parsing.captures("json", "(string) @s", root).get("s", [])
    assert len(strings) > len(JSON_STRINGS)
    for node in strings:
        try:
            # A lone surrogate (`"\\ud800"`) is read as U+FFFD, which RE2 can take.
            expected = scrub(json.loads(node.text))
        except (ValueError, UnicodeDecodeError):
            expected = None
        assert json_tree.decode_string(node) == expected, node.text


def _key_globs() -> set[str]:
    """Every key glob of the bundled rules' paths (`each`, `report`, conditions)."""
    found = set()

    def add(path):
        found.update(segment for segment in path or () if "*" in segment and segment != "*")

    def walk(condition):
        for name in ("path", "low", "high"):
            add(getattr(condition, name, None))
        for part in getattr(condition, "parts", ()):
            walk(part)
        if isinstance(condition, Not):
            walk(condition.part)

    for rule in RULES:
        for matcher in rule.match:
            add(matcher.each)
            add(matcher.report)
            if matcher.where is not None:
                walk(matcher.where)
    return found


def test_key_globs_accept_what_re2_accepts():
    from blastguard.engine.paths import key_glob
    from blastguard.engine.patterns import compile_glob

    globs = _key_globs()
    assert len(globs) > 10
    keys = [k for k in _samples() if "\ud800" not in k]  # RE2 refuses lone surrogates either way
    keys += ["DB_PASSWORD", "MasterUserPassword", "\u212aey_password", "ſecret_access_key"]
    for glob in globs | {"*ecret_access_key", "*key*"}:
        pattern = compile_glob(glob, True)
        accepts = key_glob(glob)
        for key in keys:
            assert accepts(key) == bool(pattern.fullmatch(key)), (glob, key)


def _value_globs() -> set[tuple[str, bool]]:
    """Every value glob of the bundled rule files (`glob:`, with its `ignore_case`) and selector type glob."""
    import yaml

    found = set()

    def walk(spec):
        if isinstance(spec, dict):
            globs = spec.get("glob")
            for glob in [globs] if isinstance(globs, str) else globs if isinstance(globs, list) else ():
                found.add((glob, bool(spec.get("ignore_case"))))
            for key in ("type", "not_type"):
                types = spec.get(key)
                found.update((t, False) for t in ([types] if isinstance(types, str) else types or ()) if "*" in t)
            for value in spec.values():
                walk(value)
        elif isinstance(spec, list):
            for value in spec:
                walk(value)

    for path in sorted((Path(__file__).parent.parent / "rules").rglob("*.yaml")):
        walk(yaml.safe_load(path.read_text()).get("match"))
    return found


def test_value_globs_accept_what_re2_accepts():
    from blastguard.engine.patterns import compile_glob, glob_test

    globs = _value_globs() | {("ab*ba", False), ("*a*b*", True), ("**", False), ("a*?", True)}
    assert len(globs) > 30
    values = [v for v in _samples() if "\ud800" not in v]
    values += ["aba", "abba", "DB_PASSWORD", "Db_Pa\u017f\u017fword", "x:latest", "\u212a", "*", "", "a\nb"]
    for glob, ignore_case in globs:
        pattern = compile_glob(glob, ignore_case)
        test = glob_test([glob], ignore_case)
        for value in values + [glob, glob.upper(), glob.replace("*", "")]:
            if ignore_case and not value.isascii():
                # Left as it was: the head/tail prefilter compares str.lower() text, which does
                # not fold the long s or the Kelvin sign as RE2 does, so such a value is refused.
                continue
            assert test(value) == bool(pattern.fullmatch(value)), (glob, ignore_case, value)


def test_a_matcher_precheck_never_skips_a_finding():
    """Every string-like value of the samples, as a subject body, against every rule matcher
    with a precheck: when the precheck says no, `where` does not hold."""
    from blastguard.engine.conditions import TRUE
    from blastguard.engine.values import scalar

    matchers = [(rule.id, m) for rule in RULES for m in rule.match if m.need is not None]
    assert matchers
    for value in [v for v in _samples() if "\ud800" not in v]:
        node = scalar(value, 0, len(value))
        for rule_id, matcher in matchers:
            if not matcher.need(node):
                assert matcher.where.evaluate(node, None)[0] != TRUE, (rule_id, value)


def _cloudformation_subjects():
    """Every resource of every CloudFormation rule example, and of the corpus when it is there."""
    texts = [(case if isinstance(case, str) else case["code"], "template.yaml")
             for rule in RULES if rule.language == "cloudformation"
             for kind in ("valid", "invalid") for case in rule.examples[kind]]
    corpus = SHARED / "corpus"
    if corpus.is_dir():
        texts += [(p.read_text(errors="replace"), p.name) for p in sorted(corpus.rglob("*")) if p.suffix in (".yaml", ".json")]
    for text, name in texts:
        data = text.encode()
        detected = languages.detect(name, data)
        if detected is None:
            continue
        try:
            doc = load(name, *detected, data, lambda *_: True)
        except Exception:  # noqa: BLE001 - a broken file has no subjects to compare
            continue
        yield from (s for s in doc.subjects if s.language == "cloudformation" and s.kind == "resource")


def test_levels_answer_as_the_any_they_replace():
    """CFN503's `any` of one test four `*` levels deep is compiled to Levels: over every
    CloudFormation resource at hand, the same truth and the same witnesses as the plain `any`."""
    where = next(m.where for rule in RULES if rule.id == "CFN503" for m in rule.match)
    assert isinstance(where, Levels) and where.depth == 4 and where.none_of is not None  # the one-search gate too
    plain = Any_([ScalarTest(where.first.path + ("*",) * depth, where.first.test, in_tests=where.first.in_tests)
                  for depth in range(where.depth)])
    truths = set()
    for subject in _cloudformation_subjects():
        expected = plain.evaluate(subject.node, subject)
        assert where.evaluate(subject.node, subject) == expected, subject.name
        truths.add(expected[0])
    assert {TRUE, FALSE, UNKNOWN_RESULT} <= truths  # every answer seen, so the comparison is not vacuous


def test_one_search_of_joined_texts_rejects_only_what_script_secret_rejects_in_each():
    """script_secret.none_of (one RE2 set search of the texts joined): wherever some text is a
    script secret, the joined texts pass; and texts that each lack every literal are rejected,
    even when two of them joined by hand would spell one (`pa` + `ss`)."""
    from blastguard.engine.secrets import script_secret

    none_of = script_secret.none_of
    samples = _samples() + ["export DB_PASSWORD=Zq8vN2rL5xT9wK3m", "DB_PAſſWORD=Zq8vN2rL5xT9wK3m",
                            "\u212aey", "x AKIA2OGYBAH6TOEXKZQ4"]
    secret = [text for text in samples if "\ud800" not in text and script_secret(text)]
    assert len(secret) > 20
    for text in secret:
        assert not none_of([text]) and not none_of(["plain", text, "\ue000"]), text
    for text in samples:  # one that the per-text gate rejects is rejected joined as well
        if not secrets_gate(text):
            assert none_of([text, text]), text
    assert none_of(["pa", "ss", "ap", "i"]) and none_of([]) and not none_of(["PASS"]) and not none_of(["paſs"])
    assert not none_of(["\ud800", "mysql"]) and none_of(["\ud800"])


def secrets_gate(text: str) -> bool:
    from blastguard.engine.secrets import _any_gate

    return _any_gate()(text)


def test_only_plain_deepening_paths_of_one_test_become_levels():
    test = RegexTest("x", False)
    assert isinstance(levels([ScalarTest(("a",), test), ScalarTest(("a", "*"), test)]), Levels)
    for parts in ([ScalarTest(("a",), test), ScalarTest(("a", "b"), test)],
                  [ScalarTest(("a",), test), ScalarTest(("a", "*"), RegexTest("x", False))],
                  [ScalarTest(("$doc", "a"), test), ScalarTest(("$doc", "a", "*"), test)],
                  [ScalarTest(("a",), test, every=True), ScalarTest(("a", "*"), test, every=True)],
                  [ScalarTest(("a",), test)]):
        assert levels(parts) is None


def test_equals_tests_of_strings_answer_as_loose_equality():
    """EqualsTest's one set lookup, for wanted values that are all strings, against loose_equals."""
    from blastguard.engine.conditions import EqualsTest, loose_equals

    values = ["*", "Deny", "deny", "DENY", " Deny", "22", "22.0", "tcp", "TCP", "", "ſ", "\u212a", "k", "K"]
    values += [22, 22.0, 0, -1, True, False, None, 1e300, float("nan"), [], {}]
    for wanted in (["*"], ["Deny"], ["tcp", "udp", "6", "17"], ["22"], ["22.0"], ["k"], ["K"], ["ſ"], [""]):
        for ignore_case in (False, True):
            test = EqualsTest(wanted, ignore_case)
            for value in values:
                expected = any(loose_equals(value, w, ignore_case) for w in wanted)
                assert test(value) == expected, (wanted, ignore_case, value)


def test_a_plain_key_is_located_as_resolve_finds_it():
    """locate's shortcut for one plain key of a map against resolve, for keys that look special."""
    from blastguard.engine.paths import PLAIN_KEYS, resolve
    from blastguard.engine.values import MAP, Node, scalar

    body = Node(MAP, {k: scalar(k, 0, 1) for k in ("a", "$ref", "*", "[0]", "a*", "$doc", "?", "A")}, 0, 1)
    for key in ("a", "A", "b", "?", "a*", "*", "[0]", "$doc", "$ref", "$named:x", "x.y"):
        first = locate(body, None, (key,))  # the second asks the shortcut's memo
        assert first == locate(body, None, (key,)), key
        if key.startswith("$"):
            assert PLAIN_KEYS[key] is False, key
        else:
            assert first == resolve(body, (key,)) and PLAIN_KEYS[key] == (key in ("a", "A", "b", "?", "x.y")), key
