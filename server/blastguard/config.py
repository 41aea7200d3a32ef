"""The project config file (.blastguard.yaml): read with safe YAML, validated, merged with flags."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from blastguard.engine.model import Severity
from blastguard.engine.options import Options

CONFIG_NAME = ".blastguard.yaml"
_SIZE = re.compile(r"^\s*(\d+)\s*([kmg]?i?b?)?\s*$", re.I)
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2,
          "mib": 1024**2, "g": 1000**3, "gb": 1000**3, "gib": 1024**3}
KEYS = ("select", "ignore", "severity", "fail_on", "exclude", "max_file_size", "unsuppressible", "rule_dirs")


class ConfigError(Exception):
    """A one-line `file:line: message`."""


@dataclass
class Config:
    options: Options = field(default_factory=Options)
    fail_on: Severity = Severity.WARNING
    exclude: list[str] = field(default_factory=list)
    rule_dirs: list[Path] = field(default_factory=list)
    source: str = ""


def find_config(start: Path) -> Path | None:
    """The nearest .blastguard.yaml at or above start, not looking past a repository root."""
    start = start.resolve()
    for directory in [start, *start.parents]:
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
        if (directory / ".git").exists():
            return None
    return None


def parse_size(value) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _SIZE.match(str(value))
    if not match or (match.group(2) or "").lower() not in _UNITS:
        raise ValueError(f"not a size: {value!r} (use bytes or e.g. 5MB)")
    return int(match.group(1)) * _UNITS[(match.group(2) or "").lower()]


def _ids(value, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{key} must be a list of rule ids or id prefixes")
    return tuple(v.strip() for v in value)


def from_mapping(data: dict, base: Path, config: Config | None = None) -> Config:
    """Apply a config mapping (file contents or editor settings); raises ValueError on bad values."""
    config = config or Config()
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ValueError(f"unknown setting {unknown[0]!r} (known: {', '.join(KEYS)})")
    options = config.options
    if "select" in data:
        options = replace(options, select=_ids(data["select"], "select"))
    if "ignore" in data:
        options = replace(options, ignore=_ids(data["ignore"], "ignore"))
    if "unsuppressible" in data:
        options = replace(options, unsuppressible=frozenset(_ids(data["unsuppressible"], "unsuppressible")))
    if "severity" in data:
        if not isinstance(data["severity"], dict):
            raise ValueError("severity must map rule ids to error, warning, info, hint or off")
        merged = dict(options.severity)
        merged.update({str(k): Severity.parse(str(v)) for k, v in data["severity"].items()})
        options = replace(options, severity=merged)
    if "max_file_size" in data:
        options = replace(options, max_file_size=parse_size(data["max_file_size"]))
    if "fail_on" in data:
        config.fail_on = Severity.parse(str(data["fail_on"]))
    if "exclude" in data:
        if not isinstance(data["exclude"], list):
            raise ValueError("exclude must be a list of gitignore-style patterns")
        config.exclude = [str(p) for p in data["exclude"]]
    if "rule_dirs" in data:
        if not isinstance(data["rule_dirs"], list):
            raise ValueError("rule_dirs must be a list of folders")
        config.rule_dirs = [(base / str(p)).resolve() for p in data["rule_dirs"]]
    config.options = options
    return config


def load_config(path: Path) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"{path}:{mark.line + 1 if mark else 1}: invalid YAML: "
                          f"{getattr(exc, 'problem', exc)}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: the config must be a YAML mapping")
    try:
        config = from_mapping(data, path.parent)
    except ValueError as exc:
        key = next((k for k in data if str(k) in str(exc)), None)
        raise ConfigError(f"{path}:{_key_line(text, key)}: {exc}") from None
    config.source = str(path)
    return config


def _key_line(text: str, key) -> int:
    if key is None:
        return 1
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(f"{key}:"):
            return number
    return 1


