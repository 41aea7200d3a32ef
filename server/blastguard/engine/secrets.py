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
