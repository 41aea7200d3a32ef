"""The GitHub Action (action.yml): valid metadata, and its shell steps run here as a runner would
run them, with the inputs as the environment they are mapped to."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.conftest import ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

# The part of the action metadata syntax that applies to a composite action, as documented in
# "Metadata syntax reference" (docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax:
# name and description required; inputs.<id>.description; outputs.<id>.value "Required" for
# composite actions; runs.using "composite" with runs.steps; runs.steps[*].shell "Required if run
# is set"), in the form of SchemaStore's github-action.json (json.schemastore.org/github-action.json:
# its "runs-composite" definition, the input id pattern, and the step keys it allows).
SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["name", "description", "runs"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "author": {"type": "string"},
        "description": {"type": "string", "minLength": 1},
        "inputs": {
            "type": "object",
            "propertyNames": {"pattern": "^[_a-zA-Z][a-zA-Z0-9_-]*$"},
            "additionalProperties": {
                "type": "object", "required": ["description"], "additionalProperties": False,
                "properties": {"description": {"type": "string"}, "required": {"type": "boolean"},
                               "default": {"type": "string"}, "deprecationMessage": {"type": "string"}}}},
        "outputs": {
            "type": "object",
            "propertyNames": {"pattern": "^[_a-zA-Z][a-zA-Z0-9_-]*$"},
            "additionalProperties": {
                "type": "object", "required": ["description", "value"], "additionalProperties": False,
                "properties": {"description": {"type": "string"}, "value": {"type": "string"}}}},
        "runs": {
            "type": "object", "required": ["using", "steps"], "additionalProperties": False,
            "properties": {
                "using": {"const": "composite"},
                "steps": {"type": "array", "minItems": 1, "items": {
                    "type": "object", "additionalProperties": False,
                    "properties": {k: {"type": "string"} for k in ("id", "if", "name", "uses", "run", "shell",
                                                                    "working-directory")}
                    | {"with": {"type": "object"}, "env": {"type": "object"},
                       "continue-on-error": {"type": ["boolean", "string"]}},
                    "oneOf": [{"required": ["run", "shell"], "not": {"required": ["uses"]}},
                              {"required": ["uses"], "not": {"required": ["run"]}}]}}}},
        "branding": {
            "type": "object", "additionalProperties": False,
            "properties": {"icon": {"type": "string"},
                           "color": {"enum": ["white", "yellow", "blue", "green", "orange", "red", "purple",
                                              "gray-dark"]}}},
    },
}


def test_action_metadata_follows_the_documented_schema():
    jsonschema.validate(ACTION, SCHEMA)
    steps = ACTION["runs"]["steps"]
    ids = {step["id"] for step in steps if "id" in step}
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    for expression in EXPRESSION.findall(text):
        for name in re.findall(r"\binputs\.([\w-]+)", expression):
            assert name in ACTION["inputs"], expression
        for step, output in re.findall(r"\bsteps\.([\w-]+)\.outputs\.([\w-]+)", expression):
            assert step in ids, expression
            assert re.search(rf"echo \"{output}=", next(s for s in steps if s.get("id") == step)["run"]), expression
    # Inputs reach scripts through env only: an expression in a script would be shell injection.
    for step in steps:
        assert "${{" not in step.get("run", ""), step["name"]
    uses = {step["uses"].split("@")[0]: step for step in steps if "uses" in step}
    assert set(uses) == {"actions/setup-python", "github/codeql-action/upload-sarif"}
    upload = uses["github/codeql-action/upload-sarif"]
    assert upload["if"].startswith("always() && inputs.upload-sarif == 'true'")
    assert upload["with"]["sarif_file"] == "${{ steps.check.outputs.sarif-file }}"


def resolve(value: str, inputs: dict[str, str]) -> str:
    def one(match):
        name = re.fullmatch(r"inputs\.([\w-]+)", match.group(1))
        assert name, f"the local runner only resolves inputs: {match.group(0)}"
        return inputs[name.group(1)]
    return EXPRESSION.sub(one, value)


class Runner:
    """Runs the action's shell steps in order, as GitHub's runner does: GITHUB_ENV and
    GITHUB_OUTPUT files, RUNNER_TEMP, GITHUB_ACTION_PATH, the step's env with inputs resolved."""

    def __init__(self, action_path: Path, temp: Path, python_bin: Path):
        self.action_path, self.temp, self.python_bin = action_path, temp, python_bin
        self.env: dict[str, str] = {}

    def run(self, step_name: str, inputs: dict[str, str], cwd: Path) -> tuple[subprocess.CompletedProcess, dict]:
        defaults = {k: v.get("default", "") for k, v in ACTION["inputs"].items()}
        step = next(s for s in ACTION["runs"]["steps"] if s.get("name") == step_name)
        assert step["shell"] == "bash"
        files = {name: self.temp / f"{step_name}-{name}".replace(" ", "-") for name in ("env", "output")}
        for file in files.values():
            file.write_text("")
        env = {"PATH": f"{self.python_bin}{os.pathsep}/usr/bin{os.pathsep}/bin", "HOME": str(self.temp),
               "LANG": "C.UTF-8", "RUNNER_TEMP": str(self.temp), "GITHUB_ACTION_PATH": str(self.action_path),
               "GITHUB_ENV": str(files["env"]), "GITHUB_OUTPUT": str(files["output"]), **self.env}
        env |= {k: resolve(str(v), defaults | inputs) for k, v in step.get("env", {}).items()}
        # What the runner runs for `shell: bash`.
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=600)
        self.env |= dict(line.split("=", 1) for line in files["env"].read_text().splitlines())
        outputs = dict(line.split("=", 1) for line in files["output"].read_text().splitlines())
        return done, outputs


@pytest.fixture(scope="module")
def runner(tmp_path_factory) -> Runner:
    """The action checked out (a copy of this repository) and its install step run once."""
    base = tmp_path_factory.mktemp("action")
    action_path = base / "action"
    shutil.copytree(ROOT, action_path, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "build", "dist", "*.egg-info", "__pycache__", "bundled", "*.vsix"))
    # setup-python's interpreter: a folder holding only `python`, so nothing else of this machine is found first.
    python_bin = base / "python-bin"
    python_bin.mkdir()
    (python_bin / "python").symlink_to(getattr(sys, "_base_executable", sys.executable))
    temp = base / "runner-temp"
    temp.mkdir()
    runner = Runner(action_path, temp, python_bin)
    done, _ = runner.run("Install Blastguard", {}, base)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (Path(runner.env["BLASTGUARD_BIN"]) / "blastguard").is_file()
    return runner


@pytest.fixture
def workspace(tmp_path) -> Path:
    shutil.copy(ROOT / "examples" / "terraform" / "risky.tf", tmp_path / "risky.tf")
    shutil.copy(ROOT / "examples" / "terraform" / "safe.tf", tmp_path / "safe.tf")
    return tmp_path


def expected_findings(path: Path) -> set[tuple[str, int]]:
    done = subprocess.run([sys.executable, "-m", "blastguard", "check", "--format", "json", path.name],
                          cwd=path.parent, capture_output=True, text=True)
    return {(f["rule"], f["start"]["line"]) for f in json.loads(done.stdout)["findings"]}


def test_check_step_fails_on_findings_with_annotations_and_sarif(runner, workspace):
    done, outputs = runner.run("Check", {"paths": "risky.tf\nsafe.tf", "upload-sarif": "true"}, workspace)
    assert done.returncode == 1, done.stderr
    sarif_file = runner.temp / "blastguard.sarif"
    assert outputs == {"sarif-file": str(sarif_file), "exit-code": "1"}
    expected = expected_findings(workspace / "risky.tf")
    annotations = {(rule, int(line)) for line, rule in
                   re.findall(r"^::(?:error|warning|notice) file=risky\.tf,line=(\d+),[^:]*title=(\w+)::", done.stdout, re.M)}
    assert annotations == expected
    assert "safe.tf" not in done.stdout
    sarif = json.loads(sarif_file.read_text())
    assert sarif["version"] == "2.1.0"
    results = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
               for r in sarif["runs"][0]["results"]}
    assert results == expected


def test_check_step_passes_a_clean_path_and_honours_fail_on(runner, workspace):
    report = workspace / "report.sarif"
    done, outputs = runner.run("Check", {"paths": "safe.tf", "sarif-file": str(report)}, workspace)
    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs == {"sarif-file": str(report), "exit-code": "0"}
    assert json.loads(report.read_text())["runs"][0]["results"] == []
    # risky.tf holds errors and warnings: fail-on off never fails; no SARIF unless asked.
    done, outputs = runner.run("Check", {"paths": "risky.tf", "fail-on": "off"}, workspace)
    assert (done.returncode, outputs) == (0, {"exit-code": "0"})
    assert "::error file=risky.tf" in done.stdout


def test_check_step_reports_a_usage_error(runner, workspace):
    done, outputs = runner.run("Check", {"paths": "missing-dir/", "upload-sarif": "true"}, workspace)
    assert done.returncode == 2
    assert outputs == {"exit-code": "2"}  # no SARIF to upload
    assert "missing-dir" in done.stderr
