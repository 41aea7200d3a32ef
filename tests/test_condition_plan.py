"""An `all` tested cheap parts first, and shared parts answered once per subject, answers as
its parts in the written order do (condition_plan)."""

from __future__ import annotations

from blastguard.engine import languages
from blastguard.engine.analyze import _each
from blastguard.engine.compile import compile_condition, compile_match
from blastguard.engine.condition_plan import follows, plan
from blastguard.engine.conditions import FALSE, TRUE, UNKNOWN_RESULT, All, Any_, Not
from blastguard.engine.documents.load import load
from blastguard.engine.loader import load_rules
from blastguard.engine.paths import locate
from blastguard.engine.values import UNKNOWN
from tests.test_demand import _examples

RULES = load_rules().rules


def _written(condition, node, scope):
    """The written-order answer: each `all` part in turn, stopping at the first false one."""
    if isinstance(condition, All):
        witnesses, unknown = [], False
        for part in condition.parts:
            truth, found = _written(part, node, scope)
            if truth == FALSE:
                return FALSE, []
            unknown = unknown or truth == UNKNOWN_RESULT
            witnesses.extend(found)
        return (UNKNOWN_RESULT, []) if unknown else (TRUE, witnesses)
    if isinstance(condition, Any_):
        unknown = False
        for part in condition.parts:
            truth, found = _written(part, node, scope)
            if truth == TRUE:
                return TRUE, found
            unknown = unknown or truth == UNKNOWN_RESULT
        return (UNKNOWN_RESULT if unknown else FALSE), []
    if isinstance(condition, Not):
        truth, _ = _written(condition.part, node, scope)
        return (truth if truth == UNKNOWN_RESULT else TRUE if truth == FALSE else FALSE), []
    return condition.evaluate(node, scope)


def _spans(result):
    truth, witnesses = result
    # A `$ref` step makes new nodes for what it reaches: compared by what they are, not identity.
    return truth, [(n.kind, repr(n.value)[:80], n.start, n.end) for n in witnesses]


def _reordered(condition) -> bool:
    if isinstance(condition, All):
        return plan(condition.parts)[0] is not None or any(map(_reordered, condition.parts))
    if isinstance(condition, Any_):
        return any(map(_reordered, condition.parts))
    if isinstance(condition, Not):
        return _reordered(condition.part)
    return False


def _holds_all(condition) -> bool:
    if isinstance(condition, All):
        return True
    if isinstance(condition, Any_):
        return any(map(_holds_all, condition.parts))
    return isinstance(condition, Not) and _holds_all(condition.part)


def test_every_rule_answers_as_in_the_written_order_on_every_example():
    reordered = {rule.id for rule in RULES for m in rule.match if m.where is not None and _reordered(m.where)}
    assert {"CFN301", "CFN304", "TF703"} <= reordered
    # Every `all`, reordered or not: each may hold parts other rules share, answered from the memo.
    matchers = [(rule.id, m) for rule in RULES for m in rule.match if m.where is not None and _holds_all(m.where)]
    compared = {TRUE: 0, FALSE: 0, UNKNOWN_RESULT: 0}
    for _, path, data in _examples():
        language, syntax = languages.detect(path, data)
        for subject in load(path, language, syntax, data, lambda *_: True).subjects:
            subject.memo = {}  # as Engine.findings runs a subject's rules: shared answers kept
            for _, matcher in matchers:
                if not matcher.selector.accepts(subject):
                    continue
                contexts = [subject.node] if matcher.each is None else \
                    [n for n in _each(locate(subject.node, subject, matcher.each)) if n.kind != UNKNOWN]
                for context in contexts:
                    planned = matcher.where.evaluate(context, subject)
                    assert _spans(planned) == _spans(_written(matcher.where, context, subject)), path
                    compared[planned[0]] += 1
    assert compared[TRUE] > 100 and compared[FALSE] > 1000 and compared[UNKNOWN_RESULT] > 10, compared


def test_only_parts_that_follow_a_reference_move_to_the_end():
    cidr = compile_condition({"any": [{"path": "CidrIp", "matches": "/0$"}, {"path": "CidrIp.$ref.Default", "matches": "/0$"}]})
    regex, present = compile_condition({"path": "Action", "matches": "^iam:"}), compile_condition({"path": "$.Sid", "present": True})
    named = compile_condition({"not": {"path": "listener.$named:http_listener.protocol", "equals": "Https"}})
    assert [follows(c) for c in (cidr, regex, present, named)] == [True, False, False, True]
    assert plan([cidr, regex, named, present])[0] == (1, 3, 0, 2)  # the others keep the written order
    assert plan([regex, present, cidr])[0] is None


def test_equal_specs_compile_to_one_condition_and_others_do_not():
    first = compile_condition({"all": [{"path": "Resource", "equals": "*"}, {"path": "Action", "equals": "*"}]})
    second = compile_condition({"all": [{"path": "Action", "equals": "*"}, {"path": "Resource", "equals": "*"}]})
    assert first is not second and first.parts[0] is second.parts[1] and first.parts[1] is second.parts[0]
    assert compile_condition({"equals": "*", "path": "Resource"}) is first.parts[0]  # key order is not meaning
    assert compile_condition({"path": "Resource", "equals": "*", "ignore_case": True}) is not first.parts[0]
    assert compile_condition({"path": "Port", "equals": 1}) is not compile_condition({"path": "Port", "equals": True})
    # The security group rules' CIDR test, written in each rule file, is one condition.
    by_id = {rule.id: rule for rule in RULES}
    cidr = {id(by_id[rule_id].match[0].where.parts[0]) for rule_id in ("CFN301", "CFN302", "CFN303", "CFN307")}
    assert len(cidr) == 1


def test_a_shared_part_is_answered_once_per_subject_and_node():
    policy = (b'{"Resources": {"R": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": {"Statement": '
              b'[{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}}}}')
    subject = next(s for s in load("t.json", "cloudformation", "json", policy, lambda *_: True).subjects
                   if s.kind == "policy")
    subject.memo = {}
    statement = next(_each(locate(subject.node, subject, ("Statement",))))
    rules = [compile_match({"subject": {"kind": "policy"}, "each": "Statement", "where": {"all": [
        {"path": "Resource", "equals": "*"}, {"path": "Action", "matches": pattern}]}}, None)[0]
        for pattern in ("^s3:Get", "^ec2:")]
    assert [m.where.evaluate(statement, subject)[0] for m in rules] == [TRUE, FALSE]
    resource = rules[0].where.parts[0]
    assert resource is rules[1].where.parts[0]
    kept = [(key, result) for key, result in subject.memo.items() if key[0] == id(resource)]
    assert len(kept) == 1 and kept[0][0][1] is statement
    assert _spans(kept[0][1]) == (TRUE, [("scalar", "'*'", statement.value["Resource"].start,
                                          statement.value["Resource"].end)])
