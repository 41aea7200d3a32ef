"""Terraform files become subjects with exact spans; policies are found in every spelling."""

from __future__ import annotations

import pytest

from blastguard.engine.documents.load import load
from blastguard.engine.paths import resolve
from blastguard.engine.values import LIST, MAP, SCALAR, UNKNOWN


def subjects(text: str, path: str = "main.tf", syntax: str = "hcl"):
    return load(path, "terraform", syntax, text.encode(), lambda language, kind, type_: True).subjects


def policy_actions(text: str, path: str = "main.tf", syntax: str = "hcl"):
    """(action value, source text at its span) for every statement action of every policy."""
    data = text.encode()
    out = []
    for subject in subjects(text, path, syntax):
        if subject.kind == "policy":
            for node in resolve(subject.node, ("Statement", "Action")):
                for item in node.value if node.kind == LIST else [node]:
                    out.append((subject.type, item.value, data[item.start:item.end].decode()))
    return out


def test_resource_subject_has_type_name_and_body_values():
    (s,) = subjects('resource "aws_s3_bucket" "logs" {\n  force_destroy = true\n  tags = { a = "b" }\n}\n')
    assert (s.kind, s.type, s.name) == ("resource", "aws_s3_bucket", "logs")
    assert s.node.get("force_destroy").value is True
    assert s.node.get("tags").get("a").value == "b"


def test_repeated_blocks_become_a_list_and_dynamic_blocks_their_content():
    text = '''resource "aws_security_group" "sg" {
  ingress { from_port = 22 }
  ingress { from_port = 443 }
  dynamic "egress" {
    for_each = var.rules
    content { from_port = 80 }
  }
}
'''
    (s,) = subjects(text)
    assert [n.value for n in resolve(s.node, ("ingress", "from_port"))] == [22, 443]
    assert [n.value for n in resolve(s.node, ("egress", "from_port"))] == [80]



def test_dynamic_blocks_over_a_known_list_or_map_are_one_block_per_element():
    text = '''locals {
  admin = { ssh = 22, rdp = 3389 }
}
resource "aws_security_group" "sg" {
  ingress { from_port = 80 }
  dynamic "ingress" {
    for_each = toset([22, 443])
    content {
      from_port   = ingress.value
      to_port     = "${ingress.value}"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
  dynamic "ingress" {
    for_each = local.admin
    iterator = port
    content {
      description = port.key
      from_port   = port.value
    }
  }
  dynamic "egress" {
    for_each = [{ port = 53, cidrs = ["10.0.0.0/8"], ranges = [{ p = 1 }, { p = 2 }] }]
    content {
      from_port   = egress.value.port
      cidr_blocks = egress.value["cidrs"]
      dynamic "range" {
        for_each = egress.value.ranges
        content { n = range.value.p }
      }
    }
  }
  dynamic "setting" {
    for_each = []
    content { name = "never" }
  }
}
'''
    s = next(s for s in subjects(text) if s.kind == "resource")
    data = text.encode()
    ports = [(n.value, data[n.start:n.end].decode()) for n in resolve(s.node, ("ingress", "from_port"))]
    # The element is read where it is written: in for_each, or in the local it comes from.
    assert ports == [(80, "80"), (22, "22"), (443, "443"), (22, "22"), (3389, "3389")]
    assert [n.value for n in resolve(s.node, ("ingress", "to_port"))] == [22, 443]
    assert [n.value for n in resolve(s.node, ("ingress", "description"))] == ["ssh", "rdp"]
    assert [n.value for n in resolve(s.node, ("egress", "from_port"))] == [53]
    assert [[i.value for i in n.value] for n in resolve(s.node, ("egress", "cidr_blocks"))] == [["10.0.0.0/8"]]
    assert [n.value for n in resolve(s.node, ("egress", "range", "n"))] == [1, 2]
    assert s.node.get("setting") is None


def test_dynamic_blocks_over_unknown_values_stay_one_block_with_unknown_elements():
    text = '''resource "aws_security_group" "sg" {
  dynamic "ingress" {
    for_each = var.ports
    content {
      from_port = ingress.value
      to_port   = ingress.key
    }
  }
  dynamic "egress" {
    for_each = [22, 443]
    content {
      from_port = egress.key
      to_port   = other.value
    }
  }
}
'''
    (s,) = subjects(text)
    assert [n.kind for n in resolve(s.node, ("ingress", "from_port"))] == [UNKNOWN]
    # A list's key is an index, a set's (toset is read as its list) its value: neither is known.
    assert [n.kind for n in resolve(s.node, ("egress", "from_port"))] == [UNKNOWN, UNKNOWN]
    assert [n.kind for n in resolve(s.node, ("egress", "to_port"))] == [UNKNOWN, UNKNOWN]


def test_a_known_for_each_makes_one_subject_per_instance_with_its_each_value():
    text = '''resource "aws_security_group_rule" "set" {
  for_each  = toset(["22", "443"])
  from_port = each.value
  to_port   = "${each.key}"
}
resource "aws_security_group_rule" "map" {
  for_each    = { ssh = { port = 22 }, web = { port = 443 } }
  description = each.key
  from_port   = each.value.port
  dynamic "ingress" {
    for_each = [each.value.port]
    content { port = ingress.value }
  }
}
resource "aws_s3_bucket" "plain" {
  for_each = toset(["a", "b"])
  bucket   = "fixed"
}
resource "aws_s3_bucket" "unknown" {
  for_each = var.names
  bucket   = each.value
}
'''
    found = [s for s in subjects(text) if s.kind == "resource"]
    data = text.encode()
    rows = [(s.unit, s.node.get("from_port").value if s.node.get("from_port") else None) for s in found]
    # Instances keep the block's address: the editor and the change comparison see one block.
    assert rows == [("aws_security_group_rule.set", "22"), ("aws_security_group_rule.set", "443"),
                    ("aws_security_group_rule.map", 22), ("aws_security_group_rule.map", 443),
                    ("aws_s3_bucket.plain", None), ("aws_s3_bucket.unknown", None)]
    assert [s.node.get("to_port").value for s in found[:2]] == ["22", "443"]
    assert [s.node.get("description").value for s in found[2:4]] == ["ssh", "web"]
    assert [data[n.start:n.end].decode() for n in (s.node.get("description") for s in found[2:4])] == \
        ["ssh = ", "web = "]
    assert [[n.value for n in resolve(s.node, ("ingress", "port"))] for s in found[2:4]] == [[22], [443]]
    assert found[5].node.get("bucket").kind == UNKNOWN

def test_references_and_interpolations_are_unknown():
    (s,) = subjects('resource "x" "y" {\n  a = var.a\n  b = "${var.b}-x"\n  c = lookup(var.m, "k")\n  d = -1\n}\n')
    assert [s.node.get(k).kind for k in "abc"] == [UNKNOWN] * 3
    assert s.node.get("d").value == -1


def test_jsonencode_policy():
    text = '''resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "*"], Resource = "*" }]
  })
}
'''
    assert policy_actions(text) == [("aws_iam_policy", "s3:GetObject", '"s3:GetObject"'),
                                    ("aws_iam_policy", "*", '"*"')]


@pytest.mark.parametrize("opener", ["<<EOF", "<<-EOF"])
def test_heredoc_policy_spans_point_into_the_file(opener):
    text = f'''resource "aws_iam_role_policy" "p" {{
  policy = {opener}
    {{
      "Statement": [{{"Effect": "Allow", "Action": "iam:*", "Resource": "${{var.arn}}"}}]
    }}
  EOF
}}
'''
    assert policy_actions(text) == [("aws_iam_role_policy", "iam:*", '"iam:*"')]
    (policy,) = [s for s in subjects(text) if s.kind == "policy"]
    resource = resolve(policy.node, ("Statement", "Resource"))[0]
    assert resource.kind == UNKNOWN  # the interpolation stays unresolved


def test_json_in_an_escaped_string_maps_back_to_source_bytes():
    text = 'resource "aws_sqs_queue_policy" "q" {\n  policy = "{\\"Statement\\": {\\"Action\\": \\"sqs:*\\"}}"\n}\n'
    assert policy_actions(text) == [("aws_sqs_queue_policy", "sqs:*", '\\"sqs:*\\"')]


def test_policy_document_data_source_is_normalised_and_takes_its_users_type():
    text = '''data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}
resource "aws_iam_role" "r" {
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
'''
    (policy,) = [s for s in subjects(text) if s.kind == "policy"]
    assert (policy.type, policy.attrs["attribute"]) == ("aws_iam_role", "assume_role_policy")
    statement = resolve(policy.node, ("Statement",))[0].value[0]
    assert statement.get("Effect").value == "Allow"  # the data source's default
    assert [leaf.value for leaf in resolve(statement, ("Principal", "AWS"))[0].value] == ["*"]


def test_terraform_json_resources_and_policies():
    text = '''{"resource": {"aws_s3_bucket": {"b": {"force_destroy": true}},
 "aws_iam_policy": {"p": {"policy": "{\\"Statement\\": [{\\"Action\\": \\"*\\"}]}"}}}}'''
    found = subjects(text, "main.tf.json", "json")
    bucket = next(s for s in found if s.type == "aws_s3_bucket" and s.kind == "resource")
    assert bucket.node.get("force_destroy").value is True
    assert policy_actions(text, "main.tf.json", "json") == [("aws_iam_policy", "*", '\\"*\\"')]


def test_module_subject_type_is_its_source():
    (s,) = subjects('module "db" {\n  source = "terraform-aws-modules/rds/aws"\n  backup_retention_period = 0\n}\n')
    assert (s.kind, s.type) == ("module", "terraform-aws-modules/rds/aws")
    assert s.node.get("backup_retention_period").kind == SCALAR
    assert s.node.kind == MAP


def test_a_stray_word_line_before_a_block_is_a_syntax_error_and_the_block_is_still_checked(engine):
    text = ('resource "aws_s3_bucket" "a" {\n  force_destroy = true\n}\noops\n'
            'resource "aws_s3_bucket" "b" {\n  force_destroy = true\n}\n')
    result = engine.analyze("main.tf", text.encode())
    assert {(f.rule, f.start.line) for f in result.findings} == {("TF101", 2), ("BG001", 4), ("TF101", 6)}


def test_a_named_step_follows_a_name_to_the_block_of_the_subject_that_bears_it():
    from blastguard.engine.paths import compile_path, locate

    text = '''resource "azurerm_application_gateway" "gw" {
  http_listener {
    name     = "http"
    protocol = "Http"
  }
  http_listener {
    name     = "https"
    protocol = "Https"
  }
  dynamic "probe" {
    for_each = var.probes
    content {
      name = probe.value
    }
  }
  request_routing_rule { http_listener_name = "https" }
  request_routing_rule { http_listener_name = local.name }
  request_routing_rule { http_listener_name = "missing" }
  request_routing_rule { probe_name = "p" }
  url_path_map { name = local.map }
  request_routing_rule { url_path_map_name = local.map }
  request_routing_rule { url_path_map_name = local.other }
}
locals {
  map   = "${var.env}-paths"
  other = "${var.env}-paths"
}
'''
    (gw,) = [s for s in subjects(text) if s.kind == "resource"]
    rules = resolve(gw.node, ("request_routing_rule",))[0].value

    def at(rule, path):
        return [(n.kind, n.value) for n in locate(rule, gw, compile_path(path))]

    assert at(rules[0], "http_listener_name.$named:http_listener.protocol") == [(SCALAR, "Https")]
    # An unknown name, or blocks that a dynamic block may add, leave the target unknown; a literal
    # name no block bears leads nowhere; a fix never edits through the step.
    assert [kind for kind, _ in at(rules[1], "http_listener_name.$named:http_listener.protocol")] == [UNKNOWN]
    assert at(rules[2], "http_listener_name.$named:http_listener.protocol") == []
    assert [kind for kind, _ in at(rules[3], "probe_name.$named:probe.name")] == [UNKNOWN]
    assert locate(rules[0], gw, compile_path("http_listener_name.$named:http_listener.protocol"), exact=True) == []
    # A local read on both sides is one expression, so one name; another local of the same text is not.
    assert [kind for kind, _ in at(rules[4], "url_path_map_name.$named:url_path_map")] == [MAP]
    assert [kind for kind, _ in at(rules[5], "url_path_map_name.$named:url_path_map")] == [UNKNOWN]
