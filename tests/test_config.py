"""The project config: errors at the line of the bad value, YAML bombs refused, rule folders kept
inside the repository, pyproject.toml, per-file ignores."""

from __future__ import annotations

import json
import shutil
import time

import pytest

from blastguard.engine.loader import default_rules_dir
from tests.conftest import run_cli as run

RISKY = 'resource "aws_s3_bucket" "b" {\n  bucket        = "x"\n  force_destroy = true\n}\n'


@pytest.fixture
def project(repo):
    (repo / "risky.tf").write_text(RISKY)
    return repo


def findings(capsys, *args):
    code, out, err = run(capsys, "check", "--format", "json", *args)
    assert code in (0, 1), err
    return {(f["path"], f["rule"], f["start"]["line"]) for f in json.loads(out)["findings"]}


@pytest.mark.parametrize(("text", "line", "message"), [
    ("select: [TF]\nignore: []\n\n# the gate\nfail_on: eror\n", 5,
     "unknown severity 'eror' (expected error, warning, info, hint or off)"),
    ("select: [TF]\nseverity: {TF101: eror}\n", 2,
     "unknown severity 'eror' (expected error, warning, info, hint or off)"),
    ("severity:\n  TF102: error\n  TF101: [1]\n", 3,
     "unknown severity [1] (expected error, warning, info, hint or off)"),
    ("select: [TF]\nfial_on: error\n", 2, "unknown setting 'fial_on' (known: select, ignore, severity, fail_on, "
     "exclude, max_file_size, unsuppressible, rule_dirs, per_file_ignores)"),
    ("exclude:\n  - a\nmax_file_size: lots\n", 3, "max_file_size: not a size: 'lots' (use bytes or e.g. 5MB)"),
    ("ignore:\n  - TF101\n  - 7\n", 3, "ignore must be a list of rule ids or id prefixes, not 7"),
    ("select: [TF\n", 2, "invalid YAML: did not find expected ',' or ']'"),
])
def test_config_errors_point_at_the_bad_value(project, capsys, text, line, message):
    (project / ".blastguard.yaml").write_text(text)
    assert run(capsys, "check", ".") == (2, "", f"blastguard: error: {project / '.blastguard.yaml'}:{line}: {message}\n")


def test_off_unquoted_in_yaml_is_off(project, capsys):
    # YAML 1.1 reads `off` as false: the README's own example must work.
    (project / ".blastguard.yaml").write_text("severity: {TF101: off, TF102: error}\nfail_on: warning\n")
    assert findings(capsys, ".") == set()
    (project / ".blastguard.yaml").write_text("severity: {TF101: true}\n")
    code, _, err = run(capsys, "check", ".")
    assert code == 2 and err.endswith(":1: unknown severity True (expected error, warning, info, hint or off)\n")


def _bomb(levels: int = 9) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for name in "bcdefghij"[:levels - 1]:
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    return "\n".join(lines) + "\n"


def test_a_yaml_bomb_in_the_config_is_refused_quickly_with_its_line(project, capsys):
    (project / ".blastguard.yaml").write_text("select: [TF]\n" + _bomb())
    started = time.monotonic()
    code, _, err = run(capsys, "check", ".")
    assert time.monotonic() - started < 10  # unbounded, this ran past 60 s and 3 GB
    assert (code, err) == (2, f"blastguard: error: {project / '.blastguard.yaml'}:7: aliases expand to more than "
                              "100,000 values (a 'billion laughs' document?)\n")
    (project / ".blastguard.yaml").write_text("select: &s [TF, *s]\n")
    code, _, err = run(capsys, "check", ".")
    assert err == (f"blastguard: error: {project / '.blastguard.yaml'}:1: an alias refers to the value that "
                   "contains it\n")


def test_a_yaml_bomb_in_a_rule_file_is_refused_with_its_line(project, capsys):
    rule = project / "policy" / "terraform" / "TF901-bomb.yaml"
    rule.parent.mkdir(parents=True)
    rule.write_text("id: TF901\n" + _bomb())
    code, _, err = run(capsys, "check", "--rules", "policy", ".")
    assert (code, err) == (2, "blastguard: error: policy/terraform/TF901-bomb.yaml:7: aliases expand to more than 100,000 values "
                              "(a 'billion laughs' document?)\n")


@pytest.mark.parametrize("value", ["/", "../..", "policy/../../x"])
def test_a_repository_config_cannot_read_rules_outside_it(project, capsys, value):
    (project / ".blastguard.yaml").write_text(f"select: [TF]\nrule_dirs:\n  - policy\n  - {json.dumps(value)}\n")
    (project / "policy").mkdir()
    code, _, err = run(capsys, "check", ".")
    assert (code, err) == (2, f"blastguard: error: {project / '.blastguard.yaml'}:4: rule_dirs: {value!r} is outside "
                              "the config's folder; a repository's config may only name rule folders inside it "
                              "(use --rules for others)\n")


def test_a_symlinked_rule_file_pointing_outside_is_refused(project, tmp_path_factory, capsys):
    outside = tmp_path_factory.mktemp("outside")
    source = next((default_rules_dir() / "terraform").glob("TF101-*.yaml"))
    shutil.copy(source, outside / source.name)
    (project / "policy" / "terraform").mkdir(parents=True)
    (project / "policy" / "terraform" / source.name).symlink_to(outside / source.name)
    (project / ".blastguard.yaml").write_text("rule_dirs: [policy]\n")
    code, _, err = run(capsys, "check", ".")
    assert (code, err) == (2, f"blastguard: error: {project / '.blastguard.yaml'}:1: rule_dirs: "
                              f"{project / 'policy' / 'terraform' / source.name} links outside the config's folder\n")


def test_rule_folders_named_by_the_user_may_be_anywhere(project, tmp_path_factory, capsys):
    outside = tmp_path_factory.mktemp("mine")
    rule = (default_rules_dir() / "terraform" / "TF101-bucket-force-destroy.yaml").read_text()
    (outside / "terraform").mkdir()
    (outside / "terraform" / "TF901-copy.yaml").write_text(rule.replace("id: TF101", "id: TF901"))
    assert findings(capsys, "--rules", str(outside), "--select", "TF901", ".") == {("risky.tf", "TF901", 3)}


def test_pyproject_tool_table(project, capsys):
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.blastguard]\nselect = ["TF101"]\n'
                                            'severity = { TF101 = "error" }\nfail-on = "error"\n')
    code, out, _ = run(capsys, "check", "--format", "json", ".")
    assert code == 1 and [(f["rule"], f["severity"]) for f in json.loads(out)["findings"]] == [("TF101", "error")]
    # Nearest wins; in one folder .blastguard.yaml wins over pyproject.toml.
    (project / ".blastguard.yaml").write_text("select: [TF102]\n")
    assert findings(capsys, ".") == set()
    (project / ".blastguard.yaml").unlink()
    (project / "sub").mkdir()
    (project / "sub" / "pyproject.toml").write_text('[project]\nname = "y"\n')  # no table: looked past
    (project / "sub" / "main.tf").write_text(RISKY)
    code, out, _ = run(capsys, "check", "--format", "json", "sub")
    assert [f["severity"] for f in json.loads(out)["findings"]] == ["error"]


@pytest.mark.parametrize(("table", "line", "message"), [
    ('[tool.blastguard]\nselect = ["TF"]\nfail_on = "eror"\n', 3,
     "unknown severity 'eror' (expected error, warning, info, hint or off)"),
    ('[tool.blastguard]\nselect = ["TF"]\n\n[tool.blastguard.severity]\nTF102 = "error"\nTF101 = "loud"\n', 6,
     "unknown severity 'loud' (expected error, warning, info, hint or off)"),
    ('[tool.blastguard]\nignore = ["TF1I2"]\n', 2, "ignore: unknown rule id or prefix 'TF1I2' (did you mean 'TF112'?)"),
    ('[tool.blastguard]\nselect = [\n', 2, "invalid TOML: Invalid value"),
])
def test_pyproject_errors_point_at_the_line(project, capsys, table, line, message):
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n' + table)
    code, out, err = run(capsys, "check", ".")
    assert (code, err) == (2, f"blastguard: error: {project / 'pyproject.toml'}:{line + 2}: {message}\n")


def test_per_file_ignores(project, capsys):
    (project / "tests" / "unit").mkdir(parents=True)
    (project / "tests" / "unit" / "fixture.tf").write_text(RISKY)
    (project / "modules").mkdir()
    (project / "modules" / "main.tf").write_text(RISKY)
    (project / ".blastguard.yaml").write_text("select: [TF101]\nper-file-ignores:\n  'tests/**': [TF1]\n"
                                              "  '/risky.tf': [TF101]\n")
    assert findings(capsys, ".") == {("modules/main.tf", "TF101", 3)}
    # Patterns are relative to the config's folder wherever blastguard is run from.
    assert findings(capsys, "tests", "modules/main.tf") == {("modules/main.tf", "TF101", 3)}
    # --fix leaves the ignored files alone.
    run(capsys, "check", "--fix", ".")
    assert (project / "tests" / "unit" / "fixture.tf").read_text() == RISKY
    assert "force_destroy = false" in (project / "modules" / "main.tf").read_text()
