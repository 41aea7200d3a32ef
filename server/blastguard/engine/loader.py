"""Read rule files with safe YAML, validate them against rules/schema.json, compile them."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from blastguard.engine import literals, rule_cache
from blastguard.engine.compile import DeferredMatch, compile_match
from blastguard.engine.conditions import RuleError
from blastguard.engine.model import Rule, Severity
from blastguard.errors import UserError

ID_PREFIXES = {
    "terraform": "TF", "kubernetes": "K8S", "cloudformation": "CFN", "github-actions": "GHA",
    "python": "PY", "ansible": "ANS", "docker-compose": "DC", "iam": "IAM",
}


class RuleLoadError(UserError):
    """`file:line: message` for a rule set that cannot be used."""


def default_rules_dir() -> Path:
    """rules/ of a source checkout, else the copy a wheel installs as blastguard/_rules."""
    here = Path(__file__).resolve()
    checkout = here.parents[3] / "rules"
    if (checkout / "schema.json").is_file():
        return checkout
    return here.parents[1] / "_rules"


@cache
def _validator(schema_path: str):
    import jsonschema

    schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _line_of(node, path) -> int:
    """The line of the YAML node at a jsonschema error path (best effort)."""
    import yaml

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


def _key_line(node, key: str) -> int:
    return next((k.start_mark.line + 1 for k, _ in node.value if k.value == key), 1)


def parse_rule_file(path: Path, schema_path: Path | None) -> tuple[dict, object]:
    """The rule document and its YAML node (for error lines), validated when a schema is given."""
    from blastguard.engine import safe_yaml  # a start-up that finds its rules in the cache never parses YAML

    try:
        data, node = safe_yaml.read_file(path, "rule file")
    except safe_yaml.FileError as exc:
        raise RuleLoadError(str(exc)) from None
    if not isinstance(data, dict) or node is None:
        raise RuleLoadError(f"{path}:1: a rule file must be a YAML mapping")
    if schema_path is not None:
        _validate(path, data, node, schema_path)
    return data, node


def _validate(path: Path, data: dict, node, schema_path: Path) -> None:
    import jsonschema  # 0.15 s to import: only when a rule file is read rather than cached

    errors = sorted(_validator(str(schema_path)).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        error = min(errors, key=lambda e: len(list(e.absolute_path)))
        best = jsonschema.exceptions.best_match(errors)
        error = best or error
        location = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise RuleLoadError(f"{path}:{_line_of(node, error.absolute_path)}: {location}: {error.message}")


def build_rule(path: Path, data: dict, node=None, defer: bool = False) -> Rule:
    """Check a rule document's id and folder and compile its matchers (node gives error lines;
    defer compiles on first use, for documents that compiled before)."""
    language = data["language"]
    if path.parent.name != language:
        raise RuleLoadError(f"{path}:1: language {language!r} does not match folder {path.parent.name!r}")
    if not data["id"].startswith(ID_PREFIXES[language]) or not path.name.startswith(data["id"] + "-"):
        raise RuleLoadError(
            f"{path}:1: id {data['id']} must start with {ID_PREFIXES[language]} and name the file {data['id']}-<slug>.yaml")
    try:
        # A change rule has no matcher: engine.change compares two versions to report it.
        if "match" not in data:
            matchers = []
        elif defer:
            matchers = DeferredMatch(data["match"], data.get("fix"))
        else:
            matchers = compile_match(data["match"], data.get("fix"))
    except (RuleError, KeyError, TypeError, ValueError) as exc:
        line = _key_line(node, "match") if node is not None else 1
        raise RuleLoadError(f"{path}:{line}: match: {exc}") from None
    return Rule(
        id=data["id"], title=data["title"], language=language, category=data["category"],
        severity=Severity.parse(data["severity"]), message=data["message"].strip(),
        note=data["note"].strip(), url=data.get("url") or path.resolve().as_uri(),
        match=matchers, fix=data.get("fix"), source=str(path), examples=data["examples"],
        metadata={k: data[k] for k in ("references", "cwe", "metadata", "change") if k in data},
    )


def load_rule_file(path: Path, schema_path: Path | None) -> Rule:
    data, node = parse_rule_file(path, schema_path)
    return build_rule(path, data, node)


@dataclass
class RuleSet:
    rules: list[Rule] = field(default_factory=list)

    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}


def load_rules(dirs: list[Path] | None = None, validate_bundled: bool = False) -> RuleSet:
    """Every rules/<language>/*.yaml under the given folders (default: the bundled rules).

    Rule files are parsed and schema-checked once, then read from a cache keyed by their bytes
    and the package version. The bundled rules are checked by the test suite, so a start-up
    without a cache only parses them (validate_bundled=True checks them too); extra folders
    are always checked before their rules are first used."""
    base = default_rules_dir()
    dirs = [base] + [Path(d) for d in (dirs or []) if Path(d).resolve() != base.resolve()]
    schema = base / "schema.json"
    files: list[tuple[Path, bytes, bool]] = []
    for folder in dirs:
        if not folder.is_dir():
            raise RuleLoadError(f"{folder}: rule folder not found")
        # Sorted by their parts as strings, as Paths sort: comparing 236 Path objects costs
        # more than reading the files' names.
        for path in map(Path, sorted(map(str, folder.glob("*/*.yaml")), key=lambda name: name.split(os.sep))):
            try:
                files.append((path, path.read_bytes(), validate_bundled or folder is not base))
            except OSError as exc:
                raise RuleLoadError(f"{path}: cannot read rule file: {exc.strerror or exc}") from None
    key = rule_cache.key_of([(p, d) for p, d, _ in files],
                            schema.read_bytes() + (b"\0validated" if validate_bundled else b""))
    cached, derived = rule_cache.read(key) or (None, None)
    if cached is not None and len(cached) == len(files):
        literals.seed(derived)
        try:
            return _rule_set([(path, data, None) for (path, _, _), data in zip(files, cached)], defer=True)
        except (RuleLoadError, KeyError, TypeError, ValueError, AttributeError):
            pass  # a damaged entry that still parsed: read the files, as without a cache
    parsed = [(path, *parse_rule_file(path, schema if check else None)) for path, _, check in files]
    ruleset = _rule_set(parsed)
    documents = [data for _, data, _ in parsed]
    try:
        # Only plain JSON survives the round trip unchanged (YAML may give int keys or dates).
        if json.loads(json.dumps(documents)) == documents:
            # Compiling every rule above read each regex's literals: stored, a start-up skips that.
            rule_cache.write(key, documents, literals.known())
    except (TypeError, ValueError):
        pass
    return ruleset


def _rule_set(parsed: list[tuple[Path, dict, object]], defer: bool = False) -> RuleSet:
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path, data, node in parsed:
        rule = build_rule(path, data, node, defer)
        if rule.id in seen:
            raise RuleLoadError(f"{path}:1: duplicate rule id {rule.id} (also in {seen[rule.id]})")
        seen[rule.id] = str(path)
        rules.append(rule)
    return RuleSet(rules)
