"""A string with interpolations is unknown, but its presence and literal parts are known."""

from __future__ import annotations

from blastguard.engine.compile import compile_condition
from blastguard.engine.documents.load import load


def _found(engine, path: str, text: str) -> set[tuple[str, int]]:
    result = engine.analyze(path, text.encode())
    assert not result.errors, result.errors
    return {(f.rule, f.start.line) for f in result.findings}


def test_an_interpolated_member_is_present(engine):
    text = '''resource "google_project_iam_member" "ci" {
  project = "acme-prod"
  role    = "roles/owner"
  member  = "serviceAccount:${google_service_account.ci.email}"
}
resource "google_project_iam_member" "any" {
  role   = "roles/owner"
  member = "${var.member}"
}
'''
    # "${var.member}" alone is the variable itself, which may be null: still unknown.
    assert _found(engine, "main.tf", text) == {("TF213", 3)}


def test_literal_parts_rule_out_an_excluded_value(engine):
    text = '''apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: public-read
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: "{{ .Release.Name }}-reader"
subjects:
  - kind: Group
    apiGroup: rbac.authorization.k8s.io
    name: system:unauthenticated
'''
    assert _found(engine, "templates/binding.yaml", text) == {("K8S210", 12)}


def _truth(condition: dict, text: str) -> int:
    loaded = load("main.tf", "terraform", "hcl", text.encode(), lambda language, kind, type_: True)
    subject = next(s for s in loaded.subjects if s.kind == "resource")
    return compile_condition(condition).evaluate(subject.node, subject)[0]


def test_conditions_on_interpolated_strings():
    text = 'resource "x" "y" {\n  a = "pre-${var.v}-post"\n  b = "${var.v}"\n  c = "${var.v}0"\n}\n'
    known_true, known_false, unknown = 1, 0, -1
    assert _truth({"path": "a", "present": True}, text) == known_true
    assert _truth({"path": "a", "empty": True}, text) == known_false
    assert _truth({"path": "a.key", "present": True}, text) == known_false  # a string has no keys
    assert _truth({"path": "a", "equals": "pre-1-post"}, text) == unknown
    assert _truth({"path": "a", "equals": "other"}, text) == known_false
    assert _truth({"path": "a", "in": [True, 22, None]}, text) == known_false
    assert _truth({"path": "a", "equals": "PRE-x-POST", "ignore_case": True}, text) == unknown
    assert _truth({"path": "b", "present": True}, text) == unknown
    assert _truth({"path": "b", "equals": "other"}, text) == unknown
    assert _truth({"path": "c", "equals": 10}, text) == unknown
    assert _truth({"path": "c", "equals": True}, text) == known_false
