"""Property tests: no input makes the engine raise, and fixes never break a file."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from blastguard.engine import fixes
from blastguard.engine.loader import load_rules
from tests.conftest import parses
from tests.test_rule_examples import DEFAULT_PATH

# (source, path) of every rule example, each under the path its language is read from.
SOURCES = sorted({(case["code"], case.get("path", DEFAULT_PATH[rule.language])) if isinstance(case, dict)
                  else (case, DEFAULT_PATH[rule.language])
                  for rule in load_rules().rules
                  for kind in ("invalid", "valid")
                  for case in rule.examples[kind]})
SETTINGS = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def mutated(draw):
    """A rule example (and its path) with a few random deletions, insertions and duplications."""
    source, path = draw(st.sampled_from(SOURCES))
    data = bytearray(source.encode())
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        choice = draw(st.integers(0, 2))
        if choice == 0 and data:
            del data[at:at + draw(st.integers(1, 12))]
        elif choice == 1:
            data[at:at] = draw(st.sampled_from([b"{", b"}", b'"', b"${", b"<<EOF\n", b"\n", b"[", b"=", b"#",
                                                 b"\xff", b"\\", b"- ", b": ", b"&a ", b"*a", b"{{ x }}",
                                                 b"!Ref ", b"(", b")", b"'", b"  "]))
        else:
            data[at:at] = data[at:at + draw(st.integers(1, 40))]
    return bytes(data), path


@SETTINGS
@given(case=mutated(), other=st.sampled_from([None, "main.tf", "x.tfvars", "main.tf.json", "plan.json",
                                               "deploy.yaml", "template.json", "tool.py"]))
# A data source whose region parses as no block, its body asked for through a reference.
@example(case=(b'data "google_iam_policy" "site"\\ {\n  binding {\n    members = ["allUsers"]\n  }\n}\n\n'
               b'resource "google_storage_bucket_iam_policy" "site" {\n'
               b'  policy_data = data.google_iam_policy.site.policy_data\n}\n', "main.tf"), other=None)
@example(case=(b'data "google_iam_policy" "site" {\\\n  binding {\n    members = ["allUsers"]\n  }\n}\n\n'
               b'resource "google_storage_bucket_iam_policy" "site" {\n'
               b'  policy_data = data.google_iam_policy.site.policy_data\n}\n', "main.tf"), other=None)
def test_engine_never_raises(engine, case, other):
    data, path = case
    result = engine.analyze(other or path, data)
    for finding in result.findings:
        assert 0 <= finding.start_byte <= finding.end_byte <= len(data)
        assert finding.start.line >= 1 and finding.start.column >= 1


@SETTINGS
@given(case=mutated())
def test_fixes_keep_a_parsing_file_parsing(engine, case):
    data, path = case
    before = engine.analyze(path, data)
    edits = [e for f in before.findings if f.fix is not None and f.fix.safe for e in f.fix.edits]
    if before.errors or not edits or not parses(path, data):
        return
    fixed, applied = fixes.apply(data, edits)
    after = engine.analyze(path, fixed)
    assert not after.errors
    assert parses(path, fixed)
    first = min(e.start for e in applied)
    assert fixed[:first] == data[:first]


def test_mutated_corpus_files_never_raise_and_fixes_stay_inside_their_edits(engine):
    """Real files, mutated with a fixed seed for about 20 s (bench/fuzz.py runs longer)."""
    from tests import fuzzing

    outcome = fuzzing.run(engine, seconds=20, seed=13)
    assert outcome.files > 0 and outcome.cases > 0
    assert outcome.failures == []
