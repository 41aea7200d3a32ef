"""Containers below json_scan's top levels, read by the C scanner with spans found when asked, give
exactly what json_scan's own reading gives (values, kinds, every span, whatever order spans are
asked in), and are refused where it refuses."""

from __future__ import annotations

import gc
import json
import random
import weakref

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blastguard.engine.documents import cloudformation, json_lazy, json_scan, json_tree, kinds
from blastguard.engine.values import LIST, MAP, MAX_DEPTH
from tests.conftest import SHARED
from tests.test_json_scan import NESTED_INTRINSICS, TEXTS, assert_same_or_refused, shape


def exact(data: bytes, singles: list | None = None):
    """json_scan reading every level itself."""
    saved = json_scan.DEFER
    json_scan.DEFER = MAX_DEPTH + 1
    try:
        return json_scan.read(data, singles)
    finally:
        json_scan.DEFER = saved


def nodes(root):
    found, stack = [], [root]
    while stack:
        node = stack.pop()
        found.append(node)
        if node.kind == MAP:
            stack.extend(node.value.values())
        elif node.kind == LIST:
            stack.extend(node.value)
    return found


def deep(text: str) -> str:
    """text as a value three containers down, where json_scan hands it to the C scanner."""
    return '{"a": {"b": [' + text + "]}}"


DEEP_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | TEXTS
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, min_size=1, max_size=3) | st.dictionaries(TEXTS, inner, min_size=1, max_size=3),
    max_leaves=40)


@settings(max_examples=300, deadline=None)
@given(value=DEEP_VALUES, indent=st.sampled_from([None, 2]), ascii_only=st.booleans(), seed=st.integers(0, 10**6))
def test_spans_asked_in_any_order_equal_json_scan_s_own_reading(value, indent, ascii_only, seed):
    data = json.dumps({"k": {"l": [value, {"m": value}]}}, indent=indent, ensure_ascii=ascii_only).encode()
    try:
        expected = exact(data)
    except json_scan.NotStrict:
        with pytest.raises(json_scan.NotStrict):
            json_scan.read(data)
        return
    lazy = json_scan.read(data)
    pairs = list(zip(nodes(lazy), nodes(expected)))
    random.Random(seed).shuffle(pairs)
    for got, want in pairs:  # deepest first or parents first, as it comes
        assert (got.kind, got.start, got.end, got.key_start, got.entry_start) == \
            (want.kind, want.start, want.end, want.key_start, want.entry_start)
    assert shape(lazy) == shape(expected)
    if data.isascii() and b"\\ue000" not in data:
        assert any(type(n) is json_lazy.Lazy for n in nodes(lazy))


@pytest.mark.parametrize("text", [
    '{"a": 1, "a": 2, "b": {"a": [1, 2.5, -0, 1e-3, 1E5, true, false, null]}}',
    '  [ "x" ,\r\n\t"\\u00e9\\ud800\\n\\/" ]  \n', '{"\\ud800": 1, "a": 2, "\\udfff": 3, "\\ud800": 4}',
    '{"\\u0041b": "x", "k\\"q": "\\ue000bg\\ue000", "p": ["\\ue000bg\\ue000"]}',
    '{ "a" : "b" , "c":"d","e" :\n\t"f\\"g", "h": ["i" , "j\\n", "", "\x7f"], "": {"": ""}}',
    "[]", "{}", '[[], {}, [[]]]', "[123456789012345678901234567890, 1e999]",
])
def test_strict_containers_below_the_top_read_as_tree_sitter_reads_them(text):
    assert assert_same_or_refused(deep(text).encode())
    assert shape(json_scan.read(deep(text).encode())) == shape(exact(deep(text).encode()))


@pytest.mark.parametrize("text", [
    "[NaN]", '{"a": Infinity}', "[-Infinity]", "[1e+5]", "[1E+5]", "[01]", "[.5]", '["tab\there"]',
    '{"a": 1,}', '["a",]', '{"a" 1}', "[1 2]", '{"a": [1}', "[" + "9" * 5000 + "]",
])
def test_containers_below_the_top_are_refused_where_json_scan_refuses(text):
    data = deep(text).encode()
    with pytest.raises(json_scan.NotStrict):
        exact(data)
    with pytest.raises(json_scan.NotStrict):
        json_scan.read(data)


@pytest.mark.parametrize("levels", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, MAX_DEPTH + 5, 3000])
@pytest.mark.parametrize("opener, closer", [("[", "]"), ('{"k": ', "}"), ('[{"k": ', "}]")])
def test_nesting_is_refused_at_the_same_depth(levels, opener, closer):
    data = (opener * levels + closer * levels).encode()
    for text in (data, b'{"in": ' + data + b', "s": "[[[[}}}}\\"[["}', b'[["]]]]", ' + data + b"]]"):
        try:
            expected = shape(exact(text))
        except json_scan.NotStrict:
            with pytest.raises(json_scan.NotStrict):
                json_scan.read(text)
        else:
            assert shape(json_scan.read(text)) == expected


def test_a_stand_in_below_the_top_is_read_by_json_scan_itself():
    data = deep('{"x": "\\ue000bg\\ue000"}').encode()
    singles: list = []
    value = json_scan.read(data, singles)
    inner = value.value["a"].value["b"].value[0]
    assert type(inner) is not json_lazy.Lazy and inner.value["x"].kind == "unknown"
    listed: list = []
    assert shape(value) == shape(exact(data, listed))
    assert [shape(s) for s in singles] == [shape(s) for s in listed]  # none left from the C scanner's try


def converted(data: bytes, before=None):
    """The lazy reading of data, its intrinsics converted (after `before` asked some spans),
    asserted equal to the walk over json_scan's own reading."""
    singles: list = []
    listed = json_scan.read(data, singles)
    if before is not None:
        before(listed)
    cloudformation.intrinsics(listed, singles)
    walked = exact(data)
    cloudformation.intrinsics(walked)
    assert shape(listed) == shape(walked)
    return listed


def test_intrinsics_on_lazy_nodes_equal_the_walk_over_json_scan_s_own_reading():
    data = NESTED_INTRINSICS.encode()
    converted(data)
    # Asked before its siblings, a converted `{"Ref": ...}` still reports at its argument.
    singles: list = []
    listed = json_scan.read(data, singles)
    cloudformation.intrinsics(listed, singles)
    twice = listed.value["Resources"].value["Fn"].value["Properties"].value["Twice"]
    assert type(twice) is json_lazy.Lazy
    assert (twice.start, twice.end) == (data.index(b'"Last"'), data.index(b'"Last"') + 6)


def test_a_tree_is_freed_by_reference_counting():
    # No cycles (a node points to its Tree, which holds the top weakly): an analysis's nodes go as
    # soon as it is done, not when the collector runs.
    data = json.dumps({"Resources": {"R": {"Type": "T", "Properties": {"A": [{"B": {"Ref": "C"}}]}}}}).encode()
    gc.disable()
    try:
        singles: list = []
        value = json_scan.read(data, singles)
        cloudformation.intrinsics(value, singles)
        leaf = value.value["Resources"].value["R"].value["Properties"].value["A"]
        assert type(leaf) is json_lazy.Lazy and leaf.value[0].value["B"].start > 0
        gone = weakref.ref(leaf)
        del value, leaf, singles
        assert gone() is None
    finally:
        gc.enable()


def test_a_copy_made_by_dataclasses_replace_keeps_the_spans():
    from dataclasses import replace

    data = deep('{"x": [1, "two"]}').encode()
    root = json_scan.read(data)
    node = root.value["a"].value["b"].value[0].value["x"]
    copy = replace(node, value=node.value[:1])
    assert (copy.kind, copy.start, copy.end, copy.key_start, len(copy.value)) == \
        ("list", data.index(b"[1"), data.index(b'"]') + 2, data.index(b'"x"'), 1)


def test_intrinsics_converted_after_their_container_is_opened_report_at_their_argument():
    # A container opened before the conversion (a sibling's span asked first) and a resource that
    # is itself `{"Ref": ...}` (a container json_scan hands over whole, located when read) report
    # where the walk over json_scan's own reading reports.
    data = NESTED_INTRINSICS.replace('"Resources": {', '"Resources": {"Bare": {"Ref": "Last"}, ', 1).encode()

    def open_first(listed):
        properties = listed.value["Resources"].value["Fn"].value["Properties"].value
        key = properties["Tags"].value[0].value["Key"]  # `{"Ref": "K"}`, and `Twice` beside Tags
        assert data[key.start:key.start + 1] == b"{" and key.key_start == data.index(b'"Key"')

    listed = converted(data, open_first)
    bare = listed.value["Resources"].value["Bare"]
    assert type(bare) is json_lazy.Lazy and (bare.start, bare.end) == (data.index(b'"Last"'), data.index(b'"Last"') + 6)


def test_subjects_report_at_the_spans_of_the_exact_reading():
    # A subject's span is read from its node only when asked; asked, it is the eager one.
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}
    texts = [NESTED_INTRINSICS.encode(), json.dumps(policy).encode()]
    if (SHARED / "corpus").is_dir():
        texts += [p.read_bytes() for p in sorted((SHARED / "corpus").rglob("*.json"))]
    compared = 0
    for data in texts:
        found = []
        for read in (json_scan.read, exact):
            singles: list = []
            try:
                value = read(data, singles)
            except json_scan.NotStrict:
                break
            kind = kinds.classify(value, "x.json", "json")
            if kind is None:
                break
            subjects = kinds.subjects(value, kind, "x.json", singles)
            found.append([(s.kind, s.type, s.name, s.start, s.end, s.unit) for s in subjects])
        if len(found) == 2:
            assert found[0] == found[1]
            compared += len(found[0])
    assert compared > (1000 if (SHARED / "corpus").is_dir() else 1)


def test_an_intrinsic_a_repeated_key_replaced_is_converted_without_a_span():
    # The C scanner makes the first value (a one-entry map, listed) before the repeated key
    # replaces it: it belongs to no tree, and converting it must not ask where it is.
    data = b'{"Resources": {"R": {"Type": "AWS::S3::Bucket", "Properties": {"A": {"Ref": "X"}, "A": {"Ref": "Y"}}}}}'
    listed = converted(data)
    assert listed.value["Resources"].value["R"].value["Properties"].value["A"].start == data.index(b'"Y"')
