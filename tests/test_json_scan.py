"""Strict JSON read without tree-sitter gives exactly tree-sitter's value tree (values, kinds and
every span), and what it refuses is what tree-sitter reads with an error or with its own rules."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blastguard.engine import parsing
from blastguard.engine.documents import json_scan, json_tree
from blastguard.engine.documents.load import _json_value
from blastguard.engine.values import LIST, MAP, MAX_DEPTH
from tests.conftest import SHARED


def shape(node):
    """Everything a rule or a finding can see of a value tree: kinds, values, spans, text, meta."""
    if node is None:
        return None
    if node.kind == MAP:
        value = [(k, shape(v)) for k, v in node.value.items()]
    elif node.kind == LIST:
        value = [shape(v) for v in node.value]
    else:
        value = (type(node.value).__name__, repr(node.value))
    return node.kind, value, node.start, node.end, node.key_start, node.text, node.meta


def tree_sitter_reading(data: bytes):
    tree = parsing.parse("json", data)
    return _json_value(tree.root_node), parsing.first_error(tree.root_node) is not None


def assert_same_or_refused(data: bytes) -> bool:
    """True when the text was read without tree-sitter (and then exactly as tree-sitter reads it)."""
    expected, broken = tree_sitter_reading(data)
    try:
        value = json_scan.read(data)
    except json_scan.NotStrict:
        return False
    assert not broken
    assert shape(value) == shape(expected)
    return True


TEXTS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12) | st.sampled_from(
    [json_tree.PLACEHOLDER, "a\ue000b", "{\"a\": 1}", "é\\\"", "\x7f\x80", "😀", "", " "])
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | TEXTS
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXTS, inner, max_size=4),
    max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(value=VALUES, indent=st.sampled_from([None, 0, 2, "\t"]), ascii_only=st.booleans(),
       separators=st.sampled_from([None, (",", ":"), (" , ", " : ")]))
def test_any_json_text_reads_as_tree_sitter_reads_it(value, indent, ascii_only, separators):
    data = json.dumps(value, indent=indent, ensure_ascii=ascii_only, separators=separators).encode()
    if not assert_same_or_refused(data):
        # Python writes large and small floats with `e+`, which tree-sitter-json does not accept.
        assert b"e+" in data


@pytest.mark.parametrize("text", [
    '{"a": 1, "a": 2, "b": {"a": [1, 2.5, -0, 1e-3, 1E5, true, false, null]}}',
    '  [ "x" ,\r\n\t"\\u00e9\\ud800\\n\\/" ]  \n',
    '{"\\u0041b": "café", "naïve": "\\u00e9", "k\\"q": "\\ue000bg\\ue000 and \ue000bg\ue000"}',
    '{ "a" : "b" , "c":"d","e" :\n\t"f\\"g", "h": ["i" , "j\\n", "", "\x7f"], "": {"": ""}}',
    '"only a string"', "42", "[]", "{}", '[[], {}, [[]]]',
])
def test_strict_texts_are_read_without_tree_sitter(text):
    assert assert_same_or_refused(text.encode())


TOKENS = st.sampled_from(['{', '}', '[', ']', ',', ':', ' ', '\n', '"a"', '"\\n"', '"é"', '"\t"', '"',
                          '1', '-', 'true', '"k": ', '"v", ', '\\'])


@settings(max_examples=1500, deadline=None)
@given(pieces=st.lists(TOKENS, max_size=14))
def test_token_soup_is_read_as_tree_sitter_reads_it_or_refused_as_json_does(pieces):
    # Broken texts near the shapes the reader's one-match-per-entry path takes.
    data = "".join(pieces).encode()
    read = assert_same_or_refused(data)
    try:
        json.loads(data)
    except ValueError:
        assert not read
    else:
        assert read or b"e+" in data


@pytest.mark.parametrize("text", [
    "", "  \n", '{"a": 1,}', '{"a": "b",}', '{"a": "b" "c": 1}', '["a",]', '["a" "b"]', '{"a": "b"',
    '{"a": "b\tc"}', '{"a\tb": 1}', '{"a": "b",\n}', '["a", ]', '{"a": "b"}}', "[1 2]", '{"a" 1}', "// note\n{}", "{} {}", "[NaN]", "[1e+5]", "[01]",
    '["tab\there"]', '\ufeff{"a": 1}', "[.5]", '{"a": [1}', "[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2),
])
def test_anything_else_is_left_to_tree_sitter(text):
    with pytest.raises(json_scan.NotStrict):
        json_scan.read(text.encode())


def test_a_refused_text_still_gets_bg001_and_the_findings_of_what_tree_sitter_recovers(engine):
    text = b'{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],}\n'
    result = engine.analyze("policy.json", text)
    assert "BG001" in {f.rule for f in result.findings}
    fresh = engine.analyze("policy.json", text.replace(b"],}", b"]}"))
    assert {f.rule for f in result.findings} - {"BG001"} == {f.rule for f in fresh.findings} != set()


def test_findings_equal_those_of_the_tree_sitter_reading(engine):
    # An editor with an old tree reads with tree-sitter: both ways give the same findings and fixes.
    text = json.dumps({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {
        "AccessControl": "PublicReadWrite", "BucketName": "naïve-é"}}}}, indent=2, ensure_ascii=False).encode()
    fast = engine.analyze("template.json", text)
    slow = engine.analyze("template.json", text, parsing.parse("json", text))
    assert fast.tree is None and slow.tree is not None
    assert [(f.rule, f.start, f.end, f.fix) for f in fast.findings] == \
        [(f.rule, f.start, f.end, f.fix) for f in slow.findings] != []


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="needs ../shared/corpus beside the checkout")
def test_every_corpus_json_file_reads_as_tree_sitter_reads_it():
    paths = sorted((SHARED / "corpus").rglob("*.json"))
    read = [assert_same_or_refused(p.read_bytes()) for p in paths]
    assert len(read) > 400 and sum(read) >= len(read) - 5  # nearly all of them strict JSON


def test_numbers_keep_python_s_types():
    value = json_scan.read(b"[1, -0, 1.0, 2e3, 123456789012345678901234567890]")
    assert [(type(n.value), n.value) for n in value.value] == [
        (int, 1), (int, 0), (float, 1.0), (float, 2000.0), (int, 123456789012345678901234567890)]


NESTED_INTRINSICS = json.dumps({"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {
    "UserData": {"Fn::Base64": {"Fn::Sub": ["export A=${X}\nexport P=${!Q}", {"X": {"Ref": "X"}}]}},
    "Name": {"Fn::Join": ["", ["a-", {"Fn::Sub": "b-${AWS::Region}"}, {"Ref": "AWS::Partition"}, "c"]]},
    "Arn": {"Fn::If": ["Cond", {"Fn::GetAtt": ["Role", "Arn"]}, {"Ref": "AWS::NoValue"}]},
    "Tags": [{"Key": {"Ref": "K"}}, {"Other": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}}, {"Plain": "x"}],
    "Deep": {"Condition": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
    "Twice": {"Ref": "Last"}}}}}, indent=1).replace('"Ref": "Last"', '"Ref": "First", "Ref": "Last"')


def test_intrinsics_found_from_the_readers_one_entry_maps_equal_the_walk():
    """cloudformation.intrinsics given json_scan's list of one-entry maps converts the tree exactly
    as its walk does: intrinsics nested in a converted one's arguments, lists, a repeated key."""
    from blastguard.engine.documents import cloudformation

    texts = [NESTED_INTRINSICS.encode()]
    if (SHARED / "corpus").is_dir():
        texts += [p.read_bytes() for p in sorted((SHARED / "corpus").rglob("*.json"))]
    converted = 0
    for data in texts:
        singles: list = []
        try:
            listed, walked = json_scan.read(data, singles), json_scan.read(data)
        except json_scan.NotStrict:
            continue
        cloudformation.intrinsics(listed, singles)
        cloudformation.intrinsics(walked)
        assert shape(listed) == shape(walked)
        converted += sum(1 for node in walked.walk() if node.meta and "intrinsic" in node.meta)
    assert converted > 10
