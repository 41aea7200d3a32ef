"""Which language (rule family) and syntax a file is, from its name."""

from __future__ import annotations

from pathlib import PurePath


# How far into a .json file to look for what kind of document it is.
SNIFF_BYTES = 4096


def candidate(path: str) -> bool:
    """Whether a file name may hold something we check (its content may still say no)."""
    name = PurePath(path).name.lower()
    return name.endswith((".tf", ".tfvars", ".hcl", ".json"))


def detect(path: str, head: bytes = b"") -> tuple[str, str] | None:
    """(language, syntax) such as ("terraform", "hcl"), or None for files we do not check.

    `head` is the start of the file: a .json file is Terraform when it is a plan or state
    from `terraform show -json`.
    """
    name = PurePath(path).name.lower()
    if name.endswith(".tf.json") or name.endswith(".tfvars.json"):
        return "terraform", "json"
    if name.endswith((".tf", ".tfvars", ".hcl")):
        return "terraform", "hcl"
    if name.endswith(".json") and b'"terraform_version"' in head[:SNIFF_BYTES]:
        return "terraform", "json"
    return None


# Comment leaders used when inserting a suppression comment.
COMMENT_PREFIX = {"hcl": "#", "yaml": "#", "python": "#", "json": None}
