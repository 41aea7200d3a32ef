"""A pattern matched inside a multi-line value marks the line it matched, while a suppression
comment above the value (where a comment can stand) still covers it."""

from __future__ import annotations

from blastguard.engine.lines import LineIndex
from blastguard.lsp.convert import suppression_edit
from tests.test_incremental import _check_session

WORKFLOW = """on: issues
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
{comment}      - run: |
          echo "triage"
          echo "TITLE=${{{{ github.event.issue.title }}}}" >> "$GITHUB_ENV"
          echo "${{{{ github.event.issue.body }}}}"
"""


def _found(engine, text: str) -> set[tuple[str, int]]:
    result = engine.analyze(".github/workflows/triage.yml", text.encode())
    return {(f.rule, f.start.line) for f in result.findings}


def test_the_matched_line_inside_a_run_script_is_reported(engine):
    # Each line that pastes untrusted text is an injection of its own; only line 8 writes GITHUB_ENV.
    assert _found(engine, WORKFLOW.format(comment="")) == {("GHA102", 8), ("GHA102", 9), ("GHA105", 8)}


def test_a_comment_above_the_value_suppresses_what_is_found_inside_it(engine):
    comment = "      # blastguard: ignore[GHA102, GHA105] triage runs in a sandbox\n"
    assert _found(engine, WORKFLOW.format(comment=comment)) == set()
    # The line of the match, inside the script, is not where a YAML comment can stand: a `#` there
    # is shell text, and covers nothing.
    inner = WORKFLOW.format(comment="").replace(
        '          echo "TITLE', '          # blastguard: ignore[GHA102] shell text\n          echo "TITLE')
    assert _found(engine, inner) == {("GHA102", 9), ("GHA102", 10), ("GHA105", 9)}


def test_the_suppression_quick_fix_goes_above_the_value(engine):
    text = WORKFLOW.format(comment="")
    data = text.encode()
    result = engine.analyze(".github/workflows/triage.yml", data)
    finding = next(f for f in result.findings if f.rule == "GHA102")
    edit = suppression_edit(finding, LineIndex(data), "yaml")
    fixed = data[:edit.start] + edit.text.encode() + data[edit.end:]
    assert fixed.decode().splitlines()[5] == "      # blastguard: ignore[GHA102] <reason>"
    assert _found(engine, fixed.decode().replace("<reason>", "sandboxed")) == {("GHA105", 9)}
    assert finding.start.line == 8 and finding.anchor == data.index(b"run: |")


def test_a_value_whose_source_differs_from_its_text_keeps_the_key_line(engine):
    # A double-quoted scalar folds its escaped line breaks: the match is found on the key's line.
    text = 'on: issues\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n' \
           '      - run: "echo start\\necho ${{ github.event.issue.title }}"\n'
    assert _found(engine, text) == {("GHA102", 6)}


def test_edits_above_and_inside_the_value_move_its_marks_as_a_fresh_analysis_does(engine):
    text = WORKFLOW.format(comment="")
    at_run = text.index("run: |")
    _check_session(engine, text, ".github/workflows/triage.yml",
                   [(0, 0, "\n"), (at_run + 1, 0, "  # note\n"), (text.index("echo"), 0, "x"),
                    (len(text), 0, "          echo ${{ github.head_ref }}\n")])
