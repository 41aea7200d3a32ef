"""Bad input gives one clear error naming the file (and line), never a traceback; the scan goes on."""

from __future__ import annotations

import json
import os

import pytest

from blastguard.cli import main

RISKY = 'resource "aws_s3_bucket" "b" {\n  force_destroy = true\n}\n'


def run_json(capsys, *args):
    code = main(["check", "--format", "json", "--no-config", "--select", "TF101,BG", *args])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, json.loads(out.out)


def errors_by_name(report):
    return {os.path.basename(e["path"]): (e["message"], e.get("line")) for e in report["errors"]}


def test_each_bad_file_gets_one_error_and_the_good_file_is_still_checked(tmp_path, capsys):
    (tmp_path / "good.tf").write_text(RISKY)
    (tmp_path / "binary.tf").write_bytes(b"\x00\x01\x02resource")
    (tmp_path / "latin1.tf").write_bytes(b'resource "a" "b" {\n  x = "caf\xe9"\n}\n')
    (tmp_path / "huge.tf").write_bytes(b"# padding\n" * 200_000)
    (tmp_path / "empty.tf").write_bytes(b"")
    (tmp_path / "nul.tf").write_bytes(b"# ok\n" * 3000 + b"x = 1\x00\n")
    os.mkfifo(tmp_path / "pipe.tf")
    os.symlink("loop.tf", tmp_path / "loop.tf")
    os.symlink("missing.tf", tmp_path / "dangling.tf")
    code, report = run_json(capsys, "--max-file-size", "1MB", str(tmp_path), str(tmp_path / "nope.tf"))
    assert code == 2  # nope.tf was named on the command line; errors under a folder do not fail the run
    assert {(os.path.basename(f["path"]), f["rule"], f["start"]["line"]) for f in report["findings"]} == {
        ("good.tf", "TF101", 2)}
    errors = errors_by_name(report)
    assert errors == {
        "binary.tf": ("binary file (contains NUL bytes)", None),
        "latin1.tf": ("invalid UTF-8 at line 2 (byte 29)", 2),
        "huge.tf": ("file is 2,000,000 bytes, over the 1,000,000-byte limit (max_file_size)", None),
        "nul.tf": ("NUL byte at line 3001", 3001),
        "pipe.tf": ("not a regular file", None),
        "loop.tf": ("broken or looping symbolic link", None),
        "dangling.tf": ("broken or looping symbolic link", None),
        "nope.tf": ("no such file or directory", None),
    }
    code, report = run_json(capsys, "--max-file-size", "1MB", str(tmp_path))
    assert code == 1 and len(report["errors"]) == 7


def test_syntax_error_still_reports_what_parses_and_says_where(tmp_path, capsys):
    path = tmp_path / "broken.tf"
    path.write_text(RISKY + 'resource "aws_s3_bucket" "c" {\n  acl = \n}\n' + RISKY.replace('"b"', '"d"'))
    _, report = run_json(capsys, str(path))
    assert {(f["rule"], f["start"]["line"]) for f in report["findings"]} >= {("TF101", 2), ("BG001", 6)}
    syntax = next(f for f in report["findings"] if f["rule"] == "BG001")
    assert syntax["severity"] == "info" and "line 6" in syntax["message"]


def test_deeply_nested_documents_are_refused_with_the_line(tmp_path, capsys):
    depth = 10_000
    (tmp_path / "deep.tf").write_text('resource "aws_s3_bucket" "b" {\n  x = ' + "{a = " * depth + "1" + "}" * depth + "\n}\n")
    (tmp_path / "deep.tf.json").write_text('{"resource": {"aws_s3_bucket": {"b": {"x": ' + "[" * depth + "]" * depth + "}}}}")
    _, report = run_json(capsys, str(tmp_path))
    errors = errors_by_name(report)
    assert set(errors) == {"deep.tf", "deep.tf.json"}
    assert all(message.startswith("nesting deeper than") for message, _ in errors.values())


def test_engine_refuses_nothing_silently(engine):
    result = engine.analyze("main.tf", b"\xff\xfe")
    assert [e.message for e in result.errors] == ["invalid UTF-8 at line 1 (byte 0)"]
    assert engine.analyze("main.tf", b"").findings == []


def _billion_laughs() -> str:
    lines = ["apiVersion: v1", "kind: ConfigMap", 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    return "\n".join(lines) + "\n"


def test_bad_input_in_each_language_gets_an_error_and_the_scan_goes_on(tmp_path, capsys):
    (tmp_path / "good.tf").write_text(RISKY)
    (tmp_path / "bomb.yaml").write_text(_billion_laughs())
    # 50 MB on one line, sniffed as a CloudFormation template.
    with open(tmp_path / "big.json", "wb") as out:
        out.write(b'{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Pad": "' + b"x" * 50_000_000 + b'"}}')
    (tmp_path / "nul.py").write_bytes(b"import os\n" * 1000 + b"os.system('x')\x00\n")
    depth = 10_000
    (tmp_path / "deep.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"
        "    Properties:\n      Tags: " + "[" * depth + "]" * depth + "\n")
    (tmp_path / "deep.json").write_text(
        '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"B": {"Type": "AWS::S3::Bucket", "x": '
        + '{"a": ' * depth + "1" + "}" * depth + "}}}")
    code, report = run_json(capsys, str(tmp_path))
    assert code == 1
    assert {(os.path.basename(f["path"]), f["rule"]) for f in report["findings"]} == {("good.tf", "TF101")}
    assert errors_by_name(report) == {
        "bomb.yaml": ("aliases expand to more than 100,000 values (a 'billion laughs' document?)", 8),
        "big.json": ("file is 50,000,068 bytes, over the 5,242,880-byte limit (max_file_size)", None),
        "nul.py": ("NUL byte at line 1001", 1001),
        "deep.yaml": ("nesting deeper than 200 levels", 6),
        "deep.json": ("nesting deeper than 200 levels", 1),
    }


def test_a_deeply_nested_python_literal_is_unknown_not_an_error(engine):
    depth = 10_000
    source = "import os\nx = " + "[" * depth + "]" * depth + "\nos.system(cmd)\n"
    result = engine.analyze("tool.py", source.encode())
    assert result.errors == []
    assert result.language == "python"


def test_helm_templates_do_not_crash_and_the_parts_that_parse_are_checked(engine):
    source = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
        "spec:\n  template:\n    spec:\n      {{- if .Values.hostNetwork }}\n      hostNetwork: true\n"
        "      {{- end }}\n      containers:\n        - name: app\n          image: \"{{ .Values.image }}\"\n"
        "          securityContext:\n            privileged: {{ .Values.privileged }}\n"
    )
    result = engine.analyze("templates/deployment.yaml", source.encode())
    assert result.errors == []


# A `\ud800` escape is valid JSON, YAML and Python, and decodes to a lone surrogate that RE2 cannot
# take: the file used to fail whole with an internal error instead of being checked.
LONE_SURROGATES = {
    "template.json": ('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"B": {"Type": '
                      '"AWS::S3::Bucket", "Properties": {"BucketName": "a\\ud800",\n'
                      '"AccessControl": "PublicReadWrite"}}}}\n', {("CFN401", 2)}),
    "pod.yaml": ('apiVersion: v1\nkind: Pod\nmetadata:\n  name: "a\\ud800"\nspec:\n  containers:\n'
                 '  - name: x\n    image: y\n    securityContext:\n      privileged: true\n    env:\n'
                 '    - name: DB_PASSWORD\n      value: "\\udc00Qm7vT2pLx9wzR4"\n',
                 {("K8S101", 10), ("K8S502", 13)}),
    "tool.py": ('import subprocess\nsubprocess.run("echo \\ud800", shell=True)\n'
                'password = "\\ud800Qm7vT2pLx9wzR4"\n', {("PY102", 2), ("PY404", 3)}),
}


@pytest.mark.parametrize("name", sorted(LONE_SURROGATES))
def test_lone_surrogate_escapes_are_read_not_an_internal_error(engine, name):
    source, expected = LONE_SURROGATES[name]
    result = engine.analyze(name, source.encode())
    assert result.errors == []
    assert {(f.rule, f.start.line) for f in result.findings} == expected


@pytest.mark.parametrize(("size", "most", "expected"), [
    (10, 100, b"0123456789"),  # the size taken before the read
    (4, 100, b"0123456789"),  # the file grew since: read on to the end
    (4, 8, b"01234567"),  # grew past the limit: up to it, as one read of `most` gives
    (30, 100, b"0123456789"),  # shrank since
    (10, 6, b"012345"),
])
def test_a_file_is_read_whole_up_to_the_limit_whatever_its_size_was(tmp_path, size, most, expected):
    from blastguard.runner import read_most

    path = tmp_path / "f.yaml"
    path.write_bytes(b"0123456789")
    with open(path, "rb") as handle:
        assert read_most(handle, size, most) == expected
