"""Tear down a preview environment: the same script as risky.py, written defensively.

Credentials come from the default chain, commands are argument lists, deletions are scoped,
confirmed and leave a snapshot, and TLS is verified.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import boto3
import requests
import yaml

SLACK_WEBHOOK = os.environ["SLACK_WEBHOOK_URL"]
CA_BUNDLE = os.environ.get("INTERNAL_CA_BUNDLE", True)

session = boto3.Session()  # role, SSO profile or environment: nothing in the code
s3 = session.client("s3")
rds = session.client("rds")


def load_config(path):
    with open(path) as f:
        return yaml.safe_load(f)


def plan_destroy(env):
    subprocess.run(["terraform", f"-chdir=envs/{env}", "plan", "-destroy", "-out=destroy.tfplan"], check=True)


def teardown(env, config):
    if env in ("prod", "production") or os.environ.get("CONFIRM_TEARDOWN") != env:
        sys.exit(f"refusing to tear down {env!r}: set CONFIRM_TEARDOWN={env} after reviewing destroy.tfplan")
    plan_destroy(env)
    subprocess.run(["terraform", f"-chdir=envs/{env}", "apply", "destroy.tfplan"], check=True)  # the reviewed plan
    rds.delete_db_instance(
        DBInstanceIdentifier=f"{env}-db",
        SkipFinalSnapshot=False,
        FinalDBSnapshotIdentifier=f"{env}-db-final",
    )
    bucket = config["artifacts_bucket"]
    listing = s3.list_objects_v2(Bucket=bucket, Prefix=f"previews/{env}/")
    for obj in listing.get("Contents", []):
        s3.delete_object(Bucket=bucket, Key=obj["Key"])  # one key at a time, versioning keeps the rest
    with tempfile.TemporaryDirectory() as scratch:
        Path(scratch, "teardown.log").write_text(f"{env} torn down\n")
    subprocess.run(["docker", "system", "prune", "-f"], check=True)


def notify(env):
    requests.post(SLACK_WEBHOOK, json={"text": f"{env} torn down"}, verify=CA_BUNDLE, timeout=10)


if __name__ == "__main__":
    cfg = load_config(os.environ.get("CONFIG", "preview.yaml"))
    teardown(os.environ["ENV"], cfg)
    notify(os.environ["ENV"])
