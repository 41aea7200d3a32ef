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
# KEDA's ScaledJob keeps a Job's pod template under jobTargetRef.
POD_SPEC_PATHS["ScaledJob"] = ("spec", "jobTargetRef", "template", "spec")
CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
# Argo Workflows: the workflow spec carries the pod-level fields (hostNetwork, securityContext,
# volumes) of every pod it starts, and each of its templates runs one container (`container`,
# `script`) with init containers, sidecars or a container set; Tekton Tasks run `steps` and
# `sidecars`. Their containers take the same rules as a pod's.
ARGO_SPEC_PATHS = {
    "Workflow": ("spec",),
    "WorkflowTemplate": ("spec",),
    "ClusterWorkflowTemplate": ("spec",),
    "CronWorkflow": ("spec", "workflowSpec"),
}
_TEMPLATE_CONTAINERS = (("container", False), ("script", False), ("initContainers", True), ("sidecars", True))
_TEKTON_CONTAINERS = (("steps", True), ("sidecars", True), ("stepTemplate", False))


def pod_free(kind: str, api: str) -> bool:
    """Whether an object of this kind and API makes no subject but itself (object_subjects)."""
    if kind.endswith("List") or (api.startswith("argoproj.io/") and kind in ARGO_SPEC_PATHS) \
            or (api.startswith("tekton.dev/") and kind in ("Task", "ClusterTask")):
        return False
    return kind not in (KNATIVE_POD_SPEC_PATHS if api.startswith("serving.knative.dev/") else POD_SPEC_PATHS)


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
    api = attrs["apiVersion"]
    if api.startswith("argoproj.io/") and kind in ARGO_SPEC_PATHS:
        return found + _argo_subjects(obj, _at(obj, ARGO_SPEC_PATHS[kind]), kind, name or "", attrs, document, unit)
    if api.startswith("tekton.dev/") and kind in ("Task", "ClusterTask"):
        spec = obj.get("spec")
        if spec is not None and spec.kind == MAP:
            _containers(spec, _TEKTON_CONTAINERS, spec, kind, attrs, document, unit, found)
        return found
    paths = KNATIVE_POD_SPEC_PATHS if api.startswith("serving.knative.dev/") else POD_SPEC_PATHS
    spec = _at(obj, paths.get(kind, ()))
    if spec is None or spec.kind != MAP:
        return found
    found.append(Subject("pod", kind, name or "", spec, spec.entry_start, spec.end, attrs, owner=obj, document=document,
                         unit=unit))
    _containers(spec, tuple((list_name, True) for list_name in CONTAINER_LISTS), spec, kind, attrs, document, unit,
                found)
    return found


def _argo_subjects(obj: Node, spec: Node | None, kind: str, name: str, attrs: dict, document: Node,
                   unit: str) -> list[Subject]:
    if spec is None or spec.kind != MAP:
        return []
    found = [Subject("pod", kind, name, spec, spec.entry_start, spec.end, attrs, owner=obj, document=document,
                     unit=unit)]
    templates = spec.get("templates")
    for template in templates.value if templates is not None and templates.kind == LIST else ():
        if template.kind != MAP:
            continue
        tname = f"{unit}/{_text(template.get('name')) or ''}"
        _containers(template, _TEMPLATE_CONTAINERS, spec, kind, attrs, document, tname, found)
        container_set = template.get("containerSet")
        if container_set is not None and container_set.kind == MAP:
            _containers(container_set, (("containers", True),), spec, kind, attrs, document, tname, found)
    return found


def _containers(holder: Node, keys: tuple[tuple[str, bool], ...], spec: Node, kind: str, attrs: dict,
                document: Node, unit: str, found: list[Subject]) -> None:
    """A container subject for each container under `keys` of `holder` (a list, or one map)."""
    for key, is_list in keys:
        value = holder.get(key)
        if value is None or value.kind != (LIST if is_list else MAP):
            continue
        for container in value.value if is_list else (value,):
            if container.kind != MAP:
                continue
            cname = _text(container.get("name")) or ""
            found.append(Subject("container", kind, cname, container, container.start, container.end,
                                 {"list": key, **attrs}, owner=spec, document=document,
                                 unit=f"{unit}/{key}/{cname}"))


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
