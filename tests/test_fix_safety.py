"""A safe fix changes only its finding: values read through locals or YAML aliases, fixes that
change what a program does today, and cycles in locals."""

from __future__ import annotations

import subprocess
import sys

from blastguard.cli import main
from blastguard.fixing import fixed_text

SHARED_LOCAL = """locals {
  is_dev = true
}

resource "aws_s3_bucket" "b" {
  bucket        = "x"
  force_destroy = local.is_dev
}

resource "aws_instance" "i" {
  count = local.is_dev ? 1 : 0
  ami   = "ami-1"
}
"""


def fixes_of(engine, path: str, text: str):
    """(rule, line, safe, [(edit line, replacement)]) per finding with a fix."""
    data = text.encode()
    starts = [0] + [i + 1 for i, b in enumerate(data) if b == 10]
    line = lambda offset: sum(1 for s in starts if s <= offset)  # noqa: E731
    return {(f.rule, f.start.line, f.fix.safe, tuple((line(e.start), e.text) for e in f.fix.edits))
            for f in engine.analyze(path, data).findings if f.fix is not None}


def test_a_value_from_a_local_is_fixed_where_it_is_used_and_the_local_stays(engine, tmp_path, capsys):
    assert fixes_of(engine, "main.tf", SHARED_LOCAL) == {("TF101", 2, True, ((7, "false"),))}
    path = tmp_path / "main.tf"
    path.write_text(SHARED_LOCAL)
    assert main(["check", "--no-config", "--fix", str(path)]) == 0
    capsys.readouterr()
    # The instance's count still reads the local: the fix touched only the bucket.
    assert path.read_text() == SHARED_LOCAL.replace("force_destroy = local.is_dev", "force_destroy = false")


def test_a_nested_value_of_a_local_and_a_local_read_by_path_are_handled_apart(engine):
    text = """locals {
  f = { resource_group = { prevent_deletion_if_contains_resources = false } }
  g = { keep = false }
}
provider "azurerm" {
  features = local.f
}
provider "azurerm" {
  alias = "two"
  features {
    resource_group {
      prevent_deletion_if_contains_resources = local.g.keep
    }
  }
}
"""
    # The first edit would land inside `locals` (other expressions may read local.f): not safe.
    # The second replaces the reference `local.g.keep` itself.
    assert fixes_of(engine, "main.tf", text) == {
        ("TF110", 2, False, ((2, "true"),)),
        ("TF110", 3, True, ((12, "true"),)),
    }


def test_an_edit_inside_a_yaml_anchor_that_aliases_read_is_not_safe(engine):
    text = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Db: &db
    Type: AWS::RDS::DBInstance
    DeletionPolicy: Delete
    Properties: {Engine: postgres}
  Db2: *db
  Db3:
    Type: AWS::RDS::DBInstance
    DeletionPolicy: &del Delete
    Properties: {Engine: postgres}
  Db4:
    Type: AWS::RDS::DBInstance
    DeletionPolicy: *del
    Properties: {Engine: postgres}
  Db5:
    Type: AWS::RDS::DBInstance
    DeletionPolicy: Delete
    Properties: {Engine: postgres}
"""
    assert fixes_of(engine, "template.yaml", text) == {
        ("CFN101", 5, False, ((5, "Snapshot"),)),  # Db2 reads the same text
        ("CFN101", 10, False, ((10, "Snapshot"),)),  # Db4 reads `&del`
        ("CFN101", 14, True, ((14, "Snapshot"),)),  # replaces the alias `*del` alone
        ("CFN101", 18, True, ((18, "Snapshot"),)),
    }


def test_fixes_that_change_what_runs_today_are_offered_but_not_applied(engine):
    python = 'import subprocess\nsubprocess.run("terraform init", shell=True)\n'
    assert fixes_of(engine, "x.py", python) == {
        ("PY102", 2, False, ((2, '["terraform", "init"]'), (2, "")))}
    assert fixed_text(engine, "x.py", python.encode())[0] == python.encode()
    tf = ('resource "aws_db_instance" "d" {\n  publicly_accessible = true\n}\n'
          'resource "aws_s3_bucket" "b" {\n  acl = "public-read-write"\n}\n')
    assert {(rule, safe) for rule, _, safe, _ in fixes_of(engine, "main.tf", tf)} == {
        ("TF306", False), ("TF401", False)}


CYCLES = """locals {
  tags = { self = local.tags }
  a    = { x = local.b, force_destroy = true }
  b    = { y = local.a }
  c    = local.c
  d    = [local.d, local.e]
  e    = merge(local.d, { z = local.e })
}

resource "aws_s3_bucket" "b" {
  bucket        = "x"
  tags          = local.tags
  other         = [local.a, local.b, local.c, local.d, local.e]
  force_destroy = local.a.force_destroy
}
"""


def test_cyclic_locals_are_unknown_and_the_tree_stays_acyclic(engine):
    result = engine.analyze("main.tf", CYCLES.encode())
    assert {(f.rule, f.start.line) for f in result.findings} == {("TF101", 3)}
    assert result.errors == []


def test_cyclic_locals_do_not_hang_the_command_line(tmp_path):
    path = tmp_path / "main.tf"
    path.write_text(CYCLES)
    done = subprocess.run([sys.executable, "-m", "blastguard", "check", "--no-config", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "main.tf:3:" in done.stdout and "TF101" in done.stdout
