"""What a registry module call leaves unset, read from the module's defaults for the versions its
`version` constraint allows, so rules see the inputs a pinned module really gets.

Only where every version the constraint allows has the same default (`version = "3.7.0"`,
`"~> 3.7.0"`, `">= 3.2, < 3.8"`): a call without `version`, or whose range reaches a release that
changed the default (`"~> 3.0"` reaches 3.9.0), gets nothing and its rules stay silent, as for any
unknown input. A default is added only where it weakens what the same resource written by hand
gets from the provider and the cloud (a module's `false` that is also the provider's default is
no more a risk in a module than outside one), and only while the module still creates the
resource that reads it (its switches, such as `attach_public_policy`, left at their defaults or
literally true).

Curated from each module's changelog and variables; every entry names its source. The value is
marked as read from elsewhere: its findings stand at the call's `version` line and carry no fix
(the fix is to set the input, or to move to a version whose default is safe).
"""

from __future__ import annotations

import re

from blastguard.engine.documents.hcl_variables import VARIABLE, VIA
from blastguard.engine.documents.referenced import READ
from blastguard.engine.values import MAP, SCALAR, Node

# source -> [(first version, first version no longer affected, switches that must stay on,
#             {input: default})]
DEFAULTS: dict[str, list[tuple[tuple[int, ...], tuple[int, ...], tuple[str, ...], dict]]] = {
    # terraform-aws-modules/s3-bucket: before 3.9.0 ("Updated S3 Bucket Block Public Access ...
    # defaults to work since April 2023", CHANGELOG) the four Block Public Access inputs default
    # to false, and the module writes them into the bucket's aws_s3_bucket_public_access_block
    # whenever attach_public_policy is on (its default): that turns off the Block Public Access a
    # new bucket gets from AWS, as `block_public_acls = false` written by hand does (TF403).
    "terraform-aws-modules/s3-bucket/aws": [
        ((3, 0, 0), (3, 9, 0), ("create_bucket", "attach_public_policy"), {
            "block_public_acls": False, "block_public_policy": False,
            "ignore_public_acls": False, "restrict_public_buckets": False,
        }),
    ],
}

_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$")
_CLAUSE = re.compile(r"^(~>|>=|<=|!=|=|>|<)?\s*(\S+)$")
_MANY = (1 << 31,)  # beyond any version


def version_range(constraint: str) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """[low, high) holding every version a Terraform constraint allows, or None when it has no
    upper bound or cannot be read (a pre-release, a bad clause)."""
    low: tuple[int, ...] = (0, 0, 0)
    high: tuple[int, ...] = _MANY
    for clause in constraint.split(","):
        match = _CLAUSE.match(clause.strip())
        version = _VERSION.match(match.group(2)) if match else None
        if version is None:
            return None
        op = match.group(1) or "="
        parts = [int(p) for p in version.groups() if p is not None]
        exact = tuple(parts + [0] * (3 - len(parts)))
        following = (*exact[:2], exact[2] + 1)  # the next patch: `<= X` ends before it
        if op == "=":
            low, high = max(low, exact), min(high, following)
        elif op in (">=", ">"):
            low = max(low, exact)
        elif op == "<":
            high = min(high, exact)
        elif op == "<=":
            high = min(high, following)
        elif op == "~>":
            # `~> 3.7.0` allows 3.7.x; `~> 3.7` and `~> 3` allow 3.x.
            bump = len(parts) - 2 if len(parts) > 1 else 0
            upper = [*parts[:bump], parts[bump] + 1]
            low, high = max(low, exact), min(high, tuple(upper + [0] * (3 - len(upper))))
    return (low, high) if high != _MANY else None


def filled(source: str, body: Node) -> Node:
    """The module call's body with the defaults its pinned versions give to inputs it leaves
    unset; the body itself when none apply."""
    entries = DEFAULTS.get(source)
    version = body.get("version") if entries else None
    if version is None or version.kind != SCALAR or not isinstance(version.value, str):
        return body
    allowed = version_range(version.value)
    if allowed is None:
        return body
    added: dict[str, Node] = {}
    for first, fixed, switches, defaults in entries:
        if not (first <= allowed[0] and allowed[1] <= fixed):
            continue
        if not all(_on(body.get(s)) for s in switches):
            continue  # the module may not create what reads these inputs
        for name, value in defaults.items():
            if body.get(name) is None and name not in added:
                origin = f"the default of {source} {version.value} for {name}"
                added[name] = Node(SCALAR, value, version.start, version.end, version.key_start,
                                   meta={READ: True, VIA: origin, VARIABLE: name})
    if not added:
        return body
    return Node(MAP, {**body.value, **added}, body.start, body.end, body.key_start, body.text, body.src, body.meta)


def _on(switch: Node | None) -> bool:
    """A switch left at its default (on) or literally true."""
    return switch is None or (switch.kind == SCALAR and switch.value is True)
