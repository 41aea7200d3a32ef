"""A registry module call pinned to releases whose defaults weaken a resource is read with those
defaults; any constraint that may select a release without them leaves the inputs unknown."""

from __future__ import annotations

import json

import pytest

from blastguard.engine.documents.registry_defaults import version_range

CALL = """module "logs" {{
  source  = "terraform-aws-modules/s3-bucket/aws"
  version = "{version}"
  bucket  = "acme-logs"
{extra}}}
"""


@pytest.mark.parametrize("constraint, expected", [
    ("3.7.0", ((3, 7, 0), (3, 7, 1))),
    ("= 3.7.0", ((3, 7, 0), (3, 7, 1))),
    ("v3.7", ((3, 7, 0), (3, 7, 1))),
    ("~> 3.7.0", ((3, 7, 0), (3, 8, 0))),
    ("~> 3.7", ((3, 7, 0), (4, 0, 0))),
    ("~> 3", ((3, 0, 0), (4, 0, 0))),
    (">= 3.2, < 3.8", ((3, 2, 0), (3, 8, 0))),
    (">= 3.2, <= 3.8.1", ((3, 2, 0), (3, 8, 2))),
    ("> 3.1.0, < 3.5.0, != 3.3.0", ((3, 1, 0), (3, 5, 0))),
    (">= 3.0", None),  # no upper bound: any later release
    ("3.7.0-beta1", None),  # a pre-release is not read
    ("latest", None),
    ("", None),
])
def test_version_constraints_give_the_range_of_releases_they_allow(constraint, expected):
    assert version_range(constraint) == expected


def _found(engine, text: str, name: str = "main.tf") -> set[tuple[str, int]]:
    result = engine.analyze(name, text.encode())
    return {(f.rule, f.start.line) for f in result.findings}


@pytest.mark.parametrize("version, found", [
    ("3.7.0", {("TF403", 3)}),
    ("~> 3.8.0", {("TF403", 3)}),
    (">= 3.0, < 3.9", {("TF403", 3)}),
    ("~> 3.0", set()),  # reaches 3.9.0, whose defaults are true
    ("3.9.0", set()),
    ("4.1.2", set()),
    ("2.15.0", set()),  # before the table's first release: not claimed
])
def test_the_pinned_release_decides(engine, version, found):
    assert _found(engine, CALL.format(version=version, extra="")) == found


def test_inputs_the_call_sets_and_switches_that_drop_the_resource(engine):
    every = "".join(f"  {name} = true\n" for name in
                    ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"))
    assert _found(engine, CALL.format(version="3.7.0", extra=every)) == set()
    partial = "  block_public_acls = true\n  block_public_policy = true\n"
    # ignore/restrict left false next to a true block_* partner only keep existing grants (TF413).
    assert _found(engine, CALL.format(version="3.7.0", extra=partial)) == {("TF413", 3)}
    for switch in ("attach_public_policy = false", "create_bucket = false", "create_bucket = var.create"):
        assert _found(engine, CALL.format(version="3.7.0", extra=f"  {switch}\n")) == set(), switch
    assert _found(engine, CALL.format(version="3.7.0", extra="  attach_public_policy = true\n")) == {("TF403", 3)}


def test_the_default_is_named_in_the_message_and_offers_no_fix(engine):
    result = engine.analyze("main.tf", CALL.format(version="3.7.0", extra="").encode())
    [finding] = result.findings
    assert finding.message.endswith(
        "(the default of terraform-aws-modules/s3-bucket/aws 3.7.0 for block_public_acls)")
    assert finding.fix is None


def test_terraform_json_calls_read_the_same_defaults(engine):
    call = {"module": {"logs": {"source": "terraform-aws-modules/s3-bucket/aws", "version": "3.7.0",
                                "bucket": "acme-logs"}}}
    text = json.dumps(call, indent=2)
    assert _found(engine, text, "main.tf.json") == {("TF403", 5)}
