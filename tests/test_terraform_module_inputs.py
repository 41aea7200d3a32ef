"""A literal passed to a local module (`source = "./modules/x"`) is checked where the module uses
it and reported at the input line of the caller."""

from __future__ import annotations

from blastguard.engine.analyze import Engine
from blastguard.engine.options import Options
from tests.conftest import TODAY

MODULE = """resource "aws_security_group" "this" {
  name = var.name
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.ssh_cidrs
  }
}
resource "aws_db_instance" "db" {
  skip_final_snapshot = var.skip_snapshot
  publicly_accessible = true
}
"""
VARIABLES = """variable "ssh_cidrs" {
  type = list(string)
}
variable "name" {
  default = "sg"
}
variable "skip_snapshot" {
  default = true
}
"""
CALLER = """variable "open" {
  default = ["0.0.0.0/0"]
}
module "web" {
  source    = "./modules/sg"
  ssh_cidrs = ["0.0.0.0/0"]
  name      = "web"
}
module "safe" {
  source        = "./modules/sg"
  ssh_cidrs     = ["10.0.0.0/8"]
  skip_snapshot = false
}
module "through_a_variable" {
  source    = "./modules/sg"
  ssh_cidrs = var.open
}
module "unknown" {
  source    = "./modules/sg"
  ssh_cidrs = var.cidrs
}
module "remote" {
  source    = "terraform-aws-modules/security-group/aws"
  ssh_cidrs = ["0.0.0.0/0"]
}
"""


def _tree(tmp_path, caller=CALLER):
    module = tmp_path / "modules" / "sg"
    module.mkdir(parents=True)
    (module / "main.tf").write_text(MODULE)
    (module / "variables.tf").write_text(VARIABLES)
    (tmp_path / "main.tf").write_text(caller)
    return tmp_path / "main.tf"


def _found(engine, path):
    result = engine.analyze(str(path), path.read_bytes())
    assert not result.errors
    return result.findings


def test_a_literal_input_is_reported_at_the_caller_where_the_module_would_use_it(engine, tmp_path):
    findings = _found(engine, _tree(tmp_path))
    # The module's own findings (the skip_snapshot default, the literal publicly_accessible) are
    # the module's: reported when its files are checked, not at each caller.
    assert {(f.rule, f.start.line) for f in findings} == {("TF301", 6), ("TF301", 16)}
    by_line = {f.start.line: f for f in findings}
    assert by_line[6].message.endswith("(module.web sets var.ssh_cidrs, which modules/sg/main.tf line 7 uses)")
    assert by_line[16].message.endswith(
        "(module.through_a_variable sets var.ssh_cidrs, which modules/sg/main.tf line 7 uses; "
        "the default of var.open, line 2)")
    assert (by_line[6].start.column, by_line[6].fix) == (3, None)
    assert {f.unit for f in findings} == {"module.web", "module.through_a_variable"}


def test_an_explicit_false_input_counts(engine, tmp_path):
    caller = 'module "db" {\n  source        = "./modules/sg"\n  skip_snapshot = true\n}\n'
    assert {(f.rule, f.start.line) for f in _found(engine, _tree(tmp_path, caller))} == {("TF103", 3)}


def test_modules_above_the_caller_or_outside_the_checked_tree_are_not_read(ruleset, tmp_path):
    _tree(tmp_path)
    (tmp_path / "env").mkdir()
    caller = tmp_path / "env" / "main.tf"
    caller.write_text('module "web" {\n  source    = "../modules/sg"\n  ssh_cidrs = ["0.0.0.0/0"]\n}\n')
    wide = Engine(ruleset, Options(today=TODAY, read_roots=(str(tmp_path),)))
    assert _found(wide, caller) == []  # a `../` source: not followed
    (tmp_path / "env" / "modules").symlink_to(tmp_path / "modules")
    caller.write_text('module "web" {\n  source    = "./modules/sg"\n  ssh_cidrs = ["0.0.0.0/0"]\n}\n')
    narrow = Engine(ruleset, Options(today=TODAY, read_roots=(str(tmp_path / "env"),)))
    assert _found(narrow, caller) == []  # leads outside the checked tree
    assert {(f.rule, f.start.line) for f in _found(wide, caller)} == {("TF301", 3)}


def test_a_secret_passed_to_a_module_is_reported_at_the_input(engine, tmp_path):
    module = tmp_path / "modules" / "db"
    module.mkdir(parents=True)
    (module / "main.tf").write_text('variable "db_password" {}\nresource "aws_db_instance" "db" {\n'
                                    '  password = var.db_password\n}\n')
    caller = tmp_path / "main.tf"
    caller.write_text('module "db" {\n  source      = "./modules/db"\n  db_password = "Qm7vT2pLx9rT"\n}\n')
    assert [(f.rule, f.start.line, f.message.endswith("(module.db sets var.db_password, which modules/db/main.tf "
                                                       "line 3 uses)")) for f in _found(engine, caller)] == [
        ("TF506", 3, True)]
