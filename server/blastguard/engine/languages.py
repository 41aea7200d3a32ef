"""Which language (rule family) and syntax a file is, from its name."""

from __future__ import annotations

import os
import re
from pathlib import PurePath


# How far into a .json file to look for a Terraform plan's version (it opens the plan).
SNIFF_BYTES = 4096
# Ansible inventory variables: `group_vars/all` and `host_vars/web1` are YAML without a suffix.
_ANSIBLE_VARS = re.compile(r"(^|/)(group_vars|host_vars)/")


_SUFFIXES = (".tf", ".tfvars", ".hcl", ".json", ".yaml", ".yml", ".template", ".py")
# Keys that say a JSON file may be a template, a policy or a Kubernetes manifest: looked for
# anywhere (a key-sorted template puts a large Mappings block before them); which, if any, the
# document is, is then decided by its top-level keys (documents.kinds).
_JSON_MARKERS = (b'"Resources"', b'"AWSTemplateFormatVersion"', b'"Statement"', b'"apiVersion"')


def candidate(path: str) -> bool:
    """Whether a file name may hold something we check (its content may still say no)."""
    return _name(path).lower().endswith(_SUFFIXES) or _ansible_vars(path)


def _name(path: str) -> str:
    """The file name, as PurePath(path).name reads it; os.path is a tenth of the cost, and a
    batch asks three times per file. Only names pathlib normalises away take the long way."""
    name = os.path.basename(path)
    return name if name not in ("", ".", "..") else PurePath(path).name


def _ansible_vars(path: str) -> bool:
    name = _name(path)
    return "." not in name and bool(_ANSIBLE_VARS.search(path.replace("\\", "/")))


def detect(path: str, head: bytes = b"") -> tuple[str, str] | None:
    """(language, syntax) such as ("terraform", "hcl"), or None for files we do not check.

    `head` is the file's content (its start is enough for the other kinds): a .json file is
    Terraform when it is a plan or state from `terraform show -json`, and may be a
    CloudFormation template or an IAM policy when it names their keys anywhere. YAML and JSON files get the language "yaml"/"json": which rule family
    reads each document is decided by its content.
    """
    name = _name(path).lower()
    if name.endswith(".tf.json") or name.endswith(".tfvars.json"):
        return "terraform", "json"
    if name.endswith((".tf", ".tfvars", ".hcl")):
        return "terraform", "hcl"
    if name.endswith(".py"):
        return "python", "python"
    if name.endswith((".yaml", ".yml")):
        return "yaml", "yaml"
    if _ansible_vars(path):
        return "yaml", "yaml"
    if name.endswith(".json"):
        if b'"terraform_version"' in head[:SNIFF_BYTES]:
            return "terraform", "json"
        if any(marker in head for marker in _JSON_MARKERS):
            return "json", "json"
        return None
    if name.endswith(".template") and b"Resources" in head:
        return ("json", "json") if head.lstrip()[:1] == b"{" else ("yaml", "yaml")
    return None


# Comment leaders used when inserting a suppression comment.
COMMENT_PREFIX = {"hcl": "#", "yaml": "#", "python": "#", "json": None}
