"""Terraform `var.x`: a tfvars file's literal, else the variable's literal default (same folder),
reported at the expression that reads it with where the value comes from; and `count.index`."""

from __future__ import annotations

import os

import pytest

from blastguard.engine.analyze import Engine
from blastguard.engine.options import Options
from blastguard.engine.reuse import Reuse
from tests.conftest import TODAY, run_cli

# Each resource reads one variable; the line of each read is given.
MAIN = """resource "aws_security_group" "web" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.ssh_cidr]
  }
}
resource "aws_db_instance" "db" {
  skip_final_snapshot = var.skip_snapshot
  publicly_accessible = var.public
  deletion_protection = var.protect
  storage_encrypted   = true
}
resource "aws_s3_bucket" "logs" {
  bucket        = "logs"
  force_destroy = var.settings.force
}
"""
SSH, SNAPSHOT, PUBLIC, PROTECT, FORCE = 6, 10, 11, 12, 17
VARIABLES = """variable "ssh_cidr" {
  type    = string
  default = "0.0.0.0/0"
}
variable "skip_snapshot" {
  default = true
}
variable "public" {
  default = null
}
variable "protect" {}
variable "settings" {
  default = { force = true, name = "x" }
}
"""


def _module(tmp_path, variables=VARIABLES, files=None):
    folder = tmp_path / "module"
    folder.mkdir(exist_ok=True)
    (folder / "main.tf").write_text(MAIN)
    (folder / "variables.tf").write_text(variables)
    for name, text in (files or {}).items():
        (folder / name).write_text(text)
    return folder


def _findings(engine, path, data=None, reuse=None):
    result = engine.analyze(str(path), data if data is not None else path.read_bytes(), None, reuse)
    assert not result.errors
    return result.findings


def _pairs(findings):
    return {(f.rule, f.start.line) for f in findings}


def test_defaults_of_the_folder_s_variables_are_read_and_named_in_the_message(engine, tmp_path):
    folder = _module(tmp_path)
    findings = _findings(engine, folder / "main.tf")
    assert _pairs(findings) == {("TF301", SSH), ("TF103", SNAPSHOT), ("TF101", FORCE)}
    by_rule = {f.rule: f for f in findings}
    assert by_rule["TF301"].message.endswith("(the default of var.ssh_cidr, variables.tf line 3)")
    assert by_rule["TF103"].message.endswith("(the default of var.skip_snapshot, variables.tf line 6)")
    assert by_rule["TF101"].message.endswith("(the default of var.settings, variables.tf line 13)")
    # At the expression that reads the variable, with no fix: the value is written elsewhere.
    assert (by_rule["TF301"].start.column, by_rule["TF301"].end.column) == (20, 32)
    assert all(f.fix is None for f in findings)
    # A null default, no default: unknown, silent (deletion_protection stays unreported).


@pytest.mark.parametrize("files, expected, origin", [
    # A tfvars assignment wins over the default; a .tfvars.json too.
    ({"terraform.tfvars": 'ssh_cidr = "10.0.0.0/8"\npublic = true\n', "z.auto.tfvars.json": '{"skip_snapshot": false}'},
     {("TF306", PUBLIC), ("TF101", FORCE)}, ("TF306", "(var.public as set in terraform.tfvars line 2)")),
    # Auto files are read in Terraform's order, the last one winning.
    ({"terraform.tfvars": 'ssh_cidr = "10.0.0.0/8"\n', "a.auto.tfvars": 'ssh_cidr = "0.0.0.0/0"\n',
      "b.auto.tfvars": "skip_snapshot = false\n"},
     {("TF301", SSH), ("TF101", FORCE)}, ("TF301", "(var.ssh_cidr as set in a.auto.tfvars line 1)")),
])
def test_tfvars_assignments_win_over_the_default(engine, tmp_path, files, expected, origin):
    folder = _module(tmp_path, files=files)
    findings = _findings(engine, folder / "main.tf")
    assert _pairs(findings) == expected
    assert next(f for f in findings if f.rule == origin[0]).message.endswith(origin[1])


def test_other_tfvars_files_count_when_they_agree(engine, tmp_path):
    # prod and staging (given with -var-file) agree on one value, disagree on another: the
    # disagreement is unknown, and the default no longer applies to it.
    folder = _module(tmp_path, files={"prod.tfvars": 'public = true\nssh_cidr = "10.0.0.0/8"\n',
                                      "staging.tfvars": 'public = true\nssh_cidr = "0.0.0.0/0"\n'})
    assert _pairs(_findings(engine, folder / "main.tf")) == {
        ("TF306", PUBLIC), ("TF103", SNAPSHOT), ("TF101", FORCE)}


def test_what_is_not_a_literal_stays_unknown(engine, tmp_path):
    variables = ('variable "ssh_cidr" {\n  default = cidrsubnet("0.0.0.0/0", 0, 0)\n}\n'
                 'variable "skip_snapshot" {\n  default = [true, var.other][0]\n}\n'
                 'variable "settings" {\n  default = { force = true, name = local.name }\n}\n')
    folder = _module(tmp_path, variables, {"terraform.tfvars": "public = var.x\n"})
    assert _pairs(_findings(engine, folder / "main.tf")) == set()


def test_only_the_file_s_own_folder_and_only_inside_the_checked_tree(ruleset, engine, tmp_path):
    folder = _module(tmp_path, variables="")
    (tmp_path / "variables.tf").write_text(VARIABLES)  # the parent module's: another module
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "vars.tf").write_text(VARIABLES)
    os.symlink(tmp_path / "elsewhere" / "vars.tf", folder / "linked.tf")  # leads outside
    assert _pairs(_findings(engine, folder / "main.tf")) == set()
    wider = Engine(ruleset, Options(today=TODAY, read_roots=(str(tmp_path),)))
    assert _pairs(_findings(wider, folder / "main.tf")) == {("TF301", SSH), ("TF103", SNAPSHOT), ("TF101", FORCE)}


def test_variables_of_the_same_file_locals_and_override_files(engine, tmp_path):
    text = ('variable "open" {\n  default = ["0.0.0.0/0"]\n}\n'
            'locals {\n  cidrs = var.open\n}\n'
            'resource "aws_security_group_rule" "ssh" {\n  type        = "ingress"\n  from_port   = 22\n'
            '  to_port     = 22\n  protocol    = "tcp"\n  cidr_blocks = local.cidrs\n'
            '  security_group_id = "sg-1"\n}\n'
            'resource "aws_s3_bucket" "b" {\n  force_destroy = var.kept\n}\n')
    (tmp_path / "main.tf").write_text(text)
    (tmp_path / "variables.tf").write_text('variable "kept" {\n  default = false\n}\n')
    (tmp_path / "variables_override.tf").write_text('variable "kept" {\n  default = true\n}\n')
    findings = _findings(engine, tmp_path / "main.tf")
    # Through a local, at the local's value (where the literal would be), as for any local.
    assert _pairs(findings) == {("TF301", 5), ("TF101", 16)}
    assert {f.message.rsplit("(", 1)[1] for f in findings} == {
        "the default of var.open, line 2)", "the default of var.kept, variables_override.tf line 2)"}


def test_for_each_and_dynamic_blocks_over_a_variable_s_default(engine, tmp_path):
    text = ('variable "ports" {\n  default = [443, 3389]\n}\n'
            'resource "aws_security_group" "web" {\n  dynamic "ingress" {\n    for_each = var.ports\n'
            '    content {\n      from_port   = ingress.value\n      to_port     = ingress.value\n'
            '      protocol    = "tcp"\n      cidr_blocks = ["0.0.0.0/0"]\n    }\n  }\n}\n'
            'resource "aws_security_group_rule" "r" {\n  for_each    = toset(var.ports)\n'
            '  type        = "ingress"\n  from_port   = each.value\n  to_port     = each.value\n'
            '  protocol    = "tcp"\n  cidr_blocks = ["0.0.0.0/0"]\n  security_group_id = "sg-1"\n}\n')
    (tmp_path / "main.tf").write_text(text)
    assert _pairs(_findings(engine, tmp_path / "main.tf")) == {("TF301", 11), ("TF301", 21)}


def test_count_index_reads_one_element_per_instance(engine, tmp_path):
    rule = ('resource "aws_security_group_rule" "{name}" {{\n  count       = {count}\n  type        = "ingress"\n'
            '  from_port   = {port}\n  to_port     = {port}\n  protocol    = "tcp"\n'
            '  cidr_blocks = ["0.0.0.0/0"]\n  security_group_id = "sg-1"\n}}\n')
    text = ('variable "ports" {\n  default = [443, 22]\n}\nvariable "n" {\n  default = 2\n}\n'
            + rule.format(name="a", count=2, port="var.ports[count.index]")  # lines 7-15: 22 at index 1
            + rule.format(name="b", count="var.n", port="var.ports[count.index]")  # a count from a default
            + rule.format(name="c", count=25, port="count.index")  # 22 and 23 among 0..24
            + rule.format(name="d", count="var.missing", port="var.ports[count.index]")  # unknown count
            + rule.format(name="e", count=0, port="22"))  # no count.index: read as written
    (tmp_path / "main.tf").write_text(text)
    findings = _findings(engine, tmp_path / "main.tf")
    # At the CIDR, each instance once (a finding per block and line).
    assert _pairs(findings) == {("TF301", 13), ("TF301", 22), ("TF301", 31), ("TF301", 49)}
    assert [f.start.line for f in findings if f.message.endswith("(the default of var.ports, line 2)")] == [13, 22]


def test_an_editor_analyses_again_what_reads_a_changed_variable(engine, tmp_path):
    folder = _module(tmp_path)
    main = folder / "main.tf"
    data = main.read_bytes()
    reuse = Reuse()
    assert _pairs(_findings(engine, main, data, reuse)) == {("TF301", SSH), ("TF103", SNAPSHOT), ("TF101", FORCE)}
    (folder / "variables.tf").write_text(VARIABLES.replace('"0.0.0.0/0"', '"10.1.0.0/16"   '))
    assert _pairs(_findings(engine, main, data, reuse)) == {("TF103", SNAPSHOT), ("TF101", FORCE)}
    # A variable block of the file itself, edited in the buffer.
    own = data + b'variable "public" {\n  default = true\n}\n'
    (folder / "variables.tf").write_text(VARIABLES.replace('"0.0.0.0/0"', '"10.1.0.0/16"   ').replace(
        'variable "public" {\n  default = null\n}\n', ""))
    assert _pairs(_findings(engine, main, own, reuse)) == {("TF103", SNAPSHOT), ("TF101", FORCE), ("TF306", PUBLIC)}
    edited = own.replace(b"default = true\n}\n", b"default = false\n}\n")
    assert _pairs(_findings(engine, main, edited, reuse)) == {("TF103", SNAPSHOT), ("TF101", FORCE)}
    assert _pairs(_findings(engine, main, edited, reuse)) == _pairs(_findings(engine, main, edited))


def test_the_command_line_reports_the_origin(capsys, tmp_path):
    folder = _module(tmp_path)
    code, out, _ = run_cli(capsys, "check", "--no-config", "--format", "concise", str(folder))
    assert code == 1
    assert f"{folder / 'main.tf'}:{SSH}:20: TF301" in out


def test_a_false_default_is_a_switch_left_as_the_provider_has_it(engine, tmp_path):
    variables = VARIABLES.replace('variable "protect" {}', 'variable "protect" {\n  default = false\n}')
    folder = _module(tmp_path, variables)
    assert _pairs(_findings(engine, folder / "main.tf")) == {("TF301", SSH), ("TF103", SNAPSHOT), ("TF101", FORCE)}
    (folder / "terraform.tfvars").write_text("protect = false\n")  # written for this deployment
    assert _pairs(_findings(engine, folder / "main.tf")) == {
        ("TF301", SSH), ("TF103", SNAPSHOT), ("TF101", FORCE), ("TF102", PROTECT)}


def test_a_secret_in_a_default_is_reported_once_where_it_is_written(engine, tmp_path):
    # TF506 checks a `*password` variable's default itself; the use of that variable adds nothing.
    # A variable the rule does not check by name is reported where it is used.
    (tmp_path / "main.tf").write_text(
        'variable "db_password" {\n  default = "Qm7vT2pLx9rT"\n}\nvariable "initial" {\n  default = "Qm7vT2pLx9rT"\n}\n'
        'resource "aws_db_instance" "a" {\n  password = var.db_password\n}\n'
        'resource "aws_db_instance" "b" {\n  password = var.initial\n}\n')
    assert _pairs(_findings(engine, tmp_path / "main.tf")) == {("TF506", 2), ("TF506", 11)}


def test_the_folder_s_variables_are_read_only_for_a_file_whose_reads_may_reach_a_rule(engine, tmp_path):
    from blastguard.engine.documents import hcl_variables

    folder = _module(tmp_path)
    outputs = folder / "outputs.tf"
    outputs.write_text('output "cidr" {\n  value = var.ssh_cidr\n}\n')
    hcl_variables._PARSED.clear()
    assert _findings(engine, outputs) == []
    assert not any(key[0] == str(folder / "variables.tf") for key in hcl_variables._PARSED)  # not parsed
    # In an editor, a block added that reads a variable a rule sees makes the folder read.
    reuse = Reuse()
    data = outputs.read_bytes()
    assert _findings(engine, outputs, data, reuse) == []
    added = data + MAIN.encode()
    shifted = {(rule, line + 3) for rule, line in {("TF301", SSH), ("TF103", SNAPSHOT), ("TF101", FORCE)}}
    assert _pairs(_findings(engine, outputs, added, reuse)) == shifted
    assert any(key[0] == str(folder / "variables.tf") for key in hcl_variables._PARSED)
    assert _pairs(_findings(engine, outputs, data, reuse)) == set()
