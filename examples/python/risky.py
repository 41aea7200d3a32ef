"""Tear down a preview environment: what an assistant's first draft can look like.

Each call below works on the happy path; each can also run someone else's commands, delete
data for good, or leak credentials. Compare with safe.py.
"""

import os
import shutil
import subprocess

import boto3
import requests
import yaml

AWS_ACCESS_KEY_ID = "AKIA2OGYBAH6RK4LXQZW"
AWS_SECRET_ACCESS_KEY = "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"
SLACK_WEBHOOK = "https://hooks.slack.com/services/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"

session = boto3.Session(aws_access_key_id=AWS_ACCESS_KEY_ID, aws_secret_access_key=AWS_SECRET_ACCESS_KEY)
s3 = session.client("s3")
rds = session.client("rds")


def load_config(path):
    with open(path) as f:
        return yaml.load(f, Loader=yaml.Loader)


def teardown(env, config):
    subprocess.run(f"terraform -chdir=envs/{env} destroy -auto-approve", shell=True, check=True)
    rds.delete_db_instance(DBInstanceIdentifier=f"{env}-db", SkipFinalSnapshot=True)
    bucket = config["artifacts_bucket"]
    listing = s3.list_objects_v2(Bucket=bucket, Prefix=env)
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": o["Key"]} for o in listing.get("Contents", [])]})
    shutil.rmtree(os.path.join(config["workdir"], env))
    subprocess.run("docker system prune -f", shell=True, check=True)


def notify(env):
    requests.post(SLACK_WEBHOOK, json={"text": f"{env} torn down"}, verify=False)


if __name__ == "__main__":
    cfg = load_config(os.environ.get("CONFIG", "preview.yaml"))
    teardown(os.environ["ENV"], cfg)
    notify(os.environ["ENV"])
