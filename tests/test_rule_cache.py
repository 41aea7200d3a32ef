"""The rule cache: used only for the exact rule files and package version that wrote it; a
stale or damaged entry is rebuilt, never used; a one-file check imports no validator or LSP stack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from blastguard import __version__
from blastguard.engine import rule_cache
from blastguard.engine.loader import RuleLoadError, load_rules
from tests.test_rule_loading import USER_RULE, write_rule


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("BLASTGUARD_CACHE_DIR", str(folder))
    return folder


def entries(folder):
    return sorted(folder.glob("rules-*.json"))


def test_the_first_load_writes_an_entry_the_second_reads(cache, tmp_path):
    rules = tmp_path / "rules"
    write_rule(rules, USER_RULE)
    first = load_rules([rules])
    [entry] = entries(cache)
    stored = json.loads(entry.read_text())
    assert stored["version"] == __version__ and entry.name == f"rules-{stored['key']}.json"
    second = load_rules([rules])
    assert [(r.id, r.message, r.severity) for r in second.rules] == [(r.id, r.message, r.severity) for r in first.rules]
    assert entries(cache) == [entry]


@pytest.mark.parametrize("damage", [
    lambda entry: entry.write_bytes(b"{not json"),
    lambda entry: entry.write_bytes(entry.read_bytes()[:1000]),
    lambda entry: entry.write_text(json.dumps({**json.loads(entry.read_text()), "version": "0.0.0"})),
    lambda entry: entry.write_text(json.dumps({**json.loads(entry.read_text()), "key": "0" * 64})),
    lambda entry: entry.write_text(json.dumps({**json.loads(entry.read_text()), "rules": [[1]]})),
    lambda entry: entry.write_text(json.dumps({**json.loads(entry.read_text()), "rules": [{"id": "TF901"}] * 1000})),
], ids=["not-json", "truncated", "other-version", "other-key", "not-rules", "wrong-count"])
def test_a_damaged_or_stale_entry_is_rebuilt_and_never_used(cache, tmp_path, damage):
    rules = tmp_path / "rules"
    write_rule(rules, USER_RULE)
    expected = {r.id: r.message for r in load_rules([rules]).rules}
    [entry] = entries(cache)
    good = json.loads(entry.read_text())
    # A damaged entry that still claims this key and version must not change what is loaded.
    damage(entry)
    assert {r.id: r.message for r in load_rules([rules]).rules} == expected
    assert json.loads(entry.read_text()) == good


def test_an_entry_of_another_version_is_not_used_even_under_the_same_name(cache, tmp_path):
    rules = tmp_path / "rules"
    write_rule(rules, USER_RULE)
    load_rules([rules])
    [entry] = entries(cache)
    stored = json.loads(entry.read_text())
    for rule in stored["rules"]:
        rule["message"] = "TAMPERED " + rule["message"]
    entry.write_text(json.dumps({**stored, "version": "9.9.9"}))
    assert not any(r.message.startswith("TAMPERED") for r in load_rules([rules]).rules)


def test_an_edited_rule_file_is_read_again_and_validated(cache, tmp_path):
    rules = tmp_path / "rules"
    path = write_rule(rules, USER_RULE)
    load_rules([rules])
    path.write_text(USER_RULE.replace("severity: warning", "severity: loud"))
    with pytest.raises(RuleLoadError, match=":5: severity: 'loud' is not one of"):
        load_rules([rules])
    path.write_text(USER_RULE.replace("Buckets must", "Every bucket must"))
    assert "Every bucket must carry an owner tag" in {r.title for r in load_rules([rules]).rules}
    assert len(entries(cache)) == 2


def test_without_a_writable_cache_rules_still_load(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("BLASTGUARD_CACHE_DIR", str(blocker / "cache"))
    assert len(load_rules().rules) > 100
    monkeypatch.setenv("BLASTGUARD_NO_CACHE", "1")
    assert rule_cache.cache_dir() is None
    assert len(load_rules().rules) > 100


def test_the_bundled_rules_satisfy_the_schema():
    # Validation of the bundled rules happens here rather than at every start-up.
    assert len(load_rules(validate_bundled=True).rules) == len(load_rules().rules)


def test_a_one_file_check_imports_no_validator_and_no_lsp_stack(tmp_path):
    risky = tmp_path / "main.tf"
    risky.write_text('resource "aws_s3_bucket" "b" {\n  force_destroy = true\n}\n')
    code = textwrap.dedent(f"""\
        import sys
        from blastguard.cli import main
        code = main(["check", "--no-config", "--no-progress", {str(risky)!r}])
        heavy = ("jsonschema", "pygls", "lsprotocol", "tqdm", "blastguard.lsp")
        # What a warm start of a Terraform check has no use for: the config reader and libyaml
        # (no config file, rules from the cache), gitignore matching (no folder to walk),
        # diffs and temporary files (nothing fixed).
        unused = ("yaml", "pathspec", "difflib", "tempfile", "blastguard.engine.documents.yaml_events")
        print(code, sorted(m for m in sys.modules if m.startswith(heavy)),
              sorted(m for m in sys.modules if m.startswith(unused)))
        """)
    env = {**os.environ, "BLASTGUARD_CACHE_DIR": str(tmp_path / "cache")}
    for run in ("cold cache", "warm cache"):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        code_, heavy, unused = out.stdout.splitlines()[-1].split(" ", 2)
        assert (code_, heavy) == ("1", "[]"), run
    assert unused == "[]"


def test_each_regex_s_literals_are_stored_with_the_rules_they_come_from(cache):
    from blastguard.engine import literals

    load_rules()  # cold: compiling every rule reads every regex
    [entry] = entries(cache)
    rows = json.loads(entry.read_text())["derived"]
    assert len(rows) > 100
    for pattern, ignore_case, needs, fold in rows:
        assert literals._required(pattern, ignore_case) == ((tuple(needs), fold) if needs is not None else None)


WARM_START = textwrap.dedent("""\
    import sys
    from blastguard.engine import literals
    from blastguard.cli import main
    read = []
    original = literals._required
    literals._required = lambda pattern, ignore_case: read.append(pattern) or original(pattern, ignore_case)
    code = main(["check", "--no-config", "--no-progress", "--format", "json", sys.argv[1]])
    print(len(read))
    """)


@pytest.mark.parametrize("derived, reads_patterns", [
    (None, False),  # as written: a warm start reads no pattern
    ([["a", True]], True),  # not shaped like the rows: ignored whole, patterns read again
    ("rows", True),
])
def test_a_warm_start_reads_no_regex_and_a_damaged_table_is_not_used(tmp_path, derived, reads_patterns):
    risky = tmp_path / "main.tf"
    risky.write_text('resource "aws_s3_bucket" "b" {\n  force_destroy = true\n}\n'
                     'resource "aws_iam_user_policy_attachment" "a" {\n'
                     '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n')
    env = {**os.environ, "BLASTGUARD_CACHE_DIR": str(tmp_path / "cache")}

    def run():
        out = subprocess.run([sys.executable, "-c", WARM_START, str(risky)], capture_output=True,
                             text=True, env=env, check=False)
        report = json.loads(out.stdout[:out.stdout.rindex("}") + 1])
        return {(f["rule"], f["start"]["line"]) for f in report["findings"]}, int(out.stdout.split()[-1])

    cold, cold_reads = run()
    assert cold == {("TF101", 2), ("TF211", 5)} and cold_reads > 0
    if derived is not None:
        [entry] = entries(tmp_path / "cache")
        entry.write_text(json.dumps({**json.loads(entry.read_text()), "derived": derived}))
    warm, warm_reads = run()
    assert warm == cold
    assert (warm_reads > 0) == reads_patterns
