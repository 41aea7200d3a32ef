"""Docker Compose files -> one subject per service."""

from __future__ import annotations

from blastguard.engine.documents.templates import SHELL_VARIABLE, untemplate
from blastguard.engine.values import MAP, Node, Subject


def is_compose(doc: Node | None) -> bool:
    if doc is None or doc.kind != MAP:
        return False
    services = doc.get("services")
    if services is None or services.kind != MAP:
        return False
    return any(s.kind == MAP and ("image" in s.value or "build" in s.value) for _, s in services.items())


def subjects(doc: Node) -> list[Subject]:
    untemplate(doc, SHELL_VARIABLE)
    return [Subject("service", "service", name, service, service.entry_start, service.entry_start + len(name),
                    owner=doc.get("services"), document=doc, unit=f"services.{name}")
            for name, service in doc.get("services").items() if service.kind == MAP]
