"""Incremental analysis: after any sequence of edits, the edited-and-re-parsed tree, with the
findings of unchanged blocks and documents reused, gives exactly the findings (and the tree)
of a fresh analysis of the same text."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lsprotocol import types

from blastguard.engine.documents.terraform_hcl import Regions, _parse
from blastguard.engine.documents.yaml_editing import Stream
from blastguard.engine.documents.yaml_stream import Segment
from blastguard.engine.documents.yaml_stream import parse as parse_yaml
from blastguard.engine.reuse import Reuse
from blastguard.lsp.documents import OpenDocument
from blastguard.lsp.positions import UTF16, to_position
from tests.conftest import ROOT, SHARED
from tests.test_fuzz import SOURCES
from tests.test_yaml_streams import FALSE_SYNTAX_ERRORS, POD

# A few real files of each kind, when ../shared is beside the checkout.
CORPUS = SHARED / "corpus" / "realworld"
REAL = []
if CORPUS.is_dir():
    for pattern in ("*.tf", "*.yaml", "*.json"):
        for path in sorted(CORPUS.rglob(pattern))[:12]:
            REAL.append((path.read_text(encoding="utf-8", errors="replace"), path.name))
CASES = SOURCES + REAL
PIECES = ["", "x", " ", "\n", "\r\n", "{", "}", '"', "=", ":", "- ", "#", "true", "0.0.0.0/0", "😀", "中文",
          "\t", "resource \"a\" \"b\" {\n", "output \"o\" {\n  value = a.b\n}\n",
          "variable \"db_password\" {\n  default = \"Xq7!vR2#pL9@wT4z\"\n}\n", "  privileged: true\n", "${var.x}", "[", "]", ","]


@st.composite
def session(draw):
    source, path = draw(st.sampled_from(CASES))
    edits = []
    length = len(source)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, length))
        delete = draw(st.integers(0, min(8, length - at)))
        text = draw(st.sampled_from(PIECES))
        edits.append((at, delete, text))
        length += len(text) - delete
    return source, path, edits


def findings(result):
    return sorted((f.rule, f.start_byte, f.end_byte, f.message, f.anchor) for f in result.findings)


# Found by this test: an edit inside a trust policy document, with the role that uses it
# unchanged, read the document as a resource policy (TF208 instead of TF206); so did a tab typed
# at the end of its type label, which the grammar leaves out of the label.
TRUST = next(s for s in CASES if s[0].startswith('data "aws_iam_policy_document" "trust"')
             and 'identifiers = ["*"]' in s[0] and '"aws_iam_role" "open"' in s[0])
# Also found by it: a region broken by several edits, re-parsed from its edited old tree,
# recovered from its errors differently from a fresh parse (which the next keystroke builds on).
TOPIC = next(s for s in CASES if s[0].startswith('data "aws_iam_policy_document" "topic"'))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=session())
@example(case=(TRUST[0], TRUST[1], [(4, 0, " ")]))
@example(case=(TRUST[0], TRUST[1], [(29, 0, "\t")]))
@example(case=(TOPIC[0], TOPIC[1], [(0, 7, ''), (186, 3, '"'), (1, 0, '"'), (195, 0, '"')]))
def test_edited_tree_gives_the_findings_of_a_fresh_parse(engine, case):
    source, path, edits = case
    _check_session(engine, source, path, edits)


def _check_session(engine, source: str, path: str, edits: list[tuple[int, int, str]]) -> None:
    text = source
    doc = OpenDocument("file:///w/" + path, path, 1, text.encode())
    reuse = Reuse()
    doc.tree = engine.analyze(path, doc.data, None, reuse).tree
    for at, delete, insert in edits:
        at = _outside_crlf(text, min(at, len(text)))
        delete = _outside_crlf(text, min(at + delete, len(text))) - at
        # LSP positions in UTF-16 units, computed from character offsets as a client would.
        start_byte = len(text[:at].encode())
        end_byte = len(text[:at + delete].encode())
        start, end = to_position(doc.lines, start_byte, UTF16), to_position(doc.lines, end_byte, UTF16)
        change = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(*start), types.Position(*end)), text=insert)
        doc.apply(change, UTF16)
        text = text[:at] + insert + text[at + delete:]
        assert doc.data == text.encode()
        incremental = engine.analyze(path, doc.data, doc.tree.copy() if doc.tree is not None else None, reuse)
        fresh = engine.analyze(path, doc.data)
        assert findings(incremental) == findings(fresh)
        assert [(f.start, f.end, f.fix) for f in sorted(incremental.findings, key=lambda f: f.sort_key)] == \
            [(f.start, f.end, f.fix) for f in sorted(fresh.findings, key=lambda f: f.sort_key)]
        assert incremental.errors == fresh.errors
        if isinstance(incremental.tree, Regions):
            # The same regions, and each tree kept for the next keystroke is a fresh parse's.
            assert incremental.tree.spans() == fresh.tree.spans()
            for (start, end), sexp in incremental.tree.kept().items():
                assert sexp == str(_parse(fresh.tree, fresh.tree.starts.index(start), None).root_node)
        elif isinstance(incremental.tree, Stream):
            # The same documents at the same rows, and each tree kept for the next keystroke is a
            # fresh parse's (a scan keeps no Stream: an editor's fresh analysis gives one).
            stream = engine.analyze(path, doc.data, None, Reuse()).tree
            assert (incremental.tree.spans(), incremental.tree.rows) == (stream.spans(), stream.rows)
            assert incremental.tree.data == stream.data
            for (start, end), sexp in incremental.tree.kept().items():
                k = stream.bounds.index(start)
                segment = Segment(start, end, stream.rows[k], stream.data.count(b"\n", start, end))
                assert sexp == str(parse_yaml(stream.data, segment, None).root_node)
        elif incremental.tree is not None and fresh.tree is not None:
            assert str(incremental.tree.root_node) == str(fresh.tree.root_node)
        doc.tree = incremental.tree


# A bundle whose documents hold findings, one a suppression comment, one only libyaml reads
# (tree-sitter takes its JSON annotation for an error) and a comment-only one: edits that add
# and remove lines before documents with findings, and `---` / `...` separators made and broken.
BUNDLE = "---\n".join([
    (ROOT / "examples" / "kubernetes" / "risky.yaml").read_text(),
    "# only a comment\n",
    FALSE_SYNTAX_ERRORS["annotation_json"],
    POD.format(name="quiet").replace("      privileged", "      # blastguard: ignore[K8S101] a test pod\n"
                                                        "      privileged"),
    (ROOT / "examples" / "kubernetes" / "risky.yaml").read_text(),
])
BUNDLE_PIECES = ["", "x", "\n", "\n\n", "---\n", "\n---\n", "---", "...\n", "--- |\n", "-", ".", " ", "#", ":",
                 "kind: Pod\n", "  privileged: true\n", "\r\n", "é", "  hostPID: true\n", "blastguard"]


@st.composite
def bundle_session(draw):
    edits = []
    length = len(BUNDLE)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, length))
        delete = draw(st.integers(0, min(12, length - at)))
        edits.append((at, delete, draw(st.sampled_from(BUNDLE_PIECES))))
        length += len(edits[-1][2]) - delete
    return edits


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=bundle_session())
@example(edits=[(0, 0, "\n\n")])  # lines added before every document with findings
@example(edits=[(BUNDLE.index("---\n# only"), 4, "")])  # a separator removed: two documents become one
@example(edits=[(BUNDLE.index("kind: Pod", 2000), 0, "---\n")])  # one added: a document split in two
@example(edits=[(BUNDLE.index("---\n# only"), 1, ""), (BUNDLE.index("---\n# only"), 0, "-")])  # broken, mended
@example(edits=[(BUNDLE.index("# blastguard"), 1, "")])  # the suppression comment made plain text
def test_an_edited_bundle_gives_the_findings_of_a_fresh_analysis(engine, edits):
    _check_session(engine, BUNDLE, "bundle.yaml", edits)


def _outside_crlf(text: str, at: int) -> int:
    """LSP cannot address the middle of a \r\n line break; no client edits there."""
    return at + 1 if 0 < at < len(text) and text[at - 1] == "\r" and text[at] == "\n" else at
