"""Simple data flow in Python: module-level constants and environment lookups with a default."""

from __future__ import annotations


def _found(engine, text: str) -> set[tuple[str, int]]:
    result = engine.analyze("tool.py", text.encode())
    assert not result.errors, result.errors
    return {(f.rule, f.start.line) for f in result.findings}


def test_a_module_constant_is_read_where_it_is_used_and_reported_where_written(engine):
    text = '''import shutil
import requests

TARGET = "/"
VERIFY = False


def reset():
    shutil.rmtree(TARGET)
    requests.get("https://api.acme.internal", verify=VERIFY)
'''
    # Reported at the literal, as Terraform locals are: a fix edits the definition.
    assert {f for f in _found(engine, text) if f[0] in ("PY201", "PY301")} == {("PY201", 4), ("PY301", 5)}


def test_names_that_are_not_constants_stay_unknown(engine):
    text = '''import shutil

TARGET = "/"
TARGET = "/tmp/scratch"
ROOT = "/"
lower = "/"


def reset(ROOT):
    shutil.rmtree(TARGET)
    shutil.rmtree(ROOT)
    shutil.rmtree(lower)
'''
    assert not {f for f in _found(engine, text) if f[0] == "PY201"}


def test_an_environment_lookup_is_its_default_when_unset(engine):
    text = '''import os
import shutil

shutil.rmtree(os.environ.get("WORK_DIR", "/"))
shutil.rmtree(os.getenv("WORK_DIR", default="/home"))
shutil.rmtree(os.getenv("WORK_DIR", "/tmp/work"))
shutil.rmtree(os.getenv("WORK_DIR"))
'''
    found = _found(engine, text)
    assert {f for f in found if f[0] == "PY201"} == {("PY201", 4), ("PY201", 5)}


def test_a_fix_never_removes_a_constant_that_other_code_reads(engine):
    # The finding is at the constant's literal; removing it would leave `VERIFY =`, and any
    # edit there changes every reader, so no fix is offered for it.
    text = '''import requests

VERIFY = False


def fetch():
    requests.get("https://api.acme.internal", verify=VERIFY)
    requests.post("https://api.acme.internal", verify=VERIFY)
'''
    findings = engine.analyze("tool.py", text.encode()).findings
    assert {(f.rule, f.start.line, f.fix) for f in findings if f.rule == "PY301"} == {("PY301", 3, None)}
    inline = text.replace("verify=VERIFY)\n    requests.post", "verify=False)\n    requests.post")
    fixed = {(f.rule, f.start.line, f.fix is not None) for f in engine.analyze("tool.py", inline.encode()).findings
             if f.rule == "PY301"}
    assert fixed == {("PY301", 3, False), ("PY301", 7, True)}


def test_a_constant_reached_from_its_name_and_from_a_call_is_reported_once(engine):
    text = '''import ssl

KEY_PASSWORD = "hunter2hunter2"
ctx = ssl.create_default_context()
ctx.load_cert_chain("client.pem", password=KEY_PASSWORD)
'''
    result = engine.analyze("tool.py", text.encode())
    # Found from the constant's name (line 3 from column 1) and from the keyword (the literal):
    # one finding, the wider span.
    assert [(f.rule, f.start.line, f.start.column) for f in result.findings] == [("PY404", 3, 1)]


def test_constants_holding_an_environment_default_or_an_imported_name(engine):
    text = '''import os
import shutil
import ssl

WORK_DIR = os.environ.get("WORK_DIR", "/")
PROTOCOL = ssl.PROTOCOL_TLSv1
SCRATCH = os.environ.get("SCRATCH", "/tmp/scratch")
MODE = ssl.PROTOCOL_TLS_CLIENT


def reset():
    shutil.rmtree(WORK_DIR)
    shutil.rmtree(SCRATCH)
    ssl.SSLContext(PROTOCOL)
    ssl.SSLContext(MODE)
'''
    # Reported where the constant is written, as for literals.
    assert {f for f in _found(engine, text) if f[0] in ("PY201", "PY305")} == {("PY201", 5), ("PY305", 6)}


def test_items_stored_under_a_literal_key_are_named_by_it(engine):
    text = '''import os

os.environ["DB_PASSWORD"] = "Lq4!zN8rWx2e"
app.config["SECRET_KEY"] = "Zr8$kW3nBv6t"
settings[key] = "Zr8$kW3nBv6t"
settings["db"]["password"] = "Zr8$kW3nBv6t"
'''
    # A computed key names nothing, nor does an item of an item (its object is not a name).
    assert _found(engine, text) == {("PY404", 3), ("PY404", 4)}


def test_a_parameter_default_is_what_calls_without_it_use(engine):
    text = '''import shutil


def connect(host,
            password="Lq4!zN8rWx2e",
            timeout=30):
    return host


def clean(path="/", keep=False, *, token="string"):
    shutil.rmtree(path)


lambda_ok = lambda password="Lq4!zN8rWx2e": password
'''
    # Parameters are not constants: `rmtree(path)` stays unknown (PY202's business, not PY201's).
    assert {f for f in _found(engine, text) if f[0] in ("PY404", "PY201")} == {("PY404", 5)}
