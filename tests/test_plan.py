"""Terraform plans: every delete, replacement and forget, with Terraform's reason; see fixtures/plans/README.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from blastguard.cli import main
from blastguard.engine import plan
from blastguard.engine.options import Options
from blastguard.engine.model import Severity

MIXED = Path(__file__).parent / "fixtures" / "plans" / "mixed.json"
# What destroying each type loses, as the destructive-change table says it (a stand-in here:
# the engine function takes the table as a parameter).
LOSES = {"aws_db_instance": "the database", "aws_rds_cluster": "the cluster's data",
         "aws_s3_bucket": "the bucket", "aws_kms_key": "the key", "aws_dynamodb_table": "every item"}


def found(data: bytes, options: Options = Options()):
    return {(f.rule, f.start.line, f.severity.label)
            for f in plan.findings("plan.json", data, options, LOSES.get)}


def test_every_destroying_action_with_its_rule_line_and_severity():
    assert found(MIXED.read_bytes()) == {
        ("TF902", 49, "error"),     # aws_db_instance.main, ["delete", "create"], engine forces it
        ("TF904", 64, "warning"),   # aws_instance.web, ["create", "delete"]
        ("TF901", 79, "error"),     # aws_s3_bucket.logs["eu"], for_each key gone
        ("TF903", 89, "warning"),   # aws_instance.worker[2], count index gone
        ("TF903", 99, "warning"),   # module.network.aws_security_group.old, module gone
        ("TF902", 109, "error"),    # module.db.aws_rds_cluster.this, tainted
        ("TF905", 141, "info"),     # aws_dynamodb_table.legacy, ["forget"]
        ("TF901", 149, "error"),    # aws_kms_key.main, deposed object
    }  # not: data sources (read, or a data "delete"), the update, the no-op move, the create


def test_messages_carry_terraforms_reason_and_what_to_do():
    messages = {f.start.line: f.message for f in plan.findings("plan.json", MIXED.read_bytes(), Options(), LOSES.get)}
    assert messages[49] == (
        "Terraform will replace aws_db_instance.main (destroy, then create) because the provider cannot "
        "make this change in place: `engine` forces replacement; the new object starts empty, and this is "
        "lost with the old one: the database. Revert the change to `engine` unless a new object is intended; "
        "copy the data out first (snapshot, export).")
    assert messages[64].startswith(
        "Terraform will replace aws_instance.web (create before destroy) because the provider cannot make "
        "this change in place: `ami`, `root_block_device[0].volume_type` force replacement.")
    assert messages[79] == (
        'Terraform will destroy aws_s3_bucket.logs["eu"] because for_each no longer has the key "eu"; '
        "lost: the bucket. If the key was renamed, add a `moved` block from the old key to the new one.")
    assert "because count no longer reaches index 2" in messages[89]
    assert "because its module is no longer in the configuration" in messages[99]
    assert "because it is tainted" in messages[109]
    assert messages[141] == (
        "Terraform will forget aws_dynamodb_table.legacy: the object is not destroyed, but it leaves the "
        "state, so Terraform no longer manages it (nor deletes it later).")
    assert "(deposed object deadbeef, left by an earlier create-before-destroy)" in messages[149]


def test_unknown_reasons_and_future_delete_combinations_still_count():
    doc = {"format_version": "1.2", "resource_changes": [
        {"address": "aws_s3_bucket.a", "mode": "managed", "type": "aws_s3_bucket", "name": "a",
         "change": {"actions": ["delete", "create", "read"]}, "action_reason": "replace_because_moon_phase"}]}
    (finding,) = plan.findings("plan.json", json.dumps(doc).encode(), Options(), LOSES.get)
    assert finding.rule == "TF902" and "(Terraform's reason: replace_because_moon_phase)" in finding.message


def test_one_line_plans_as_terraform_prints_them_are_positioned_by_column():
    data = json.dumps(json.loads(MIXED.read_bytes()), separators=(",", ":")).encode()
    findings = plan.findings("plan.json", data, Options(), LOSES.get)
    assert {f.start.line for f in findings} == {1}
    assert [data[f.start_byte:f.end_byte].decode() for f in findings][:2] == [
        '"aws_db_instance.main"', '"aws_instance.web"']


def test_selection_and_severity_overrides_apply():
    data = MIXED.read_bytes()
    assert {r for r, _, _ in found(data, Options(select=("TF905",)))} == {"TF905"}
    assert ("TF905", 141, "error") in found(data, Options(severity={"TF905": Severity.ERROR}))
    assert not any(r == "TF903" for r, _, _ in found(data, Options(severity={"TF903": Severity.OFF})))


@pytest.mark.parametrize("text, message", [
    (b'{"format_version": "1.2", "resource_changes": [', "invalid JSON: Expecting value"),
    (b'{"format_version": "1.0", "terraform_version": "1.5.0", "values": {}}', "a state: expected"),
    (b'{"Resources": {}}', "not a plan: expected"),
    (b'[1, 2]', "not a plan: expected"),
    (b'{"format_version": "2.0", "resource_changes": []}', "unsupported plan format_version 2.0"),
    (b'\xff\xfe', "not UTF-8 text"),
])
def test_what_is_not_a_readable_plan_is_one_error(text, message):
    with pytest.raises(plan.PlanError) as caught:
        plan.read(text)
    assert str(caught.value).startswith(message)


# -- the command -------------------------------------------------------------------------------

# The plan rules with the bundled stateful table, and the file rules on planned_values
# (TF101 force_destroy on aws_s3_bucket.assets, TF103 skip_final_snapshot on the RDS cluster).
EXPECTED = {("TF101", 14), ("TF103", 39), ("TF902", 49), ("TF904", 64), ("TF901", 79), ("TF903", 89),
            ("TF903", 99), ("TF902", 109), ("TF905", 141), ("TF901", 149)}


def run(capsys, *args):
    code = main(["plan", *args])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out, out.err


@pytest.fixture
def plan_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    target = tmp_path / "tfplan.json"
    target.write_bytes(MIXED.read_bytes())
    return target


def test_text_output_names_the_address_and_exits_1(plan_file, capsys):
    code, out, _ = run(capsys, "tfplan.json")
    assert code == 1
    lines = out.splitlines()
    assert {(line.split()[2], int(line.split(":")[1])) for line in lines[:-1]} == EXPECTED
    assert lines[0] == ("tfplan.json:14:47: warning TF101 aws_s3_bucket.assets: force_destroy = true lets a "
                        "destroy or a rename delete this bucket and all its objects without warning; remove it "
                        "or set it to false.")
    assert lines[-1] == "1 file checked: 5 errors, 4 warnings, 1 info in 1 file"


def test_json_sarif_and_github_formats_carry_the_same_findings(plan_file, capsys):
    code, out, _ = run(capsys, "--format", "json", "tfplan.json")
    report = json.loads(out)
    assert code == 1 and {(f["rule"], f["start"]["line"]) for f in report["findings"]} == EXPECTED
    assert all(f["fix"] is None for f in report["findings"])  # fixes belong in the .tf source
    code, out, _ = run(capsys, "--format", "sarif", "tfplan.json")
    results = json.loads(out)["runs"][0]["results"]
    assert code == 1 and {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
                          for r in results} == EXPECTED
    rules = {d["id"]: d for d in json.loads(out)["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["TF901"]["name"] == "Plan destroys a stateful resource"
    code, out, _ = run(capsys, "--format", "github", "tfplan.json")
    assert code == 1 and {(line.split("title=")[1].split("::")[0], int(line.split("line=")[1].split(",")[0]))
                          for line in out.splitlines()} == EXPECTED


def test_exit_codes_follow_fail_on_and_selection(plan_file, capsys):
    assert run(capsys, "--fail-on", "error", "--select", "TF903,TF904,TF905", "tfplan.json")[0] == 0
    assert run(capsys, "--fail-on", "error", "--select", "TF9", "tfplan.json")[0] == 1
    assert run(capsys, "--ignore", "TF", "tfplan.json")[0] == 0
    assert run(capsys, "--fail-on", "off", "tfplan.json")[0] == 0
    assert run(capsys, "--select", "TF999", "tfplan.json")[0] == 2
    assert run(capsys, "--severity", "TF905=error", "--fail-on", "error", "--select", "TF905", "tfplan.json")[0] == 1


def test_standard_input_and_names_without_json(plan_file, capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(MIXED.read_bytes())))
    code, out, _ = run(capsys, "--format", "json", "-")
    report = json.loads(out)
    assert code == 1 and {(f["rule"], f["start"]["line"]) for f in report["findings"]} == EXPECTED
    assert {f["path"] for f in report["findings"]} == {"-"}
    (plan_file.parent / "tfplan.out").write_bytes(MIXED.read_bytes())
    code, out, _ = run(capsys, "--format", "json", "tfplan.out")
    assert {(f["rule"], f["start"]["line"]) for f in json.loads(out)["findings"]} == EXPECTED


def test_a_plan_without_destroying_actions_is_clean(plan_file, capsys):
    doc = json.loads(MIXED.read_bytes())
    doc["resource_changes"] = [c for c in doc["resource_changes"] if "delete" not in c["change"]["actions"]
                               and "forget" not in c["change"]["actions"]]
    doc["planned_values"]["root_module"]["resources"][0]["values"]["force_destroy"] = False
    doc["planned_values"]["root_module"]["child_modules"] = []
    plan_file.write_text(json.dumps(doc))
    code, out, _ = run(capsys, "tfplan.json")
    assert (code, out) == (0, "1 file checked: no findings\n")


@pytest.mark.parametrize("text, error", [
    ('{"format_version": "1.2",\n "resource_changes": [}', "tfplan.json:2: invalid JSON: Expecting value"),
    ('{"format_version": "1.0", "terraform_version": "1.5.0", "values": {}}', "tfplan.json: a state: expected"),
])
def test_what_is_not_a_plan_is_a_usage_error_naming_the_file(plan_file, capsys, text, error):
    plan_file.write_text(text)
    code, out, err = run(capsys, "tfplan.json")
    assert (code, out) == (2, "")
    assert err.startswith(f"blastguard: error: {error}") and err.count("\n") == 1


def test_missing_and_oversized_plans_are_usage_errors(plan_file, capsys):
    assert run(capsys, "nope.json")[2] == "blastguard: error: nope.json: cannot read: No such file or directory\n"
    code, _, err = run(capsys, "--max-file-size", "100", "tfplan.json")
    assert code == 2 and "larger than the 100-byte limit" in err
