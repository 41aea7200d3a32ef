"""Terraform `kubernetes_*` resources -> the Kubernetes pack's object, pod and container subjects.

The provider's schema is the Kubernetes API in snake_case, with repeated blocks named in the
singular (`container { }`, `volume { }`, `subject { }`). Rewriting the keys to the API's names
lets every Kubernetes rule check these resources too: one rule set for both, no duplicate files.
Values keep their spans, so findings point into the .tf file.
"""

from __future__ import annotations

from blastguard.engine.documents import kubernetes
from blastguard.engine.values import LIST, MAP, Node, Subject, scalar

# Resource type (without the `_v1` suffix) -> (kind, apiVersion).
KINDS = {
    "kubernetes_pod": ("Pod", "v1"),
    "kubernetes_deployment": ("Deployment", "apps/v1"),
    "kubernetes_daemonset": ("DaemonSet", "apps/v1"),
    "kubernetes_daemon_set": ("DaemonSet", "apps/v1"),
    "kubernetes_stateful_set": ("StatefulSet", "apps/v1"),
    "kubernetes_replication_controller": ("ReplicationController", "v1"),
    "kubernetes_job": ("Job", "batch/v1"),
    "kubernetes_cron_job": ("CronJob", "batch/v1"),
    "kubernetes_cluster_role": ("ClusterRole", "rbac.authorization.k8s.io/v1"),
    "kubernetes_role": ("Role", "rbac.authorization.k8s.io/v1"),
    "kubernetes_cluster_role_binding": ("ClusterRoleBinding", "rbac.authorization.k8s.io/v1"),
    "kubernetes_role_binding": ("RoleBinding", "rbac.authorization.k8s.io/v1"),
    "kubernetes_secret": ("Secret", "v1"),
}
# Map attributes whose keys are the user's own (a Secret's entry names, labels), kept as written.
# The provider's Secret `data` is plain text, which the API calls `stringData`; its `binary_data`
# is base64, the API's `data`.
_VERBATIM = {"data": "data", "binary_data": "binaryData", "labels": "labels", "annotations": "annotations",
             "node_selector": "nodeSelector", "match_labels": "matchLabels"}
_SECRET_FIELDS = {"data": "stringData", "binary_data": "data"}
# Singular block names whose API field is a list with a plural name, and other irregular names.
_LISTS = {
    "container": "containers", "init_container": "initContainers", "volume": "volumes",
    "volume_mount": "volumeMounts", "subject": "subjects", "rule": "rules", "port": "ports",
    "toleration": "tolerations", "image_pull_secrets": "imagePullSecrets", "env_from": "envFrom",
    "host_aliases": "hostAliases", "env": "env",
    # Acronyms the API spells in capitals.
    "host_pid": "hostPID", "host_ipc": "hostIPC", "host_ip": "hostIP", "topology_spread_constraint": "topologySpreadConstraints",
}


MANIFEST = "kubernetes_manifest"  # any object, written in the API's own shape under `manifest`


def kind_of(type_: str) -> tuple[str, str] | None:
    if type_ == MANIFEST:
        return ("", "")
    return KINDS.get(type_[:-3] if type_.endswith("_v1") else type_)


def subjects(type_: str, body: Node, start: int, end: int, unit: str = "") -> list[Subject]:
    """The object (and its pod spec and containers) a `kubernetes_*` resource describes; the
    resource's header is reported for what the object lacks."""
    if type_ == MANIFEST:
        obj = body.get("manifest")
        if obj is None or not kubernetes.is_object(obj):
            return []  # a decoded file or a variable: not known here
        found = kubernetes.object_subjects(obj, obj)
    else:
        kind, api_version = kind_of(type_)
        renamed = _SECRET_FIELDS if kind == "Secret" else {}
        entries = {renamed.get(key) or _name(key): _convert(key, value) for key, value in body.items()}
        entries["kind"] = scalar(kind, start, end)
        entries["apiVersion"] = scalar(api_version, start, end)
        obj = Node(MAP, entries, body.start, body.end, key_start=body.key_start)
        found = kubernetes.object_subjects(obj, obj)
    for subject in found:
        subject.language = "kubernetes"
        subject.unit = f"{unit}:{subject.unit}" if unit else subject.unit  # the Terraform address first
    return found


def _convert(key: str, node: Node) -> Node:
    plural = key in _LISTS
    if key in _VERBATIM:
        return node
    if node.kind == MAP:
        node = Node(MAP, {_name(k): _convert(k, v) for k, v in node.items()}, node.start, node.end,
                    key_start=node.key_start, meta=node.meta)
    elif node.kind == LIST:
        node = Node(LIST, [_convert(key, item) if item.kind == MAP else item for item in node.value],
                    node.start, node.end, key_start=node.key_start, meta=node.meta)
        return node
    if plural and node.kind == MAP:
        return Node(LIST, [node], node.start, node.end, key_start=node.key_start)
    return node


def _name(key: str) -> str:
    return _LISTS.get(key) or _VERBATIM.get(key) or _camel(key)


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)
