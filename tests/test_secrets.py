"""The shared secret tests: `secret: named` (the key names a credential) and `secret: true` (shape)."""

from __future__ import annotations

import base64

import pytest

from blastguard.engine.secrets import (
    entropy, in_test_code, looks_like_base64_secret, looks_like_named_base64_secret, looks_like_named_secret,
    looks_like_secret, script_secret,
)
from blastguard.engine.values import UNKNOWN_PART


@pytest.mark.parametrize("value", [
    "Qm7#vT2p!Lx9", "hN3x8QbVu0Zk4rT7yLw1Pq9sDf2Gj5Hc6Ae0Ri8M", "b8Fz3Kq7Xw1Rt5Ym9Lp2Nc4V",
    "d41d8cd98f00b204e9800998ecf8427e",  # 32 hex characters: one class, but long and varied
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1b9Qx7PqLm2Rv5tZk8\n-----END RSA PRIVATE KEY-----",
])
def test_real_looking_secrets(value):
    assert looks_like_secret(value)


@pytest.mark.parametrize("value", [
    "", "short1!", "changeme123", "P@ssw0rd1234!", "YourPwdShouldBeLongAndSecure!", "Mustbe8characters",
    "mysecretvalue", "12345678", "aaaaaaaaaaaa", "correct horse battery", "app_user", "orders-db",
    "${var.db_password}", "${{ secrets.DB_PASSWORD }}", "{{ vault_db_password }}",
    "{{resolve:secretsmanager:prod/db:SecretString:password}}", "$DB_PASSWORD", "%DB_PASSWORD%",
    "<db-password>", "$ANSIBLE_VAULT;1.1;AES256", "ENC[AES256_GCM,data:abc]",
    "$6$rounds=656000$W8t1bQ$3Vb0zJ6QX1kq6pQq", "/run/secrets/db_password", "db-prod.acme.internal",
    "ops@acme.io", "https://vault.acme.internal/v1/db", "arn:aws:secretsmanager:eu-west-1:1:secret:x",
    "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----", 12345678, True, None,
    "$(DB_PASSWORD)", "INSERT_ETCD_DISCOVERY_TOKEN", "8312341g-5678-abcd-4a2b2c-33bcsd655",
])
def test_placeholders_references_and_non_secrets(value):
    assert not looks_like_secret(value)


@pytest.mark.parametrize("test,secret,not_secret", [
    (looks_like_base64_secret, b"Qm7#vT2p!Lx9", b"changeme"),
    (looks_like_named_base64_secret, b"hunter2hunter2", b"password"),
])
def test_base64_values_are_judged_decoded(test, secret, not_secret):
    assert test(base64.b64encode(secret).decode())
    assert not test(base64.b64encode(not_secret).decode())
    assert not test("not base64!")


def test_entropy_in_bits_per_character():
    assert entropy("aaaa") == 0
    assert entropy("abcd") == 2


@pytest.mark.parametrize("text", [
    "export DB_PASSWORD=Qm7#vT2p!Lx9\n", "PASSWORD='Qm7#vT2p!Lx9'", "mysql --password=Qm7vT2pLx9x -h db",
    "plain_text_passwd: Xk9#mP2qLw", "cp x y\naws configure set aws_access_key_id AKIA2OGYBAH6TOEXKZQ4",
    f"REGION={UNKNOWN_PART}\nAPI_TOKEN=b8Fz3Kq7Xw1Rt5Ym9Lp2Nc4V",
    # Assigned to a name that ends in the credential's word: weak values count.
    "export DB_PASSWORD=hunter2hunter2", "PGPASSWORD=mydbpass psql -h db", "mysql -u root -pS3cr3tRoot! -e 'select 1'",
    "mysqldump -uroot -p'rootpass123' orders",
    # A password in a URL, and in a libpq connection string.
    "postgresql://orders:hunter2hunter2@db.internal:5432/orders", "redis://:r3disPass99@cache:6379/0",
    "dbname=orders user=app password=hunter2hunter2 host=db",
    # A JSON member: compact or spaced, the key's quotes say it is a key.
    '{"username":"admin","password":"Pr0dS3cretJs0n!"}', '{"db": {"api_key": "Zk8Qw2Lm9Rt4Vb7N"}}',
])
def test_scripts_holding_a_key_or_an_assigned_credential(text):
    assert script_secret(text)


@pytest.mark.parametrize("text", [
    "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "KMS_KEY_ID=1234abcd-12ab-34cd-56ef-1234567890ab",
    "DB_PASSWORD=$(aws ssm get-parameter --name /db --with-decryption)", f"DB_PASSWORD={UNKNOWN_PART}",
    f"TOKEN=ab{UNKNOWN_PART}cd", "SECRET_NAME=prod/orders", "echo $PASSWORD", "token=$TOKEN",
    "DB_PASSWORD=changeme123", "ssh-keygen -t ed25519", 42, None,
    "export DB_PASSWORD=test1234", "mysql -u root -p -e 'select 1'", "mysql -p$DB_PASSWORD", "mkdir -p /opt/app",
    "The database password: alphanumeric", "docker run -p 8080:80 app", "DB_PASSWORD=${DB_PASSWORD}",
    "postgresql://user:password@localhost/db", "postgres://postgres:postgres@db:5432/app",
    f"postgresql://app:{UNKNOWN_PART}@db/orders", "https://github.com/acme/orders", "git@github.com:acme/x.git",
    "http://user:@host/", "ssh://git@github.com:22/acme/x", "mongodb://admin:<password>@cluster0.mongodb.net/",
    '{"password": "changeme"}', '{"password": ""}', '{"password_file": "/run/secrets/db"}', '{"token": "${TOKEN}"}',
])
def test_scripts_without_a_credential(text):
    assert not script_secret(text)


@pytest.mark.parametrize("value", [
    # Weak or not, a literal under a password's key is a password.
    "Sup3rS3cretPassw0rd!", "P@ssw0rd1234!", "hunter2hunter2", "mydbpass", "rootpass123", "12345678",
    "mysecretpassword", "Latest#2024", "Contest9x", "quobyte", "Qm7#vT2p!Lx9", "Password_2024!",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1b9Qx7PqLm2Rv5tZk8\n-----END RSA PRIVATE KEY-----",
])
def test_literals_under_a_credential_key(value):
    assert looks_like_named_secret(value)


@pytest.mark.parametrize("value", [
    # Empty, very short, prose.
    "", "pw", "s3cr1", "Enter your password", 12345678, True, None,
    # References, interpolations, paths.
    "${var.db_password}", "${{ secrets.DB_PASSWORD }}", "{{ vault_db_password }}", "$DB_PASSWORD",
    "{{resolve:secretsmanager:prod/db:SecretString:password}}", "vault:secret/data/db#password",
    "arn:aws:secretsmanager:eu-west-1:1:secret:x", "/run/secrets/db_password", "$(cat /run/secrets/db)",
    "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/db/)", "#{DbPassword}#", "__DbPassword__",
    "projects/acme/secrets/db/versions/latest", "%{ if x }y%{ endif }",
    # Encrypted or hashed.
    "$ANSIBLE_VAULT;1.1;AES256", "ENC[AES256_GCM,data:abc]", "$6$rounds=656000$W8t1bQ$3Vb0zJ6QX1kq6pQq",
    "pbkdf2_sha256$260000$abc$def",
    # The key's own word, a product default, placeholders.
    "password", "Password", "<password>", "secret", "postgres", "changeit", "admin", "********", "xxxxxxxx",
    "changeme123", "ChangeMe123!", "example-pass", "your_password", "YourPassword1", "placeholder",
    "dummy_pw_1", "REDACTED", "foobarbaz",
    # A word that starts with `test`, `fake`, `demo`...: values written for tests and demos.
    "test1234", "testpass", "my-test-pw", "MyTestPass", "fake-token-123", "demo_password",
    # A template's token to fill in, named like a constant.
    "INSERT_ETCD_DISCOVERY_TOKEN",
    # Deliberately wrong or arbitrary values (a test's login that must fail).
    "badpass", "Incorrect", "doesnotexist", "wrong_password", "somepass", "Mustbe8characters",
    # The name of a field, column or secret that holds one.
    "password_hash", "db-password", "orders_db_password", "api.token",
])
def test_clearly_not_a_secret_under_a_credential_key(value):
    assert not looks_like_named_secret(value)


@pytest.mark.parametrize("path,expected", [
    ("tests/test_db.py", True), ("src/app/tests/helpers.py", True), ("pkg/conftest.py", True),
    ("Lib/test/test_nntplib.py", True), ("spec/fixtures/main.tf", True), ("db_test.py", True),
    ("src/app/db.py", False), ("terraform/main.tf", False), ("contest/main.py", False),
    ("latest/values.yaml", False), ("testing_tools.py", False),
])
def test_test_code_is_known_by_its_folders_and_file_name(path, expected):
    assert in_test_code(path) is expected


def test_in_test_code_a_named_credential_must_also_look_generated():
    named_in_tests = looks_like_named_secret.in_tests
    # A fixture's word-like password is written to be public; a real-looking key is still a leak.
    assert looks_like_named_secret("python") and not named_in_tests("python")
    assert named_in_tests("Qm7vT2pLx9wzR4")
    assert named_in_tests.partial("Qm7vT2pLx9wzR4") and not named_in_tests.partial("Qm7vT2" + UNKNOWN_PART)
    encoded = base64.b64encode(b"orders").decode()
    assert looks_like_named_base64_secret(encoded) and not looks_like_named_base64_secret.in_tests(encoded)
