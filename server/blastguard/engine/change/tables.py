"""The data the destructive-change rules compare against, read from tables/*.yaml (safe YAML)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

_DIR = Path(__file__).with_name("tables")
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class TableError(Exception):
    """`file: message` for a table that cannot be used."""


@cache
def table(name: str) -> dict:
    """tables/<name>.yaml as a mapping; a missing or malformed table is a one-line error."""
    path = _DIR / f"{name}.yaml"
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise TableError(f"{path}: cannot read change table: {exc}") from None
    if not isinstance(data, dict):
        raise TableError(f"{path}: a change table must be a YAML mapping")
    return data


def stateful(family: str) -> dict[str, dict]:
    """Resource type -> {lost: what destroying one loses}."""
    return table(family).get("stateful") or {}


def lost(family: str, type_: str) -> str | None:
    entry = stateful(family).get(type_)
    return entry.get("lost") if entry else None
