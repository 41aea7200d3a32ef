"""The VS Code extension (clients/vscode) against the server: same settings, same languages, and its Node tests."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from blastguard.engine import languages
from blastguard.lsp.settings import DEFAULTS, SECTION

ROOT = Path(__file__).resolve().parents[1]
EXTENSION = ROOT / "clients" / "vscode"
MANIFEST = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
PROPERTIES = MANIFEST["contributes"]["configuration"]["properties"]
# Settings the extension reads itself and never sends to the server.
CLIENT_ONLY = {"path", "interpreter", "trace.server"}
JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}


def server_properties() -> dict:
    prefix = f"{SECTION}."
    assert all(key.startswith(prefix) for key in PROPERTIES)
    return {key[len(prefix):]: schema for key, schema in PROPERTIES.items() if key[len(prefix):] not in CLIENT_ONLY}


def test_settings_mirror_the_server_defaults():
    properties = server_properties()
    assert list(properties) == list(DEFAULTS)
    for key, default in DEFAULTS.items():
        schema = properties[key]
        assert schema["type"] == JSON_TYPES[type(default)], key
        assert schema["default"] == default, key
        assert type(schema["default"]) is type(default), key
        assert schema.get("description") or schema.get("markdownDescription"), key


def test_client_only_settings():
    # Empty: the extension picks the server (src/discovery.js); no setting is needed to start.
    assert PROPERTIES["blastguard.path"]["default"] == ""
    assert PROPERTIES["blastguard.interpreter"]["default"] == ""
    assert PROPERTIES["blastguard.path"]["type"] == "string"
    assert PROPERTIES["blastguard.trace.server"]["enum"] == ["off", "messages", "verbose"]
    assert PROPERTIES["blastguard.trace.server"]["default"] == "off"
    # A workspace must not choose the command VS Code runs until it is trusted.
    untrusted = MANIFEST["capabilities"]["untrustedWorkspaces"]
    assert untrusted["supported"] == "limited"
    assert {"blastguard.path", "blastguard.interpreter"} <= set(untrusted["restrictedConfigurations"])


def test_bounds_and_size_pattern_agree_with_the_server():
    import re

    from blastguard.config import parse_size

    debounce = PROPERTIES["blastguard.debounceMs"]
    assert (debounce["minimum"], debounce["maximum"]) == (0, 10_000)
    pattern = re.compile(PROPERTIES["blastguard.maxFileSize"]["pattern"])
    for good in ("5MB", "500kb", "1GiB", "123", "7 k"):
        assert pattern.match(good), good
        parse_size(good)
    for bad in ("5 megabytes", "1.5MB", "MB", "5ki"):
        assert not pattern.match(bad), bad
        with pytest.raises(ValueError):
            parse_size(bad)
    levels = PROPERTIES["blastguard.severity"]["additionalProperties"]["enum"]
    assert levels == ["error", "warning", "info", "hint", "off"]
    from blastguard.lsp.settings import PREEXISTING

    assert PROPERTIES["blastguard.preexistingSeverity"]["enum"] == list(PREEXISTING)
    base = re.compile(PROPERTIES["blastguard.diffBase"]["pattern"])
    for good in ("HEAD", "origin/main", "HEAD~2", "v1.0", ""):
        assert base.match(good), good
    for bad in ("--output=x", "-p", "HEAD main"):
        assert not base.match(bad), bad


def test_activation_covers_every_server_language():
    samples = {"main.tf": b"", "vars.tfvars": b"", "x.hcl": b"", "plan.json": b'{"terraform_version": "1"}',
               "k8s.yaml": b"", "ci.yml": b"", "policy.json": b'{"Statement": []}', "app.py": b"",
               "stack.template": b'{"Resources": {}}'}
    served = set()
    for name, head in samples.items():
        detected = languages.detect(name, head)
        assert detected is not None, name
        served.update(detected)  # the language and its syntax: ("terraform", "hcl")
    activation = {e.removeprefix("onLanguage:") for e in MANIFEST["activationEvents"] if e.startswith("onLanguage:")}
    assert served <= activation, served - activation
    assert "workspaceContains:**/.blastguard.yaml" in MANIFEST["activationEvents"]


def test_manifest_basics():
    assert MANIFEST["name"] == "blastguard"
    assert MANIFEST["engines"]["vscode"].startswith("^1.82")
    assert MANIFEST["dependencies"]["vscode-languageclient"].startswith("^9")
    assert (EXTENSION / MANIFEST["main"]).is_file()
    assert "blastguard.restart" in {c["command"] for c in MANIFEST["contributes"]["commands"]}
    assert (EXTENSION / "package-lock.json").is_file()


def test_node_tests():
    """The extension's own tests (`npm test`), when Node and its installed packages are here."""
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        pytest.skip("node/npm not found: the VS Code extension's Node tests need Node 20")
    if not (EXTENSION / "node_modules").is_dir():
        pytest.skip("clients/vscode/node_modules is absent: run `npm ci` in clients/vscode first")
    done = subprocess.run([npm, "test"], cwd=EXTENSION, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"npm test failed:\n{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
