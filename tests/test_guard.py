"""`blastguard guard` end to end: a fake agent (tests/fake_agent.py) runs the hook for each payload shape."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

FAKE_AGENT = Path(__file__).with_name("fake_agent.py")
GUARD = f"{shlex.quote(sys.executable)} -m blastguard guard"

BUCKET = 'resource "aws_s3_bucket" "logs" {\n  bucket        = "acme-logs"\n  force_destroy = true\n}\n'
DB = 'resource "aws_db_instance" "main" {\n  identifier          = "main"\n  skip_final_snapshot = false\n}\n'


@pytest.fixture
def repo(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "storage.tf").write_text(BUCKET)  # already risky: not this write's doing
    (tmp_path / "infra" / "db.tf").write_text(DB)
    return tmp_path


def agent(repo: Path, payload, command: str = GUARD) -> dict:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    done = subprocess.run([sys.executable, str(FAKE_AGENT), command], input=raw, capture_output=True,
                          cwd=repo, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def claude(repo: Path, tool: str, **tool_input) -> dict:
    return {"session_id": "s1", "transcript_path": str(repo / "t.jsonl"), "cwd": str(repo),
            "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": tool,
            "tool_input": tool_input, "tool_use_id": "toolu_01"}


def test_write_of_a_new_risky_file_is_denied_with_line_why_and_safer_text(repo):
    path = repo / "infra" / "cache.tf"
    result = agent(repo, claude(repo, "Write", file_path=str(path), content=BUCKET))
    assert (result["decision"], result["exit"], result["written"]) == ("deny", 2, False)
    assert result["reason"] == (
        f"Blastguard refused this write to {path}: it introduces 1 finding at or above warning.\n"
        "- line 3: TF101 (warning) Bucket is destroyed together with every object in it. force_destroy = true "
        "lets a destroy or a rename delete this bucket and all its objects without warning; remove it or set it "
        "to false.\n"
        "  Safer (Set force_destroy = false):\n"
        "    force_destroy = false\n"
        "Write the safer version instead; if the user really wants this change, ask them first.\n")
    assert not path.exists()


def test_what_the_file_already_had_never_denies(repo):
    path = repo / "infra" / "storage.tf"
    moved = 'resource "aws_s3_bucket" "logs" {\n  # reformatted\n  force_destroy = true\n  bucket = "acme-logs"\n}\n'
    result = agent(repo, claude(repo, "Write", file_path=str(path), content=moved))
    assert (result["decision"], result["stderr"], result["written"]) == ("allow", "", True)


def test_what_applying_the_write_would_destroy_denies(repo):
    path = repo / "infra" / "db.tf"
    renamed = agent(repo, claude(repo, "Write", file_path=str(path), content=DB.replace('"main" {', '"primary" {')))
    assert renamed["decision"] == "deny"
    assert renamed["reason"].splitlines()[1].startswith("- line 1: TF602 (error)")
    assert "moved {" in renamed["reason"]  # the safer text is the moved block
    emptied = agent(repo, claude(repo, "Write", file_path=str(path), content="# nothing here any more\n"))
    assert emptied["decision"] == "deny" and "- line 1: TF601 (error)" in emptied["reason"]


def test_edit_is_applied_to_the_file_on_disk_before_judging(repo):
    path = repo / "infra" / "db.tf"
    result = agent(repo, claude(repo, "Edit", file_path=str(path), old_string="skip_final_snapshot = false",
                                new_string="skip_final_snapshot = true", replace_all=False))
    assert result["decision"] == "deny"
    # The change rule (the final snapshot turned off) says it; TF103, which the file rule would add
    # for the same line, is not repeated.
    assert result["reason"].splitlines()[1].startswith("- line 3: TF607 (error) Deletion protection or the final "
                                                       "snapshot turned off. aws_db_instance.main turns off")
    assert path.read_text() == DB
    harmless = agent(repo, claude(repo, "Edit", file_path=str(path), old_string='identifier          = "main"',
                                  new_string='identifier          = "main" # primary'))
    assert (harmless["decision"], harmless["written"]) == ("allow", True)


def test_multi_edit_applies_every_edit_in_order(repo):
    path = repo / "infra" / "db.tf"
    result = agent(repo, claude(repo, "MultiEdit", file_path=str(path), edits=[
        {"old_string": '= "main"', "new_string": '= "primary"'},
        {"old_string": "skip_final_snapshot = false", "new_string": "skip_final_snapshot = true"},
        {"old_string": "primary", "new_string": "primary-db", "replace_all": True}]))
    assert result["decision"] == "deny" and "- line 3: TF607 (error)" in result["reason"]
    assert "- line 2: TF608 (error)" in result["reason"]  # the identifier forces a replacement
    assert path.read_text() == DB


def test_json_decision_is_claude_codes_documented_shape(repo):
    path = repo / "infra" / "cache.tf"
    payload = json.dumps(claude(repo, "Write", file_path=str(path), content=BUCKET)).encode()
    done = subprocess.run([sys.executable, "-m", "blastguard", "guard", "--json-decision"], input=payload,
                          capture_output=True, cwd=repo, timeout=120)
    assert (done.returncode, done.stderr) == (0, b"")
    decision = json.loads(done.stdout)["hookSpecificOutput"]
    assert set(decision) == {"hookEventName", "permissionDecision", "permissionDecisionReason"}
    assert decision["hookEventName"] == "PreToolUse" and decision["permissionDecision"] == "deny"
    assert decision["permissionDecisionReason"].startswith(f"Blastguard refused this write to {path}")
    result = agent(repo, json.loads(payload), GUARD + " --json-decision")
    assert (result["decision"], result["written"]) == ("deny", False)


def test_fail_on_sets_the_threshold(repo):
    path = repo / "infra" / "cache.tf"
    result = agent(repo, claude(repo, "Write", file_path=str(path), content=BUCKET), GUARD + " --fail-on error")
    assert (result["decision"], result["written"]) == ("allow", True)
    ignored = agent(repo, claude(repo, "Write", file_path=str(repo / "infra" / "third.tf"), content=BUCKET),
                    GUARD + " --ignore TF101")
    assert ignored["decision"] == "allow"
    other = repo / "infra" / "other.tf"
    result = agent(repo, claude(repo, "Write", file_path=str(other), content=BUCKET), GUARD + " --fail-on off")
    assert (result["decision"], result["written"]) == ("allow", True)


@pytest.mark.parametrize("payload, note", [
    ({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "terraform destroy"}},
     "tool 'Bash' is not a file write (Write, Edit, MultiEdit are checked)"),
    (b'{"tool_name": "Write", "tool_input": ', "the payload is not JSON (Expecting value at line 1)"),
    ({"hook_event_name": "PostToolUse", "tool_name": "Write", "tool_input": {"file_path": "x.tf"}},
     "PostToolUse is not a PreToolUse hook"),
    ([1, 2], "the payload is not a JSON object"),
    ({"something": "else"}, 'unknown payload: expected a Claude Code PreToolUse payload, {"path", "content"} '
                            'or {"path", "old", "new"}'),
])
def test_unknown_or_malformed_payloads_are_allowed_and_said_once(repo, payload, note):
    result = agent(repo, payload)
    assert (result["decision"], result["exit"]) == ("allow", 0)
    assert result["stderr"] == f"blastguard guard: allowed without checking: {note}\n"


def test_an_edit_the_tool_would_refuse_is_allowed_with_a_note(repo):
    path = repo / "infra" / "db.tf"
    result = agent(repo, claude(repo, "Edit", file_path=str(path), old_string="not in the file", new_string="x"))
    assert result["decision"] == "allow"
    assert result["stderr"] == (f"blastguard guard: allowed without checking: old_string is not in {path}, so "
                                "the edit cannot apply\n")


def test_plain_payloads_for_other_agents(repo):
    path = repo / "infra" / "cache.tf"
    result = agent(repo, {"path": str(path), "content": BUCKET})
    assert result["decision"] == "deny" and "- line 3: TF101 (warning)" in result["reason"]
    same = agent(repo, {"path": str(path), "old": BUCKET, "new": BUCKET + "\n"})
    assert same["decision"] == "allow"
    worse = agent(repo, {"path": str(path), "old": DB, "new": DB.replace("= false", "= true")})
    assert worse["decision"] == "deny" and "- line 3: TF607 (error)" in worse["reason"]


def test_the_projects_config_and_exclusions_apply(repo):
    (repo / ".blastguard.yaml").write_text("ignore: [TF103, TF607]\nexclude: [sandbox/]\n")
    path = repo / "infra" / "db.tf"
    edit = claude(repo, "Edit", file_path=str(path), old_string="skip_final_snapshot = false",
                  new_string="skip_final_snapshot = true")
    assert agent(repo, edit)["decision"] == "allow"
    sandbox = repo / "sandbox" / "x.tf"
    assert agent(repo, claude(repo, "Write", file_path=str(sandbox), content=BUCKET))["decision"] == "allow"
