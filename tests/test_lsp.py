"""The language server end to end, over stdio with pytest-lsp: what an editor sees."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from tests.lsp_helpers import (
    NEOVIM, ROOT, VSCODE, apply_edits, codes_and_lines, open_document, pushed, session,
)

RISKY_TF = (ROOT / "examples" / "terraform" / "risky.tf").read_text()
RISKY_K8S = (ROOT / "examples" / "kubernetes" / "risky.yaml").read_text()
BUCKET = 'resource "aws_s3_bucket" "logs" {\n  bucket        = "acme-logs"\n  force_destroy = true\n}\n'


def expected(engine, name: str, text: str) -> set[tuple[str, int]]:
    return {(f.rule, f.start.line) for f in engine.analyze(name, text.encode()).findings}


@pytest.mark.asyncio
async def test_push_diagnostics_on_open_change_and_close(tmp_path, engine):
    async with session(NEOVIM, root=tmp_path) as client:
        uri = open_document(client, tmp_path / "main.tf", RISKY_TF)
        found = await pushed(client, uri, version=1)
        assert codes_and_lines(found) == expected(engine, "main.tf", RISKY_TF)
        first = found[0]
        assert first.source == "blastguard" and first.code_description.href.endswith(".yaml")
        k8s = open_document(client, tmp_path / "deploy.yaml", RISKY_K8S, language="yaml")
        assert codes_and_lines(await pushed(client, k8s, version=1)) == expected(engine, "deploy.yaml", RISKY_K8S)

        # Replace the whole text with one risky bucket: the findings follow, at the new version.
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=BUCKET)]))
        assert codes_and_lines(await pushed(client, uri, version=2)) == {("TF101", 3)}

        client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
        await pushed(client, uri, version=None)
        await asyncio.sleep(0.2)
        assert list(client.diagnostics[uri]) == []


@pytest.mark.asyncio
async def test_pull_diagnostics_when_the_client_asks_and_no_push_then(tmp_path, engine):
    async with session(VSCODE, root=tmp_path, pull=True) as client:
        assert client.init_result.capabilities.diagnostic_provider is not None
        uri = open_document(client, tmp_path / "deploy.yaml", RISKY_K8S, language="yaml")
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri)))
        assert codes_and_lines(report.items) == expected(engine, "deploy.yaml", RISKY_K8S)
        await asyncio.sleep(0.3)
        assert client.published == []  # never both to one client


@pytest.mark.asyncio
async def test_quick_fix_suppression_and_fix_all(tmp_path):
    async with session(NEOVIM, root=tmp_path) as client:
        uri = open_document(client, tmp_path / "main.tf", BUCKET)
        (diagnostic,) = await pushed(client, uri, version=1)
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri), range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic])))
        by_title = {a.title: a for a in actions}
        assert set(by_title) == {"Set force_destroy = false (TF101)", "Suppress TF101 on this line",
                                 "Fix all safely fixable Blastguard findings"}

        fix = by_title["Set force_destroy = false (TF101)"]
        assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
        (change,) = fix.edit.document_changes
        assert change.text_document.version == 1  # versioned: refused by the client if stale
        assert apply_edits(BUCKET, change.edits) == BUCKET.replace("force_destroy = true", "force_destroy = false")

        (change,) = by_title["Suppress TF101 on this line"].edit.document_changes
        assert apply_edits(BUCKET, change.edits) == BUCKET.replace(
            "  force_destroy", "  # blastguard: ignore[TF101] <reason>\n  force_destroy")

        fix_all = by_title["Fix all safely fixable Blastguard findings"]
        assert fix_all.kind == "source.fixAll.blastguard"
        only = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri), range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[], only=["source.fixAll.blastguard"])))
        assert [a.title for a in only] == ["Fix all safely fixable Blastguard findings"]


@pytest.mark.asyncio
async def test_fix_all_fixes_a_whole_file_and_the_result_is_clean(tmp_path, engine):
    async with session(NEOVIM, root=tmp_path) as client:
        uri = open_document(client, tmp_path / "main.tf", RISKY_TF)
        await pushed(client, uri, version=1)
        (action,) = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri), range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll])))
        fixed = apply_edits(RISKY_TF, action.edit.document_changes[0].edits)
        before, after = expected(engine, "main.tf", RISKY_TF), expected(engine, "main.tf", fixed)
        assert after < before and fixed.count("\n") == RISKY_TF.count("\n")


@pytest.mark.asyncio
async def test_hover_explains_the_blast_radius_the_fix_and_the_suppression(tmp_path):
    async with session(NEOVIM, root=tmp_path) as client:
        uri = open_document(client, tmp_path / "main.tf", BUCKET)
        await pushed(client, uri, version=1)
        hover = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri), position=types.Position(2, 20)))
        text = hover.contents.value
        assert hover.contents.kind == types.MarkupKind.Markdown
        assert text.startswith("**TF101: ")
        assert "What could happen" in text and "**Quick fix:** Set force_destroy = false" in text
        assert "# blastguard: ignore[TF101] <reason>" in text
        nothing = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri), position=types.Position(1, 4)))
        assert nothing is None


@pytest.mark.asyncio
async def test_settings_from_initialization_options_and_changes_pulled_from_the_client(tmp_path):
    init = {"blastguard": {"severity": {"TF101": "error"}}}
    async with session(VSCODE, root=tmp_path, init=init, configuration={"severity": {"TF101": "error"}}) as client:
        uri = open_document(client, tmp_path / "main.tf", BUCKET)
        (diagnostic,) = await pushed(client, uri, version=1)
        assert diagnostic.severity == types.DiagnosticSeverity.Error

        # The user turns the rule off: the server pulls workspace/configuration again.
        client.set_configuration({"severity": {"TF101": "error"}, "ignore": ["TF101"]}, section="blastguard")
        count = len(client.published)
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        for _ in range(100):
            if len(client.published) > count and client.published[-1].uri == uri:
                break
            await asyncio.sleep(0.05)
        assert list(client.diagnostics[uri]) == []

        # An invalid value: one message to the user, the defaults, and a server that still works.
        client.set_configuration({"debounceMs": "soon"}, section="blastguard")
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        for _ in range(100):
            if client.messages:
                break
            await asyncio.sleep(0.05)
        assert "debounceMs" in client.messages[-1].message
        assert client.messages[-1].type == types.MessageType.Warning
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=BUCKET + "\n")]))
        assert codes_and_lines(await pushed(client, uri, version=2)) == {("TF101", 3)}


@pytest.mark.asyncio
async def test_a_client_without_workspace_configuration_sends_settings_with_the_change(tmp_path):
    async with session(NEOVIM, root=tmp_path) as client:
        uri = open_document(client, tmp_path / "main.tf", BUCKET)
        assert codes_and_lines(await pushed(client, uri, version=1)) == {("TF101", 3)}
        count = len(client.published)
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
            settings={"blastguard": {"severity": {"TF101": "hint"}}}))
        for _ in range(100):
            if len(client.published) > count:
                break
            await asyncio.sleep(0.05)
        assert [d.severity for d in client.diagnostics[uri]] == [types.DiagnosticSeverity.Hint]


@pytest.mark.asyncio
async def test_project_config_applies_and_disabled_or_excluded_files_get_nothing(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".blastguard.yaml").write_text("severity: {TF101: info}\nexclude: [legacy/]\n")
    (tmp_path / "legacy").mkdir()
    async with session(NEOVIM, root=tmp_path) as client:
        uri = open_document(client, tmp_path / "main.tf", BUCKET)
        (diagnostic,) = await pushed(client, uri, version=1)
        assert diagnostic.severity == types.DiagnosticSeverity.Information
        old = open_document(client, tmp_path / "legacy" / "main.tf", BUCKET)
        assert list(await pushed(client, old, version=1)) == []
    async with session(NEOVIM, root=tmp_path, init={"enable": False}) as client:
        uri = open_document(client, tmp_path / "main.tf", BUCKET)
        assert list(await pushed(client, uri, version=1)) == []


@pytest.mark.asyncio
async def test_stale_results_are_dropped_and_the_last_version_wins(tmp_path):
    """Edits arrive faster than a large file is analysed: results for versions that were
    overtaken are never published, versions only go up, and the last one matches the text."""
    filler = RISKY_TF.replace("force_destroy", "force_destroy_x") * 40  # ~3,600 lines to analyse
    text = BUCKET + filler
    async with session(NEOVIM, root=tmp_path, debounce=0) as client:
        uri = open_document(client, tmp_path / "main.tf", text)
        await pushed(client, uri, version=1)
        count = len(client.published)
        for version in range(2, 202):
            # Toggle the bucket's force_destroy between true and false, as keystrokes would.
            old, new = ("true", "false") if "destroy = true" in text[:len(BUCKET) + 1] else ("false", "true")
            start = text.index(old)
            line, column = text.count("\n", 0, start), start - (text.rindex("\n", 0, start) + 1)
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(line, column), types.Position(line, column + len(old))),
                    text=new)]))
            text = text[:start] + new + text[start + len(old):]
        final = await pushed(client, uri, version=201)
        expected_final = {("TF101", 3)} if "destroy = true" in text[:len(BUCKET) + 1] else set()
        assert {(c, line) for c, line in codes_and_lines(final) if line <= 4} == expected_final
        versions = [p.version for p in client.published[count:] if p.uri == uri]
        assert versions == sorted(set(versions)) and versions[-1] == 201
        assert len(versions) < 200  # most were overtaken before their analysis finished


@pytest.mark.asyncio
@pytest.mark.parametrize("encodings,expected_character", [(None, 41), (["utf-8"], 47), (["utf-32"], 40)])
async def test_positions_use_the_negotiated_encoding(tmp_path, encodings, expected_character):
    # One line with an emoji (2 UTF-16 units, 4 bytes) and CJK (3 bytes each) before the finding.
    # CRLF line ends, and a form feed (not a line break in LSP) in a comment above it.
    text = ("apiVersion: v1\r\nkind: Pod\r\n# page\fbreak\r\nmetadata:\r\n  name: a\r\nspec:\r\n"
            "  containers:\r\n    - name: a\r\n"
            '      securityContext: {note: "😀 中文 x", privileged: true}\r\n')
    async with session(NEOVIM, root=tmp_path, encodings=encodings) as client:
        uri = open_document(client, tmp_path / "pod.yaml", text, language="yaml")
        found = [d for d in await pushed(client, uri, version=1) if d.code == "K8S101"]
        assert [(d.range.start.line, d.range.start.character) for d in found] == [(8, expected_character)]
        if encodings is None:
            (action,) = [a for a in await client.text_document_code_action_async(types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri), range=found[0].range,
                context=types.CodeActionContext(diagnostics=found, only=[types.CodeActionKind.QuickFix])))
                if a.is_preferred]
            fixed = apply_edits(text, action.edit.document_changes[0].edits)
            assert fixed == text.replace("privileged: true", "privileged: false")


@pytest.mark.asyncio
async def test_empty_tables_sent_as_empty_lists_are_empty_settings(tmp_path):
    """Neovim encodes an empty Lua table as []: it means no settings, not a bad value."""
    async with session(NEOVIM, root=tmp_path, init={"blastguard": {"severity": [], "ignore": []}}) as client:
        uri = open_document(client, tmp_path / "main.tf", BUCKET)
        assert codes_and_lines(await pushed(client, uri, version=1)) == {("TF101", 3)}
        await asyncio.sleep(0.2)
        assert client.messages == []


@pytest.mark.asyncio
@pytest.mark.parametrize("project, editor, message", [
    ("ignore:\n  - TF1O1\n", None, ".blastguard.yaml:2: ignore: unknown rule id or prefix 'TF1O1' (did you mean 'TF101'?)"),
    (None, {"severity": {"NOPE1": "info"}}, "Blastguard settings: severity: unknown rule id 'NOPE1'"),
])
async def test_an_unknown_rule_id_in_config_or_settings_is_shown_once(tmp_path, project, editor, message):
    """As `check` refuses them: a typo'd id would otherwise silently select or ignore nothing."""
    (tmp_path / ".git").mkdir()
    if project:
        (tmp_path / ".blastguard.yaml").write_text(project)
    async with session(NEOVIM, root=tmp_path, init={"blastguard": editor} if editor else None) as client:
        uri = open_document(client, tmp_path / "main.tf", BUCKET)
        assert codes_and_lines(await pushed(client, uri, version=1)) == {("TF101", 3)}
        for _ in range(100):
            if client.messages:
                break
            await asyncio.sleep(0.05)
        (shown,) = client.messages
        assert shown.type == types.MessageType.Warning
        assert shown.message == (str(tmp_path / message) if project else message)


@pytest.mark.asyncio
async def test_a_script_read_with_file_from_elsewhere_in_the_workspace_is_checked(tmp_path):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "init.sh").write_text("#!/bin/bash\nexport DB_PASSWORD='Qm7#vT2p!Lx9'\n")
    (tmp_path / "infra").mkdir()
    text = 'resource "aws_instance" "worker" {\n  user_data = file("${path.module}/../scripts/init.sh")\n}\n'
    async with session(NEOVIM, root=tmp_path) as client:
        uri = open_document(client, tmp_path / "infra" / "main.tf", text)
        assert codes_and_lines(await pushed(client, uri, version=1)) == {("TF507", 2)}


@pytest.mark.asyncio
async def test_a_saved_variables_file_is_read_again_by_the_open_files_of_its_folder(tmp_path):
    variables = 'variable "ssh_cidr" {\n  default = "10.0.0.0/8"\n}\n'
    (tmp_path / "variables.tf").write_text(variables)
    text = ('resource "aws_security_group_rule" "ssh" {\n  type        = "ingress"\n  from_port   = 22\n'
            '  to_port     = 22\n  protocol    = "tcp"\n  cidr_blocks = [var.ssh_cidr]\n'
            '  security_group_id = "sg-1"\n}\n')
    async with session(NEOVIM, root=tmp_path) as client:
        uri = open_document(client, tmp_path / "main.tf", text)
        assert codes_and_lines(await pushed(client, uri, version=1)) == set()
        saved = variables.replace("10.0.0.0/8", "0.0.0.0/0")
        other = open_document(client, tmp_path / "variables.tf", variables)
        await pushed(client, other, version=1)
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=other, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=saved)]))
        (tmp_path / "variables.tf").write_text(saved)
        del client.diagnostics[uri]
        client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(other)))
        found = await pushed(client, uri, version=1)
        assert codes_and_lines(found) == {("TF301", 6)}
        assert found[0].message.endswith("(the default of var.ssh_cidr, variables.tf line 2)")
