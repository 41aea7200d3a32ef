"""Whole-corpus checks: the KICS samples of every platform and the real-world repositories.

Every KICS positive we miss and every KICS negative we flag is listed below with its reason,
so a change that loses or gains a sample shows up here. Samples that only call a registry
module, where the risk would lie in that module's defaults, are read through the curated table of
registry_defaults; the ones left are calls whose defaults are no risk, or no more a risk than the
same resource written by hand. The other misses are deliberate: flagging them would flag safe or
default code. Every flagged negative holds a risk that KICS itself labels positive in a sibling
query of the same category (its labels are per query, ours per file and category).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, needs_shared

REGISTRY_MODULE_DEFAULTS = {
    # alb ~> 6.0 leaves enable_deletion_protection at false, as aws_lb does (TF106 reports only an
    # explicit false); the rds sample (~> 3.0) sets no
    # backup_retention_period, and nothing in registry_defaults says the module turns backups off
    # (KICS asks for the input to be written).
    "terraform-aws/alb_deletion_protection_disabled: positive6.tf",
    "terraform-aws/rds_with_backup_disabled: positive4.tf",
    # security-group module with ingress_cidr_blocks but no rules: it opens nothing (a rule, or a
    # rule map naming no CIDR, would take those CIDRs and is reported by TF301-TF304).
    "terraform-aws/unrestricted_security_group_ingress: positive4.tf",
    "terraform-aws/unrestricted_security_group_ingress: positive5.tf",
    "terraform-aws/unrestricted_security_group_ingress: positive9.tf",
    "terraform-aws/unrestricted_security_group_ingress: positive10.tf",
    # vpc module ACL entries for tcp port 0 (KICS reads rule_no 22/3389 as the port).
    "terraform-aws/network_acl_with_unrestricted_access_to_rdp: positive4.tf",
    "terraform-aws/network_acl_with_unrestricted_access_to_ssh: positive4.tf",
}
DELIBERATE = {
    # A missing setting whose default is what nearly all real code uses.
    "terraform-aws/alb_deletion_protection_disabled: positive2.tf",
    "terraform-aws/alb_deletion_protection_disabled: positive4.tf",
    "terraform-aws/s3_bucket_without_enabled_mfa_delete: positive1.tf",
    "terraform-aws/s3_bucket_without_enabled_mfa_delete: positive4.tf",
    "terraform-aws/s3_bucket_without_ignore_public_acl: positive4.tf",
    # Unset backup_retention_period means AWS's default of 1 day, not backups off.
    "terraform-aws/rds_with_backup_disabled: positive3.tf",
    # A KMS key without a policy gets the default key policy AWS recommends.
    "terraform-aws/kms_key_with_full_permissions: positive3.tf",
    # WRITE_ACP granted to the S3 log-delivery service group, not to the public.
    "terraform-aws/s3_bucket_acl_grants_write_acp_permission: positive1.tf",
    "terraform-aws/s3_bucket_acl_grants_write_acp_permission: positive2.tf",
    # Reported by TF413 at info: identical content is a KICS negative of two other queries.
    "terraform-aws/s3_bucket_without_ignore_public_acl: positive1.tf",
    "terraform-aws/s3_bucket_without_restriction_of_public_bucket: positive1.tf",
    # The default security group admitting only itself (self = true) is AWS's default.
    "terraform-aws/vpc_default_security_group_accepts_all_traffic: positive1.tf",
    # A plan whose only internet-facing port is 443.
    "terraform-aws/sensitive_port_is_exposed_to_entire_network: positive.json",
    # Firewall from source_tags only: traffic between tagged instances, not the internet.
    "terraform-gcp/google_compute_network_using_firewall_rule_allows_all_ports: positive.tf",
    # Flagged, as network-exposure (who can reach the endpoint) rather than public data.
    "terraform-azure/public_storage_account: positive1.tf",
    # A KMS key without a KeyPolicy gets AWS's default key policy.
    "cloudformation-aws/kms_key_with_full_permissions: positive2.json",
    "cloudformation-aws/kms_key_with_full_permissions: positive2.yaml",
    # DeletionProtection left out: the default of nearly every real database.
    "cloudformation-aws/rds_db_instance_with_deletion_protection_disabled: positive2.yaml",
    "cloudformation-aws/rds_db_instance_with_deletion_protection_disabled: positive4.json",
    # allowPrivilegeEscalation left out: true on most real manifests would all be flagged.
    "k8s/privilege_escalation_allowed: positive2.yaml",
    # A PodSecurityPolicy with no `volumes` admits no volume type, so no host path.
    "k8s/psp_with_unrestricted_access_to_host_path: positive1.yaml",
    # Writable mounts at the container's own /bin and /var/run, backed by ScaleIO, not the node.
    "k8s/volume_mount_with_os_directory_write_permissions: positive.yaml",
}
# KICS negatives that really hold a risk of the same category; the sibling query that labels
# the same content positive is named.
FLAGGED_NEGATIVES = {
    # PubliclyAccessible: true (rds_db_instance_publicly_accessible).
    "cloudformation-aws/db_security_group_with_public_scope: negative1.yaml",
    "cloudformation-aws/db_security_group_with_public_scope: negative2.yaml",
    "cloudformation-aws/db_security_group_with_public_scope: negative3.json",
    "cloudformation-aws/db_security_group_with_public_scope: negative4.json",
    # SSH open to 0.0.0.0/0 (security_groups_with_unrestricted_access_to_ssh).
    "cloudformation-aws/fully_open_ingress: negative1.yaml",
    "cloudformation-aws/fully_open_ingress: negative2.json",
    # BlockPublicAcls / BlockPublicPolicy false (s3_bucket_allows_public_acl, ..._with_public_policy).
    "cloudformation-aws/s3_bucket_access_to_any_principal: negative1.yaml",
    "cloudformation-aws/s3_bucket_access_to_any_principal: negative2.json",
    # AccessControl PublicRead / AuthenticatedRead: the query wants read *and* write; KICS's
    # Terraform queries label public-read positive.
    "cloudformation-aws/s3_bucket_acl_allows_read_or_write_to_all_users: negative3.yaml",
    "cloudformation-aws/s3_bucket_acl_allows_read_or_write_to_all_users: negative4.yaml",
    "cloudformation-aws/s3_bucket_acl_allows_read_or_write_to_all_users: negative7.json",
    "cloudformation-aws/s3_bucket_acl_allows_read_or_write_to_all_users: negative8.json",
    # Adds NET_ADMIN and SYS_TIME (containers_with_added_capabilities, same content).
    "k8s/container_is_privileged: negative.yaml",
    # A PersistentVolume on the node's /sys and /var/log (workload_mounting_with_sensitive_os_directory).
    "k8s/non_kube_system_pod_with_host_mount: negative.yaml",
    # ClusterRoles that read secrets (rbac_roles_with_read_secrets_permissions).
    "k8s/permissive_access_to_create_pods: negative1.yaml",
    "k8s/service_account_allows_access_secrets: negative.yaml",
    # A Role that creates pods (permissive_access_to_create_pods).
    "k8s/rbac_roles_with_exec_permission: negative.yaml",
    # Wide-open PodSecurityPolicies (privileged, host namespaces, every volume type: the
    # psp_set_to_privileged / psp_*_host_* / psp_with_unrestricted_access_to_host_path positives).
    "k8s/psp_allows_privilege_escalation: negative.yaml",
    "k8s/psp_containers_share_host_network_namespace: negative.yaml",
    "k8s/psp_set_to_privileged: negative.yaml",
    "k8s/psp_with_added_capabilities: negative.yaml",
    # public-read-write ACLs with block_public_acls = false (s3_bucket_acl_allows_read_or_write...).
    "terraform-aws/s3_bucket_public_acl_overridden_by_public_access_block: negative1.tf",
    "terraform-aws/s3_bucket_public_acl_overridden_by_public_access_block: negative2.tf",
    "terraform-aws/s3_bucket_public_acl_overridden_by_public_access_block: negative3.tf",
    # terraform-aws-modules/s3-bucket pinned to 3.7.0 with its four Block Public Access inputs left
    # at that release's false, which the module writes into the bucket's public access block
    # (TF403 through registry_defaults): the content of s3_bucket_allows_public_acl's positive3,
    # which even sets restrict_public_buckets = true.
    "terraform-aws/s3_bucket_access_to_any_principal: negative2.tf",
    "terraform-aws/s3_bucket_acl_allows_read_or_write_to_all_users: negative2.tf",
    "terraform-aws/s3_bucket_acl_allows_read_to_any_authenticated_user: negative2.tf",
    "terraform-aws/s3_bucket_allows_delete_action_from_all_principals: negative2.tf",
    "terraform-aws/s3_bucket_allows_put_action_from_all_principals: negative2.tf",
    # ... with one or two of the four set true (s3_bucket_with_public_policy's positive3 sets two).
    "terraform-aws/s3_bucket_allows_public_acl: negative2.tf",
    "terraform-aws/s3_bucket_without_ignore_public_acl: negative2.tf",
    "terraform-aws/s3_bucket_without_restriction_of_public_bucket: negative2.tf",
    # Principal "*" PutObject with no condition (s3_bucket_allows_put_action_from_all_principals).
    "terraform-aws/s3_bucket_with_all_permissions: negative1.tf",
    "terraform-aws/s3_bucket_with_all_permissions: negative2.tf",
}
# Findings per rule on ../shared/corpus/realworld, every one read: a change in noise shows here.
# Terraform variables read from tfvars files and literal defaults (324 of the corpus's var.
# references resolve, mostly names and tags) and literals passed to ./ modules add none: the
# registry modules' risky-looking defaults are `false` switches, empty lists, endpoint CIDRs
# with the endpoint off, or allow-all (protocol -1) ACL entries, AWS's own default that TF305
# leaves alone (the default ACL's, expanded from its dynamic blocks, and the subnet ACLs', behind
# a computed count); their examples call the module with `../` sources, which are not followed.
# K8S104 went from 7 to 9 when it learned parent directories: the sysdig agent's DaemonSet and
# ReplicationController mount the node's /usr (binaries the node runs as root), writable.
REALWORLD_COUNTS = {
    "CFN106": 1, "CFN202": 26, "CFN211": 2, "CFN212": 2, "CFN214": 4, "CFN304": 8,
    "K8S101": 8, "K8S103": 4, "K8S104": 9, "K8S105": 6, "K8S108": 4, "K8S109": 4, "K8S110": 2,
    "K8S301": 1, "K8S303": 3, "K8S304": 1, "K8S305": 1, "TF101": 1, "TF211": 1,
    # Secret manifests of the archived volume examples holding Ceph keys (AQ... format), an Azure
    # storage account key and a ScaleIO password: real-looking credentials committed, all six read.
    # Since a literal under a password's key counts however weak it is, also the Quobyte and
    # StorageOS admin passwords (`quobyte`, `storageos`: the products' defaults, which open the
    # storage API to anyone who knows the product): 8, all read.
    "K8S501": 8,
    # SAM functions with AmazonS3FullAccess (the S3Objects macro example, twice in each form) and
    # the Lambda sample role holding S3, DynamoDB and Kinesis full access: real over-grants.
    "CFN216": 6,
    # EC2 instance roles of the GitLab, Gitea and VS Code server solutions allowing
    # secretsmanager:GetSecretValue on "*" (every secret in the account), 7 templates x 2 forms.
    "CFN217": 14,
    # HTTPS listeners pinned to ELBSecurityPolicy-2016-08 / -FS-2018-06, which accept TLS 1.0; and the
    # SAP PrivateLink NLB's TLS listener on ELBSecurityPolicy-TLS13-1-0-2021-06 (TLS 1.0 to 1.3 accepted),
    # 2 templates x 2 forms.
    "CFN701": 8,
    # The ECS sample clusters (EC2 and Fargate, public and private VPC) and the scheduled-task example:
    # internet-facing ALBs whose port-80 HTTP listener forwards (the services' listener rules attach
    # there), 5 templates x 2 forms; the private-VPC templates' internal ALBs stay silent.
    "CFN702": 10,
    # 10 literal 0.0.0.0/0 rules, and 56 whose CidrIp is a parameter defaulting to a /0 prefix (0.0.0.0/0,
    # and 192.168.1.0/0 or 198.162.1.0/0, which are the whole internet too) on port 22: the SSHLocation
    # parameter of the EC2, Auto Scaling, ELB, CloudWatch agent and OS samples and the Greengrass
    # SecurityAccessCIDR, 28 templates x 2 forms, every one read.
    "CFN301": 66,
    # The DMS Aurora-to-S3 sample's ClientIP parameter (default 0.0.0.0/0) opening MySQL 3306, 2 forms.
    "CFN302": 2,
    # Root passwords and keys committed in containers' env: MinIO's default secret key (minio123) in
    # the standalone and distributed examples, MYSQL_ROOT_PASSWORD in the Java EE pod (supersecret) and
    # the three Galera nodes (c-krit): weak, and committed all the same; all six read. (The Sysdig
    # example's access key, typed to look like one, and etcd's INSERT_..._TOKEN placeholders are left
    # out by the shared secret test.)
    "K8S502": 6,
    # CloudFront in front of the GitLab, Gitea and VS Code server solutions (3 x 2 forms) and the Rain
    # module they are built from, with ViewerProtocolPolicy allow-all on the default and the /proxy/*
    # behaviour: a code server and Git logins reachable over plain HTTP, 14 read.
    "CFN703": 14,
}


def _blastguard_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "blastguard"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "blastguard"]


def test_kics_recall_and_false_positives_over_every_platform():
    script = needs_shared("tools", "score_corpus.py")
    needs_shared("corpus", "kics")
    proc = subprocess.run([sys.executable, str(script), "kics"],
                          capture_output=True, text=True, cwd=ROOT, check=True,
                          env={**os.environ, "BLASTGUARD_CMD": " ".join(_blastguard_cmd())})
    out = proc.stdout
    missed_part, _, flagged_part = out.partition("false positives:")
    misses = set(re.findall(r"^  (\S+: \S+) \(want", missed_part, re.M))
    flagged = set(re.findall(r"^  (\S+: \S+) \(flagged", flagged_part, re.M))
    assert misses == REGISTRY_MODULE_DEFAULTS | DELIBERATE, out
    assert flagged == FLAGGED_NEGATIVES, out
    summary = re.search(r"recall=([\d.]+) \((\d+)/(\d+)\) false_positive_rate=([\d.]+) \((\d+)/(\d+)\)", out)
    hits, positives = int(summary.group(2)), int(summary.group(3))
    # Out of reach of a file-level checker: risk in a registry module's defaults.
    assert hits / (positives - len(REGISTRY_MODULE_DEFAULTS)) >= 0.90, out
    # What is left once the negatives that hold a sibling query's risk are set aside.
    negatives = int(summary.group(6))
    assert (int(summary.group(5)) - len(FLAGGED_NEGATIVES)) / negatives <= 0.05, out


def test_realworld_repositories_check_without_errors_and_with_the_findings_we_read():
    corpus = needs_shared("corpus", "realworld")
    proc = subprocess.run(_blastguard_cmd() + ["check", "--no-config", "--format", "json", str(corpus)],
                          capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    assert report["errors"] == []
    counts: dict[str, int] = {}
    for finding in report["findings"]:
        counts[finding["rule"]] = counts.get(finding["rule"], 0) + 1
    assert counts == REALWORLD_COUNTS
