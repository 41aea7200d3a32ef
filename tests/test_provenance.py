"""Inserted-block provenance (lsp/provenance.py): which edits make a block, move it, or forget it."""

from __future__ import annotations

import random
import time

import pytest

from blastguard.engine.lines import changed_span
from blastguard.lsp.provenance import Provenance, line_count

BLOCK = b"a = 1\nb = 2\nc = 3\nd = 4\n"  # 4 lines


def tracker(min_lines: int = 3) -> Provenance:
    return Provenance(min_lines, clock=lambda: time.mktime((2026, 12, 3, 14, 2, 0, 0, 0, -1)))


def spans(p: Provenance) -> list[tuple[int, int, int]]:
    return [(b.start, b.end, b.lines) for b in p.blocks]


def test_a_large_insertion_is_a_block_with_its_time_and_lines():
    p = tracker()
    block = p.edit(10, 10, BLOCK)
    assert spans(p) == [(10, 10 + len(BLOCK), 4)]
    assert block.label == "in a block inserted at 14:02 (4 lines)"
    assert p.at(12, 15) is block and p.at(9, 12) is None and p.at(10 + len(BLOCK), 10 + len(BLOCK) + 1) is None


@pytest.mark.parametrize("text, made", [
    (b"x\ny\n", False),  # two lines: typing, not a paste
    (b"x\ny\nz", True),  # three, the last unterminated
    (b"\n\n\n\n", False),  # blank lines only
    (b"x\r\ny\r\nz\r\n", True),
])
def test_the_minimum_line_count(text, made):
    p = tracker(3)
    assert (p.edit(0, 0, text) is not None) == made


def test_zero_lines_turns_blocks_off():
    p = tracker(0)
    assert p.edit(0, 0, BLOCK * 10) is None and p.blocks == []


def test_edits_before_move_the_block_and_edits_after_leave_it():
    p = tracker()
    p.edit(100, 100, BLOCK)
    end = 100 + len(BLOCK)
    p.edit(5, 5, b"xyz")  # typed before
    assert spans(p) == [(103, end + 3, 4)]
    p.edit(0, 10, b"")  # deleted before
    assert spans(p) == [(93, end - 7, 4)]
    p.edit(93, 93, b"#")  # typed right at its start: before it
    assert spans(p) == [(94, end - 6, 4)]
    p.edit(end - 6, end - 6, b"tail")  # typed right at its end: after it
    p.edit(end + 50, end + 60, b"")
    assert spans(p) == [(94, end - 6, 4)]


def test_a_hand_edit_inside_forgets_the_block():
    p = tracker()
    p.edit(0, 0, BLOCK)
    p.edit(3, 3, b"x")
    assert p.blocks == []


def test_an_edit_across_its_edge_or_removing_it_forgets_it():
    p = tracker()
    p.edit(10, 10, BLOCK)
    p.edit(5, 12, b"")  # across the start
    assert p.blocks == []
    p.edit(10, 10, BLOCK)
    p.edit(0, 10 + len(BLOCK), b"")  # undo of the paste and more
    assert p.blocks == []


def test_a_paste_inside_a_block_replaces_it_with_the_new_block():
    p = tracker()
    p.edit(0, 0, BLOCK)
    new = p.edit(6, 6, BLOCK)
    assert p.blocks == [new] and spans(p) == [(6, 6 + len(BLOCK), 4)]


def test_two_blocks_and_save_forgets_them():
    p = tracker()
    first = p.edit(0, 0, BLOCK)
    second = p.edit(len(BLOCK) + 10, len(BLOCK) + 10, BLOCK)
    assert [b.id for b in p.blocks] == [first.id, second.id] and p.get(second.id) is second
    p.edit(len(BLOCK) + 2, len(BLOCK) + 2, b"x")  # between them
    assert spans(p) == [(0, len(BLOCK), 4), (len(BLOCK) + 11, 2 * len(BLOCK) + 11, 4)]
    p.forget()
    assert p.blocks == []


def test_a_whole_text_change_is_taken_as_the_edit_it_makes():
    old = b"head\ntail\n"
    new = b"head\n" + BLOCK + b"tail\n"
    p = tracker()
    start, old_end, new_end = changed_span(old, new)
    p.edit(start, old_end, new[start:new_end])
    assert spans(p) == [(5, 5 + len(BLOCK), 4)]


def test_line_count():
    assert [line_count(t) for t in (b"", b"x", b"x\n", b"x\ny", b"x\r\ny\r\n", b"x\ry\r")] == [0, 1, 1, 2, 2, 2]


def test_changed_span_matches_a_direct_scan():
    rng = random.Random(3)
    for _ in range(500):
        old = bytes(rng.choice(b"ab\n") for _ in range(rng.randrange(12)))
        new = bytes(rng.choice(b"ab\n") for _ in range(rng.randrange(12)))
        start, old_end, new_end = changed_span(old, new)
        assert old[:start] + new[start:new_end] + old[old_end:] == new
        assert old[:start] == new[:start] and old[old_end:] == new[new_end:]
        prefix = next((i for i in range(min(len(old), len(new))) if old[i] != new[i]), min(len(old), len(new)))
        assert start == prefix
        assert (len(old) - old_end) + start <= min(len(old), len(new))


def test_the_full_comparisons_findings_move_with_later_edits():
    """lsp.changes.Full: a destructive-change finding (and its fix) follows edits made after the
    comparison that found it, and waits for the next one when an edit touches it."""
    from blastguard.engine.lines import LineIndex
    from blastguard.engine.model import Edit, Finding, Fix, Position, Severity
    from blastguard.lsp.changes import Full

    text = b"aaaa\nbbbb\ncccc\n"
    lines = LineIndex(text)
    fix = Fix("add moved", (Edit(15, 15, "moved {}\n"),))
    finding = Finding("TF602", "destructive", Severity.ERROR, "main.tf", 5, 9, lines.position(5), lines.position(9),
                      "renamed", fix)
    full = Full([finding])
    assert full.moved(lines) == [finding]
    full.edits.append((0, 0, 3))  # "xyz" typed on the first line
    now = LineIndex(b"xyzaaaa\nbbbb\ncccc\n")
    (moved,) = full.moved(now)
    assert (moved.start_byte, moved.end_byte, moved.start, moved.fix.edits[0].start) == (8, 12, Position(2, 1), 18)
    full.edits.append((18, 18, 1))  # typed at the end, where the fix inserts: after it
    assert len(full.moved(now)) == 1
    full.edits.append((14, 15, 0))  # between the finding and its fix: wait for the next comparison
    assert full.moved(now) == []
