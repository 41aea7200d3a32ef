"""Editor settings: one table of defaults, read from initializationOptions and workspace/configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from blastguard.config import Config, ConfigError, find_config, from_mapping, load_config

SECTION = "blastguard"
# Every setting an editor can send, with its default; clients/vscode/package.json mirrors it.
DEFAULTS: dict = {
    "enable": True,
    "select": [],
    "ignore": [],
    "severity": {},
    "exclude": [],
    "ruleDirs": [],
    "debounceMs": 150,
    "maxFileSize": "5MiB",
    "diffBase": "HEAD",
    "preexistingSeverity": "hint",
    "insertedBlockMinLines": 3,
}
PREEXISTING = ("hint", "information", "hidden")
# Keys a client keeps under the same section for itself (VS Code: the server command, tracing).
CLIENT_KEYS = frozenset({"path", "interpreter", "trace"})
# Editor spelling -> .blastguard.yaml spelling, for the settings both understand.
_CONFIG_KEYS = {"select": "select", "ignore": "ignore", "severity": "severity", "exclude": "exclude",
                "ruleDirs": "rule_dirs", "maxFileSize": "max_file_size"}


@dataclass
class Settings:
    enable: bool = DEFAULTS["enable"]
    debounce_ms: int = DEFAULTS["debounceMs"]
    config: Config = field(default_factory=Config)
    # Set when settings were refused: shown to the user once, the defaults are used.
    problem: str = ""
    diff_base: str = DEFAULTS["diffBase"]
    preexisting: str = DEFAULTS["preexistingSeverity"]
    block_min_lines: int = DEFAULTS["insertedBlockMinLines"]
    # config.named_ids from this index on were named by the editor's settings, not the file.
    editor_ids_from: int = 0


def read(raw, root: Path | None, debounce_override: int | None = None) -> Settings:
    """Settings from the editor's values over the project's .blastguard.yaml; never raises:
    a bad value gives the defaults and a `problem` to show."""
    base = root or Path.cwd()
    config = Config()
    problem = ""
    found = find_config(base) if root is not None else None
    if found is not None:
        try:
            config = load_config(found)
        except ConfigError as exc:
            problem = str(exc)
    values = dict(DEFAULTS)
    try:
        given = section(raw)
        unknown = sorted(set(given) - set(DEFAULTS) - CLIENT_KEYS)
        if unknown:  # reported, and the rest still applies
            problem = f"Blastguard: unknown setting {unknown[0]!r} ignored (known: {', '.join(DEFAULTS)})"
        values.update({k: v for k, v in given.items() if k in DEFAULTS})
        if values["severity"] == []:  # an empty Lua table again
            values["severity"] = {}
        if not isinstance(values["enable"], bool):
            raise ValueError("enable must be true or false")
        debounce = values["debounceMs"]
        if isinstance(debounce, bool) or not isinstance(debounce, int) or not 0 <= debounce <= 10_000:
            raise ValueError("debounceMs must be a whole number of milliseconds from 0 to 10000")
        _check_change_settings(values)
        editor = {_CONFIG_KEYS[k]: v for k, v in values.items()
                  if k in _CONFIG_KEYS and v != DEFAULTS[k]}
        file_ids = len(config.named_ids)
        config = from_mapping(editor, base, config)
    except (ValueError, TypeError) as exc:
        return Settings(config=config, problem=f"Blastguard settings ignored: {exc}",
                        debounce_ms=DEFAULTS["debounceMs"] if debounce_override is None else debounce_override)
    return Settings(values["enable"], debounce if debounce_override is None else debounce_override, config, problem,
                    diff_base=values["diffBase"], preexisting=values["preexistingSeverity"],
                    block_min_lines=values["insertedBlockMinLines"], editor_ids_from=file_ids)


def _check_change_settings(values: dict) -> None:
    base = values["diffBase"]
    # The base goes to git as a revision: an option-like or multi-line value is refused, not passed.
    if not isinstance(base, str) or base.startswith("-") or any(c.isspace() or ord(c) < 32 for c in base):
        raise ValueError('diffBase must be a git revision such as "HEAD" or "origin/main", or "" for none')
    if values["preexistingSeverity"] not in PREEXISTING:
        raise ValueError(f"preexistingSeverity must be one of {', '.join(PREEXISTING)}")
    lines = values["insertedBlockMinLines"]
    if isinstance(lines, bool) or not isinstance(lines, int) or not 0 <= lines <= 100_000:
        raise ValueError("insertedBlockMinLines must be a whole number of lines (0 turns blocks off)")


def section(raw) -> dict:
    """Accept `{"blastguard": {...}}` or the section itself; None is no settings."""
    if raw is None or raw == []:  # Neovim encodes an empty Lua table as []
        return {}
    if not isinstance(raw, dict):
        raise ValueError(f"settings must be an object, not {type(raw).__name__}")
    inner = raw.get(SECTION, raw)
    if inner is None or inner == []:
        return {}
    if not isinstance(inner, dict):
        raise ValueError(f"{SECTION} settings must be an object")
    return inner
