"""Which language (rule family) and syntax a file is, from its name."""

from __future__ import annotations

from pathlib import PurePath


def detect(path: str) -> tuple[str, str] | None:
    """(language, syntax) such as ("terraform", "hcl"), or None for files we do not check."""
    name = PurePath(path).name.lower()
    if name.endswith(".tf.json") or name.endswith(".tfvars.json"):
        return "terraform", "json"
    if name.endswith((".tf", ".tfvars", ".hcl")):
        return "terraform", "hcl"
    return None


# Comment leaders used when inserting a suppression comment.
COMMENT_PREFIX = {"hcl": "#", "yaml": "#", "python": "#", "json": None}
