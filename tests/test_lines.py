"""Positions: lines split only on \\r\\n, \\r and \\n; columns count code points."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from blastguard.engine.lines import LineIndex
from blastguard.engine.model import Position


def test_line_breaks_are_those_lsp_uses():
    index = LineIndex("a\r\nb\rc\nd\x0ce\u2028f".encode())
    assert index.starts == [0, 3, 5, 7]
    assert index.position(len("a\r\nb\rc\nd\x0ce".encode())) == Position(4, 4)  # form feed is not a break


def test_columns_count_code_points_not_bytes():
    data = 'x = "é😀"  # ok'.encode()
    assert LineIndex(data).position(data.index(b"#")) == Position(1, 11)


def test_crlf_findings_report_the_right_line(engine):
    text = 'resource "aws_s3_bucket" "b" {\r\n  bucket = "é"\r\n  force_destroy = true\r\n}\r\n'
    (finding,) = engine.analyze("main.tf", text.encode()).findings
    assert (finding.start, finding.end) == (Position(3, 3), Position(3, 23))


PIECES = st.sampled_from([b"a", b"\n", b"\r", b"\r\n", b"", b"xy", "é".encode(), b"\x0c"])


@settings(max_examples=500, deadline=None)
@given(before=st.lists(PIECES, max_size=30), at=st.integers(0, 200), length=st.integers(0, 8),
       inserted=st.lists(PIECES, max_size=6))
def test_an_edited_index_equals_a_fresh_one(before, at, length, inserted):
    data = b"".join(before)
    start = min(at, len(data))
    end = min(start + length, len(data))
    text = b"".join(inserted)
    edited = LineIndex(data).edited(start, end, text)
    fresh = LineIndex(data[:start] + text + data[end:])
    assert (edited.data, edited.starts) == (fresh.data, fresh.starts)


@settings(max_examples=300, deadline=None)
@given(before=st.lists(PIECES, max_size=120),
       edits=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 12), st.lists(PIECES, max_size=8)),
                      min_size=1, max_size=12))
def test_an_index_edited_many_times_in_small_blocks_equals_a_fresh_one(before, edits):
    """Blocks of 3 lines (256 in use), so edits split blocks, empty lines out of them and shift
    the blocks after; each edited index answers every question as a fresh one does."""
    from blastguard.engine import lines as module

    saved, module._BLOCK = module._BLOCK, 3
    try:
        data = b"".join(before)
        index = LineIndex(data)
        for at, length, inserted in edits:
            start = min(at, len(data))
            end = min(start + length, len(data))
            text = b"".join(inserted)
            previous = list(index.starts)
            edited = index.edited(start, end, text)
            assert list(index.starts) == previous  # the index edited is left as it was
            data = data[:start] + text + data[end:]
            fresh = LineIndex(data)
            assert (edited.data, list(edited.starts), len(edited.starts)) == \
                (fresh.data, fresh.starts, len(fresh.starts))
            offsets = range(-1, len(data) + 2)
            assert [edited.line_of(o) for o in offsets] == [fresh.line_of(o) for o in offsets]
            assert [edited.starts[i] for i in range(len(fresh.starts))] == fresh.starts
            assert [edited.locate(o) for o in range(len(data) + 1)] == [fresh.locate(o) for o in range(len(data) + 1)]
            assert [edited.position(o) for o in range(len(data) + 1)] == [fresh.position(o) for o in range(len(data) + 1)]
            index = edited
    finally:
        module._BLOCK = saved
