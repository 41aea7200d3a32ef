"""Output formats: concise and full text, the summary, --statistics, -o, SARIF as GitHub ranks it,
JUnit, GitLab SAST and code quality, and text that a file cannot forge."""

from __future__ import annotations

import io
import json
import os
import xml.etree.ElementTree as ET

import pytest

from blastguard.engine.model import Finding, Position, Severity
from blastguard.reporters import text
from blastguard.reporters.report import Report
from tests.conftest import needs_shared, run_cli as run

RISKY = 'resource "aws_s3_bucket" "b" {\n  bucket        = "x"\n  force_destroy = true\n}\n'
ADMIN = ('resource "aws_iam_role_policy_attachment" "a" {\n  role       = "r"\n'
         '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n')


@pytest.fixture
def project(repo):
    (repo / "risky.tf").write_text(RISKY)
    (repo / "admin.tf").write_text(ADMIN)
    return repo


def _finding(path: str, rule: str, severity: Severity, line: int = 1) -> Finding:
    return Finding(rule, "destructive", severity, path, 0, 1, Position(line, 1), Position(line, 2), "m")


@pytest.mark.parametrize(("severities", "files", "expected"), [
    ([], 3, "3 files checked: no findings"),
    ([Severity.WARNING], 1, "1 file checked: 1 warning in 1 file"),
    ([Severity.WARNING, Severity.ERROR, Severity.WARNING, Severity.WARNING], 2,
     "2 files checked: 1 error, 3 warnings in 2 files"),
    ([Severity.HINT, Severity.INFO, Severity.INFO, Severity.ERROR, Severity.HINT], 1234,
     "1,234 files checked: 1 error, 2 info, 2 hints in 2 files"),
])
def test_summary_lists_severities_worst_first_with_plurals(severities, files, expected):
    findings = [_finding("a.tf" if i % 2 else "b.tf", "TF101", s) for i, s in enumerate(severities)]
    assert text.summary(Report(findings=findings, file_count=files)) == expected


def test_concise_is_the_default_and_full_keeps_the_message(project, capsys):
    code, out, _ = run(capsys, "check", "--select", "TF101,TF211", ".")
    assert (code, out) == (1, "admin.tf:3:3: TF211 AdministratorAccess or IAMFullAccess attached\n"
                              "risky.tf:3:3: TF101 [*] Bucket is destroyed together with every object in it\n"
                              "2 files checked: 1 error, 1 warning in 2 files; 1 fixable with --fix\n")
    _, full, _ = run(capsys, "check", "--select", "TF101,TF211", "--output-format", "full", ".")
    assert full.splitlines()[0].startswith("admin.tf:3:3: error TF211 Attaching the AWS managed AdministratorAccess ")
    assert full.splitlines()[1].endswith("remove it or set it to false. [fixable]")
    assert full.splitlines()[2] == out.splitlines()[2]


def test_fix_says_how_many_fixes_it_applied(project, capsys):
    (project / "more.tf").write_text(RISKY + RISKY.replace('"b"', '"c"'))
    code, out, _ = run(capsys, "check", "--select", "TF101", "--fix", ".")
    assert (code, out) == (0, "fixed 3 findings in 2 files\n3 files checked: no findings\n")


def test_statistics(project, capsys):
    (project / "more.tf").write_text(RISKY + RISKY.replace('"b"', '"c"'))
    code, out, _ = run(capsys, "check", "--select", "TF101,TF211", "--statistics", ".")
    assert (code, out) == (1, "     3  TF101   [*] Bucket is destroyed together with every object in it\n"
                              "     1  TF211   AdministratorAccess or IAMFullAccess attached\n"
                              "3 files checked: 1 error, 3 warnings in 3 files; 3 fixable with --fix\n")
    _, out, _ = run(capsys, "check", "--select", "TF101,TF211", "--statistics", "--format", "json", ".")
    assert json.loads(out) == [{"rule": "TF101", "count": 3, "fixable": True},
                               {"rule": "TF211", "count": 1, "fixable": False}]
    code, _, err = run(capsys, "check", "--statistics", "--format", "sarif", ".")
    assert (code, err) == (2, "blastguard: error: --statistics goes with the concise, full or json format, not sarif\n")


def test_output_file(project, capsys):
    _, expected, _ = run(capsys, "check", "--select", "TF101", "--format", "json", ".")
    code, out, _ = run(capsys, "check", "--select", "TF101", "--format", "json", "-o", "report.json", ".")
    assert (code, out) == (1, "")
    assert (project / "report.json").read_text() == expected
    code, _, err = run(capsys, "check", "-o", str(project / "missing" / "r.txt"), ".")
    assert (code, err) == (2, f"blastguard: error: -o {project / 'missing' / 'r.txt'}: cannot write: "
                              "No such file or directory\n")


def test_rule_prints_its_documentation(capsys):
    code, out, _ = run(capsys, "rule", "TF101")
    assert code == 0
    assert out.startswith("TF101: Bucket is destroyed together with every object in it\n"
                          "language: terraform; category: destructive; severity: warning\n\n"
                          "force_destroy = true lets a destroy")
    for part in ("\nReferences:\n  https://registry.terraform.io/", "\nFix: Set force_destroy = false (applied by "
                 "`blastguard check --fix`)\n", "\nFlagged (line 3):\n    resource \"aws_s3_bucket\" \"logs\" {\n",
                 "\nAfter the fix:\n", "      force_destroy = false\n", "\nNot flagged:\n"):
        assert part in out
    assert run(capsys, "rule", "tf101") == (2, "", "blastguard: error: unknown rule id 'tf101' (did you mean 'TF101'?)\n")


# -- SARIF ----------------------------------------------------------------------------------

def _sarif(capsys, *args):
    code, out, _ = run(capsys, "check", "--format", "sarif", *args)
    return json.loads(out)


def test_sarif_rules_carry_what_code_scanning_ranks(project, capsys):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(needs_shared("schemas", "sarif-schema-2.1.0.json").read_text())
    sarif = _sarif(capsys, "--select", "TF101,TF211,BG", "--severity", "TF101=error", ".")
    jsonschema.validate(sarif, schema)
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert set(rules) == {"TF101", "TF211"}
    # error + destructive -> 9.0 (critical); error + over-privileged -> 8.0 (high)
    assert rules["TF101"]["properties"] == {"category": "destructive", "tags": ["security", "destructive"],
                                            "security-severity": "9.0"}
    assert rules["TF211"]["properties"]["security-severity"] == "8.0"
    assert rules["TF101"]["helpUri"] == ("https://registry.terraform.io/providers/hashicorp/aws/latest/docs/"
                                         "resources/s3_bucket#force_destroy")
    assert rules["TF101"]["help"]["markdown"].startswith(
        "**TF101: Bucket is destroyed together with every object in it** (terraform, destructive, warning)")
    assert "**Fix:** Set force_destroy = false (applied by `blastguard check --fix`)" in rules["TF101"]["help"]["markdown"]
    assert "**" not in rules["TF101"]["help"]["text"]
    results = sarif["runs"][0]["results"]
    assert {(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
            for r in results} == {("TF101", "error", "risky.tf"), ("TF211", "error", "admin.tf")}
    assert all(len(r["partialFingerprints"]["blastguardFinding/v1"]) == 64 for r in results)


@pytest.mark.parametrize(("category", "severity", "score"), [
    ("destructive", Severity.ERROR, "9.0"), ("secrets", Severity.WARNING, "7.0"),
    ("network-exposure", Severity.WARNING, "5.5"), ("public-data", Severity.INFO, "3.0"),
    ("code-execution", Severity.INFO, "3.5"), ("over-privileged", Severity.HINT, "1.0"), ("meta", Severity.ERROR, None),
])
def test_security_severity_mapping(category, severity, score):
    from blastguard.reporters.ruledoc import security_severity

    assert security_severity(category, severity) == score


def test_sarif_uris_are_percent_encoded(project, capsys):
    names = ["with space.tf", "100%.tf", "caf\u00e9.tf", "line\nbreak.tf", os.fsdecode(b"latin\xe9.tf")]
    for name in names:
        (project / name).write_text(RISKY)
    sarif = _sarif(capsys, "--select", "TF101", *names, str(project / "with space.tf"))
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]]
    assert sorted(uris) == sorted(["with%20space.tf", "100%25.tf", "caf%C3%A9.tf", "line%0Abreak.tf", "latin%E9.tf"])
    from blastguard.reporters.sarif import uri

    assert uri("/tmp/a b/c.tf") == "file:///tmp/a%20b/c.tf"


# -- JUnit, GitLab ---------------------------------------------------------------------------

def test_junit_xml(project, capsys):
    (project / "bad.tf").write_bytes(b"\x00")
    code, out, _ = run(capsys, "check", "--select", "TF101,TF211", "--format", "junit", ".")
    root = ET.fromstring(out)
    assert (root.tag, root.get("tests"), root.get("failures"), root.get("errors")) == ("testsuites", "3", "2", "1")
    cases = {(s.get("name"), c.get("name"), c[0].tag, c[0].get("type")) for s in root for c in s}
    assert cases == {("admin.tf", "TF211 at line 3", "failure", "error"),
                     ("risky.tf", "TF101 at line 3", "failure", "warning"),
                     ("bad.tf", "check", "error", None)}
    _, out, _ = run(capsys, "check", "--select", "TF101", "--format", "junit", "admin.tf")
    (suite,) = ET.fromstring(out)
    assert [(c.get("name"), len(c)) for c in suite] == [("1 files checked", 0)]


def test_gitlab_sast_report_has_the_required_fields(project, capsys):
    code, out, _ = run(capsys, "check", "--select", "TF101,TF211", "--format", "gitlab", ".")
    report = json.loads(out)
    assert set(report) == {"version", "vulnerabilities", "scan"} and report["version"].startswith("15.")
    scan = report["scan"]
    assert {k: scan[k] for k in ("type", "status")} == {"type": "sast", "status": "success"}
    for key in ("analyzer", "scanner"):
        assert set(scan[key]) >= {"id", "name", "version", "vendor"} and scan[key]["vendor"]["name"]
    for key in ("start_time", "end_time"):
        assert len(scan[key]) == 19 and scan[key][10] == "T"  # YYYY-MM-DDTHH:MM:SS, as the schema's pattern
    by_rule = {v["identifiers"][0]["value"]: v for v in report["vulnerabilities"]}
    assert set(by_rule) == {"TF101", "TF211"}
    for v in report["vulnerabilities"]:
        assert set(v) >= {"id", "name", "description", "severity", "location", "identifiers"}
        assert len(v["id"]) == 36 and 0 < len(v["name"]) <= 255
        assert all(set(i) >= {"type", "name", "value"} for i in v["identifiers"])
    # warning + destructive -> 7.0, error + over-privileged -> 8.0: both High
    assert by_rule["TF101"]["severity"] == by_rule["TF211"]["severity"] == "High"
    assert by_rule["TF101"]["location"] == {"file": "risky.tf", "start_line": 3, "end_line": 3}


def test_gitlab_code_quality_report_and_stable_fingerprints(project, capsys):
    _, out, _ = run(capsys, "check", "--select", "TF101", "--format", "codeclimate", ".")
    (issue,) = json.loads(out)
    assert {k: issue[k] for k in ("check_name", "severity", "location")} == {
        "check_name": "TF101", "severity": "major", "location": {"path": "risky.tf", "lines": {"begin": 3, "end": 3}}}
    assert issue["description"].startswith("TF101: force_destroy = true") and len(issue["fingerprint"]) == 64
    # The same finding moved down by an edit above it keeps its fingerprint.
    (project / "risky.tf").write_text("# a comment\n\n" + RISKY)
    _, out, _ = run(capsys, "check", "--select", "TF101", "--format", "codeclimate", ".")
    (moved,) = json.loads(out)
    assert moved["location"]["lines"]["begin"] == 5 and moved["fingerprint"] == issue["fingerprint"]


# -- text a file cannot forge ------------------------------------------------------------------

FORGED = ('resource "aws_s3_bucket" "b" {\n'
          '  force_destroy = true /* blastguard: ignore[TF101\nx.tf:1:1: TF999 invented\x1b[31m] why */\n}\n')


@pytest.mark.parametrize("fmt", ["concise", "full", "github"])
def test_control_characters_are_escaped_in_text_formats(project, capsys, fmt):
    name = "evil\x1b[2J\nname.tf"
    (project / name).write_text(FORGED)
    code, out, _ = run(capsys, "check", "--select", "TF101,BG", "--format", fmt, name)
    assert "\x1b" not in out
    lines = out.splitlines()
    # One line per finding (TF101, BG002), plus the summary in text formats: nothing invented.
    assert len(lines) == (2 if fmt == "github" else 3)
    assert all(line.startswith(("evil\\x1b[2J\\nname.tf:", "::warning file=evil\\x1b[2J\\nname.tf")) for line in lines[:2])
    assert "TF999 invented\\x1b[31m" in lines[1]


def test_non_utf8_file_names_are_reported_not_a_traceback(project, capsys):
    name = os.fsdecode(b"caf\xe9")
    (project / name).mkdir()
    (project / name / os.fsdecode(b"\xff.tf")).write_text(RISKY)
    for fmt in ("concise", "json", "sarif", "junit", "gitlab", "codeclimate", "github"):
        code, out, err = run(capsys, "check", "--select", "TF101", "--format", fmt, ".")
        assert code == 1, (fmt, err)
        out.encode("utf-8")  # printable whatever the terminal
    _, out, _ = run(capsys, "check", "--select", "TF101", "--format", "json", name)
    assert [f["path"] for f in json.loads(out)["findings"]] == ["caf\\xe9/\\xff.tf"]
    _, out, _ = run(capsys, "check", "--select", "TF101", name)
    assert out.splitlines()[0] == "caf\\xe9/\\xff.tf:3:3: TF101 [*] Bucket is destroyed together with every object in it"


def test_report_renders_to_any_stream():
    report = Report(findings=[_finding("a.tf", "TF101", Severity.ERROR, 2)], file_count=1)
    out = io.StringIO()
    text.render_concise(report, out)
    assert out.getvalue() == "a.tf:2:1: TF101 m\n1 file checked: 1 error in 1 file\n"
