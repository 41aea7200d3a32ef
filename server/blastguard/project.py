"""The project one file belongs to: its config (the nearest .blastguard.yaml above the file), engine, exclusions.

Used where a single file arrives without a directory walk: `check -` with `--stdin-filename`,
`blastguard guard` and `blastguard mcp`. The config is looked up from the file, not from the
working directory, so an agent or an editor running elsewhere gets the project's rules.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from blastguard import files
from blastguard.config import Config, find_config, load_config
from blastguard.engine.analyze import Engine
from blastguard.engine.builtin import BUILTIN_RULES
from blastguard.engine.loader import load_rules
from blastguard.engine.model import Rule


def config_path_for(path: str | os.PathLike) -> Path | None:
    """The .blastguard.yaml that governs `path` (which need not exist), or None."""
    start = Path(os.path.abspath(path)).parent
    while not start.exists() and start != start.parent:  # a new file in a new folder
        start = start.parent
    return find_config(start)


def is_excluded(config: Config, path: str | os.PathLike) -> bool:
    """Whether the config's `exclude` patterns cover `path` (relative to the config's folder)."""
    return files.excluded(os.fspath(path), config.exclude, str(config.root) if config.root else None)


@dataclass
class Project:
    config: Config
    engine: Engine

    @classmethod
    def of(cls, config: Config) -> "Project":
        return cls(config, Engine(load_rules(config.rule_dirs), config.options))

    @property
    def rules(self) -> dict[str, Rule]:
        return {r.id: r for r in list(self.engine.rules.rules) + list(BUILTIN_RULES)}


class Projects:
    """One engine per config file, built on first use (a long-running server sees few projects)."""

    def __init__(self, explicit: Config | None = None):
        self._explicit = explicit
        self._cache: dict[str, Project] = {}

    def for_path(self, path: str | os.PathLike) -> Project:
        if self._explicit is not None:
            key, load = "", lambda: self._explicit
        else:
            found = config_path_for(path)
            key = str(found or "")
            load = (lambda: load_config(found)) if found else Config
        project = self._cache.get(key)
        if project is None:
            project = self._cache[key] = Project.of(load())
        return project
