"""Docker Compose files -> one subject per service."""

from __future__ import annotations

import re

from blastguard.engine.documents.templates import SHELL_VARIABLE, untemplate
from blastguard.engine.values import LIST, MAP, SCALAR, Node, Subject, scalar, unknown


# Compose's own file names, override and per-environment files included
# (`docker-compose.override.yml`, `compose.prod.yaml`, `docker-compose-dev.yml`).
_COMPOSE_NAME = re.compile(r"(^|/)(docker-)?compose([.-][^/]*)?\.ya?ml$", re.IGNORECASE)


def is_compose(doc: Node | None, path: str = "") -> bool:
    """A `services` map whose services name an image or a build, or, in a file named as Compose
    names its files, any map of services: an override file sets only what it changes."""
    if doc is None or doc.kind != MAP:
        return False
    services = doc.get("services")
    if services is None or services.kind != MAP:
        return False
    if _COMPOSE_NAME.search(path.replace("\\", "/")):
        return any(s.kind == MAP for _, s in services.items())
    return any(s.kind == MAP and ("image" in s.value or "build" in s.value) for _, s in services.items())


def subjects(doc: Node) -> list[Subject]:
    for _, service in doc.get("services").items():
        if service.kind == MAP and (env := service.get("environment")) is not None and env.kind == LIST:
            service.value["environment"] = environment_map(env)
    untemplate(doc, SHELL_VARIABLE)
    return [Subject("service", "service", name, service, service.entry_start, service.entry_start + len(name),
                    owner=doc.get("services"), document=doc, unit=f"services.{name}")
            for name, service in doc.get("services").items() if service.kind == MAP]


def environment_map(env: Node) -> Node:
    """`environment: [KEY=value, ...]` as the map form `{KEY: value}`, so rules see one shape; each
    value keeps its own span (after the `=`) when the item is written plainly or quoted."""
    entries: dict[str, Node] = {}
    for item in env.value:
        if item.kind != SCALAR or not isinstance(item.value, str):
            continue
        key, sep, value = item.value.partition("=")
        width = item.end - item.start
        quoted = width == len(item.value.encode()) + 2
        start = item.start + (1 if quoted else 0) + len((key + sep).encode())
        if width not in (len(item.value.encode()), len(item.value.encode()) + 2):
            start = item.start  # escapes or folding: the offsets inside are not the source's
        node = scalar(value, start, item.end - (1 if quoted else 0)) if sep else unknown(item.start, item.end, key)
        node.key_start = item.start
        entries[key.strip()] = node
    return Node(MAP, entries, env.start, env.end, env.key_start)
