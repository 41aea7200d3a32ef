"""The language server against a base version in a temporary git repository (pytest-lsp, over
stdio): introduced and pre-existing findings, destructive changes as they are typed, inserted
blocks and their review actions, and the base read again on save and when the branch moves."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lsprotocol import types

from blastguard.engine.model import Severity
from tests.lsp_helpers import NEOVIM, VSCODE, codes_and_lines, open_document, pushed, session

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

HINT, INFORMATION = types.DiagnosticSeverity.Hint, types.DiagnosticSeverity.Information
LSP_SEVERITY = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning,
                Severity.INFO: INFORMATION, Severity.HINT: HINT}
INTRODUCED = "[introduced by this change]"
BUCKET = 'resource "aws_s3_bucket" "logs" {\n  bucket        = "acme-logs"\n  force_destroy = true\n}\n'
SSH = ('\nresource "aws_security_group" "ssh" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n'
       '    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n')
DATABASE = ('resource "aws_db_instance" "orders" {\n  identifier     = "orders"\n'
            '  instance_class = "db.t3.micro"\n}\n')
PASTED = ('resource "aws_s3_bucket" "pasted" {\n  bucket        = "pasted-logs"\n  force_destroy = true\n'
          '  tags = {\n    team  = "data"\n    owner = "ops"\n    env   = "prod"\n    cost  = "42"\n  }\n}\n')
assert PASTED.count("\n") == 10


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
                           "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                          cwd=repo, check=True, capture_output=True, text=True).stdout


def repository(root: Path, files: dict[str, str]) -> Path:
    """A git repository at root with `files` committed."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    for name, text in files.items():
        (root / name).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


async def settled(client, uri: str, version: int, check) -> list:
    """The diagnostics for `version` once `check` holds for them: the destructive changes come
    with a second publish of the same version, once the document rests (the full comparison)."""
    async def wait():
        while not (client.versions.get(uri) == version and check(client.diagnostics[uri])):
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return client.diagnostics[uri]
    return await asyncio.wait_for(wait(), 20)


def by_place(diagnostics) -> dict[tuple[str, int], types.Diagnostic]:
    return {(d.code, d.range.start.line + 1): d for d in diagnostics}


def own_severity(engine, text: str, rule: str):
    (finding,) = [f for f in engine.analyze("main.tf", text.encode()).findings if f.rule == rule]
    return LSP_SEVERITY[finding.severity]


def change(client, uri: str, version: int, start: tuple[int, int], end: tuple[int, int], text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(*start), types.Position(*end)), text=text)]))


async def actions_at(client, uri: str, diagnostic) -> dict[str, types.CodeAction]:
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri), range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic])))
    return {a.title: a for a in actions}


@pytest.mark.asyncio
async def test_preexisting_findings_are_lowered_and_typed_ones_keep_their_severity(tmp_path, engine):
    repo = repository(tmp_path / "repo", {"main.tf": BUCKET})
    async with session(NEOVIM, root=repo) as client:
        uri = open_document(client, repo / "main.tf", BUCKET)
        found = by_place(await pushed(client, uri, version=1))
        assert set(found) == {("TF101", 3)}
        assert found["TF101", 3].severity == HINT and INTRODUCED not in found["TF101", 3].message

        # Type a public ACL above it: the old finding moves down a line and is still the old one.
        typed = '  acl           = "public-read"\n'
        change(client, uri, 2, (2, 0), (2, 0), typed)
        found = by_place(await pushed(client, uri, version=2))
        assert set(found) == {("TF402", 3), ("TF101", 4)}
        assert found["TF101", 4].severity == HINT and not found["TF101", 4].message.endswith("]")
        new = found["TF402", 3]
        assert new.severity == own_severity(engine, BUCKET.replace("  force", typed + "  force"), "TF402")
        assert new.message.endswith(INTRODUCED)


@pytest.mark.asyncio
@pytest.mark.parametrize("setting, expected", [("information", INFORMATION), ("hidden", None)])
async def test_the_preexisting_severity_setting(tmp_path, setting, expected):
    repo = repository(tmp_path / "repo", {"main.tf": BUCKET})
    async with session(NEOVIM, root=repo, init={"preexistingSeverity": setting}) as client:
        uri = open_document(client, repo / "main.tf", BUCKET + SSH)
        found = by_place(await pushed(client, uri, version=1))
        if expected is None:
            assert set(found) == {("TF301", 11)}
        else:
            assert set(found) == {("TF101", 3), ("TF301", 11)} and found["TF101", 3].severity == expected


@pytest.mark.asyncio
async def test_a_rename_without_moved_shows_as_typed_and_the_moved_block_clears_it(tmp_path):
    repo = repository(tmp_path / "repo", {"main.tf": DATABASE})
    async with session(NEOVIM, root=repo) as client:
        uri = open_document(client, repo / "main.tf", DATABASE)
        assert list(await pushed(client, uri, version=1)) == []
        # Rename orders -> main, as typed: the label's text replaced.
        column = DATABASE.index('"orders"') + 1
        change(client, uri, 2, (0, column), (0, column + len("orders")), "main")
        found = await settled(client, uri, 2, lambda found: found)
        assert codes_and_lines(found) == {("TF602", 1)}
        (renamed,) = found
        assert "aws_db_instance.orders" in renamed.message and "aws_db_instance.main" in renamed.message
        assert renamed.severity == types.DiagnosticSeverity.Error  # a database: stateful
        # Its quick fix is the moved block.
        fixes = [a for a in (await actions_at(client, uri, renamed)).values() if a.is_preferred]
        assert len(fixes) == 1 and "moved" in fixes[0].edit.document_changes[0].edits[0].new_text

        # Type the moved block under the resource: nothing is destroyed any more.
        moved = "\nmoved {\n  from = aws_db_instance.orders\n  to   = aws_db_instance.main\n}\n"
        change(client, uri, 3, (4, 0), (4, 0), moved)
        assert list(await settled(client, uri, 3, lambda found: not found)) == []
        await asyncio.sleep(0.5)  # and the full comparison agrees
        assert client.versions[uri] == 3 and list(client.diagnostics[uri]) == []


@pytest.mark.asyncio
async def test_a_ten_line_insertion_names_its_block_and_offers_the_review(tmp_path):
    repo = repository(tmp_path / "repo", {"main.tf": DATABASE})
    async with session(NEOVIM, root=repo) as client:
        uri = open_document(client, repo / "main.tf", DATABASE)
        await pushed(client, uri, version=1)
        change(client, uri, 2, (4, 0), (4, 0), "\n" + PASTED)  # one change of 11 lines (a blank first)
        found = by_place(await pushed(client, uri, version=2))
        assert set(found) == {("TF101", 8)}
        message = found["TF101", 8].message
        assert re.search(r"\[introduced by this change; in a block inserted at \d\d:\d\d \(11 lines\)\]$", message)

        actions = await actions_at(client, uri, found["TF101", 8])
        review = actions["Review inserted block (11 lines)"]
        assert review.command.command == "blastguard.reviewBlock"
        assert review.command.arguments[0] == uri
        span = review.command.arguments[1]
        assert (span["start"], span["end"]) == ({"line": 4, "character": 0}, {"line": 15, "character": 0})
        report = actions["Show what this block destroys"].command
        assert report.command == "blastguard.showBlockReport"
        assert "blastguard.showBlockReport" in client.init_result.capabilities.execute_command_provider.commands
        assert "blastguard.reviewBlock" not in client.init_result.capabilities.execute_command_provider.commands

        text = await client.workspace_execute_command_async(types.ExecuteCommandParams(
            command=report.command, arguments=report.arguments))
        lines = text.splitlines()
        assert re.fullmatch(r"Blastguard: the block inserted at \d\d:\d\d \(11 lines\), lines 5-15:", lines[0])
        assert lines[1:] == ["destroys nothing.", "findings (1):",
                             f"  line 8: TF101 [warning] (introduced) {message.split(' [')[0]}"]
        assert [m.message for m in client.messages] == [text]  # sent before the answer

        # A hand edit inside the block: it is the user's now.
        change(client, uri, 3, (6, 10), (6, 10), "x")
        found = by_place(await pushed(client, uri, version=3))
        assert found["TF101", 8].message.endswith(INTRODUCED)
        actions = await actions_at(client, uri, found["TF101", 8])
        assert not any(title.startswith(("Review inserted block", "Show what")) for title in actions)


@pytest.mark.asyncio
async def test_a_pasted_replacement_shows_what_it_destroys(tmp_path):
    repo = repository(tmp_path / "repo", {"main.tf": DATABASE})
    async with session(NEOVIM, root=repo) as client:
        uri = open_document(client, repo / "main.tf", DATABASE)
        await pushed(client, uri, version=1)
        replacement = DATABASE.replace('"orders" {', '"main" {').replace(
            '  instance_class = "db.t3.micro"\n', '  instance_class = "db.t3.micro"\n  skip_final_snapshot = true\n')
        change(client, uri, 2, (0, 0), (4, 0), replacement)
        found = by_place(await settled(client, uri, 2, lambda found: any(d.code == "TF602" for d in found)))
        # TF607 (the final snapshot turned off) says what TF103 would, as a change: was -> now.
        assert set(found) == {("TF602", 1), ("TF607", 4)}
        assert all("in a block inserted at" in d.message for d in found.values())
        report = (await actions_at(client, uri, found["TF602", 1]))["Show what this block destroys"].command
        text = await client.workspace_execute_command_async(types.ExecuteCommandParams(
            command=report.command, arguments=report.arguments))
        assert "destroys (2):\n  line 1: TF602 aws_db_instance.orders is renamed" in text
        assert "\n  line 4: TF607 " in text


@pytest.mark.asyncio
async def test_pulled_diagnostics_carry_the_same_distinction(tmp_path, engine):
    repo = repository(tmp_path / "repo", {"main.tf": BUCKET})
    async with session(VSCODE, root=repo, pull=True) as client:
        uri = open_document(client, repo / "main.tf", BUCKET + SSH)
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri)))
        found = by_place(report.items)
        assert set(found) == {("TF101", 3), ("TF301", 11)}
        assert found["TF101", 3].severity == HINT
        assert found["TF301", 11].severity == own_severity(engine, BUCKET + SSH, "TF301")
        assert found["TF301", 11].message.endswith(INTRODUCED)


@pytest.mark.asyncio
async def test_the_base_is_read_again_on_save_and_when_the_branch_moves(tmp_path):
    repo = repository(tmp_path / "repo", {"main.tf": BUCKET})
    async with session(VSCODE, root=repo) as client:
        uri = open_document(client, repo / "main.tf", BUCKET + SSH)
        found = by_place(await pushed(client, uri, version=1))
        assert found["TF301", 11].message.endswith(INTRODUCED)
        # What the VS Code status bar shows ("1 introduced"), sent with every result, just after it.
        if not client.summaries:
            await asyncio.wait_for(client.wait_for_notification("blastguard/changeSummary"), 20)
        summary = client.summaries[-1]
        assert (summary.uri, summary.version, summary.base) == (uri, 1, "HEAD")
        assert (summary.introduced, summary.destroyed, summary.preexisting, summary.findings) == (1, 0, 1, 2)
        # Registered for HEAD and branch moves (VS Code 1.65 registers watchers dynamically).
        (watch,) = [r for r in client.registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
        assert [w["globPattern"] for w in watch.register_options["watchers"]] == ["**/.git/HEAD", "**/.git/refs/heads/**"]

        # Committed, then saved: the base is the new commit, nothing is introduced.
        (repo / "main.tf").write_text(BUCKET + SSH)
        git(repo, "commit", "-qam", "ssh")
        client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))
        await asyncio.wait_for(_until(lambda: not client.diagnostics[uri][-1].message.endswith(INTRODUCED)
                                      and len(client.diagnostics[uri]) == 2, client), 20)
        assert {d.severity for d in client.diagnostics[uri]} == {HINT}

        # The branch switched back to the first commit (a checkout): the watched HEAD says so.
        git(repo, "checkout", "-q", "HEAD~1")
        client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[types.FileEvent(
            uri=(repo / ".git" / "HEAD").as_uri(), type=types.FileChangeType.Changed)]))
        await asyncio.wait_for(_until(lambda: any(d.message.endswith(INTRODUCED) for d in client.diagnostics[uri]),
                                      client), 20)
        assert by_place(client.diagnostics[uri])["TF301", 11].message.endswith(INTRODUCED)


async def _until(check, client) -> None:
    while not check():
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)


@pytest.mark.asyncio
@pytest.mark.parametrize("how", ["no base setting", "untitled", "outside the repository"])
async def test_without_a_base_findings_are_as_before(tmp_path, engine, how):
    repo = repository(tmp_path / "repo", {"main.tf": BUCKET})
    init = {"diffBase": ""} if how == "no base setting" else None
    async with session(NEOVIM, root=repo, init=init) as client:
        if how == "untitled":
            uri = "untitled:Untitled-1"
            client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
                uri=uri, language_id="terraform", version=1, text=BUCKET + SSH)))
        else:
            path = repo / "main.tf" if how == "no base setting" else tmp_path / "elsewhere" / "main.tf"
            uri = open_document(client, path, BUCKET + SSH)
        found = by_place(await pushed(client, uri, version=1))
        if how == "untitled":  # no file name: no language either, as today
            assert found == {}
            return
        assert set(found) == {("TF101", 3), ("TF301", 11)}
        assert found["TF101", 3].severity == own_severity(engine, BUCKET, "TF101")
        assert not any("introduced" in d.message for d in found.values())


@pytest.mark.parametrize("given, problem", [
    ({"diffBase": "origin/main", "preexistingSeverity": "hidden", "insertedBlockMinLines": 0}, ""),
    ({"diffBase": "--output=/tmp/x"}, "diffBase must be a git revision"),
    ({"diffBase": "HEAD\nmain"}, "diffBase must be a git revision"),
    ({"preexistingSeverity": "warning"}, "preexistingSeverity must be one of hint, information, hidden"),
    ({"insertedBlockMinLines": -1}, "insertedBlockMinLines must be a whole number"),
    ({"insertedBlockMinLines": True}, "insertedBlockMinLines must be a whole number"),
])
def test_the_change_settings_are_checked(tmp_path, given, problem):
    from blastguard.lsp import settings

    read = settings.read({"blastguard": given}, tmp_path)
    assert problem in read.problem and bool(read.problem) == bool(problem)
    if problem:  # refused: the defaults
        assert (read.diff_base, read.preexisting, read.block_min_lines) == ("HEAD", "hint", 3)
    else:
        assert (read.diff_base, read.preexisting, read.block_min_lines) == ("origin/main", "hidden", 0)


def test_pushed_diagnostics_reused_across_edits_equal_freshly_converted_ones(engine):
    """The push path keeps each diagnostic's JSON by what it shows: after edits that move,
    add and remove findings (in ASCII text, then with non-ASCII text before some), it sends what
    converting afresh sends."""
    import json

    from pygls.protocol import default_converter

    from blastguard.engine.reuse import Reuse
    from blastguard.lsp import changes
    from blastguard.lsp.documents import OpenDocument
    from blastguard.lsp.positions import UTF16
    from tests.conftest import ROOT

    unstructure = default_converter().unstructure
    rules = {r.id: r for r in engine.rules.rules}
    text = (ROOT / "examples" / "kubernetes" / "risky.yaml").read_text()
    doc = OpenDocument("file:///w/k.yaml", "/w/k.yaml", 1, text.encode())
    doc.reuse = Reuse()
    # ASCII text first (positions read from the findings), then text before some findings that is not.
    edits = [(200, 0, "x"), (200, 1, ""), (len(text) - 5, 0, "\n    privileged: true\n"), (0, 0, "\n"),
             (0, 0, "# é😀\n"), (200, 0, "x"), (200, 1, ""), (len(text) - 5, 0, "\n    privileged: true\n"),
             (10, 30, ""), (0, 0, "---\n")]
    for at, length, insert in [(0, 0, "")] + edits:
        before = doc.data.decode()
        at = min(at, len(before))
        doc.apply(types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(*_position(before, at)), types.Position(*_position(before, at + length))),
            text=insert), UTF16)
        doc.result = engine.analyze(doc.path, doc.data, None, doc.reuse)
        fresh = [unstructure(d) for d in changes.diagnostics(doc, UTF16, rules, "hint")]
        assert fresh and [json.loads(d) for d in changes.pushed(doc, UTF16, rules, "hint", unstructure)] == fresh


def _position(text: str, at: int) -> tuple[int, int]:
    """(line, UTF-16 column) of a character offset, as a client computes it."""
    line = text.count("\n", 0, at)
    column = text[text.rfind("\n", 0, at) + 1:at]
    return line, len(column.encode("utf-16-le")) // 2
