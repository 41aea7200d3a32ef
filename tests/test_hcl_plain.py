"""Blocks no rule reads are not parsed when a regex shows them valid (documents/hcl_plain): every
text it accepts parses without an error and ends where the region scan's byte walk ends it, and
what the parse found (syntax errors, suppression comments) is still found."""

from __future__ import annotations

from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from blastguard.engine import parsing
from blastguard.engine.documents import hcl_plain, hcl_regions, terraform_hcl
from blastguard.engine.documents.hcl_plain import plain_block

# What the regex accepts, and pieces of what it must refuse: a block holds at most one of those.
HEADS = ['output "a" {\n', 'output "a" "b" {\n', "terraform {\n", 'provider "aws" { # x\n', 'output "" {\n',
         "moved {\r\n", 'output "é" {\n']
BAD_HEADS = ['for "x" {\n', "true {\n", 'output"a"{\n', 'output "a" {}\n', 'output "a"\n{\n', 'output "${a}" {\n']
KEYS = ["value", "description", "a-b", "_x"]
BAD_KEYS = ["for", "in", "true", "null", "x.y", '"k"']
EQUALS = [" = ", "=", "\t=\t"]
BAD_EQUALS = [" ", "= = ", ":"]
EOLS = ["\n", "\r\n", " # c\n", "// c\n", "  \n"]
BAD_EOLS = ["\r\r\n", "/* c */\n", "", "\r"]
NAMES = ["x", "y-", "a_b"]
ATOMS = ['"s$"', '"%"', '"a\\n"', '"\\""', '"\\\\"', "true", "false", "null", "-1", "1.5", "0", '"$"', '"é"',
         '"\t"', '"}"', '"{"', '"#"', '"a b"']
SUFFIXES = [".y", "[*]", ".*", "[0]", ".z9"]
BAD = ['"\\q"', "1.", "1e3", "for", "in", '"', "${x}", '"${x}"', '"$$"', '"%%{"', "null.x", "true.x", ".true",
       "{", "}", "<<EOF", "/*", "::", "?", ":", "!", "\x0b", "\n", "#c", ",", "(", ")", "[", "]", "-", ".", ".0"]
SPACE = st.sampled_from(["", " ", "\t"])
VALUES = st.recursive(
    st.one_of(st.sampled_from(ATOMS), st.tuples(st.sampled_from(NAMES), st.lists(st.sampled_from(SUFFIXES), max_size=3))
              .map(lambda t: t[0] + "".join(t[1]))),
    lambda inner: st.one_of(
        st.tuples(SPACE, st.lists(inner, max_size=3), SPACE).map(lambda t: f"[{t[0]}{', '.join(t[1])}{t[2]}]"),
        st.tuples(st.sampled_from(["f", "try", "compact"]), st.lists(inner, max_size=3))
        .map(lambda t: f"{t[0]}({', '.join(t[1])})")),
    max_leaves=4)


@st.composite
def blocks(draw):
    parts = ["head"] + [p for _ in range(draw(st.integers(0, 4))) for p in ("key", "equals", "value", "eol")]
    broken = draw(st.sampled_from(range(len(parts)))) if draw(st.booleans()) else None

    def piece(k, good, bad):
        return draw(st.sampled_from(bad if k == broken else good))

    out = []
    for k, part in enumerate(parts):
        if part == "head":
            out.append(piece(k, HEADS, BAD_HEADS))
        elif part == "key":
            out.append("  " + piece(k, KEYS, BAD_KEYS))
        elif part == "equals":
            out.append(piece(k, EQUALS, BAD_EQUALS))
        elif part == "eol":
            out.append(piece(k, EOLS, BAD_EOLS))
        else:
            value = draw(VALUES)
            if k == broken:
                at = draw(st.integers(0, len(value)))
                value = value[:at] + draw(st.sampled_from(BAD)) + value[at:]
            out.append(value)
    return ("".join(out) + draw(st.sampled_from(["}", "  }", "\n}"]))).encode()


@settings(max_examples=3000, deadline=None)
@given(text=blocks())
def test_every_block_the_regex_accepts_parses_without_an_error_and_ends_where_the_scan_ends_it(text):
    if plain_block(text) is not None:
        assert not parsing.parse("hcl", text).root_node.has_error, text
        following = text + b'\n\noutput "next" {\n}\n'
        with mock.patch.object(hcl_plain, "match", return_value=None):  # the scan's own byte walk
            walked, _ = hcl_regions.scan_region(following, 0)
        assert walked.end == len(text)
        assert hcl_regions.scan_region(following, 0)[0] == hcl_regions.Cut(0, 0, len(text), plain_block(text))


def test_plain_blocks_give_their_type_and_first_label_and_others_are_parsed():
    assert plain_block(b'output "ids" {\n  description = "IDs"\n  value       = compact(aws_subnet.a[*].id)\n}') \
        == ("output", "ids")
    assert plain_block(b'output "x" {\n  value = try(module.a.b[0], null) # why\n  sensitive = true\n}') \
        == ("output", "x")
    assert plain_block(b"terraform {\n  required_version = \">= 1.0\"\n}") == ("terraform", "")
    # Valid too, though it is always parsed: rules read resources.
    assert plain_block(b'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}') == ("resource", "aws_s3_bucket")
    for text in (b'output "x" {\n  value = {\n    a = 1\n  }\n}',  # a multi-line object
                 b'output "x" {\n  value = "${var.a}-b"\n}',  # a template
                 b'output "x" {\n  value = <<EOT\nhi\nEOT\n}',  # a heredoc
                 b'output "x" {\n  precondition {\n    condition = true\n  }\n}',  # a nested block
                 b'output "x" { value = 1 }',  # on one line
                 b'output "x" {\n  value = a.b\n}\n# after',  # more than one block
                 b'for "x" {\n  value = 1\n}', b'output "x" {\n  value = true.x\n}'):  # keywords
        assert plain_block(text) is None, text


def test_outputs_are_not_parsed_and_a_variable_s_default_alone_is_yet_every_finding_is_made(engine, monkeypatch):
    parsed = []
    parse_range = parsing.parse_range

    def recording(name, data, start, end, *points):
        parsed.append(data[start:end].split(b"\n")[0].decode())
        return parse_range(name, data, start, end, *points)

    monkeypatch.setattr(parsing, "parse_range", recording)
    text = ('output "plain" {\n  value = aws_s3_bucket.b.id\n}\n\n'
            'resource "aws_s3_bucket" "b" {\n  force_destroy = true\n}\n\n'
            'output "noted" {\n  # blastguard: ignore[TF101] not a finding here\n  value = 1\n}\n\n'
            'variable "db_password" {\n  description = "The admin password"\n  type        = string\n'
            '  default     = "Xq7!vR2#pL9@wT4z"\n  sensitive   = true\n}\n\n'
            'output "broken" {\n  value = = 1\n}\n')
    result = engine.analyze("main.tf", text.encode())
    assert {(f.rule, f.start.line) for f in result.findings} == \
        {("TF101", 6), ("BG003", 10), ("TF506", 17), ("BG001", 22)}
    # The plain output is not parsed, nor the variable but for its default; the others are, and
    # the region of the first error is parsed again with its neighbours.
    assert parsed == ['resource "aws_s3_bucket" "b" {', 'output "noted" {', '  default     = "Xq7!vR2#pL9@wT4z"',
                      'output "broken" {', 'variable "db_password" {']


def test_rules_read_a_variable_only_through_its_default(engine):
    assert engine.demand("terraform", "variable", "db_password").reads == {"default"}
    assert engine.demand("terraform", "variable", "region").reads == {"default"}
    # Resources are read through key globs (`*password`): no bound.
    assert engine.demand("terraform", "resource", "aws_db_instance").reads is None
