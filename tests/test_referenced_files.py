"""Terraform file() and templatefile(): the files are read from inside the checked tree only,
and what they hold is reported at the call."""

from __future__ import annotations

import os

from blastguard.engine.analyze import Engine
from blastguard.engine.options import Options
from tests.conftest import TODAY, run_cli

# Each resource takes three lines: the value of the n-th (from 0) is on line 3n + 2.
CALLS = [
    ("aws_instance", "user_data", 'file("init.sh")'),
    ("aws_instance", "user_data", 'file("${path.module}/../outside.sh")'),
    ("aws_instance", "user_data", 'file("link.sh")'),  # a symbolic link to a file outside
    ("aws_instance", "user_data", 'file("missing.sh")'),
    ("aws_instance", "user_data", 'file("binary.sh")'),
    ("aws_iam_policy", "policy", 'file("policies/admin.json")'),
    ("aws_instance", "user_data", 'templatefile("boot.tpl", { token = var.token })'),
]
MAIN = "".join(f'resource "{type_}" "r{i}" {{\n  {name} = {call}\n}}\n' for i, (type_, name, call) in enumerate(CALLS))
SCRIPT = "#!/bin/bash\nexport DB_PASSWORD=Qm7#vT2p!Lx9\n"


def _tree(tmp_path):
    module = tmp_path / "repo" / "module"
    (module / "policies").mkdir(parents=True)
    (module / "main.tf").write_text(MAIN)
    (module / "init.sh").write_text(SCRIPT)
    (tmp_path / "repo" / "outside.sh").write_text(SCRIPT)
    (tmp_path / "elsewhere.sh").write_text(SCRIPT)
    os.symlink(tmp_path / "elsewhere.sh", module / "link.sh")
    (module / "binary.sh").write_bytes(b"DB_PASSWORD=Qm7#vT2p!Lx9\0\n")
    (module / "policies" / "admin.json").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}')
    # A template's own variables are unknown; its literal text is read, $${ is a literal ${.
    (module / "boot.tpl").write_text("TOKEN=${token}\nAPI_KEY=$${KEY}\nSLACK_TOKEN=xoxb-1234567890-abcdefghijklmnopqrst\n")
    return module


def _found(engine, path):
    result = engine.analyze(str(path), path.read_bytes())
    assert not result.errors
    return {(f.rule, f.start.line) for f in result.findings}


def test_files_are_read_from_the_checked_file_s_folder_only(engine, tmp_path):
    module = _tree(tmp_path)
    assert _found(engine, module / "main.tf") == {("TF507", 2), ("TF201", 17), ("TF507", 20)}


def test_the_checked_tree_may_be_wider_than_the_file_s_folder(ruleset, tmp_path):
    module = _tree(tmp_path)
    engine = Engine(ruleset, Options(today=TODAY, read_roots=(str(tmp_path / "repo"),)))
    assert _found(engine, module / "main.tf") == {("TF507", 2), ("TF507", 5), ("TF201", 17), ("TF507", 20)}


def test_the_command_line_reads_within_the_paths_it_checks(capsys, tmp_path):
    module = _tree(tmp_path)
    code, out, _ = run_cli(capsys, "check", "--no-config", "--format", "concise", str(tmp_path / "repo"))
    assert code == 1
    assert {line.split(" ")[0] for line in out.splitlines() if "TF507" in line} == {
        f"{module / 'main.tf'}:{line}:3:" for line in (2, 5, 20)}


def test_decoded_files_are_checked_at_the_call_and_never_fixed_there(engine, tmp_path):
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: agent\nspec:\n  containers:\n"
        "    - name: agent\n      image: ${image}\n      securityContext:\n        privileged: true\n")
    (tmp_path / "admin.json").write_text('{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}')
    (tmp_path / "broken.yaml").write_text("a: [\n")
    main = tmp_path / "main.tf"
    main.write_text(
        'resource "kubernetes_manifest" "agent" {\n'
        '  manifest = yamldecode(templatefile("pod.yaml", { image = var.image }))\n}\n'
        'resource "aws_iam_policy" "admin" {\n  policy = jsonencode(jsondecode(file("admin.json")))\n}\n'
        'resource "kubernetes_manifest" "broken" {\n  manifest = yamldecode(file("broken.yaml"))\n}\n')
    result = engine.analyze(str(main), main.read_bytes())
    assert not result.errors
    assert {(f.rule, f.start.line) for f in result.findings} == {("K8S101", 2), ("TF201", 5)}
    # K8S101 has a fix; here it would overwrite the call with `false`.
    assert all(f.fix is None for f in result.findings)
