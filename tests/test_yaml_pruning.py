"""Template parts a YAML reader leaves unconverted (yaml_pruning.Pruning) never change a finding:
escapes, folded lines, joins, anchors and merges that could spell what a rule needs, references
into them, suppressions, syntax and depth errors inside them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from blastguard.engine.analyze import Engine
from blastguard.engine.compile import compile_match
from blastguard.engine.documents import yaml_pruning, yaml_stream
from blastguard.engine.loader import RuleSet, load_rules
from blastguard.engine.text_gate import matcher_needs
from tests.conftest import SHARED

RULES = load_rules()
HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'


def _engines(rules: RuleSet = RULES) -> tuple[Engine, Engine]:
    """(pruning, converting everything): a reader without demands leaves nothing unconverted."""
    whole = Engine(rules)
    whole.demand = None
    return Engine(rules), whole


def _run(engine: Engine, text: str, path: str = "template.yaml"):
    result = engine.analyze(path, text.encode())
    return ([(f.rule, f.start.line) for f in result.findings], [(e.message, e.line) for e in result.errors])


def _same(text: str, path: str = "template.yaml", rules: RuleSet = RULES):
    pruning, whole = _engines(rules)
    found = _run(pruning, text, path)
    assert found == _run(whole, text, path)
    return found


def _stubs(text: str) -> int:
    """How many parts the reader leaves unconverted in a template."""
    engine = Engine(RULES)
    data = text.encode()
    pruning = yaml_pruning.Pruning(data, engine.demand)
    count = []
    pruning.made = lambda stub: count.append(stub)
    for segment in yaml_stream.split(data):
        yaml_stream.read(data, segment, None, prune=pruning)
    return len(count)


PLAIN = HEAD + """\
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 7
Mappings:
  Regions:
    us-east-1: {Ami: ami-1}
Parameters:
  Stage:
    Type: String
    Default: prod
"""


def test_a_resource_no_rule_can_fire_on_and_the_unread_sections_stay_unconverted():
    assert _stubs(PLAIN) == 3  # Logs, Mappings, Stage
    assert _same(PLAIN) == ([], [])


@pytest.mark.parametrize("body, expected", [
    # An escape spells the key a rule names, or a key's shape.
    ('      "Master\\x50assword": "Zq8vN2rL5xT9wK3m"\n', [("CFN501", 6)]),
    ('      KmsKeyId: "\\x41KIA2OGYBAH6TOEXKZQ4"\n', [("CFN503", 6)]),
    # A plain scalar over two lines: its text is folded with a space.
    ("      Description: header -----BEGIN RSA PRIVATE\n        KEY----- MIIEowIBAAKCAQEA7vQ2mX9pL4kR8tZ3wN6yB1cH5jF0\n",
     [("CFN503", 6)]),
    # Fn::Join's parts make a key's shape that no part holds.
    ('      KmsKeyId: !Join ["", ["AK", "IA2OGYBAH6TOEXKZQ4"]]\n', [("CFN503", 6)]),
    # A merge key brings properties from a map written inline.
    ('      <<: {AdminPassword: "Zq8vN2rL5xT9wK3m"}\n', [("CFN501", 6)]),
])
def test_text_a_reader_recomposes_still_meets_the_rules(body, expected):
    text = HEAD + "  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n" + body
    assert _same(text) == (expected, [])


def test_an_anchor_read_elsewhere_is_converted_with_its_document():
    text = HEAD + """\
  First:
    Type: AWS::Logs::LogGroup
    Properties: &props
      LogGroupName: app
  Second:
    Type: AWS::Logs::LogGroup
    Properties:
      <<: *props
      AdminPassword: Zq8vN2rL5xT9wK3m
"""
    assert _stubs(text) == 0
    assert _same(text) == ([("CFN501", 11)], [])


def test_a_reference_into_a_left_resource_reads_it_whole():
    # CFN702 follows LoadBalancerArn to the balancer's Scheme: an internal one is no finding.
    text = HEAD + """\
  Balancer:
    Type: Custom::Balancer
    Properties:
      Scheme: internal
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Balancer
      Port: 80
      Protocol: HTTP
      DefaultActions: [{Type: forward, TargetGroupArn: !Ref Group}]
"""
    assert _same(text) == ([], [])
    public = text.replace("Scheme: internal", "Scheme: internet-facing")
    assert _same(public)[0] == [("CFN702", 12)]


def test_a_parameter_a_rule_follows_a_reference_to_is_read():
    text = HEAD + """\
  Ssh:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref Allowed}
Parameters:
  Allowed:
    Type: String
    Default: 0.0.0.0/0
"""
    assert _same(text) == ([("CFN301", 8)], [])


def test_suppressions_syntax_and_depth_errors_inside_a_left_resource_stand():
    logs = HEAD + "  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n"
    suppressed = logs + "      # blastguard: ignore[CFN503] not a key\n      RetentionInDays: 7\n"
    assert _same(suppressed)[0] == [("BG003", 6)]
    broken = logs + "      RetentionInDays: [7\n  Other:\n    Type: AWS::Logs::LogGroup\n"
    assert _same(broken)[0] == [("BG001", 6)]
    deep = logs + "      Tags: " + "[" * 300 + "]" * 300 + "\n"
    assert _same(deep)[1] == [("nesting deeper than 200 levels", 6)]
    assert _same(logs + "      Tags: " + "[" * 30 + "]" * 30 + "\n") == ([], [])


def _values(text: str) -> list:
    data = text.encode()
    pruning = yaml_pruning.Pruning(data, Engine(RULES).demand)
    return [v for segment in yaml_stream.split(data) for v in yaml_stream.read(data, segment, None, prune=pruning).values]


def test_a_document_that_is_no_template_keeps_its_sections():
    # Not a template (no `AWSTemplateFormatVersion`, no AWS type): its `Metadata` is read whole.
    text = "Metadata:\n  db_password: Zq8vN2rL5xT9wK3m\nResources:\n  app: {Type: web}\n"
    value, = _values(text)
    assert list(value.get("Metadata").value) == ["db_password"]
    assert list(_values(HEAD + "  Logs: {Type: AWS::Logs::LogGroup}\n" + text)[0].get("Metadata").value) == []


def test_a_rule_reading_the_document_gets_the_sections_left_unconverted():
    base = next(r for r in RULES.rules if r.id == "CFN501")
    spec = [{"subject": {"kind": "resource", "type": "AWS::S3::Bucket"},
             "where": {"path": "$doc.Mappings.Accounts.Prod", "equals": "1234"}}]
    rules = RuleSet([*RULES.rules, replace(base, id="CFN999", match=compile_match(spec, None))])
    text = HEAD + "  Bucket:\n    Type: AWS::S3::Bucket\nMappings:\n  Accounts:\n    Prod: '1234'\n"
    assert ("CFN999", 7) in _same(text, rules=rules)[0]


def test_the_literals_each_rule_of_every_type_needs():
    engine = Engine(RULES)
    needs = {rule.id: matcher_needs(m) for rule, m in engine.candidates("cloudformation", "resource", "AWS::Logs::LogGroup")}
    assert needs["CFN501"] == [("AuthToken", False)] or ("Password", True) in needs["CFN501"]
    assert ("AKIA", False) in needs["CFN503"] and ("://", True) in needs["CFN503"]


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="needs ../shared/corpus (the labelled corpora)")
def test_findings_over_the_corpora_templates_are_those_of_a_whole_reading():
    pruning, whole = _engines()
    compared = 0
    for path in sorted((SHARED / "corpus").rglob("*.y*ml")):
        data = path.read_bytes()
        if b"Resources" not in data:
            continue
        a, b = pruning.analyze(str(path), data), whole.analyze(str(path), data)
        assert [(f.rule, f.start_byte, f.end_byte, f.message) for f in a.findings] == \
            [(f.rule, f.start_byte, f.end_byte, f.message) for f in b.findings], path
        assert [e.message for e in a.errors] == [e.message for e in b.errors], path
        compared += 1
    assert compared > 100


SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80}]
"""


def test_an_object_no_rule_reads_keeps_only_its_kind_and_metadata():
    value, = _values(SERVICE)
    assert list(value.value) == ["apiVersion", "kind", "metadata", "spec"] and value.get("spec").value == {}
    assert value.get("metadata").get("name").value == "web"
    # Its final kind decides: a later `kind` (the last wins) or a merged one make a workload.
    later, = _values(SERVICE + "kind: Pod\n")
    assert list(later.get("spec").value) == ["selector", "ports"]
    merged, = _values("<<: {kind: Pod}\n" + SERVICE.replace("kind: Service\n", ""))
    assert list(merged.get("spec").value) == ["selector", "ports"]


def test_objects_read_whole_or_not_give_the_same_findings():
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: x}]\n"
    secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  db_password: Zq8vN2rL5xT9wK3m\n"
    found = _same("---\n".join([SERVICE, pod, secret, SERVICE + "kind: Pod\n"]), "k8s/all.yaml")
    assert found == ([("K8S108", 12), ("K8S501", 19)], [])
