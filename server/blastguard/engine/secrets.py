"""Whether a literal is a hard-coded secret: by its key's name, or by its shape and entropy.

One implementation for every language, behind the `secret:` condition, in two tiers. Where the
rule's key pattern already names a credential (`*password`, `POSTGRES_PASSWORD`, `*token`:
`secret: named`), any literal is a secret unless it is clearly not one: empty or very short, a
reference or interpolation, encrypted or hashed, or a placeholder that says so. A weak password
is still a password. Where only the value can speak (`secret: true`: keys such as `*_key` or
`*auth*` that hold other things too), it must also look generated: long, varied, high entropy.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from functools import cache

import re2

from blastguard.engine import literals
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
    r"^\$\([A-Za-z_]\w*\)$",  # $(VAR): Kubernetes env and args, make
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
# A constant's name (`INSERT_ETCD_DISCOVERY_TOKEN`, `DB_PASSWORD`): words of capitals joined by `_`.
_CONSTANT_NAME = re.compile(r"^[A-Z]{2,}(_[A-Z]{2,})+$")


def _typed_runs(text: str) -> int:
    """How many runs of four ascending characters (`1234`, `abcd`) a value holds: two or more mark
    a value typed to look like a key (`8312341g-5678-abcd-...`), which a generated one almost never is."""
    folded, runs, i = text.lower(), 0, 0
    while i + 3 < len(folded):
        chunk = folded[i:i + 4]
        if chunk.isalnum() and all(ord(chunk[k + 1]) - ord(chunk[k]) == 1 for k in range(3)):
            runs, i = runs + 1, i + 4
        else:
            i += 1
    return runs


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
    if _REFERENCE.search(text) or _TRIVIAL.search(text) or _NAME.search(text) or _CONSTANT_NAME.match(text):
        return False
    if _typed_runs(text) >= 2:
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
    decoded = _b64decode(value)
    return decoded is not None and looks_like_secret(decoded)


def _b64decode(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


# -- Tier 1: the key names a credential ---------------------------------------------------------
# Shorter literals are flags, units or sentinels (`x`, `none`, `12`), not passwords.
NAMED_MIN_LENGTH = 6
# Whole values that are the key's own word, an empty marker or a product's documented default
# (the postgres, mysql and RabbitMQ images): known to everyone, so nothing is leaked by writing them.
PLACEHOLDER_VALUES = frozenset((
    "password", "passwd", "passphrase", "secret", "token", "apikey", "api_key", "api-key", "secret_key",
    "secretkey", "credentials", "changeme", "changeit", "none", "null", "nil", "undefined", "empty",
    "default", "admin", "administrator", "root", "guest", "postgres", "mysql", "redis", "rabbitmq",
    "username", "optional", "required", "disabled",
))
# Text that says the value is not the real one (an instruction such as the Terraform docs'
# `Mustbe8characters`), or is deliberately wrong (a test's `badpass`, `Incorrect`, `doesnotexist`)
# or arbitrary (`somepass`). Long markers are matched anywhere (no real
# password holds `changeme` or `placeholder` by chance); short words only where a word starts
# (after a non-letter or at a lower-to-upper case change), so `test123`, `my-test-pw` and
# `MyTestPass` stay silent while `Latest#2024` and `Contest9x` are reported.
_PLACEHOLDER_TEXT = re.compile(
    r"(?i:changeme|change_me|change-me|changeit|replaceme|replace_me|replace-me|placeholder|example|dummy"
    r"|redacted|notused|not_used|not-used|fixme|foobar|xxxx|doesnotexist|nonexist|mustbe|\*\*\*|\.\.\.)"
    r"|(?:^|(?<=[^A-Za-z])|(?<=[a-z])(?=[A-Z]))"
    r"(?i:test|fake|todo|tbd|sample|demo|mock|your|some|bad|wrong|invalid|incorrect|bogus)")
# References a value can be besides those of _REFERENCE: Azure Key Vault references in app
# settings, shell command substitution, Terraform template directives, release-pipeline tokens
# (`#{DbPassword}#`, `__DbPassword__`), Google Secret Manager names and Django password hashes.
_NAMED_REFERENCE = re2.compile("(?i)" + "|".join((
    r"^@Microsoft\.KeyVault\(",
    r"\$\([^)]*\)",
    r"^\$[({]",
    r"%\{[^}]*\}",
    r"^#\{[^}]*\}#?$",
    r"^__\w+__$",
    r"^projects/[^/]+/secrets/",
    r"^(pbkdf2_sha\d+|bcrypt_sha256|argon2|sha1|md5)\$",
)))
_ONE_CHARACTER = re.compile(r"^(.)\1*$")
# A lower-case identifier with a credential's word as one of its parts (`password_hash`,
# `db-password`, `api.token`): the name of a field, column or secret, not a password.
_NAME_OF_A_CREDENTIAL = re.compile(
    r"^(?:[a-z0-9]+[_.-])*(?:pass|password|passwd|pwd|secret|token|key|apikey|credentials?)(?:[_.-][a-z0-9]+)*$")


def looks_like_named_secret(value: object) -> bool:
    """A literal under a key that names a credential (`password`, `DB_TOKEN`): a hard-coded secret
    unless it is clearly not one. No length beyond the minimum, character class or entropy is
    asked: `hunter2hunter2` and `P@ssw0rd1234!` are weak passwords, and committed all the same."""
    if not isinstance(value, str):
        return False  # numbers and booleans under such keys are lengths and switches
    text = value.strip()
    if _PRIVATE_KEY.search(text):
        return "..." not in text and "xxxx" not in text.lower()
    if not NAMED_MIN_LENGTH <= len(text) <= MAX_LENGTH or any(c.isspace() for c in text):
        return False  # prompts, descriptions and commands are not passwords
    if _REFERENCE.search(text) or _NAMED_REFERENCE.search(text) or _NAME.search(text):
        return False
    if _ONE_CHARACTER.match(text) or text.strip("<>[]{}()*_-'\"").lower() in PLACEHOLDER_VALUES:
        return False
    if _CONSTANT_NAME.match(text) or _NAME_OF_A_CREDENTIAL.match(text):
        return False  # a token to fill in (`INSERT_ETCD_DISCOVERY_TOKEN`) or a field's name (`password_hash`)
    return not _PLACEHOLDER_TEXT.search(text)


# An expression whose text is all literal (Python's `os.environ.get("DB_PASSWORD", "hunter2x")`:
# the default is the password whenever the variable is unset) is judged like a literal; one with
# an unresolved part (an f-string's `{user}`, a `${var}`) never is.
looks_like_named_secret.partial = lambda text: UNKNOWN_PART not in text and looks_like_named_secret(text)


def looks_like_named_base64_secret(value: object) -> bool:
    """A Kubernetes Secret's `data` value under a credential's key, judged once decoded."""
    decoded = _b64decode(value)
    return decoded is not None and looks_like_named_secret(decoded)


# -- Test code ----------------------------------------------------------------------------------
# Tests, fixtures and their data hold credentials written to be public (a test database's
# `password = "python"`, a mock server's login): there the name of the key is not enough, and a
# value is reported only when it also looks generated (tier 2: long, varied, high entropy), as a
# real key pasted into a fixture does. Known key shapes (AWS, PEM, GitHub tokens) are reported
# wherever they stand.
_TEST_FOLDERS = frozenset(("test", "tests", "testing", "testdata", "test-data", "test_data", "fixtures",
                           "__tests__", "spec"))
_TEST_FILE = re.compile(r"^(test_.*\.py|.*_test\.py|conftest\.py|.*_test\.go|.*\.(test|spec)\.[jt]sx?)$")


def in_test_code(path: str) -> bool:
    """Whether a file is test code: under a folder named as tests or fixtures are, or named as a
    test module is (`test_x.py`, `x_test.py`, `conftest.py`)."""
    parts = path.replace("\\", "/").split("/")
    return bool(_TEST_FILE.match(parts[-1])) or any(part.lower() in _TEST_FOLDERS for part in parts[:-1])


def _named_in_tests(value: object) -> bool:
    return looks_like_named_secret(value) and looks_like_secret(value)


_named_in_tests.partial = lambda text: UNKNOWN_PART not in text and _named_in_tests(text)
looks_like_named_secret.in_tests = _named_in_tests
looks_like_named_base64_secret.in_tests = lambda value: looks_like_named_base64_secret(value) and \
    looks_like_base64_secret(value)


# Credentials with a documented shape, wherever they stand in a text: AWS access key ids (not the
# documentation's, which end in EXAMPLE: the last seven characters spell anything else), PEM
# private keys with their body, and GitHub, GitLab, Slack, HashiCorp, npm, PyPI, Stripe live,
# SendGrid, DigitalOcean and OpenAI tokens (the shapes PY403 knows in Python strings).
KEY_PATTERN = (
    r"\b(?:AKIA|ASIA)[A-Z0-9]{9}(?:[A-DF-Z0-9][A-Z0-9]{6}|E[A-WYZ0-9][A-Z0-9]{5}|EX[B-Z0-9][A-Z0-9]{4}"
    r"|EXA[A-LN-Z0-9][A-Z0-9]{3}|EXAM[A-OQ-Z0-9][A-Z0-9]{2}|EXAMP[A-KM-Z0-9][A-Z0-9]|EXAMPL[A-DF-Z0-9])\b"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----\s*[A-Za-z0-9+/=]{40}"
    r"|\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,}|glpat-[A-Za-z0-9_\-]{20,}"
    r"|xox[abposr]-[A-Za-z0-9\-]{20,}|hv[sb]\.[A-Za-z0-9_\-]{24,}"
    r"|npm_[A-Za-z0-9]{36}|pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}|[sr]k_live_[A-Za-z0-9]{24,}"
    r"|SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}|do[por]_v1_[a-f0-9]{64}"
    r"|sk-[A-Za-z0-9_\-]{20,}T3BlbkFJ[A-Za-z0-9_\-]{20,})\b"
)
_KEY = re2.compile(KEY_PATTERN)
# A key's shape filled with a run of one character or a marker (`npm_XXXXXXXX...`): documentation.
_FILLER = re.compile(r"(?i)x{8}|0{8}|example|placeholder|redacted")
# `NAME=value`, `export NAME="value"`, `--name=value`, `name: value` in a script, an env file or
# cloud-init, where the name says it holds a credential; and MySQL's `-pVALUE` (no space: with one,
# the client prompts). An assignment with `=` (or `-p`) to a name that ends in the credential's word
# (DB_PASSWORD=, --password=, API_TOKEN=) is judged by looks_like_named_secret; one that only
# mentions it, or a `name: value` (also prose: "password: alphanumeric"), by looks_like_secret.
# A JSON member (`"password": "VALUE"`, a Secrets Manager SecretString, a config.json in a
# ConfigMap) is an assignment too: its quotes say the name is a key, not prose.
_ASSIGNMENT = re2.compile(
    r"(?i)(?:^|[\s;&|(])(?:export\s+|set\s+|-{1,2})?"
    r"((?:[A-Za-z_][A-Za-z0-9_.-]*)?(?:pass|pwd|secret|token|api_?key|_key)[A-Za-z0-9_]*)"
    r"[ \t]*(=|:[ \t])[ \t]*(\"[^\"\n]*\"|'[^'\n]*'|[^\s;&|\"'`]+)"
    r"|\b(?:mysql|mysqldump|mysqladmin|mariadb)\b[^\n;&|]*?[ \t](-p)(\"[^\"\n]*\"|'[^'\n]*'|[^\s;&|\"'`-][^\s;&|\"'`]*)"
    r"|\"((?:[A-Za-z_][A-Za-z0-9_.-]*)?(?:pass|pwd|secret|token|api_?key|_key)[A-Za-z0-9_]*)\"[ \t]*:[ \t]*(\"[^\"\n]*\")")
_NAMES_A_CREDENTIAL = re.compile(r"(?i)(password|passwd|pwd|pass|passphrase|secret|secret_key|token|api_?key)$|^-p$")
# Names that hold where a secret is, or something about it, not the secret itself.
_ABOUT_A_SECRET = re.compile(
    r"(?i)(_?id|_?name|_?arn|_?url|_?uri|_?path|_?file|_?dir|_?host|_?region|_?length|_?size|_?ttl|_?type"
    r"|_?version|_?header|_?field|_?param|_?parameter|_?prefix|_?location|_?ref|_?policy|_?pair)$")


# A password in a URL's user information (`postgresql://app:VALUE@db/orders`, `redis://:VALUE@cache`):
# the URL's syntax names it a password, so it is judged by looks_like_named_secret.
_URL_PASSWORD = re2.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^\s:/@'\"]*:([^\s@/'\"]+)@[^\s/'\"@]")


# The literal text a match of each of the three needs (engine.literals): most strings hold none
# of it, and an RE2 scan of every value under a template's properties costs far more than a
# substring search. Each pattern is asked only of a text holding its own literals: a name such as
# `ApiGateway` holds the assignment's `api`, not a key's `AKIA` or a URL's `://`.
# Read at first use, not at import: a start-up with the rule cache warm then reads no pattern.
@cache
def _script_needs() -> tuple:
    return tuple(literals.required(p, False) for p in (KEY_PATTERN, _URL_PASSWORD.pattern, _ASSIGNMENT.pattern))


@cache
def _gates() -> tuple:
    return tuple(None if needs is None else literals.gate(*needs) for needs in _script_needs())


@cache
def _any_gate():
    """One search for the three patterns' literals together, folded (a superset of each gate):
    nearly every string of a template holds none, and then needs no further test."""
    needs = _script_needs()
    if any(n is None for n in needs):
        return None
    return literals.gate(tuple(sorted({literal.lower() for n in needs for literal in n[0]})), True)


@cache
def _joined_gate():
    """The three patterns' literals together, folded, for texts joined by newlines (no literal
    holds one, so none is found across two texts), searched by RE2 (literals.set_gate)."""
    needs = _script_needs()
    if any(n is None for n in needs) or any("\n" in literal for n in needs for literal in n[0]):
        return None
    return literals.set_gate(tuple(sorted({literal.lower() for n in needs for literal in n[0]})), True)


def _none_script_secret(texts: list[str]) -> bool:
    """True when script_secret is false on each of these texts (and it is on anything not a
    string): one search of them all for the literals its patterns need. A resource's strings then
    cost one search, where each was a call and a search of its own (CFN503 reads every string of
    every resource, and nearly no resource holds any of the literals)."""
    gate = _joined_gate()
    return gate is not None and not gate("\n".join(texts).encode("utf-8", "surrogatepass"))


def script_secret(text: object) -> bool:
    """A script, env file or config text (user data, a container's command, a connection string)
    that holds a credential: a key or token of a known shape, a password in a URL, or an
    assignment to a credential's name of a value that looks like a real secret. Unresolved parts
    of a template (UNKNOWN_PART) are never the value."""
    if not isinstance(text, str):
        return False
    any_gate = _any_gate()
    if any_gate is not None and not any_gate(text):
        return False
    return _script_holds_secret(text, *(gate is None or gate(text) for gate in _gates()))


def key_secret(text: object) -> bool:
    """A text holding a key or token of a documented shape (KEY_PATTERN), however it is used: for
    texts where assignments are too often throwaway test values (a CI script's database password)."""
    if not isinstance(text, str):
        return False
    gate = _gates()[0]
    if gate is not None and not gate(text):
        return False
    return _holds_key(text)


key_secret.partial = key_secret  # a template's literal parts are judged the same way


def _holds_key(text: str) -> bool:
    return any(UNKNOWN_PART not in m.group() and "..." not in m.group() and not _FILLER.search(m.group())
               for m in _KEY.finditer(text))


def _script_holds_secret(text: str, keys: bool = True, urls: bool = True, assignments: bool = True) -> bool:
    """script_secret without the literal prefilter (the flags say which patterns may match)."""
    if keys and _holds_key(text):
        return True
    if urls:
        for match in _URL_PASSWORD.finditer(text):
            if UNKNOWN_PART not in match.group(1) and looks_like_named_secret(match.group(1)):
                return True
    if not assignments:
        return False
    for match in _ASSIGNMENT.finditer(text):
        if match.group(1):
            name, sign, value = match.group(1, 2, 3)
        elif match.group(6):
            name, sign, value = match.group(6), "=", match.group(7)
        else:
            name, sign, value = match.group(4), "=", match.group(5)
        if UNKNOWN_PART in value or _ABOUT_A_SECRET.search(name):
            continue
        if value[:1] in "\"'" and value[-1:] == value[:1]:
            value = value[1:-1]
        named = sign == "=" and _NAMES_A_CREDENTIAL.search(name)
        if (looks_like_named_secret if named else looks_like_secret)(value):
            return True
    return False


# A template's literal parts are judged the same way (`${var.region}` elsewhere in the script does
# not hide a key written in it).
script_secret.partial = script_secret
script_secret.none_of = _none_script_secret


def script_base64_secret(value: object) -> bool:
    """A Kubernetes Secret's `data` value holding a connection URL or env file, judged once decoded."""
    decoded = _b64decode(value)
    return decoded is not None and script_secret(decoded)
