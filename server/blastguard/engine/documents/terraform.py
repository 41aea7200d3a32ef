"""Terraform blocks (from HCL or .tf.json) -> subjects, including every IAM policy document."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from blastguard.engine.documents import hcl_dynamic, referenced, registry_defaults, terraform_kubernetes
from blastguard.engine.documents.embedded import embedded_json
from blastguard.engine.values import LIST, MAP, SCALAR, UNKNOWN, Node, Subject, scalar

_POLICY_DOC_REF = re.compile(r"^data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)\.(?:json|minified_json)$")
# Attributes that hold IAM-style policy documents (policy, assume_role_policy, access_policies...).
_POLICY_ATTRIBUTE = re.compile(r"polic(y|ies)$")
# aws_iam_policy_document statement block attributes -> IAM JSON keys.
_STATEMENT_KEYS = {
    "sid": "Sid", "effect": "Effect", "actions": "Action", "not_actions": "NotAction",
    "resources": "Resource", "not_resources": "NotResource",
}


@dataclass(slots=True)
class RawBlock:
    kind: str  # resource, data, module, provider, variable, ...
    labels: list[str]
    start: int  # header span, reported when something required is missing from the body
    end: int
    body: Callable[[], Node]
    # Attribute names of the body and of its nested blocks, read without converting values:
    # lets a block no rule targets be skipped unless it may hold a policy.
    names: Callable[[], Iterable[str]] | None = None
    stop: int = -1  # end of the whole block, where known (HCL)
    # Substitutes the file's locals and variables in an expression (HCL), for what count.index
    # selects (`var.cidrs[count.index]`).
    resolve: Callable[[Node], Node] | None = None


Wanted = Callable[[str, str], bool]


def subjects(blocks: list[RawBlock], wanted: Wanted, read: referenced.Read | None = None,
             every_block: Callable[[], list[RawBlock]] | None = None, modules: list | None = None) -> list[Subject]:
    """Subjects of the blocks; with `read`, values written as `file("x")` / `templatefile("x", ...)`
    are the content of those files. References are followed to any block of the file
    (`every_block`, when an editor leaves unchanged blocks out of `blocks`). Module calls with a
    source below the file's folder (`./modules/x`) are added to `modules` as (block, body)."""
    found: list[Subject] = []
    follow = _References(every_block or (lambda: blocks))
    policy_docs: dict[str, Subject] = {}
    references: list[tuple[str, Subject, str]] = []
    for block in blocks:
        kind = block.kind
        type_ = block.labels[0] if block.labels else ""
        name = block.labels[1] if len(block.labels) > 1 else type_
        if kind == "module":
            body = block.body()
            source = body.get("source")
            type_ = source.value if source is not None and source.kind == SCALAR else ""
            if modules is not None and isinstance(type_, str) and type_.startswith("./"):
                modules.append((block, body))
            elif isinstance(type_, str) and type_ in registry_defaults.DEFAULTS:
                body = registry_defaults.filled(type_, body)
        elif kind in ("resource", "data") and not wanted(kind, type_) and not _may_hold_policy(block, type_) \
                and not (kind == "resource" and (terraform_kubernetes.kind_of(type_) or wanted("container", type_))):
            continue
        elif kind not in ("resource", "data") and not wanted(kind, type_):
            continue  # only resources, data sources and modules give subjects other than their own
        else:
            body = block.body()
            if read is not None:
                referenced.inline(body, read)
        unit = address(kind, block.labels)
        # A known for_each or count: each instance is checked with its own each.value or
        # count.index (same unit, so the editor and the change comparison see one block, as
        # Terraform's configuration does).
        bodies = hcl_dynamic.instances(body, block.resolve) if kind in ("resource", "module") and body.kind == MAP \
            else None
        for body in bodies or [body]:
            _block_subjects(kind, type_, name, body, block, unit, wanted, found, policy_docs, references,
                            follow)
    # A policy document takes the type of the resource that uses it, so rules can tell a
    # trust policy (assume_role_policy) from a bucket policy.
    for doc_name, user, attribute in references:
        doc = policy_docs.get(doc_name)
        if doc is not None and doc.type == "aws_iam_policy_document":
            doc.type, doc.attrs = user.type, {"attribute": attribute, "document": doc_name}
            doc.owner = user.node
    return found


class _References:
    """Follows `aws_lb.main.arn` to the body of `resource "aws_lb" "main"` in the same file;
    a body is converted on first use (a file has many blocks, few references are followed)."""

    __slots__ = ("_every_block", "_blocks", "_bodies")

    def __init__(self, every_block: Callable[[], list[RawBlock]]):
        self._every_block = every_block
        self._blocks: dict[str, RawBlock] | None = None
        self._bodies: dict[str, Node] = {}

    def __call__(self, node: Node) -> Node | None:
        match = _REFERENCE.match(node.text.strip())
        if match is None:
            return None
        key = match.group(1)
        if key not in self._bodies:
            if self._blocks is None:
                self._blocks = {address(b.kind, b.labels): b for b in self._every_block() if b.kind in ("resource", "data")}
            block = self._blocks.get(key)
            if block is None:
                return None
            self._bodies[key] = block.body()
        return self._bodies[key]


# `aws_lb.main.arn`, `data.aws_lb.shared.arn`, `aws_lb.main[0].arn` -> the block's address.
_REFERENCE = re.compile(r"^((?:data\.)?[A-Za-z][\w-]*\.[A-Za-z_][\w-]*)(?:\[[^\]]*\])?(?:\.|$)")


def _block_subjects(kind: str, type_: str, name: str, body: Node, block: RawBlock, unit: str, wanted: Wanted,
                    found: list, policy_docs: dict, references: list, follow: "_References") -> None:
    """The subjects of one block (or of one for_each instance of it), appended to found."""
    subject = Subject(kind, type_, name, body, block.start, block.end, unit=unit, refs=follow)
    if wanted(kind, type_):
        found.append(subject)
    if kind == "resource" and terraform_kubernetes.kind_of(type_) and body.kind == MAP:
        found.extend(terraform_kubernetes.subjects(type_, body, block.start, block.end, subject.unit))
    if kind == "resource" and wanted("container", type_):
        found.extend(container_definitions(type_, name, body, subject.unit))
    if kind == "data" and type_ == "aws_iam_policy_document":
        policy = policy_document(body)
        if policy is not None:
            doc = Subject("policy", type_, name, policy, block.start, block.end, {"attribute": ""},
                          unit=subject.unit)
            policy_docs[name] = doc
            found.append(doc)
    elif kind in ("resource", "data", "module"):
        for attribute, value in policy_attributes(body):
            policy = embedded_json(value) or referenced.embedded_json(value, b"{")
            if policy is not None and "Statement" in policy.value:
                found.append(Subject("policy", type_, name, policy, value.entry_start, value.end,
                                     {"attribute": attribute}, owner=body, unit=subject.unit))
            elif value.kind == UNKNOWN:
                ref = _POLICY_DOC_REF.match(value.text.strip())
                if ref:
                    references.append((ref.group(1), subject, attribute))


def address(kind: str, labels: list[str]) -> str:
    """A block's address as Terraform writes it: `aws_s3_bucket.logs`, `data.x.y`, `module.db`;
    other blocks by kind and labels (`provider.aws`, `variable.region`, `locals`)."""
    if kind == "resource" and len(labels) >= 2:
        return f"{labels[0]}.{labels[1]}"
    if kind == "module" and labels:
        return f"module.{labels[0]}"
    return ".".join([kind, *labels])


def container_definitions(type_: str, name: str, body: Node, unit: str = "") -> list[Subject]:
    """Each container of an ECS task definition's `container_definitions`, however written
    (`jsonencode([...])`, a heredoc, a JSON string); owner = the task definition's body."""
    value = body.get("container_definitions")
    if value is None:
        return []
    containers = embedded_json(value, b"[") or referenced.embedded_json(value, b"[")
    if containers is None:
        return []
    return [Subject("container", type_, name, c, c.start, c.end, owner=body, unit=f"{unit}/{_name(c, i)}")
            for i, c in enumerate(containers.value) if c.kind == MAP]


def _name(container: Node, index: int) -> str:
    name = container.get("name")
    return str(name.value) if name is not None and name.kind == SCALAR else f"#{index + 1}"


def _may_hold_policy(block: RawBlock, type_: str) -> bool:
    if type_ == "aws_iam_policy_document":
        return True
    if block.names is None:
        return True
    return any(_POLICY_ATTRIBUTE.search(name) for name in block.names())


def policy_attributes(body: Node):
    """(attribute, value) pairs that may hold a policy: top-level, and in nested blocks
    (`inline_policy { policy = ... }`, whose block name also ends in "policy")."""
    for key, value in body.items():
        if _POLICY_ATTRIBUTE.search(key) and _may_be_document(value):
            yield key, value
        elif value.kind in (MAP, LIST):
            for block in value.value if value.kind == LIST else [value]:
                for inner_key, inner in block.items():
                    if _POLICY_ATTRIBUTE.search(inner_key) and _may_be_document(inner):
                        yield f"{key}.{inner_key}", inner


def _may_be_document(value: Node) -> bool:
    return value.kind in (SCALAR, UNKNOWN) or (value.kind == MAP and "Statement" in value.value)


def policy_document(body: Node) -> Node | None:
    """Normalise an aws_iam_policy_document body to the IAM JSON shape rules match on."""
    statements = body.get("statement")
    if statements is None:
        return None
    blocks = statements.value if statements.kind == LIST else [statements]
    out = []
    for block in blocks:
        if block.kind != MAP:
            continue
        entries: dict[str, Node] = {}
        for key, json_key in _STATEMENT_KEYS.items():
            if key in block.value:
                entries[json_key] = block.value[key]
        if "Effect" not in entries:  # the data source defaults effect to Allow
            entries["Effect"] = scalar("Allow", block.start, block.start + len("statement"))
        for key, json_key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            if key in block.value:
                entries[json_key] = _principals(block.value[key])
        if "condition" in block.value:
            entries["Condition"] = block.value["condition"]
        out.append(Node(MAP, entries, block.start, block.end, key_start=block.key_start))
    return Node(MAP, {"Statement": Node(LIST, out, statements.start, statements.end)},
                statements.start, statements.end)


def _principals(value: Node) -> Node:
    """principals { type = "AWS" identifiers = ["*"] } blocks -> {"AWS": ["*"]}."""
    entries: dict[str, Node] = {}
    for block in value.value if value.kind == LIST else [value]:
        kind, identifiers = block.get("type"), block.get("identifiers")
        if kind is None or identifiers is None:
            continue
        if kind.kind != SCALAR:
            entries.setdefault("?", identifiers)
            continue
        previous = entries.get(kind.value)
        if previous is None:
            entries[kind.value] = identifiers
        else:
            merged = (previous.value if previous.kind == LIST else [previous]) + (
                identifiers.value if identifiers.kind == LIST else [identifiers])
            entries[kind.value] = Node(LIST, merged, previous.start, identifiers.end)
    return Node(MAP, entries, value.start, value.end, key_start=value.key_start)
