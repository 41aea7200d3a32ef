"""The project config (.blastguard.yaml or [tool.blastguard] in pyproject.toml): read safely,
validated, every bad value reported at its own line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from typing import TYPE_CHECKING

from blastguard import ids
from blastguard.errors import UserError
from blastguard.engine.model import Severity
from blastguard.engine.options import Options

if TYPE_CHECKING:  # PyYAML is imported when a config file is read: most runs have none
    import yaml

CONFIG_NAME = ".blastguard.yaml"
PYPROJECT = "pyproject.toml"
_SIZE = re.compile(r"^\s*(\d+)\s*([kmg]?i?b?)?\s*$", re.I)
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2,
          "mib": 1024**2, "g": 1000**3, "gb": 1000**3, "gib": 1024**3}
KEYS = ("select", "ignore", "severity", "fail_on", "exclude", "max_file_size", "unsuppressible",
        "rule_dirs", "per_file_ignores")


class ConfigError(UserError):
    """A one-line `file:line: message`."""


class ConfigValueError(ValueError):
    """A bad value, with where it is: a path of keys and list indexes from the top."""

    def __init__(self, message: str, where: tuple = ()):
        super().__init__(message)
        self.where = where


@dataclass
class Config:
    options: Options = field(default_factory=Options)
    fail_on: Severity = Severity.WARNING
    exclude: list[str] = field(default_factory=list)
    rule_dirs: list[Path] = field(default_factory=list)
    source: str = ""
    # The folder exclude and per-file-ignores patterns are relative to.
    root: Path | None = None
    # Rule ids the config names, checked once the rules are loaded: (where, id, prefix allowed).
    named_ids: list[tuple[tuple, str, bool]] = field(default_factory=list)
    # The 1-based line of each value in the file, by its path of keys and indexes.
    lines: dict[tuple, int] = field(default_factory=dict)

    def where(self, path: tuple) -> str:
        """`file:line` of the value at path (or of its nearest parent that has a line)."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return f"{self.source}:{self.lines[path[:end]]}"
        return f"{self.source}:1"


def find_config(start: Path) -> Path | None:
    """The nearest .blastguard.yaml, or pyproject.toml with a [tool.blastguard] table, at or
    above start, not looking past a repository root. In one folder .blastguard.yaml wins."""
    start = start.resolve()
    for directory in [start, *start.parents]:
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
        if (directory / ".git").exists():
            return None
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    # Cheap test first: most pyproject.toml files have no such table.
    return "tool.blastguard" in text and re.search(r"^\s*\[\s*tool\.blastguard\s*[\].]", text, re.M) is not None


def parse_size(value) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _SIZE.match(str(value))
    if not match or (match.group(2) or "").lower() not in _UNITS:
        raise ValueError(f"not a size: {value!r} (use bytes or e.g. 5MB)")
    return int(match.group(1)) * _UNITS[(match.group(2) or "").lower()]


def parse_severity(value, where: tuple = ()) -> Severity:
    """A severity name; YAML reads an unquoted `off` as false, which means off too."""
    if value is False:
        return Severity.OFF
    if not isinstance(value, str):
        raise ConfigValueError(f"unknown severity {value!r} (expected error, warning, info, hint or off)", where)
    try:
        return Severity.parse(value)
    except ValueError as exc:
        raise ConfigValueError(str(exc), where) from None


def _ids(value, key: str, config: Config, prefix: bool, where: tuple | None = None) -> tuple[str, ...]:
    where = (key,) if where is None else where
    if isinstance(value, str):
        config.named_ids.append((where, value.strip(), prefix))
        return (value.strip(),)
    if not isinstance(value, list):
        raise ConfigValueError(f"{key} must be a list of rule ids{' or id prefixes' if prefix else ''}", where)
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise ConfigValueError(f"{key} must be a list of rule ids{' or id prefixes' if prefix else ''}, "
                                   f"not {item!r}", where + (index,))
        config.named_ids.append((where + (index,), item.strip(), prefix))
    return tuple(v.strip() for v in value)


def _patterns(value, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise ConfigValueError(f"{key} must be a list of gitignore-style patterns", (key,))
    return list(value)


def from_mapping(data: dict, base: Path, config: Config | None = None, confine: bool = False) -> Config:
    """Apply a config mapping (file contents or editor settings); raises ValueError on bad values.

    `confine`: the mapping comes from a file in the repository, whose rule_dirs may not leave
    the file's folder (the user's own settings and --rules may name any folder)."""
    config = config or Config()
    data = {str(k).replace("-", "_"): v for k, v in data.items()}
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ConfigValueError(f"unknown setting {unknown[0]!r} (known: {', '.join(KEYS)})", (unknown[0],))
    options = config.options
    if "select" in data:
        options = replace(options, select=_ids(data["select"], "select", config, True))
    if "ignore" in data:
        options = replace(options, ignore=_ids(data["ignore"], "ignore", config, True))
    if "unsuppressible" in data:
        options = replace(options, unsuppressible=frozenset(
            _ids(data["unsuppressible"], "unsuppressible", config, False)))
    if "severity" in data:
        if not isinstance(data["severity"], dict):
            raise ConfigValueError("severity must map rule ids to error, warning, info, hint or off", ("severity",))
        merged = dict(options.severity)
        for rule_id, level in data["severity"].items():
            config.named_ids.append((("severity", rule_id), str(rule_id), False))
            merged[str(rule_id)] = parse_severity(level, ("severity", rule_id))
        options = replace(options, severity=merged)
    if "per_file_ignores" in data:
        table = data["per_file_ignores"]
        if not isinstance(table, dict):
            raise ConfigValueError("per-file-ignores must map gitignore-style patterns to rule ids",
                                   ("per_file_ignores",))
        entries = []
        for pattern, rule_ids in table.items():
            _check_patterns([str(pattern)], ("per_file_ignores", pattern))
            entries.append((str(pattern), _ids(rule_ids, "per-file-ignores", config, True,
                                               ("per_file_ignores", pattern))))
        options = replace(options, per_file_ignores=tuple(entries), root=str(base.resolve()))
    if "max_file_size" in data:
        try:
            options = replace(options, max_file_size=parse_size(data["max_file_size"]))
        except ValueError as exc:
            raise ConfigValueError(f"max_file_size: {exc}", ("max_file_size",)) from None
    if "fail_on" in data:
        config.fail_on = parse_severity(data["fail_on"], ("fail_on",))
    if "exclude" in data:
        config.exclude = _patterns(data["exclude"], "exclude")
    if "rule_dirs" in data:
        config.rule_dirs = [_rule_dir(base, p, i, confine)
                            for i, p in enumerate(_patterns(data["rule_dirs"], "rule_dirs"))]
    config.root = base
    config.options = options
    return config


def _check_patterns(patterns: list[str], where: tuple) -> None:
    from blastguard.files import pattern_problem

    for pattern in patterns:
        problem = pattern_problem(pattern)
        if problem:
            raise ConfigValueError(problem, where)


def _rule_dir(base: Path, value: str, index: int, confine: bool) -> Path:
    folder = (base / value).resolve()
    if not confine:
        return folder
    where = ("rule_dirs", index)
    home = base.resolve()
    if Path(value).is_absolute() or not folder.is_relative_to(home):
        raise ConfigValueError(f"rule_dirs: {value!r} is outside the config's folder; a repository's config "
                               "may only name rule folders inside it (use --rules for others)", where)
    for rule_file in sorted(folder.glob("*/*.yaml")):
        if not rule_file.resolve().is_relative_to(home):
            raise ConfigValueError(f"rule_dirs: {rule_file} links outside the config's folder", where)
    return folder


def check_rule_ids(config: Config, known: set[str]) -> None:
    """Raise ConfigError, at its line, for the first rule id the config names that no rule has."""
    problem = unknown_rule_id(config, known)
    if problem:
        raise ConfigError(problem)


def unknown_rule_id(config: Config, known: set[str], file_ids: int | None = None) -> str:
    """The first rule id the config names that no rule has, as a message at its line; ''
    when none. Ids from `file_ids` on came from the editor's settings, which have no line."""
    for index, (where, value, prefix) in enumerate(config.named_ids):
        problem = ids.problem(value, known, prefix)
        if problem:
            key = str(where[0]).replace("_", "-") if where[0] == "per_file_ignores" else where[0]
            origin = "Blastguard settings" if file_ids is not None and index >= file_ids else config.where(where)
            return f"{origin}: {key}: {problem}"
    return ""


def load_config(path: Path) -> Config:
    if path.suffix == ".toml":
        data, lines = _read_toml(path)
    else:
        data, lines = _read_yaml(path)
    config = Config(source=str(path), lines=lines)
    try:
        from_mapping(data, path.parent, config, confine=True)
    except ConfigValueError as exc:
        raise ConfigError(f"{config.where(exc.where)}: {exc}") from None
    except ValueError as exc:
        raise ConfigError(f"{path}:1: {exc}") from None
    return config


def _read_yaml(path: Path) -> tuple[dict, dict[tuple, int]]:
    from blastguard.engine import safe_yaml

    try:
        data, node = safe_yaml.read_file(path, "config")
    except safe_yaml.FileError as exc:
        raise ConfigError(str(exc)) from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: the config must be a YAML mapping")
    lines: dict[tuple, int] = {}
    _node_lines(node, (), lines, 3)
    return data, lines


def _node_lines(node: yaml.Node, path: tuple, lines: dict[tuple, int], depth: int) -> None:
    """Record the line of every value down to `depth` levels, keyed by its path."""
    import yaml

    if depth == 0:
        return
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name is None:
                continue
            child = path + (name if depth < 3 else name.replace("-", "_"),)
            lines[child] = value.start_mark.line + 1 if not isinstance(value, yaml.MappingNode) else key.start_mark.line + 1
            _node_lines(value, child, lines, depth - 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[path + (index,)] = item.start_mark.line + 1
            _node_lines(item, path + (index,), lines, depth - 1)


def _read_toml(path: Path) -> tuple[dict, dict[tuple, int]]:
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        # tomllib ends its messages with "(at line L, column C)".
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = found.group(1) if found else len(text.splitlines()) if "end of document" in str(exc) else 1
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        raise ConfigError(f"{path}:{line}: invalid TOML: {message}") from None
    prefix: tuple = ()
    if path.name == PYPROJECT:
        prefix = ("tool", "blastguard")
        data = data.get("tool", {}).get("blastguard", {})
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: [tool.blastguard] must be a table")
    return data, _toml_lines(text, prefix)


_TOML_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_TOML_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.\-]+)\s*=""")


def _toml_lines(text: str, prefix: tuple) -> dict[tuple, int]:
    """Lines of keys under the table `prefix` (tomllib keeps no positions): `key = ` lines and
    sub-table headers, enough to point at a bad value's line."""
    lines: dict[tuple, int] = {}
    table: tuple = ()

    def parts(dotted: str) -> tuple:
        return tuple(p.strip().strip("\"'") for p in re.findall(r"""("[^"]*"|'[^']*'|[^.]+)""", dotted))

    for number, line in enumerate(text.splitlines(), 1):
        header = _TOML_HEADER.match(line)
        if header:
            table = parts(header.group(1))
            if table[:len(prefix)] == prefix and len(table) > len(prefix):
                lines.setdefault(_toml_key(table[len(prefix):]), number)
            continue
        key = _TOML_KEY.match(line)
        if key and table[:len(prefix)] == prefix:
            lines.setdefault(_toml_key(table[len(prefix):] + parts(key.group(1))), number)
    return lines


def _toml_key(path: tuple) -> tuple:
    return (path[0].replace("-", "_"),) + path[1:] if path else path
