"""Valid files that used to be skipped: composite actions, CloudFormation JSON whose keys come
late, Ansible inventory variables without a suffix, Python in a declared source encoding,
and a named file no rule applies to (said, not dropped)."""

from __future__ import annotations

import json

from blastguard.cli import main
from blastguard.engine import languages


def pairs(result):
    return {(f.rule, f.start.line) for f in result.findings}


COMPOSITE = """\
name: Greet
description: says hello
inputs:
  who: {description: whom}
runs:
  using: composite
  steps:
    - run: echo "${{ github.event.issue.title }}"
      shell: bash
    - run: echo "${{ inputs.who }}"
      shell: bash
    - run: echo "${{ contains(github.event.issue.title, 'x') }}"
      shell: bash
"""


def test_a_composite_actions_steps_get_the_step_rules(engine):
    result = engine.analyze("actions/greet/action.yml", COMPOSITE.encode())
    assert result.language == "github-actions"
    # inputs.* come from the caller (not known to be attacker-controlled); a test gives a boolean.
    assert pairs(result) == {("GHA102", 8)}


def test_an_action_that_is_not_composite_or_not_named_action_is_not_read_as_one(engine):
    docker = COMPOSITE.replace("using: composite", "using: docker")
    assert engine.analyze("action.yml", docker.encode()).language is None
    assert engine.analyze("greet.yml", COMPOSITE.encode()).language is None


def test_cloudformation_json_whose_keys_come_after_a_large_mappings_block_is_read(engine):
    mappings = {f"Region{i}": {"Ami": "ami-" + "0" * 17} for i in range(400)}
    template = {"Mappings": {"A": mappings},
                "Resources": {"Admin": {"Type": "AWS::IAM::Policy", "Properties": {
                    "PolicyName": "p", "Roles": ["r"], "PolicyDocument": {"Statement": [
                        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}}}}}
    text = json.dumps(template, indent=1, sort_keys=True)
    assert text.index('"Resources"') > languages.SNIFF_BYTES
    result = engine.analyze("stack.json", text.encode())
    assert result.language == "cloudformation"
    line = text[:text.index('"Action": "*"')].count("\n") + 1
    assert pairs(result) == {("CFN201", line)}


def test_unrelated_json_is_still_not_checked(engine):
    assert engine.analyze("package.json", b'{"name": "x", "version": "1.0.0"}').language is None


def test_ansible_inventory_variables_without_a_suffix_are_read(engine, tmp_path):
    assert languages.candidate("inventory/group_vars/all")
    assert languages.detect("inventory/group_vars/all") == ("yaml", "yaml")
    assert not languages.candidate("docs/all")
    result = engine.analyze("inventory/group_vars/all", b"---\nntp_server: pool.ntp.org\nusers: [a, b]\n")
    assert result.language == "ansible" and result.errors == []


def test_python_in_a_declared_latin_1_encoding_is_read_at_the_right_columns_without_fixes(engine):
    source = '# -*- coding: latin-1 -*-\nname = "caf\xe9"\nimport subprocess\nsubprocess.run("ls " + name, shell=True)\n'
    result = engine.analyze("tool.py", source.encode("latin-1"))
    assert result.errors == []
    found = {(f.rule, f.start.line, f.start.column) for f in result.findings}
    utf8 = engine.analyze("tool.py", source.replace("latin-1", "utf-8").encode())
    assert found == {(f.rule, f.start.line, f.start.column) for f in utf8.findings} and found
    assert all(f.fix is None for f in result.findings)


def test_an_undecodable_or_unknown_declared_encoding_is_one_error_with_the_line(engine):
    unknown = engine.analyze("a.py", b"#!/usr/bin/env python\n# coding: klingon\nx = 1\n")
    assert [(e.message, e.line) for e in unknown.errors] == [("unknown source encoding 'klingon' declared at line 2", 2)]
    bad = engine.analyze("b.py", b"# coding: ascii\nx = '\xe9'\n")
    assert [(e.message, e.line) for e in bad.errors] == [("invalid ascii at line 2 (byte 21)", 2)]


def test_a_named_file_no_rule_applies_to_is_said_on_stderr(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("hello\n")
    (tmp_path / "data.json").write_text('{"a": 1}\n')  # a .json of no checked kind: quiet (pre-commit)
    code = main(["check", "--no-config", "notes.txt", "data.json"])
    assert (code, capsys.readouterr().err) == (0, "notes.txt: not checked: no rule applies to this kind of file\n")
    main(["check", "--no-config", "."])  # found in a folder: skipped quietly
    assert "not checked" not in capsys.readouterr().err
