"""Which language (rule family) and syntax a file is, from its name."""

from __future__ import annotations

from pathlib import PurePath


# How far into a .json file to look for what kind of document it is.
SNIFF_BYTES = 4096


_SUFFIXES = (".tf", ".tfvars", ".hcl", ".json", ".yaml", ".yml", ".template", ".py")
# Words near the start of a JSON file that say it may be a template, a policy or a Kubernetes manifest.
_JSON_MARKERS = (b'"Resources"', b'"AWSTemplateFormatVersion"', b'"Statement"', b'"apiVersion"')


def candidate(path: str) -> bool:
    """Whether a file name may hold something we check (its content may still say no)."""
    return PurePath(path).name.lower().endswith(_SUFFIXES)


def detect(path: str, head: bytes = b"") -> tuple[str, str] | None:
    """(language, syntax) such as ("terraform", "hcl"), or None for files we do not check.

    `head` is the start of the file: a .json file is Terraform when it is a plan or state
    from `terraform show -json`, and may be a CloudFormation template or an IAM policy when
    it names their keys. YAML and JSON files get the language "yaml"/"json": which rule family
    reads each document is decided by its content.
    """
    name = PurePath(path).name.lower()
    if name.endswith(".tf.json") or name.endswith(".tfvars.json"):
        return "terraform", "json"
    if name.endswith((".tf", ".tfvars", ".hcl")):
        return "terraform", "hcl"
    if name.endswith(".py"):
        return "python", "python"
    if name.endswith((".yaml", ".yml")):
        return "yaml", "yaml"
    sniff = head[:SNIFF_BYTES]
    if name.endswith(".json"):
        if b'"terraform_version"' in sniff:
            return "terraform", "json"
        if any(marker in sniff for marker in _JSON_MARKERS):
            return "json", "json"
        return None
    if name.endswith(".template") and b"Resources" in sniff:
        return ("json", "json") if sniff.lstrip()[:1] == b"{" else ("yaml", "yaml")
    return None


# Comment leaders used when inserting a suppression comment.
COMMENT_PREFIX = {"hcl": "#", "yaml": "#", "python": "#", "json": None}
