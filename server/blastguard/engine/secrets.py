"""Whether a literal looks like a real secret: its shape, its entropy and known placeholders.

One implementation for every language, behind the `secret: true` condition. Rules choose the
values to test by their key (`*password*`, `MasterUserPassword`); this module decides whether the
value written there is a credential someone could use, or a placeholder, a reference to a
secret store, an encrypted blob or an obviously fake value, which stay silent.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter

import re2

from blastguard.engine.values import UNKNOWN_PART

MIN_LENGTH = 8
MAX_LENGTH = 4096
# Bits per character (Shannon, over the value's own characters). "aaaabbbb" has 1.0, "Sup3rS3cret!"
# 3.1, a random 16-character base64 string about 3.8; 2.5 keeps keyboard walks and repeats out.
MIN_ENTROPY = 2.5

# Words that mark a documented example, a template to fill in or a test value. Matched as
# substrings of the lower-cased value, so `MyExamplePass1`, `changeme123` and `test-password` stay silent.
PLACEHOLDER_WORDS = (
    "changeme", "change_me", "change-me", "changeit", "replace", "placeholder", "example", "sample",
    "dummy", "fake", "test", "xxx", "***", "...", "todo", "tbd", "fixme", "your", "password",
    "passw0rd", "p@ssw0rd", "p@ssword", "secret", "default", "redacted", "notused", "not_used",
    "not-used", "null", "undefined", "foobar", "qwerty", "letmein", "abc123", "123456", "admin",
    "guest", "demo", "mysql", "postgres", "mustbe",  # "Mustbe8characters": the Terraform docs' example
)
# Text that refers to a secret rather than holding it, or holds it encrypted or hashed. RE2 (linear
# time): a value of many `${` or `{{` with no end made backtracking quadratic.
_REFERENCE = re2.compile("(?i)" + "|".join((
    r"\$\{[^}]*\}",  # ${VAR}, ${{ secrets.X }}, Terraform and CloudFormation references
    r"\{\{.*?\}\}",  # Jinja / Helm / CloudFormation dynamic references {{resolve:...}}
    r"\{%.*?%\}",
    r"^\$[A-Za-z_]\w*$",  # $VAR
    r"^%[A-Za-z_]\w*%$",  # %VAR%
    r"^<[^>]*>$",  # <your-password>
    r"^\[[^\]]*\]$",  # [password]
    r"^\$ANSIBLE_VAULT",  # encrypted
    r"^ENC\[",  # SOPS / hiera-eyaml
    r"^vault:",  # Vault references
    r"^(arn|projects|secret|secretsmanager|ssm|kms|gcp|azure|aws|op|env|file|https?)://?",
    r"^arn:aws",
    r"^\$(1|2[abxy]?|5|6|y|argon2(id|i|d)?|pbkdf2[\w-]*|scrypt)\$",  # crypt(3) hashes
    r"^(\{SSHA\}|\{SHA\}|\{CRYPT\}|md5[0-9a-f]{32}$|SCRAM-SHA-256\$)",  # LDAP / PostgreSQL hashes
)))
_PRIVATE_KEY = re2.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----\s*\S{20,}")
# Host names, e-mail addresses and paths are what a Secret's other keys hold, not credentials.
_NAME = re.compile(r"^[\w.-]+\.[a-z]{2,}(:\d+)?$|^[\w.+-]+@[\w-]+(\.[\w-]+)+$|^\.{0,2}/", re.I)
# The same character, a run of digits or letters in sequence, or a keyboard row repeated.
_TRIVIAL = re.compile(r"^(.)\1*$|^(0123456789|123456789|abcdefgh|qwertyui)", re.I)


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(text)
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def _classes(text: str) -> int:
    # `_`, `-` and `.` join words in identifiers (`app_user`, `orders-db`): not a symbol class.
    return sum((any(c.islower() for c in text), any(c.isupper() for c in text),
                any(c.isdigit() for c in text), any(not c.isalnum() and c not in "_-." for c in text)))


def looks_like_secret(value: object) -> bool:
    """A literal that could be a real credential: long enough, varied enough, not a placeholder,
    not a reference, not encrypted or hashed."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    if _PRIVATE_KEY.search(text):
        return "..." not in text and "xxxx" not in text.lower()
    if not MIN_LENGTH <= len(text) <= MAX_LENGTH or any(c.isspace() for c in text):
        return False  # prose, commands and multi-word descriptions are not passwords
    if _REFERENCE.search(text) or _TRIVIAL.search(text) or _NAME.search(text):
        return False
    folded = text.lower()
    if any(word in folded for word in PLACEHOLDER_WORDS):
        return False
    # One character class (`mysecretvalue`, `12345678`) is a word or a number, not a generated
    # secret, unless it is long and varied (a 32-character hex token).
    if _classes(text) < 2 and not (len(text) >= 16 and entropy(text) >= 3.0):
        return False
    return entropy(text) >= MIN_ENTROPY


def looks_like_base64_secret(value: object) -> bool:
    """A Kubernetes Secret's `data` value: base64 of something that looks like a secret."""
    if not isinstance(value, str):
        return False
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return False
    return looks_like_secret(decoded)


# Credentials with a documented shape, wherever they stand in a text: AWS access key ids (not the
# documentation's, which end in EXAMPLE: the last seven characters spell anything else), PEM
# private keys with their body, and GitHub, GitLab, Slack and HashiCorp tokens.
KEY_PATTERN = (
    r"\b(?:AKIA|ASIA)[A-Z0-9]{9}(?:[A-DF-Z0-9][A-Z0-9]{6}|E[A-WYZ0-9][A-Z0-9]{5}|EX[B-Z0-9][A-Z0-9]{4}"
    r"|EXA[A-LN-Z0-9][A-Z0-9]{3}|EXAM[A-OQ-Z0-9][A-Z0-9]{2}|EXAMP[A-KM-Z0-9][A-Z0-9]|EXAMPL[A-DF-Z0-9])\b"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----\s*[A-Za-z0-9+/=]{40}"
    r"|\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,}|glpat-[A-Za-z0-9_\-]{20,}"
    r"|xox[abposr]-[A-Za-z0-9\-]{20,}|hv[sb]\.[A-Za-z0-9_\-]{24,})\b"
)
_KEY = re2.compile(KEY_PATTERN)
# `NAME=value`, `export NAME="value"`, `--name=value`, `name: value` in a script, an env file or
# cloud-init, where the name says it holds a credential. The value is judged by looks_like_secret.
_ASSIGNMENT = re2.compile(
    r"(?i)(?:^|[\s;&|(])(?:export\s+|set\s+|-{1,2})?"
    r"((?:[A-Za-z_][A-Za-z0-9_.-]*)?(?:pass|pwd|secret|token|api_?key|_key)[A-Za-z0-9_]*)"
    r"[ \t]*(?:=|:[ \t])[ \t]*(\"[^\"\n]*\"|'[^'\n]*'|[^\s;&|\"'`]+)")
# Names that hold where a secret is, or something about it, not the secret itself.
_ABOUT_A_SECRET = re.compile(
    r"(?i)(_?id|_?name|_?arn|_?url|_?uri|_?path|_?file|_?dir|_?host|_?region|_?length|_?size|_?ttl|_?type"
    r"|_?version|_?header|_?field|_?param|_?parameter|_?prefix|_?location|_?ref|_?policy|_?pair)$")


def script_secret(text: object) -> bool:
    """A script, env file or config text (user data, a container's command) that holds a credential:
    a key or token of a known shape, or an assignment to a credential's name of a value that
    looks like a real secret. Unresolved parts of a template (UNKNOWN_PART) are never the value."""
    if not isinstance(text, str):
        return False
    for match in _KEY.finditer(text):
        if UNKNOWN_PART not in match.group() and "..." not in match.group():
            return True
    for match in _ASSIGNMENT.finditer(text):
        name, value = match.group(1), match.group(2)
        if UNKNOWN_PART in value or _ABOUT_A_SECRET.search(name):
            continue
        if value[:1] in "\"'" and value[-1:] == value[:1]:
            value = value[1:-1]
        if looks_like_secret(value):
            return True
    return False


# A template's literal parts are judged the same way (`${var.region}` elsewhere in the script does
# not hide a key written in it).
script_secret.partial = script_secret
