"""Reusing the findings of unchanged blocks and documents while a file is edited."""

from __future__ import annotations

from blastguard.engine.reuse import Reuse


def pairs(result):
    return sorted((f.rule, f.start.line, f.start.column, f.start_byte) for f in result.findings)


BUCKETS = "".join(f'resource "aws_s3_bucket" "b{i}" {{\n  force_destroy = true\n}}\n\n' for i in range(20))


def test_only_the_edited_block_is_analysed_again_and_the_rest_moves_with_the_text(engine):
    reuse = Reuse()
    engine.analyze("main.tf", BUCKETS.encode(), None, reuse)
    assert (reuse.hits, reuse.misses) == (0, 20)
    # A line inserted in the first block moves every later finding down by one.
    edited = BUCKETS.replace("  force_destroy = true\n", '  bucket = "x"\n  force_destroy = true\n', 1)
    result = engine.analyze("main.tf", edited.encode(), None, reuse)
    assert (reuse.hits, reuse.misses) == (19, 21)
    assert pairs(result) == pairs(engine.analyze("main.tf", edited.encode()))
    assert [f.start.line for f in result.findings] == [3] + [2 + 4 * i + 1 for i in range(1, 20)]
    fixed = result.findings[5].fix.edits[0]
    assert edited.encode()[fixed.start:fixed.end] == b"true"


def test_a_changed_local_makes_every_block_that_may_use_it_analysed_again(engine):
    text = 'locals {\n  open = "0.0.0.0/0"\n}\n' + "".join(
        f'resource "aws_security_group_rule" "r{i}" {{\n  type = "ingress"\n  from_port = 22\n  to_port = 22\n'
        f'  protocol = "tcp"\n  cidr_blocks = [local.open]\n}}\n' for i in range(3))
    reuse = Reuse()
    before = engine.analyze("main.tf", text.encode(), None, reuse)
    assert {f.rule for f in before.findings} == {"TF301"}
    closed = text.replace("0.0.0.0/0", "10.0.0.0/8")
    after = engine.analyze("main.tf", closed.encode(), None, reuse)
    assert after.findings == [] == engine.analyze("main.tf", closed.encode()).findings


def test_yaml_documents_are_reused_one_by_one(engine):
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\nspec:\n  hostPID: true\n  containers:\n    - name: c\n"
    text = "---\n".join(pod.format(i=i) for i in range(10))
    reuse = Reuse()
    engine.analyze("pods.yaml", text.encode(), None, reuse)
    edited = text.replace("name: p3", "name: p33")
    result = engine.analyze("pods.yaml", edited.encode(), None, reuse)
    assert (reuse.hits, reuse.misses) == (9, 11)
    assert result.language == "kubernetes"
    assert pairs(result) == pairs(engine.analyze("pods.yaml", edited.encode()))


def test_a_line_break_that_keeps_the_length_still_moves_the_findings_below(engine):
    text = 'variable "x" {  default = "ab" }\n' + BUCKETS
    reuse = Reuse()
    engine.analyze("main.tf", text.encode(), None, reuse)
    swapped = text.replace("{  default", "{\n default", 1)  # a space becomes a line break
    assert len(swapped) == len(text)
    result = engine.analyze("main.tf", swapped.encode(), None, reuse)
    assert reuse.hits == 20
    assert pairs(result) == pairs(engine.analyze("main.tf", swapped.encode()))


def test_an_edited_block_still_follows_its_references_to_unchanged_blocks(engine):
    text = ('resource "aws_lb" "web" {\n  name = "web"\n}\n'
            'resource "aws_lb_listener" "http" {\n  load_balancer_arn = aws_lb.web.arn\n  protocol = "HTTP"\n'
            '  default_action {\n    type = "forward"\n  }\n}\n')
    reuse = Reuse()
    assert [(f.rule, f.start.line) for f in engine.analyze("main.tf", text.encode(), None, reuse).findings] == [
        ("TF703", 6)]
    edited = text.replace("  protocol", "  port = 80\n  protocol")  # the listener changes, aws_lb is reused
    result = engine.analyze("main.tf", edited.encode(), None, reuse)
    assert reuse.hits == 1
    assert [(f.rule, f.start.line) for f in result.findings] == [("TF703", 7)]
    assert pairs(result) == pairs(engine.analyze("main.tf", edited.encode()))
