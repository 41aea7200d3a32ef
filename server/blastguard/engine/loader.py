"""Read rule files with safe YAML, validate them against rules/schema.json, compile them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jsonschema
import yaml

from blastguard.engine.compile import compile_match
from blastguard.engine.conditions import RuleError
from blastguard.engine.model import Rule, Severity

ID_PREFIXES = {
    "terraform": "TF", "kubernetes": "K8S", "cloudformation": "CFN", "github-actions": "GHA",
    "python": "PY", "ansible": "ANS", "docker-compose": "DC", "iam": "IAM",
}


# libyaml's safe loader when PyYAML was built with it: the same safe subset, 10x faster.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RuleLoadError(Exception):
    """`file:line: message` for a rule set that cannot be used."""


def default_rules_dir() -> Path:
    """rules/ of a source checkout, else the copy a wheel installs as blastguard/_rules."""
    here = Path(__file__).resolve()
    checkout = here.parents[3] / "rules"
    if (checkout / "schema.json").is_file():
        return checkout
    return here.parents[1] / "_rules"


@cache
def _validator(schema_path: str) -> jsonschema.protocols.Validator:
    schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _line_of(node: yaml.Node, path) -> int:
    """The line of the YAML node at a jsonschema error path (best effort)."""
    line = node.start_mark.line + 1
    for key in path:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
            if match is None:
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        line = node.start_mark.line + 1
    return line


def _key_line(node: yaml.MappingNode, key: str) -> int:
    return next((k.start_mark.line + 1 for k, _ in node.value if k.value == key), 1)


def load_rule_file(path: Path, schema_path: Path) -> Rule:
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=_SafeLoader)
        data = _SafeLoader(text).construct_document(node) if node is not None else None
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleLoadError(f"{path}: cannot read rule file: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise RuleLoadError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict) or node is None:
        raise RuleLoadError(f"{path}:1: a rule file must be a YAML mapping")
    errors = sorted(_validator(str(schema_path)).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        error = min(errors, key=lambda e: len(list(e.absolute_path)))
        best = jsonschema.exceptions.best_match(errors)
        error = best or error
        location = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise RuleLoadError(f"{path}:{_line_of(node, error.absolute_path)}: {location}: {error.message}")
    language = data["language"]
    if path.parent.name != language:
        raise RuleLoadError(f"{path}:1: language {language!r} does not match folder {path.parent.name!r}")
    if not data["id"].startswith(ID_PREFIXES[language]) or not path.name.startswith(data["id"] + "-"):
        raise RuleLoadError(
            f"{path}:1: id {data['id']} must start with {ID_PREFIXES[language]} and name the file {data['id']}-<slug>.yaml")
    try:
        matchers = compile_match(data["match"], data.get("fix"))
    except (RuleError, KeyError, TypeError, ValueError) as exc:
        raise RuleLoadError(f"{path}:{_key_line(node, 'match')}: match: {exc}") from None
    return Rule(
        id=data["id"], title=data["title"], language=language, category=data["category"],
        severity=Severity.parse(data["severity"]), message=data["message"].strip(),
        note=data["note"].strip(), url=data.get("url") or path.resolve().as_uri(),
        match=matchers, fix=data.get("fix"), source=str(path), examples=data["examples"],
        metadata={k: data[k] for k in ("references", "cwe", "metadata") if k in data},
    )


@dataclass
class RuleSet:
    rules: list[Rule] = field(default_factory=list)

    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}


def load_rules(dirs: list[Path] | None = None) -> RuleSet:
    """Every rules/<language>/*.yaml under the given folders (default: the bundled rules)."""
    base = default_rules_dir()
    dirs = [base] + [Path(d) for d in (dirs or []) if Path(d).resolve() != base.resolve()]
    schema = base / "schema.json"
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for folder in dirs:
        if not folder.is_dir():
            raise RuleLoadError(f"{folder}: rule folder not found")
        for path in sorted(folder.glob("*/*.yaml")):
            rule = load_rule_file(path, schema)
            if rule.id in seen:
                raise RuleLoadError(f"{path}:1: duplicate rule id {rule.id} (also in {seen[rule.id]})")
            seen[rule.id] = str(path)
            rules.append(rule)
    return RuleSet(rules)
