"""A standalone IAM policy document (`*.json` with `Statement`) -> a policy subject."""

from __future__ import annotations

from blastguard.engine.values import MAP, Node, Subject


def is_policy(doc: Node | None) -> bool:
    return doc is not None and doc.kind == MAP and "Statement" in doc.value


def subjects(doc: Node, path: str) -> list[Subject]:
    statement = doc.get("Statement")
    return [Subject("policy", "", path, doc, statement.entry_start, statement.end, {"attribute": ""}, document=doc)]
