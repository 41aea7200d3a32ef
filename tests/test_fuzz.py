"""Property tests: no input makes the engine raise, and fixes never break a file."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blastguard.engine import fixes
from blastguard.engine.loader import load_rules

SOURCES = sorted({case["code"] if isinstance(case, dict) else case
                  for rule in load_rules().rules
                  for kind in ("invalid", "valid")
                  for case in rule.examples[kind]})
SETTINGS = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def mutated(draw):
    """A rule example with a few random deletions, insertions and duplications."""
    data = bytearray(draw(st.sampled_from(SOURCES)).encode())
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        choice = draw(st.integers(0, 2))
        if choice == 0 and data:
            del data[at:at + draw(st.integers(1, 12))]
        elif choice == 1:
            data[at:at] = draw(st.sampled_from([b"{", b"}", b'"', b"${", b"<<EOF\n", b"\n", b"[", b"=", b"#", b"\xff", b"\\"]))
        else:
            data[at:at] = data[at:at + draw(st.integers(1, 40))]
    return bytes(data)


@SETTINGS
@given(data=mutated(), name=st.sampled_from(["main.tf", "x.tfvars", "main.tf.json", "plan.json"]))
def test_engine_never_raises(engine, data, name):
    result = engine.analyze(name, data)
    for finding in result.findings:
        assert 0 <= finding.start_byte <= finding.end_byte <= len(data)
        assert finding.start.line >= 1 and finding.start.column >= 1


@SETTINGS
@given(data=mutated())
def test_fixes_keep_a_parsing_file_parsing(engine, data):
    before = engine.analyze("main.tf", data)
    edits = [e for f in before.findings if f.fix is not None and f.fix.safe for e in f.fix.edits]
    if before.errors or not edits or any(f.rule == "BG001" for f in before.findings):
        return
    fixed, applied = fixes.apply(data, edits)
    after = engine.analyze("main.tf", fixed)
    assert not after.errors
    assert not any(f.rule == "BG001" for f in after.findings)
    first = min(e.start for e in applied)
    assert fixed[:first] == data[:first]
