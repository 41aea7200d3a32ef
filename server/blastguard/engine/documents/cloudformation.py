"""CloudFormation / SAM templates (YAML or JSON) -> resource and policy subjects."""

from __future__ import annotations

import re
from functools import partial

from blastguard.engine.documents import helm
from blastguard.engine.documents.yaml_tree import expand
from blastguard.engine.documents.json_tree import parse_json
from blastguard.engine.paths import flatten
from blastguard.engine.values import LIST, MAP, SCALAR, UNKNOWN, UNKNOWN_PART, DocumentError, Node, Subject, subject_at

RESOURCE_TYPE = re.compile(r"^(AWS|Alexa|Custom)::")
# Properties that hold IAM-style policy documents: PolicyDocument, KeyPolicy, AccessPolicies,
# RepositoryPolicyText, Policies (a role's inline policies, a SAM function's statements) ...
_POLICY_PROPERTY = re.compile(r"Polic(y|ies)")
_SUB_VARIABLE = re.compile(r"\$\{(?:[^!}][^}]*)?\}")


def is_template(doc: Node | None) -> bool:
    if doc is None or doc.kind != MAP:
        return False
    resources = doc.get("Resources")
    if resources is None or resources.kind != MAP:
        return False
    if "AWSTemplateFormatVersion" in doc.value:
        return True
    return any(_type(r) is not None and RESOURCE_TYPE.match(_type(r)) for _, r in resources.items())


def subjects(doc: Node, singles: list[Node] | None = None) -> list[Subject]:
    intrinsics(doc, singles)
    found: list[Subject] = []
    refs = partial(referenced, doc)
    resources = doc.get("Resources")
    for name, resource in resources.value.items() if resources.kind == MAP else ():
        type_ = _type(resource)
        if type_ is None:
            continue
        found.append(subject_at(resource.value["Type"], "resource", type_, name, resource, document=doc, unit=name,
                                refs=refs))
        properties = resource.get("Properties")
        if properties is None or properties.kind != MAP:
            continue
        for attribute, policy in _policies(properties):
            found.append(subject_at(policy, "policy", type_, name, policy, {"attribute": attribute}, owner=properties,
                                    document=doc, unit=name))
    # Parameters (a password's Default) and Outputs (what the stack exports).
    for section, kind in (("Parameters", "parameter"), ("Outputs", "output")):
        entries = doc.get(section)
        for name, entry in entries.items() if entries is not None else ():
            if entry.kind == MAP:  # typed by logical name, so rules select `*Password*`
                found.append(subject_at(entry, kind, name, name, entry, document=doc, unit=f"{section}/{name}"))
    return found


def _policies(properties: Node):
    for key, value in properties.value.items():
        if "Polic" not in key or not _POLICY_PROPERTY.search(key):
            continue
        for item in flatten(value):
            if item.kind == SCALAR and isinstance(item.value, str) and item.value.lstrip()[:1] == "{":
                item = _json_string(item)
            if item is None or item.kind != MAP:
                continue
            if "Statement" in item.value:
                yield key, item
            inner = item.get("PolicyDocument")
            if inner is not None and inner.kind == MAP and "Statement" in inner.value:
                yield f"{key}.PolicyDocument", inner


def _json_string(node: Node) -> Node | None:
    """A policy written as a JSON string (CloudFormation accepts both). Its values are reported
    at the string: inside a quoted or folded YAML scalar, offsets are not the source's."""
    try:
        value, _ = parse_json(node.value.encode("utf-8"), lambda i: node.start)
    except DocumentError:
        return None
    if value is None or value.kind != MAP:
        return None
    for inner in value.walk():
        inner.end = node.end
        if inner.key_start >= 0:
            inner.key_start = node.entry_start
    value.start, value.end, value.key_start = node.start, node.end, node.key_start
    return value


def intrinsics(root: Node, singles: list[Node] | None = None) -> None:
    """Replace intrinsic functions (`{"Ref": ..}`, `{"Fn::Sub": ..}`, `!GetAtt`, ...) with unknown
    values, in place; `Fn::Sub` keeps its literal parts for patterns. `singles`: every map of one
    entry below root in the order they close (json_scan lists them as it reads), so no walk is
    needed to find them."""
    if singles is not None:
        # Reversed, each comes before the maps it holds, as in the walk (which converts an outer
        # `Fn::Join` before the `Ref`s among its parts). The walk leaves the maps inside a converted
        # intrinsic's arguments alone; those are no longer in the tree, and converting them too
        # changes nothing rules or the outer one can see. Siblings' order does not matter: each
        # conversion reads only what its map holds.
        for node in reversed(singles):
            if node.kind == MAP:  # not converted yet (as a `Fn::Base64`'s argument)
                for name, arg in node.value.items():
                    if name == "Ref" or name.startswith("Fn::"):
                        _to_unknown(node, name, arg)
        return
    # Node.walk's order (an intrinsic's own arguments are not visited), without a generator and
    # a call per node: a template's values are mostly scalars, and this runs on all of them.
    stack = [root]
    while stack:
        node = stack.pop()
        kind = node.kind
        if kind == MAP:
            if len(node.value) == 1:
                _intrinsic(node)
                if node.kind != MAP:
                    continue
            stack.extend(reversed(node.value.values()))
        elif kind == LIST:
            stack.extend(reversed(node.value))
        elif kind == UNKNOWN and node.meta:
            _intrinsic(node)


def _intrinsic(node: Node) -> None:
    if node.kind == MAP and len(node.value) == 1:
        (name, arg), = node.value.items()
        if name == "Ref" or name.startswith("Fn::"):
            _to_unknown(node, name, arg)
    elif node.kind == UNKNOWN and node.meta and "tag" in node.meta:
        tag = node.meta["tag"].lstrip("!")
        _to_unknown(node, tag if tag == "Ref" else "Fn::" + tag, node.meta["value"])


def _to_unknown(node: Node, name: str, arg: Node) -> None:
    if name == "Ref" or name == "Fn::GetAtt":
        # What it names (`Key.SecretAccessKey`, `DBPassword`), for `refers_to`.
        node.kind, node.value, node.text, node.meta = UNKNOWN, None, name, {"intrinsic": name, "ref": _reference(arg)}
        if arg.kind == SCALAR:
            node.take_span(arg)  # reported at its argument's string, as below
        return
    template = None
    if name == "Fn::Base64":
        # A user data script: its text (literal, !Sub or !Join) stays readable for patterns.
        _intrinsic(arg)
        if arg.kind in (SCALAR, UNKNOWN) and isinstance(arg.value, str):
            template = arg.value
    elif name == "Fn::Sub":
        text = arg.value[0] if arg.kind == LIST and arg.value else arg
        if text.kind == SCALAR and isinstance(text.value, str):
            template = sub_template(text.value)
    elif name == "Fn::Join" and arg.kind == LIST and len(arg.value) == 2 and arg.value[1].kind == LIST:
        delimiter, parts = arg.value
        if delimiter.kind == SCALAR and isinstance(delimiter.value, str):
            # Parts that are themselves intrinsics (`!Ref AWS::Partition`) are unknown parts.
            template = delimiter.value.join(
                p.value if p.kind == SCALAR and isinstance(p.value, str)
                else p.value if p.kind == UNKNOWN and isinstance(p.value, str) else UNKNOWN_PART
                for p in arg.value[1].value)
    node.kind, node.value, node.text, node.meta = UNKNOWN, template, name, {"intrinsic": name}
    if name in ("Fn::Sub", "Fn::Join") and template is not None and UNKNOWN_PART not in template \
            and helm.MARK not in template:
        # Nothing substituted: `!Sub "Pr0d-pass"` is that literal. (A `{{resolve:...}}` reference
        # was masked before parsing and reads as the mask here: it stays unknown.)
        node.kind = SCALAR
    if arg.kind == SCALAR:
        # `{"Fn::Sub": "arn:..."}` laid out over several lines is reported at its string.
        node.take_span(arg)


def sub_template(text: str) -> str:
    """`Fn::Sub`'s text with each `${Name}` an unknown part and the literal `${!Name}` written
    `${Name}` (a `${` not followed by `!` runs to the first `}`), with Python's `re`: google-re2's
    sub converts offsets on every match, so a long user data script with many variables took most
    of a template's reading time."""
    if "${" not in text:
        return text
    # No variable ends after the last `}`: searching there from each `${` would be quadratic.
    last = text.rfind("}") + 1
    return (_SUB_VARIABLE.sub(UNKNOWN_PART, text[:last]) + text[last:]).replace("${!", "${")


def referenced(doc: Node, node: Node) -> Node | None:
    """The resource a `Ref` or `Fn::GetAtt` names (`!GetAtt Lb.Arn` -> Resources.Lb), or the
    parameter a `Ref` names (its `Default` is what the stack gets unless told otherwise), or None."""
    meta = node.meta or {}
    ref = meta.get("ref")
    if not isinstance(ref, str):
        return None
    sections = ("Resources", "Parameters") if meta.get("intrinsic") == "Ref" else ("Resources",)
    for section in sections:
        entries = doc.get(section)
        target = entries.get(ref.split(".")[0]) if entries is not None else None
        if target is not None and target.kind == MAP:
            if expand(target):  # a part left unconverted (yaml_pruning)
                intrinsics(target)
            return target
    return None


def _reference(arg: Node) -> str | None:
    """`!GetAtt Key.SecretAccessKey`, `Fn::GetAtt: [Key, SecretAccessKey]`, `!Ref Name` -> the dotted name."""
    if arg.kind == SCALAR and isinstance(arg.value, str):
        return arg.value
    if arg.kind == LIST and all(p.kind == SCALAR and isinstance(p.value, str) for p in arg.value):
        return ".".join(p.value for p in arg.value)
    return None


def _type(resource: Node) -> str | None:
    if resource.kind != MAP:
        return None
    node = resource.get("Type")
    return node.value if node is not None and node.kind == SCALAR and isinstance(node.value, str) else None
