"""`blastguard mcp` driven by the MCP SDK's own client over stdio: tools, structured output, errors."""

from __future__ import annotations

import subprocess
import sys

from importlib.util import find_spec

import pytest

# The SDK is an optional extra of the package and part of the test extra.
needs_sdk = pytest.mark.skipif(find_spec("mcp") is None, reason="the MCP SDK is absent (pip install -e '.[test]')")

RISKY = 'resource "aws_s3_bucket" "b" {\n  bucket        = "x"\n  force_destroy = true\n}\n'


def session_run(calls, cwd):
    """Start `blastguard mcp` as an agent would and run `calls(session)` against it."""
    import anyio
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    async def go():
        params = StdioServerParameters(command=sys.executable, args=["-m", "blastguard", "mcp"], cwd=str(cwd))
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                return await calls(session)
    return anyio.run(go)


@needs_sdk
def test_tools_publish_output_schemas_and_return_structured_results(tmp_path):
    async def calls(session):
        tools = {t.name: t for t in (await session.list_tools()).tools}
        checked = await session.call_tool("check_file_content", {"path": "infra/main.tf", "content": RISKY})
        clean = await session.call_tool("check_file_content", {"path": "infra/main.tf", "content": RISKY.replace(
            "true", "false")})
        other = await session.call_tool("check_file_content", {"path": "notes.txt", "content": RISKY})
        return tools, checked, clean, other

    tools, checked, clean, other = session_run(calls, tmp_path)
    assert set(tools) == {"check_file_content", "check_edit", "list_rules", "explain_rule"}
    assert set(tools["check_file_content"].output_schema["properties"]) == {
        "path", "checked", "findings", "fixed_content", "errors", "summary"}
    assert tools["check_file_content"].annotations.read_only_hint is True
    result = checked.structured_content
    assert not checked.is_error and result["summary"] == "1 finding" and result["checked"] is True
    (finding,) = result["findings"]
    assert finding == {
        "rule": "TF101", "title": "Bucket is destroyed together with every object in it", "severity": "warning",
        "line": 3, "column": 3, "end_line": 3, "end_column": 23,
        "why": "force_destroy = true lets a destroy or a rename delete this bucket and all its objects without "
               "warning; remove it or set it to false.",
        "fix": "Set force_destroy = false", "safer": "force_destroy = false"}
    assert result["fixed_content"] == RISKY.replace("force_destroy = true", "force_destroy = false")
    assert clean.structured_content["findings"] == [] and clean.structured_content["fixed_content"] is None
    assert other.structured_content["checked"] is False and other.structured_content["findings"] == []


@needs_sdk
def test_check_edit_reports_what_the_edit_introduces_and_destroys(tmp_path):
    (tmp_path / "storage.tf").write_text(RISKY)
    new = (RISKY.replace('bucket        = "x"', 'bucket = "x"') +
           'resource "aws_db_instance" "db" {\n  skip_final_snapshot = true\n}\n')

    async def calls(session):
        return (await session.call_tool("check_edit", {"path": "storage.tf", "old": RISKY, "new": new}),
                await session.call_tool("check_edit", {"path": "storage.tf", "new": "# emptied\n"}),
                await session.call_tool("check_edit", {"path": "new.tf", "new": RISKY}))

    edited, emptied, created = (r.structured_content for r in session_run(calls, tmp_path))
    assert [(f["rule"], f["line"]) for f in edited["introduced"]] == [("TF103", 6)]
    assert edited["introduced"][0]["safer"] == "skip_final_snapshot = false"
    assert (edited["destroyed"], edited["preexisting"]) == ([], 1)  # TF101 was there before
    assert edited["summary"] == "introduces 1 finding, no destructive changes (1 finding already there)"
    # old omitted: the file on disk; removing the bucket destroys it.
    assert [(f["rule"], f["severity"], f["line"]) for f in emptied["destroyed"]] == [("TF601", "error", 1)]
    assert "aws_s3_bucket.b" in emptied["destroyed"][0]["why"]
    assert [(f["rule"], f["line"]) for f in created["introduced"]] == [("TF101", 3)]  # a new file: all of it


@needs_sdk
def test_rules_are_listed_and_explained(tmp_path):
    async def calls(session):
        return (await session.call_tool("list_rules", {"language": "docker-compose"}),
                await session.call_tool("explain_rule", {"rule_id": "tf101"}),
                await session.call_tool("explain_rule", {"rule_id": "NOPE1"}))

    listed, explained, unknown = session_run(calls, tmp_path)
    ids = [r["id"] for r in listed.structured_content["rules"]]
    assert ids and all(i.startswith("DC") for i in ids) and ids == sorted(ids)
    rule = explained.structured_content
    assert rule["id"] == "TF101" and rule["fixable"] is True and rule["category"] == "destructive"
    assert rule["suppression"] == "# blastguard: ignore[TF101] <why this is safe here>"
    assert rule["references"] and rule["note"]
    assert unknown.is_error and "unknown rule 'NOPE1'; list_rules gives the ids" in unknown.content[0].text


@needs_sdk
def test_the_project_config_above_the_path_applies(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".blastguard.yaml").write_text("ignore: [TF101]\n")

    async def calls(session):
        return await session.call_tool("check_file_content", {"path": str(repo / "main.tf"), "content": RISKY})

    assert session_run(calls, tmp_path).structured_content["findings"] == []


def test_without_the_sdk_the_command_says_how_to_install_it(tmp_path):
    code = ("import sys; sys.modules['mcp'] = None\n"
            "from blastguard.cli import main\nsys.exit(main(['mcp']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "blastguard: error: blastguard mcp needs the MCP Python SDK: pip install 'blastguard[mcp]'\n"
