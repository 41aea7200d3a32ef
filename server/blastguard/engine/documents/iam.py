"""A standalone IAM policy document (`*.json` with `Statement`) -> a policy subject."""

from __future__ import annotations

from blastguard.engine.values import MAP, Node, Subject, subject_at


def is_policy(doc: Node | None) -> bool:
    return doc is not None and doc.kind == MAP and "Statement" in doc.value


def subjects(doc: Node, path: str) -> list[Subject]:
    return [subject_at(doc.get("Statement"), "policy", "", path, doc, {"attribute": ""}, document=doc)]
