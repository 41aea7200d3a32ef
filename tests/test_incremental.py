"""Incremental analysis: after any sequence of edits, the edited-and-re-parsed tree, with the
findings of unchanged blocks and documents reused, gives exactly the findings (and the tree)
of a fresh analysis of the same text."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lsprotocol import types

from blastguard.engine.documents.terraform_hcl import Regions, _parse
from blastguard.engine.documents.yaml_stream import Trees
from blastguard.engine.reuse import Reuse
from blastguard.lsp.documents import OpenDocument
from blastguard.lsp.positions import UTF16, to_position
from tests.conftest import SHARED
from tests.test_fuzz import SOURCES

# A few real files of each kind, when ../shared is beside the checkout.
CORPUS = SHARED / "corpus" / "realworld"
REAL = []
if CORPUS.is_dir():
    for pattern in ("*.tf", "*.yaml", "*.json"):
        for path in sorted(CORPUS.rglob(pattern))[:12]:
            REAL.append((path.read_text(encoding="utf-8", errors="replace"), path.name))
CASES = SOURCES + REAL
PIECES = ["", "x", " ", "\n", "\r\n", "{", "}", '"', "=", ":", "- ", "#", "true", "0.0.0.0/0", "😀", "中文",
          "\t", "resource \"a\" \"b\" {\n", "  privileged: true\n", "${var.x}", "[", "]", ","]


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
    return sorted((f.rule, f.start_byte, f.end_byte, f.message) for f in result.findings)


# Found by this test: an edit inside a trust policy document, with the role that uses it
# unchanged, read the document as a resource policy (TF208 instead of TF206); so did a tab typed
# at the end of its type label, which the grammar leaves out of the label.
TRUST = next(s for s in CASES if s[0].startswith('data "aws_iam_policy_document" "trust"')
             and 'identifiers = ["*"]' in s[0] and '"aws_iam_role" "open"' in s[0])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=session())
@example(case=(TRUST[0], TRUST[1], [(4, 0, " ")]))
@example(case=(TRUST[0], TRUST[1], [(29, 0, "\t")]))
def test_edited_tree_gives_the_findings_of_a_fresh_parse(engine, case):
    source, path, edits = case
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
        else:
            # A scan lets YAML trees go as it reads; an editor's fresh analysis keeps them.
            fresh_tree = fresh.tree if fresh.tree is not None else engine.analyze(path, doc.data, None, Reuse()).tree
            if incremental.tree is not None and fresh_tree is not None:
                assert _sexp(incremental.tree) == _sexp(fresh_tree)
        doc.tree = incremental.tree


def _sexp(tree) -> str:
    """A tree's S-expression (a YAML file has one tree per document)."""
    return tree.sexp() if isinstance(tree, Trees) else str(tree.root_node)


def _outside_crlf(text: str, at: int) -> int:
    """LSP cannot address the middle of a \r\n line break; no client edits there."""
    return at + 1 if 0 < at < len(text) and text[at - 1] == "\r" and text[at] == "\n" else at
