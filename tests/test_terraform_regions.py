"""Terraform parsed one top-level block at a time (documents/hcl_regions, terraform_hcl): the
text scan finds the blocks tree-sitter would, a large file gives the findings each block gives
alone, and an edit parses and analyses again only the blocks it reached."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from blastguard.engine import parsing
from blastguard.engine.documents import hcl_regions
from blastguard.engine.documents.terraform_hcl import MAX_REGION_BYTES
from blastguard.engine.reuse import Reuse
from tests.conftest import SHARED

ROOT = Path(__file__).resolve().parent.parent
RISKY = (ROOT / "examples" / "terraform" / "risky.tf").read_text()

# Locals, a policy document and its user, a heredoc policy and a suppression, then risky.tf.
UNIT = '''locals {
  open_cidr = "0.0.0.0/0"
}

resource "aws_security_group_rule" "ssh" {
  type        = "ingress"
  from_port   = 22
  to_port     = 22
  protocol    = "tcp"
  cidr_blocks = [local.open_cidr]
}

data "aws_iam_policy_document" "admin" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "admin" {
  policy = data.aws_iam_policy_document.admin.json
}

resource "aws_iam_role_policy" "inline" {
  role   = "r"
  policy = <<EOF
{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
EOF
}

# blastguard: ignore[TF101] a scratch bucket
resource "aws_s3_bucket" "scratch" {
  force_destroy = true
}

''' + RISKY
# What UNIT gives, as the whole-file parse gave it before Terraform was parsed by blocks.
UNIT_FINDINGS = {
    ("TF301", 2), ("TF201", 15), ("TF201", 27), ("BG003", 31), ("TF101", 33), ("TF501", 41), ("TF501", 42),
    ("TF101", 47), ("TF402", 52), ("TF403", 57), ("TF403", 58), ("TF103", 70), ("TF102", 71), ("TF104", 72),
    ("TF306", 73), ("TF301", 84), ("TF201", 94), ("TF211", 102), ("TF213", 107), ("TF301", 118),
}


def copy(i: int) -> str:
    """UNIT with its own addresses and local."""
    text = re.sub(r'^((?:resource|data) "[^"]+" ")([^"]+)"', lambda m: f'{m.group(1)}{m.group(2)}_{i}"', UNIT,
                  flags=re.M)
    return text.replace(".admin.json", f".admin_{i}.json").replace("open_cidr", f"open_cidr_{i}")


def pairs(result) -> set[tuple[str, int]]:
    return {(f.rule, f.start.line) for f in result.findings}


def test_a_large_file_gives_the_findings_its_blocks_give_alone(engine):
    assert pairs(engine.analyze("main.tf", UNIT.encode())) == UNIT_FINDINGS
    copies = 160  # about 20,000 lines
    lines = UNIT.count("\n") + 1
    text = "\n".join(copy(i) for i in range(copies)) + 'resource "aws_s3_bucket" "broken" {\n  acl = \n'
    expected = {(rule, line + k * lines) for k in range(copies) for rule, line in UNIT_FINDINGS}
    # The unclosed last block: a syntax error at the end, where the whole-file parse put it.
    assert pairs(engine.analyze("main.tf", text.encode())) == expected | {("BG001", text.count("\n") + 1)}


@pytest.mark.parametrize("text, regions", [
    ('a "b" "c" {\n  x = "}"\n  y = "${ {k = "}"}["k"] }"\n}\nb {}\n', ['a "b" "c" {', "b {}"]),
    ('a {\n  p = <<EOF\n}\n  }\nEOF\n}\n# }\n/* } */ b {\n}\n', ["a {", "b {"]),
    ('a {\n  p = <<-EOT\n  }\n  EOT\n  q = "$${x} %%{y} \\" }"\n}\nb {}', ["a {", "b {}"]),
    ("oops\nresource \"a\" \"b\" {\n}\n", ["oops\nresource"]),  # tree-sitter reads them as one block
    ("a {\n  x = 1\n\nb {\n}\n", ["a {"]),  # unclosed: to the end, as a whole-file parse reads it
    ("x = 1\nb {\n}\ny = 2\n", ["x = 1"]),  # assignments (a .tfvars file): one region
    ("# only\n// comments\n/* here */\n\n", []),
])
def test_the_scan_cuts_where_top_level_blocks_end(text, regions):
    data = text.encode()
    cuts = hcl_regions.whole(data)
    assert [data[c.start:c.end].decode()[:len(r)] for c, r in zip(cuts, regions)] == regions
    assert len(cuts) == len(regions)
    for cut in cuts:
        assert data[cut.end:].strip() == b"" or data[cut.end:].lstrip()[:1] in b"#/ab\n"


def test_each_region_of_a_real_file_parses_as_it_does_in_the_whole_file():
    corpus = SHARED / "corpus" / "realworld"
    if not corpus.is_dir():
        pytest.skip(f"{corpus} is not there (the shared corpus sits beside the checkout)")
    files = sorted(corpus.rglob("*.tf"))
    for path in files:
        data = path.read_bytes()
        whole = parsing.parse("hcl", data).root_node
        blocks = [c for c in whole.named_children if c.type == "body"]
        expected = [(b.start_byte, b.end_byte) for b in (blocks[0].named_children if blocks else [])
                    if b.type == "block"]
        cuts = hcl_regions.whole(data)
        assert [(c.start, c.end) for c in cuts] == expected, path
        assert not whole.has_error, path


def test_an_edit_parses_and_analyses_only_the_block_it_reached(engine):
    # (A block whose finding points into another block, at a local's literal, is analysed on
    # every change: risky.tf has none.)
    text = "\n".join(re.sub(r'^(resource "[^"]+" ")([^"]+)"', rf'\1\2_{i}"', RISKY, flags=re.M)
                     for i in range(20)).encode()
    reuse = Reuse()
    first = engine.analyze("main.tf", text, None, reuse)
    blocks = len(first.tree.items)
    assert (reuse.hits, reuse.misses) == (0, blocks)
    at = text.index(b'acl    = "public-read"')
    edited = text[:at] + b"# " + text[at:]
    result = engine.analyze("main.tf", edited, None, reuse)
    assert (reuse.hits, reuse.misses) == (blocks - 1, blocks + 1)
    assert pairs(result) == pairs(engine.analyze("main.tf", edited))
    # A deleted `}` runs its block to the end of the file; putting it back splits it again.
    brace = text.index(b"\n}\n", at) + 1
    broken = text[:brace] + text[brace + 1:]
    result = engine.analyze("main.tf", broken, None, reuse)
    assert len(result.tree.items) < blocks and pairs(result) == pairs(engine.analyze("main.tf", broken))
    assert pairs(engine.analyze("main.tf", text, None, reuse)) == pairs(first)


def test_a_block_too_large_for_the_memory_budget_is_refused_naming_its_line(engine):
    text = 'variable "x" {}\n\nlocals {\n  a = [' + '"x",' * (MAX_REGION_BYTES // 4) + "]\n}\n"
    result = engine.analyze("main.tf", text.encode())
    assert [(e.line, e.message) for e in result.errors] == [
        (3, f"a top-level block of {len(text) - 18:,} bytes, over the {MAX_REGION_BYTES:,} bytes a block "
            f"can be analysed in")]


def test_a_policy_document_is_analysed_again_when_what_uses_it_changes_not_when_another_does(engine):
    document = ('data "aws_iam_policy_document" "trust" {\n  statement {\n    actions = ["sts:AssumeRole"]\n'
                '    principals {\n      type        = "AWS"\n      identifiers = ["*"]\n    }\n  }\n}\n')
    user = 'resource "aws_iam_role" "r" {\n  assume_role_policy = data.aws_iam_policy_document.trust.json\n}\n'
    other = 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'
    text = document + user + other
    reuse = Reuse()
    engine.analyze("main.tf", text.encode(), None, reuse)
    edited = text.replace('bucket = "b"', 'bucket = "c"')
    engine.analyze("main.tf", edited.encode(), None, reuse)
    assert (reuse.hits, reuse.misses) == (2, 4)  # the bucket alone
    # The role becomes a bucket policy: the document is read as a bucket policy now.
    retyped = edited.replace('resource "aws_iam_role" "r" {\n  assume_role_policy',
                             'resource "aws_s3_bucket_policy" "r" {\n  policy')
    result = engine.analyze("main.tf", retyped.encode(), None, reuse)
    assert (reuse.hits, reuse.misses) == (3, 6)  # the user and its document
    assert pairs(result) == pairs(engine.analyze("main.tf", retyped.encode()))
    assert pairs(result) != pairs(engine.analyze("main.tf", edited.encode()))


def test_a_block_that_follows_a_reference_is_analysed_again_when_its_target_changes(engine):
    text = ('resource "google_compute_url_map" "web" {\n  name            = "web"\n'
            '  default_service = google_compute_backend_service.web.id\n}\n'
            'resource "google_compute_target_http_proxy" "web" {\n  name    = "web-http"\n'
            '  url_map = google_compute_url_map.web.id\n}\n')
    reuse = Reuse()
    assert {rule for rule, _ in pairs(engine.analyze("main.tf", text.encode(), None, reuse))} == {"TF703"}
    renamed = "x" + text  # the proxy's text is unchanged, the block it names is gone
    result = engine.analyze("main.tf", renamed.encode(), None, reuse)
    assert pairs(result) == pairs(engine.analyze("main.tf", renamed.encode())) == set()
