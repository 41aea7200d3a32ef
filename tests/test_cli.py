"""`blastguard check` and `blastguard rules`: formats, exit codes, config, discovery, fixes, jobs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import needs_shared, run_cli as run

RISKY = 'resource "aws_s3_bucket" "b" {\n  bucket        = "x"\n  force_destroy = true\n}\n'
SAFE = 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n'


@pytest.fixture
def project(repo):
    (repo / "risky.tf").write_text(RISKY)
    (repo / "safe.tf").write_text(SAFE)
    return repo


def pairs(report):
    return {(f["path"], f["rule"], f["start"]["line"]) for f in report["findings"]}


def test_text_output_and_exit_codes(project, capsys):
    code, out, _ = run(capsys, "check", "--select", "TF101", ".")
    assert code == 1
    assert out == ("risky.tf:3:3: TF101 [*] Bucket is destroyed together with every object in it\n"
                   "2 files checked: 1 warning in 1 file; 1 fixable with --fix\n")
    for name in ("full", "text"):  # --format is the older spelling; text is full
        code, out, _ = run(capsys, "check", "--select", "TF101", "--output-format", name, ".")
        assert out.splitlines()[0] == (
            "risky.tf:3:3: warning TF101 force_destroy = true lets a destroy or a rename delete this "
            "bucket and all its objects without warning; remove it or set it to false. [fixable]")
    assert run(capsys, "check", "--select", "TF101", "safe.tf")[0] == 0
    assert run(capsys, "check", "--select", "TF101", "--fail-on", "error", ".")[0] == 0
    assert run(capsys, "check", "--select", "TF101", "--severity", "TF101=error", "--fail-on", "error", ".")[0] == 1
    assert run(capsys, "check", "--format", "xml", ".")[0] == 2
    assert run(capsys, "check", "--severity", "TF101", ".")[0] == 2
    assert run(capsys, "check", "--dry-run", ".")[0] == 2


def test_json_contract(project, capsys):
    code, out, _ = run(capsys, "check", "--format", "json", "--select", "TF101", "risky.tf", ".")
    report = json.loads(out)
    assert set(report) == {"version", "findings", "errors"}
    (finding,) = report["findings"]  # the same file given twice is checked once
    assert finding == {
        "rule": "TF101", "category": "destructive", "severity": "warning", "path": "risky.tf",
        "start": {"line": 3, "column": 3}, "end": {"line": 3, "column": 23},
        "message": finding["message"],
        "fix": {"title": "Set force_destroy = false", "safe": True, "edits": [{
            "start": {"line": 3, "column": 19}, "end": {"line": 3, "column": 23},
            "start_byte": 71, "end_byte": 75, "text": "false"}]},
    }


def test_paths_are_joined_to_the_directory_given(project, capsys):
    (project / "sub").mkdir()
    (project / "sub" / "more.tf").write_text(RISKY)
    _, out, _ = run(capsys, "check", "--format", "json", "--select", "TF101", str(project))
    assert pairs(json.loads(out)) == {(str(project / "risky.tf"), "TF101", 3),
                                      (str(project / "sub" / "more.tf"), "TF101", 3)}


def test_discovery_skips_vendored_and_gitignored_files(project, capsys):
    for folder in (".terraform/modules/m", "node_modules/x", "build", "keep/build2"):
        (project / folder).mkdir(parents=True)
        (project / folder / "main.tf").write_text(RISKY)
    (project / ".gitignore").write_text("build/\n")
    (project / "keep" / ".gitignore").write_text("build2/\n")
    (project / "notes.txt").write_text(RISKY)
    _, out, _ = run(capsys, "check", "--format", "json", "--select", "TF101", ".")
    assert pairs(json.loads(out)) == {("risky.tf", "TF101", 3)}


def test_select_ignore_and_severity_flags(project, capsys):
    _, out, _ = run(capsys, "check", "--format", "json", "--ignore", "TF101", ".")
    assert ("risky.tf", "TF101", 3) not in pairs(json.loads(out))
    _, out, _ = run(capsys, "check", "--format", "json", "--select", "TF1", "--severity", "TF101=info", ".")
    assert [f["severity"] for f in json.loads(out)["findings"] if f["rule"] == "TF101"] == ["info"]
    _, out, _ = run(capsys, "check", "--format", "json", "--select", "TF1", "--severity", "TF101=off", ".")
    assert [f for f in json.loads(out)["findings"] if f["rule"] == "TF101"] == []


def test_project_config_is_read_by_default_and_validated(project, capsys):
    (project / ".blastguard.yaml").write_text("select: [TF101]\nseverity:\n  TF101: error\nfail_on: error\n")
    code, out, _ = run(capsys, "check", "--format", "json", ".")
    assert code == 1 and [f["severity"] for f in json.loads(out)["findings"]] == ["error"]
    assert run(capsys, "check", "--no-config", "--select", "TF101", "--fail-on", "error", ".")[0] == 0
    (project / ".blastguard.yaml").write_text("select: [TF101]\nseverity:\n  TF101: loud\n")
    code, _, err = run(capsys, "check", ".")
    assert code == 2
    assert err.strip() == (f"blastguard: error: {project / '.blastguard.yaml'}:3: unknown severity 'loud' "
                           "(expected error, warning, info, hint or off)")
    (project / ".blastguard.yaml").write_text("!!python/object:os.system {}\n")
    code, _, err = run(capsys, "check", ".")
    assert code == 2 and "invalid YAML" in err  # safe loading refuses arbitrary objects


def test_config_exclude_patterns(project, capsys):
    (project / ".blastguard.yaml").write_text("select: [TF101]\nexclude: ['risky.tf']\n")
    assert run(capsys, "check", ".")[0] == 0


def test_fix_writes_atomically_and_dry_run_prints_a_diff(project, capsys):
    os.chmod(project / "risky.tf", 0o640)
    code, out, _ = run(capsys, "check", "--select", "TF101", "--fix", "--dry-run", ".")
    assert out == (
        "--- a/risky.tf\n+++ b/risky.tf\n@@ -1,4 +1,4 @@\n"
        ' resource "aws_s3_bucket" "b" {\n   bucket        = "x"\n'
        "-  force_destroy = true\n+  force_destroy = false\n }\n")
    assert (project / "risky.tf").read_text() == RISKY
    code, out, _ = run(capsys, "check", "--select", "TF101", "--fix", ".")
    assert code == 0
    assert (project / "risky.tf").read_text() == RISKY.replace("= true", "= false")
    assert (project / "risky.tf").stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in project.iterdir()) == [".git", "risky.tf", "safe.tf"]  # no temp files left


def test_rules_listing(capsys):
    code, out, _ = run(capsys, "rules", "--json")
    rules = json.loads(out)
    assert code == 0
    tf101 = next(r for r in rules if r["id"] == "TF101")
    assert tf101["category"] == "destructive" and tf101["fixable"] is True
    assert len({r["id"] for r in rules}) == len(rules)


def test_many_jobs_give_the_same_output_as_one(tmp_path, capsys):
    # Enough bytes to cross the threshold at which the scan goes parallel.
    for i in range(60):
        (tmp_path / f"f{i:02}.tf").write_text(RISKY + "# pad\n" * 8000)
    one = run(capsys, "check", "--no-config", "--format", "json", "--jobs", "1", str(tmp_path))
    two = run(capsys, "check", "--no-config", "--format", "json", "--jobs", "2", str(tmp_path))
    assert one == two
    assert len(json.loads(one[1])["findings"]) >= 60


def test_sarif_output_validates_against_the_official_schema(project, capsys):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(needs_shared("schemas", "sarif-schema-2.1.0.json").read_text())
    (project / "bad.tf").write_bytes(b"\xff")
    _, out, _ = run(capsys, "check", "--format", "sarif", ".")
    sarif = json.loads(out)
    jsonschema.validate(sarif, schema)
    results = sarif["runs"][0]["results"]
    assert {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results} >= {("TF101", 3)}
    assert sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"].startswith("invalid UTF-8")


def test_github_format(project, capsys):
    _, out, _ = run(capsys, "check", "--format", "github", "--select", "TF101", ".")
    assert out.startswith("::warning file=risky.tf,line=3,col=3,endLine=3,endColumn=23,title=TF101::force_destroy")


def test_console_script_runs_as_a_process(project):
    exe = Path(sys.executable).parent / "blastguard"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "blastguard"]
    proc = subprocess.run(cmd + ["check", "--select", "TF101", "--format", "json", "."],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and pairs(json.loads(proc.stdout)) == {("risky.tf", "TF101", 3)}


def test_text_is_coloured_only_for_a_terminal(project):
    import io

    from blastguard.reporters.report import Report
    from blastguard.engine.analyze import Engine
    from blastguard.engine.loader import load_rules
    from blastguard.reporters import text

    findings = Engine(load_rules()).analyze("risky.tf", RISKY.encode()).findings
    plain, coloured = io.StringIO(), io.StringIO()
    text.render_full(Report(findings=findings, file_count=1), plain)
    text.render_full(Report(findings=findings, file_count=1, colour=True), coloured)
    assert "\033[" not in plain.getvalue()
    assert "\033[33mwarning\033[0m" in coloured.getvalue()
    assert plain.getvalue().endswith("1 file checked: 1 warning in 1 file; 1 fixable with --fix\n")
    coloured = io.StringIO()
    text.render_concise(Report(findings=findings, file_count=1, colour=True), coloured)
    assert coloured.getvalue().startswith("\033[1mrisky.tf:3:3:\033[0m \033[33mTF101\033[0m [*] ")


def test_progress_bar_counts_checked_files_as_they_finish(tmp_path):
    import io

    from blastguard import runner
    from blastguard.cli.progress import Bar
    from blastguard.engine.analyze import Engine
    from blastguard.engine.loader import load_rules
    from blastguard.files import collect

    for i in range(40):
        (tmp_path / f"f{i:02}.tf").write_text(RISKY + "# pad\n" * 8000)  # past the parallel threshold
    (tmp_path / "package.json").write_text('{"name": "x"}')  # no kind Blastguard reads: not counted
    (tmp_path / "notes.yaml").write_text("a: 1\n")  # counted until its result says it is of no kind
    files = collect([str(tmp_path)]).files
    seen = []

    class Recorder(Bar):
        def start(self, expected):
            super().start(expected)
            seen.append(("start", expected))

        def done(self, result):
            super().done(result)
            seen.append(("done", self.bar.n, self.bar.total))

    bar = Recorder(io.StringIO())
    results = runner.scan(Engine(load_rules()), files, 2, bar)
    assert [r.path for r in results] == files  # in path order whatever order they finished in
    assert seen[0] == ("start", 41)
    assert len(seen) == 1 + 42
    assert seen[-1] == ("done", 40, 40)  # the bar ends at the files checked, as the summary says
    assert [n for _, n, _ in seen[1:]] == sorted(n for _, n, _ in seen[1:])
