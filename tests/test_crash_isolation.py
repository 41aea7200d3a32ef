"""Input that crashes a grammar in native code (tree-sitter-yaml#48: about 254 nested block
levels overflow its scanner's buffer) costs one file, never the run: it is refused before
parsing, and a worker that dies anyway is replaced and the file reported as an error."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from blastguard import runner
from blastguard.engine.analyze import Engine
from blastguard.engine.model import ScanResult

RISKY_TF = 'resource "aws_s3_bucket" "b" {\n  force_destroy = true\n}\n'


def deep_mappings(depth: int) -> str:
    return "".join(" " * i + "a:\n" for i in range(depth))


def deep_sequences_of_mappings(depth: int) -> str:
    return "".join(" " * (2 * i) + "- a:\n" for i in range(depth))


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "blastguard", "check", "--no-config", "--format", "json", *args],
                          capture_output=True, text=True, timeout=120)


def test_inputs_that_crash_the_yaml_grammar_are_refused_by_the_cli_with_the_line(tmp_path):
    (tmp_path / "deep.yaml").write_text(deep_mappings(300))
    (tmp_path / "deep_list.yml").write_text(deep_sequences_of_mappings(300))
    (tmp_path / "good.tf").write_text(RISKY_TF)
    for jobs in ("1", "2"):
        done = run_cli("--jobs", jobs, str(tmp_path))
        assert done.returncode == 1, done.stderr  # the good file's finding; the run was not killed
        assert "Traceback" not in done.stderr
        report = json.loads(done.stdout)
        assert {(os.path.basename(f["path"]), f["rule"], f["start"]["line"]) for f in report["findings"]} == {
            ("good.tf", "TF101", 2)}
        assert {(os.path.basename(e["path"]), e["line"]) for e in report["errors"]} == {
            ("deep.yaml", 201), ("deep_list.yml", 101)}


class _CrashingEngine(Engine):
    """Dies in the worker, as a segfault in a grammar would, on files named crash*."""

    def analyze(self, path, data, *args, **kwargs) -> ScanResult:
        if os.path.basename(path).startswith("crash"):
            os._exit(139)  # noqa: the point is a worker that dies without a word
        return super().analyze(path, data, *args, **kwargs)


def test_a_worker_that_dies_costs_its_file_and_the_rest_is_checked(tmp_path, ruleset, monkeypatch):
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    paths = []
    for i in range(6):
        name = "crash.tf" if i == 3 else f"f{i}.tf"
        (tmp_path / name).write_text(RISKY_TF)
        paths.append(str(tmp_path / name))
    results = runner.scan(_CrashingEngine(ruleset), paths, jobs=2)
    assert [r.path for r in results] == paths
    assert [[f.rule for f in r.findings] for r in results] == [["TF101"]] * 3 + [[]] + [["TF101"]] * 2
    assert [e.message for e in results[3].errors] == [
        "the parser crashed on this file (exit code 139); it was not checked"]
