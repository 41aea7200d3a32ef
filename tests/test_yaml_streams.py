"""YAML streams read per document: cut at `---`/`...`, past the grammar's 32,768-row limit, and
read by libyaml where tree-sitter-yaml rejects valid YAML, with exact positions either way."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from blastguard.engine.documents import yaml_events, yaml_stream
from blastguard.engine.documents.yaml_tree import ALIAS_BUDGET
from blastguard.engine.reuse import Reuse
from blastguard.engine.values import DocumentError
from tests.test_yaml_documents import alias_bomb, plain

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
  - name: app
    image: nginx
    securityContext:
      privileged: true
"""
CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\ndata:\n" + "".join(
    f"  key{j}: value{j}\n" for j in range(38))


def pairs(result):
    return {(f.rule, f.start.line) for f in result.findings}


def cuts(text: str):
    data = text.encode()
    return [data[s.start:s.end].decode() for s in yaml_stream.split(data)]


def test_a_stream_is_cut_before_each_document_and_directives_stay_with_theirs():
    assert cuts("a: 1\n---\nb: 2\n") == ["a: 1\n", "---\nb: 2\n"]
    assert cuts("# head\n%YAML 1.2\n---\na: 1\n...\n%YAML 1.2\n--- |\n  text\n---word: 1\n") == [
        "# head\n%YAML 1.2\n---\na: 1\n...\n", "%YAML 1.2\n--- |\n  text\n---word: 1\n"]
    assert cuts("---\n---\n--- # c\n") == ["---\n", "---\n", "--- # c\n"]
    assert cuts("a: |\n  ---\n  x\n...\n") == ["a: |\n  ---\n  x\n...\n"]  # indented: text
    assert cuts("") == [""]


def test_a_bundle_over_32768_lines_is_checked_in_its_first_and_last_documents(engine):
    documents = [POD.format(name="first")] + [CONFIG_MAP.format(i=i) for i in range(910)] + [POD.format(name="last")]
    text = "---\n".join(documents)
    lines = text.count("\n")
    assert lines > 40_000
    result = engine.analyze("bundle.yaml", text.encode())
    last_privileged = lines  # the last line of the file
    assert result.errors == []
    assert pairs(result) >= {("K8S101", 10), ("K8S101", last_privileged)}
    assert {p for p in pairs(result) if p[0] in ("K8S101", "BG001")} == {("K8S101", 10), ("K8S101", last_privileged)}


# The findings of examples/kubernetes/risky.yaml (90 lines, 5 documents).
RISKY = {("K8S208", 20), ("K8S207", 28), ("K8S205", 31), ("K8S109", 47), ("K8S101", 52), ("K8S103", 59),
         ("K8S104", 63), ("K8S106", 84), ("K8S111", 89), ("K8S102", 90)}


def test_a_large_bundle_reports_every_copys_findings_at_its_own_lines(engine):
    """4,000 documents, 72,800 lines (past the grammar's 16-bit rows twice): a scan and an
    editor's analysis, which keeps each document's extent and findings, agree exactly; neither
    holds the documents' trees once read."""
    from tests.conftest import ROOT

    risky = (ROOT / "examples" / "kubernetes" / "risky.yaml").read_text()
    text = "---\n".join([risky] * 800)  # each copy is 90 lines and its `---` one more
    result = engine.analyze("bundle.yaml", text.encode())
    assert result.errors == [] and result.tree is None
    expected = {(rule, line + 91 * copy) for copy in range(800) for rule, line in RISKY}
    assert pairs(result) == expected
    edited = engine.analyze("bundle.yaml", text.encode(), None, Reuse())
    assert len(edited.tree.spans()) == 4_000 and edited.tree.trees == {}
    assert [(f.rule, f.start, f.end) for f in edited.findings] == [(f.rule, f.start, f.end) for f in result.findings]


def test_one_document_over_the_grammar_rows_is_read_by_libyaml_at_the_right_lines(engine):
    filler = "".join(f"    k{i}: v{i}\n" for i in range(33_000))
    text = POD.format(name="big") + "  annotations:\n" + filler + "  hostNetwork: true\n"
    result = engine.analyze("big.yaml", text.encode())
    host_network = text.count("\n")
    assert result.errors == []
    assert {p for p in pairs(result) if p[0] in ("K8S101", "K8S108", "BG001")} == {
        ("K8S101", 10), ("K8S108", host_network)}


# Valid YAML tree-sitter-yaml rejects (tree-sitter-grammars/tree-sitter-yaml#39, #10, #50): a
# quoted scalar continued at or left of its key's column, as in Kubernetes annotations and
# Argo CD/kubespray files.
FALSE_SYNTAX_ERRORS = {
    "annotation_json": """\
apiVersion: v1
kind: Pod
metadata:
  name: init
  annotations:
    pod.alpha.kubernetes.io/init-containers: '[
        {
          "name": "bootstrap", "note": "it''s"
        }
    ]'
spec:
  hostPID: true
  containers:
  - name: c
    image: busybox
---
apiVersion: v1
kind: Pod
metadata:
  name: second
spec:
  hostIPC: true
  containers:
  - name: c
    image: busybox
""",
    "single_quoted_less_indented": """\
- name: Set the endpoint
  set_fact:
    kube_apiserver_endpoint: '{{ a }}:{{ b }}
  ''quoted'''
- name: remove
  file:
    path: /
    state: absent
""",
    "double_quoted_escaped_breaks": 'root: "a\\\nb\\\nc"\nkind: Pod\napiVersion: v1\nspec:\n  hostNetwork: true\n',
}
EXPECTED = {
    "annotation_json": {("K8S109", 12), ("K8S110", 22)},
    "double_quoted_escaped_breaks": {("K8S108", 7)},
    "single_quoted_less_indented": {("ANS102", 7)},
}


@pytest.mark.parametrize("name", sorted(FALSE_SYNTAX_ERRORS))
def test_valid_yaml_tree_sitter_rejects_is_read_without_bg001(engine, name):
    text = FALSE_SYNTAX_ERRORS[name]
    data = text.encode()
    assert any(yaml_stream.parse(data, s, None).root_node.has_error for s in yaml_stream.split(data))
    path = "roles/k8s/tasks/main.yml" if name.startswith("single") else "manifest.yaml"
    result = engine.analyze(path, data)
    found = pairs(result)
    assert not any(rule == "BG001" for rule, _ in found)
    assert result.errors == []
    assert {p for p in found if p[0].startswith(("K8S", "ANS"))} == EXPECTED[name]


def test_libyaml_values_and_positions_match_the_text_with_non_ascii():
    text = "é: 'x\n  ''y'''\nk: &a [1, {b: yes}]\nm: *a\nn: !Ref thing  # c\nq:\n"
    data = text.encode()
    values, _ = yaml_events.documents(data, 0, len(data))
    assert [plain(v) for v in values] == [
        {"é": "x 'y'", "k": [1, {"b": "yes"}], "m": [1, {"b": "yes"}], "n": ("?", None), "q": None}]
    doc = values[0]
    assert data[doc.get("é").entry_start:doc.get("é").end].decode() == "é: 'x\n  ''y'''"
    assert data[doc.get("m").start:doc.get("m").end] == b"*a"
    assert doc.get("n").meta["tag"] == "!Ref"
    assert yaml.safe_load(text.split("n:")[0])["é"] == "x 'y'"


def test_comments_beside_libyaml_documents_suppress_findings(engine):
    text = FALSE_SYNTAX_ERRORS["annotation_json"].replace(
        "  hostPID: true\n", "  hostPID: true  # blastguard: ignore[K8S109] node agent, reviewed\n")
    assert {p for p in pairs(engine.analyze("m.yaml", text.encode())) if p[0].startswith("K8S")} == {("K8S110", 22)}
    data = b"a: '# not a comment\n  x' # real\n"
    _, scalars = yaml_events.documents(data, 0, len(data))
    assert yaml_events.comments(data, 0, len(data), scalars) == [(25, 31)]


def test_invalid_yaml_still_gets_bg001_at_tree_sitters_line(engine):
    result = engine.analyze("bad.yaml", b"apiVersion: v1\nkind: Pod\nspec:\n  hostPID: true\n  x: [\n  y: 1\n")
    assert pairs(result) == {("K8S109", 4), ("BG001", 5)}


def test_aliases_read_by_libyaml_keep_the_expansion_bound():
    data = alias_bomb().encode()
    with pytest.raises(DocumentError) as info:
        yaml_events.documents(data, 0, len(data))
    assert 50 ** 3 > ALIAS_BUDGET and info.value.line == 3


@pytest.mark.parametrize("shape,depth,line", [
    ("mappings", 300, 201),  # `a:` one space deeper each line
    ("sequence_of_mappings", 130, 101),  # `- a:` opens two levels a line
])
def test_nesting_the_grammar_cannot_hold_is_refused_naming_the_line(engine, shape, depth, line):
    if shape == "mappings":
        text = "".join(" " * i + "a:\n" for i in range(depth))
    else:
        text = "".join(" " * (2 * i) + "- a:\n" for i in range(depth))
    result = engine.analyze("deep.yaml", text.encode())
    assert [(e.line, e.message.split(" (")[0]) for e in result.errors] == [
        (line, f"YAML nested deeper than {yaml_stream.MAX_NESTING} levels")]


def test_the_nesting_pre_scan_passes_block_scalars_and_ordinary_depth():
    script = "run: |\n" + "".join(" " * (i + 2) + "x\n" for i in range(400))
    for text in (script, "".join(" " * i + "a:\n" for i in range(150))):
        data = text.encode()
        assert yaml_stream.nesting_problem(data, yaml_stream.split(data)[0]) is None


def test_an_editor_keeps_libyamls_reading_of_an_unchanged_document(engine, monkeypatch):
    from blastguard.lsp.documents import _point

    data = FALSE_SYNTAX_ERRORS["annotation_json"].encode()
    reuse = Reuse()
    tree = engine.analyze("m.yaml", data, None, reuse).tree
    calls = []
    real = yaml_events.documents
    monkeypatch.setattr(yaml_events, "documents", lambda *a: calls.append(a[1:]) or real(*a))
    for _ in range(3):  # type in the second document, whose text tree-sitter reads
        at = data.index(b"name: second") + len(b"name: second")
        new = data[:at] + b"x" + data[at:]
        edited = tree.copy()
        edited.edit(start_byte=at, old_end_byte=at, new_end_byte=at + 1, start_point=_point(data, at),
                    old_end_point=_point(data, at), new_end_point=_point(new, at + 1))
        result = engine.analyze("m.yaml", new, edited, reuse)
        assert calls == []  # the first document was read by libyaml once, before the edits
        fresh = engine.analyze("m.yaml", new, None, Reuse())
        assert pairs(result) == pairs(fresh) == pairs(engine.analyze("m.yaml", new)) == {("K8S109", 12), ("K8S110", 22)}
        calls.clear()
        # Only the second document was read again, and its tree, kept for the next keystroke, is a fresh parse's.
        kept = result.tree.kept()
        assert result.tree.analysed == [1] and list(kept) == [result.tree.spans()[1]]
        assert kept.items() <= fresh.tree.kept().items()
        data, tree = new, result.tree


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([b"---", b"...", b"\n", b" ", b"a: 1", b"# c", b"%YAML 1.2", b"\r\n", b"-", b".",
                                 b"--- |", b"\t", b"x"]), max_size=16))
def test_the_scan_goes_on_from_any_cut_as_from_the_start(pieces):
    """What an editor relies on to scan again only from the last cut before an edit."""
    data = b"".join(pieces)
    bounds = yaml_stream.cuts(data)
    assert bounds[0] == 0 and bounds[-1] == len(data) and (bounds == sorted(set(bounds)) or data == b"")
    for k, cut in enumerate(bounds[:-1]):
        assert [cut, *yaml_stream.following(data, cut)] == bounds[k:]


def test_byte_offsets_reach_the_end_of_a_non_ascii_text_a_whole_number_of_steps_long():
    # Found by the incremental property test: an edit left a document of exactly 1,024 code points.
    from blastguard.engine.documents.yaml_events import _STEP, _Offsets

    for steps in (1, 2):
        text = "é" + "a" * (steps * _STEP - 1)
        offsets = _Offsets(text, 10)
        assert offsets(len(text)) == 10 + len(text.encode("utf-8"))
        assert offsets(_STEP - 1) == 10 + len(text[:_STEP - 1].encode("utf-8"))
