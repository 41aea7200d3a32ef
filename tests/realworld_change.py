"""The issue's real-world change: a copy of ../shared/corpus/realworld, then five renames, two
deletions, two replacement-forcing changes and three risky attributes (used by a test and by
bench/diff_speed.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

VPC = "terraform-aws-modules__terraform-aws-vpc/examples"
CFN = "aws-cloudformation__aws-cloudformation-templates"
K8S = "kubernetes__examples"

# (file, old text, new text): each old text occurs exactly once in its file.
RENAMES = [
    (f"{VPC}/flow-log/main.tf", 'resource "aws_cloudwatch_log_group" "flow_log" {',
     'resource "aws_cloudwatch_log_group" "flow_log_external" {'),
    (f"{VPC}/flow-log/main.tf", 'resource "aws_iam_role" "flow_log_cloudwatch" {',
     'resource "aws_iam_role" "flow_log_role" {'),
    (f"{VPC}/ipam/main.tf", 'resource "aws_vpc_ipam" "this" {', 'resource "aws_vpc_ipam" "main" {'),
    (f"{VPC}/ipam/main.tf", 'resource "aws_vpc_ipam_pool" "ipv6" {', 'resource "aws_vpc_ipam_pool" "v6" {'),
    (f"{VPC}/complete/main.tf", 'resource "aws_security_group" "rds" {', 'resource "aws_security_group" "database" {'),
]
DELETIONS = [  # (file, the block's first line): the block up to its closing brace is removed
    (f"{VPC}/ipam/main.tf", 'resource "aws_vpc_ipam_preview_next_cidr" "this" {'),
    (f"{VPC}/flow-log/main.tf", 'resource "aws_iam_role_policy" "flow_log_cloudwatch" {'),
]
REPLACEMENTS = [
    (f"{CFN}/DynamoDB/DynamoDB_Secondary_Indexes.yaml",
     "      KeySchema:\n        - AttributeName: Category\n          KeyType: HASH\n        - AttributeName: Title\n",
     "      KeySchema:\n        - AttributeName: Category\n          KeyType: HASH\n        - AttributeName: Author\n"),
    (f"{K8S}/databases/cassandra/cassandra-statefulset.yaml",
     "      accessModes: [ \"ReadWriteOnce\" ]\n      resources:\n        requests:\n          storage: 1Gi\n",
     "      accessModes: [ \"ReadWriteOnce\" ]\n      resources:\n        requests:\n          storage: 5Gi\n"),
]
RISKY = [
    (f"{CFN}/RDS/RDS_PIOPS.yaml", "      PubliclyAccessible: false\n", "      PubliclyAccessible: true\n"),
    (f"{K8S}/AI/model-serving-tensorflow/deployment.yaml",
     "        - name: tensorflow-serving\n          image: tensorflow/serving:2.19.0\n",
     "        - name: tensorflow-serving\n          image: tensorflow/serving:2.19.0\n"
     "          securityContext:\n            privileged: true\n"),
    (f"{VPC}/complete/main.tf", "    cidr_blocks = [module.vpc.vpc_cidr_block]\n  }\n\n  tags = local.tags\n}",
     "    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n\n  tags = local.tags\n}"),
]

# What `check --diff HEAD` must report, and nothing else: (rule, path, line).
EXPECTED = {
    ("TF602", f"{VPC}/flow-log/main.tf", 114),
    ("TF602", f"{VPC}/flow-log/main.tf", 122),
    ("TF602", f"{VPC}/ipam/main.tf", 95),
    ("TF602", f"{VPC}/ipam/main.tf", 120),
    ("TF602", f"{VPC}/complete/main.tf", 211),
    ("TF601", f"{VPC}/ipam/main.tf", 119),  # the nearest remaining line: the comment after it
    ("TF601", f"{VPC}/flow-log/main.tf", 140),  # it was the file's last block
    ("CFN602", f"{CFN}/DynamoDB/DynamoDB_Secondary_Indexes.yaml", 36),
    ("K8S601", f"{K8S}/databases/cassandra/cassandra-statefulset.yaml", 98),
    ("CFN306", f"{CFN}/RDS/RDS_PIOPS.yaml", 38),
    ("K8S101", f"{K8S}/AI/model-serving-tensorflow/deployment.yaml", 21),
    ("TF302", f"{VPC}/complete/main.tf", 221),
}


def copy(corpus: Path, target: Path) -> None:
    shutil.copytree(corpus, target, ignore=shutil.ignore_patterns(".git"))


def apply(root: Path) -> None:
    """Make the twelve edits in a copy of the corpus."""
    for path, old, new in RENAMES + REPLACEMENTS + RISKY:
        _replace(root / path, old, new)
    for path, first in DELETIONS:
        text = (root / path).read_text()
        start = _once(text, first, path)
        end = text.index("\n}\n", start) + 3
        end += 1 if text[end:end + 1] == "\n" else 0  # the blank line after it
        (root / path).write_text(text[:start] + text[end:])


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    _once(text, old, path)
    path.write_text(text.replace(old, new))


def _once(text: str, needle: str, path) -> int:
    if text.count(needle) != 1:
        raise ValueError(f"{path}: expected exactly one {needle!r}, found {text.count(needle)}")
    return text.index(needle)
