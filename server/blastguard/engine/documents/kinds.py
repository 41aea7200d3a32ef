"""Which rule family reads each YAML or JSON document: decided by content, the path a hint."""

from __future__ import annotations

from blastguard.engine.documents import ansible, cloudformation, compose, github_actions, iam, kubernetes
from blastguard.engine.values import Node, Subject


def classify(doc: Node | None, path: str, syntax: str) -> str | None:
    if doc is None:
        return None
    if cloudformation.is_template(doc):
        return "cloudformation"
    if kubernetes.is_object(doc):
        return "kubernetes"
    if syntax == "json":
        return "iam" if iam.is_policy(doc) else None
    if github_actions.is_workflow(doc, path) or github_actions.is_composite_action(doc, path):
        return "github-actions"
    if compose.is_compose(doc, path):
        return "docker-compose"
    if ansible.is_playbook(doc, path) or ansible.is_vars(doc, path):
        return "ansible"
    return None


def subjects(doc: Node, language: str, path: str, singles: list[Node] | None = None) -> list[Subject]:
    """`singles`: every one-entry map of doc, when its reader listed them (json_scan.read)."""
    if language == "cloudformation":
        found = cloudformation.subjects(doc, singles)
    elif language == "iam":
        found = iam.subjects(doc, path)
    elif language == "kubernetes":
        found = kubernetes.subjects(doc)
    elif language == "github-actions":
        found = github_actions.subjects(doc, path)
    elif language == "docker-compose":
        found = compose.subjects(doc)
    else:
        found = ansible.subjects(doc)
    for subject in found:
        # A subject may belong to another family (a manifest inline in an Ansible k8s task).
        subject.language = subject.language or language
        if subject.document is None:
            subject.document = doc
    return found
