"""Kubernetes objects -> subjects: each object, each pod spec and each container in it."""

from __future__ import annotations

from blastguard.engine.values import LIST, MAP, SCALAR, Node, Subject

# Where each workload kind keeps its pod spec.
POD_SPEC_PATHS = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
    # Workload kinds of widely used extensions, which embed a pod template the same way.
    "DeploymentConfig": ("spec", "template", "spec"),  # OpenShift
    "Rollout": ("spec", "template", "spec"),  # Argo Rollouts
}
# Knative Serving reuses core kind names (`Service`), so its pod specs are found by API group.
KNATIVE_POD_SPEC_PATHS = {
    "Service": ("spec", "template", "spec"),
    "Configuration": ("spec", "template", "spec"),
    "Revision": ("spec",),
}
CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")


def is_object(doc: Node | None) -> bool:
    return doc is not None and doc.kind == MAP and _text(doc.get("apiVersion")) and _text(doc.get("kind"))


def subjects(doc: Node) -> list[Subject]:
    found: list[Subject] = []
    kind = doc.get("kind").value
    items = doc.get("items")
    if kind.endswith("List") and items is not None and items.kind == LIST:
        for item in items.value:
            if is_object(item):
                found.extend(object_subjects(item, doc))
        return found
    return object_subjects(doc, doc)


def object_subjects(obj: Node, document: Node) -> list[Subject]:
    kind = obj.get("kind").value
    metadata = obj.get("metadata")
    name = _text(metadata.get("name")) if metadata is not None else ""
    start, end = _header(obj)
    attrs = {"apiVersion": str(obj.get("apiVersion").value)}
    unit = object_id(obj)
    found = [Subject("object", kind, name or "", obj, start, end, attrs, document=document, unit=unit)]
    paths = KNATIVE_POD_SPEC_PATHS if attrs["apiVersion"].startswith("serving.knative.dev/") else POD_SPEC_PATHS
    spec = _at(obj, paths.get(kind, ()))
    if spec is None or spec.kind != MAP:
        return found
    found.append(Subject("pod", kind, name or "", spec, spec.entry_start, spec.end, attrs, owner=obj, document=document,
                         unit=unit))
    for list_name in CONTAINER_LISTS:
        containers = spec.get(list_name)
        if containers is None or containers.kind != LIST:
            continue
        for container in containers.value:
            if container.kind != MAP:
                continue
            cname = _text(container.get("name")) or ""
            found.append(Subject("container", kind, cname, container, container.start, container.end,
                                 {"list": list_name, **attrs}, owner=spec, document=document,
                                 unit=f"{unit}/{list_name}/{cname}"))
    return found


def object_id(obj: Node) -> str:
    """kind/namespace/name, what the API server knows an object by (namespace empty when not set)."""
    metadata = obj.get("metadata")
    name = _text(metadata.get("name")) if metadata is not None else None
    namespace = _text(metadata.get("namespace")) if metadata is not None else None
    return f"{_text(obj.get('kind')) or ''}/{namespace or ''}/{name or ''}"


def _at(node: Node, path: tuple[str, ...]) -> Node | None:
    if not path:
        return None
    for key in path:
        node = node.get(key) if node is not None else None
    return node


def _header(obj: Node) -> tuple[int, int]:
    kind = obj.get("kind")
    return kind.entry_start, kind.end


def _text(node: Node | None) -> str | None:
    return node.value if node is not None and node.kind == SCALAR and isinstance(node.value, str) else None
