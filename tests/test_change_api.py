"""engine.change: findings matched by identity across versions, and what a change destroys."""

from __future__ import annotations

from blastguard.engine.change import compare_file, compare_files

RISKY = b'''resource "aws_s3_bucket" "logs" {
  bucket        = "acme-logs"
  force_destroy = true
}

resource "aws_db_instance" "orders" {
  identifier          = "orders"
  skip_final_snapshot = true
}
'''


def _pairs(findings):
    return {(f.rule, f.path, f.start.line) for f in findings}


def test_unchanged_findings_are_preexisting_and_new_ones_introduced(engine):
    new = RISKY + b'''
resource "aws_security_group" "ssh" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
'''
    report = compare_file(engine, "main.tf", RISKY, new)
    assert _pairs(report.introduced) == {("TF301", "main.tf", 16)}
    assert _pairs(report.preexisting) == {("TF101", "main.tf", 3), ("TF103", "main.tf", 8)}
    assert report.destroyed == [] and report.status == "modified"


def test_reformatting_and_reordering_introduce_nothing(engine):
    new = b'''# Databases first, now.
resource "aws_db_instance" "orders" {
  skip_final_snapshot = true     # staging only
  identifier = "orders"
}


resource "aws_s3_bucket" "logs" {
  force_destroy = true
  bucket = "acme-logs"
}
'''
    report = compare_file(engine, "main.tf", RISKY, new)
    assert report.introduced == [] and report.destroyed == []
    assert _pairs(report.preexisting) == {("TF103", "main.tf", 3), ("TF101", "main.tf", 9)}


def test_a_block_moved_to_another_file_of_the_module_is_no_change(engine):
    old = {"infra/main.tf": RISKY}
    new = {"infra/main.tf": RISKY[:RISKY.index(b"resource \"aws_db")],
           "infra/database.tf": RISKY[RISKY.index(b"resource \"aws_db"):]}
    reports = compare_files(engine, old, new)
    assert [f for r in reports.values() for f in r.introduced + r.destroyed] == []
    assert _pairs(reports["infra/database.tf"].preexisting) == {("TF103", "infra/database.tf", 3)}
    assert reports["infra/database.tf"].status == "added"


def test_the_same_block_in_another_module_directory_is_new(engine):
    reports = compare_files(engine, {"a/main.tf": RISKY}, {"a/main.tf": RISKY, "b/main.tf": RISKY})
    assert _pairs(reports["b/main.tf"].introduced) == {("TF101", "b/main.tf", 3), ("TF103", "b/main.tf", 8)}


def test_a_new_file_is_all_introduced_and_a_deleted_file_reports_what_it_destroys(engine):
    added = compare_file(engine, "main.tf", None, RISKY)
    assert _pairs(added.introduced) == {("TF101", "main.tf", 3), ("TF103", "main.tf", 8)}
    assert added.status == "added"
    deleted = compare_file(engine, "main.tf", RISKY, None)
    assert deleted.status == "deleted" and deleted.introduced == [] and deleted.preexisting == []
    assert {(f.rule, f.start.line, f.severity.label, f.unit) for f in deleted.destroyed} == {
        ("TF601", 1, "error", "aws_s3_bucket.logs"), ("TF601", 1, "error", "aws_db_instance.orders")}
    message = next(f.message for f in deleted.destroyed if f.unit == "aws_db_instance.orders")
    assert message.startswith("aws_db_instance.orders is removed: applying this change destroys the database")


def test_two_findings_of_one_rule_in_one_unit_stay_distinct(engine):
    old = b'''resource "aws_security_group" "web" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
'''
    new = old.replace(b"  }\n}", b'''  }
  ingress {
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}''')
    report = compare_file(engine, "main.tf", old, new)
    assert _pairs(report.preexisting) == {("TF301", "main.tf", 6)}
    assert _pairs(report.introduced) == {("TF301", "main.tf", 12)}


def test_rename_offers_a_moved_block_and_a_moved_block_silences_it(engine):
    old = b'resource "aws_db_instance" "orders" {\n  identifier = "orders"\n}\n'
    new = b'resource "aws_db_instance" "main" {\n  identifier = "orders"\n}\n'
    report = compare_file(engine, "main.tf", old, new)
    (finding,) = report.destroyed
    assert (finding.rule, finding.start.line, finding.severity.label) == ("TF602", 1, "error")
    (edit,) = finding.fix.edits
    fixed = new[:edit.start] + edit.text.encode() + new[edit.end:]
    assert fixed == new.rstrip(b"\n") + b"\n\nmoved {\n  from = aws_db_instance.orders\n  to   = aws_db_instance.main\n}\n"
    assert compare_file(engine, "main.tf", old, fixed).destroyed == []


def test_count_to_for_each_with_a_moved_block_for_each_key_is_quiet(engine):
    old = b'resource "aws_ebs_volume" "data" {\n  count = 2\n  availability_zone = "eu-west-1a"\n}\n'
    new = (b'resource "aws_ebs_volume" "data" {\n  for_each = {a = 1, b = 2}\n  availability_zone = "eu-west-1a"\n}\n'
           b'moved {\n  from = aws_ebs_volume.data[0]\n  to = aws_ebs_volume.data["a"]\n}\n')
    (finding,) = compare_file(engine, "main.tf", old, new).destroyed
    assert (finding.rule, finding.start.line, finding.severity.label) == ("TF603", 2, "error")
    assert 'aws_ebs_volume.data["b"]' in finding.message and '["a"]' not in finding.message
    new += b'moved {\n  from = aws_ebs_volume.data[1]\n  to = aws_ebs_volume.data["b"]\n}\n'
    assert compare_file(engine, "main.tf", old, new).destroyed == []


def test_suppression_silences_a_change_finding_and_is_itself_reported(engine):
    old = b'resource "aws_s3_bucket" "a" {\n  bucket = "a"\n}\n'
    new = (b'# blastguard: ignore[TF602] scratch bucket, recreated on purpose\n'
           b'resource "aws_s3_bucket" "b" {\n  bucket = "a"\n}\n')
    report = compare_file(engine, "main.tf", old, new)
    assert report.destroyed == []
    assert {(f.rule, f.start.line, f.severity.label) for f in report.introduced} == {("BG005", 1, "info")}
    # The plain check does not call a change rule's suppression unused.
    assert [f.rule for f in engine.analyze("main.tf", new).findings] == []
    # A suppression that was already there is not news.
    assert compare_file(engine, "main.tf", new, new).introduced == []


def test_kubernetes_python_and_workflow_identities_ignore_lines(engine):
    deploy = b'''apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: app
          securityContext: {privileged: true}
'''
    moved = b"# the shop's web tier\n---\n" + deploy
    report = compare_file(engine, "deploy.yaml", deploy, moved)
    assert report.introduced == [] and _pairs(report.preexisting) == {("K8S101", "deploy.yaml", 11)}
    (finding,) = report.preexisting
    assert finding.unit == "Deployment/shop/web/containers/app"
    script = b"import subprocess\n\ndef deploy(cmd):\n    subprocess.run(cmd, shell=True)\n"
    shifted = b'"""Deploy."""\nimport subprocess\n\n\ndef deploy(cmd):\n    subprocess.run(cmd, shell=True)\n'
    report = compare_file(engine, "tool.py", script, shifted)
    assert report.introduced == [] and {f.unit for f in report.preexisting} == {"deploy"}
    elsewhere = script.replace(b"def deploy", b"def rollback")
    assert {f.unit for f in compare_file(engine, "tool.py", script, elsewhere).introduced} == {"rollback"}


def test_units_name_what_each_language_knows_a_finding_by(engine):
    workflow = b'''on: pull_request_target
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {ref: "${{ github.event.pull_request.head.sha }}"}
      - id: greet
        run: echo "${{ github.event.issue.title }}"
'''
    compose = b"services:\n  builder:\n    image: docker:27\n    privileged: true\n"
    playbook = b"- name: Clean up\n  hosts: all\n  tasks:\n    - shell: rm -rf /\n"
    template = b"Resources:\n  Data:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: PublicReadWrite\n"
    found = set()
    for path, data in ((".github/workflows/ci.yml", workflow), ("docker-compose.yml", compose),
                       ("playbook.yml", playbook), ("template.yaml", template)):
        found |= {(f.rule, f.unit, f.where) for f in engine.analyze(path, data).findings}
    assert found == {
        ("GHA101", "jobs.build.steps.0", "step with.ref"),
        ("GHA102", "jobs.build.steps.greet", "step run"),
        ("DC101", "services.builder", "service privileged"),
        ("ANS101", "Clean up/shell #1", "task cmd"),
        ("CFN401", "Data", "resource Properties.AccessControl"),
    }


def test_destroyed_findings_say_what_they_were_and_become_and_restated_file_findings_are_dropped(engine):
    old = b'resource "aws_db_instance" "a" {\n  identifier          = "a"\n  deletion_protection = true\n}\n'
    new = b'resource "aws_db_instance" "a" {\n  identifier          = "b"\n  deletion_protection = false\n}\n'
    report = compare_file(engine, "main.tf", old, new)
    assert {(f.rule, f.start.line): report.transitions[f] for f in report.destroyed} == {
        ("TF608", 2): ('aws_db_instance.a: identifier = "a"', 'aws_db_instance.a: identifier = "b"'),
        ("TF607", 3): ("aws_db_instance.a: deletion_protection = true", "aws_db_instance.a: deletion_protection = false"),
    }
    # TF102 (deletion protection is off) flags the same attribute: the change rule says it with was -> now.
    assert [f.rule for f in engine.analyze("main.tf", new).findings] == ["TF102"]
    assert report.introduced == []


def test_objects_and_resources_moved_between_files_are_no_change(engine):
    pvc = b"apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec: {storageClassName: ssd}\n"
    other = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n"
    reports = compare_files(engine, {"a.yaml": pvc + b"---\n" + other}, {"a.yaml": other, "b.yaml": pvc})
    assert [f for r in reports.values() for f in r.destroyed] == []
    gone = compare_files(engine, {"a.yaml": pvc + b"---\n" + other}, {"a.yaml": other})
    assert [(f.rule, f.start.line, f.severity.label) for f in gone["a.yaml"].destroyed] == [("K8S602", 1, "error")]


def test_a_new_version_with_a_syntax_error_removes_nothing(engine):
    # Half-typed: tree-sitter no longer sees the database block at all.
    broken = RISKY.replace(b'resource "aws_db_instance" "orders" {', b'resource "aws_db_instance" "orders" = (')
    assert compare_file(engine, "main.tf", RISKY, broken).destroyed == []
    assert [f.rule for f in compare_file(engine, "main.tf", RISKY, RISKY.split(b"\n\n")[0] + b"\n").destroyed] == ["TF601"]
    pvc = b"apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec: {storageClassName: ssd}\n"
    assert compare_file(engine, "pvc.yaml", pvc, b"apiVersion: v1\nkind: [\n").destroyed == []
    templated = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}}\n"
    assert compare_file(engine, "pvc.yaml", pvc, templated).destroyed == []


def test_a_renamed_data_source_keeps_its_findings_and_destroys_nothing(engine):
    old = b'''data "aws_iam_policy_document" "admin" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}
'''
    report = compare_file(engine, "main.tf", old, old.replace(b'"admin"', b'"deployer"'))
    assert report.introduced == [] and report.destroyed == []
    assert {(f.rule, f.unit) for f in report.preexisting} == {("TF201", "data.aws_iam_policy_document.deployer")}
