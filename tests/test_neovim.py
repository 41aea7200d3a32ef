"""The Neovim client (clients/neovim) end to end: a real, headless Neovim starts `blastguard lsp`,
shows its diagnostics on the risky Terraform and Kubernetes examples and applies a quick fix.

Neovim comes from Debian's packages (.ci/run installs it; Debian 12 ships 0.7.2, which takes the
vim.lsp.start_client path). Without `nvim` on PATH the tests skip, except under CI, where a
missing Neovim means the install step broke.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

CLIENT = ROOT / "clients" / "neovim"
SCRIPTS = Path(__file__).parent / "neovim"
NVIM = shutil.which("nvim")
TIMEOUT_S = 120  # the whole Neovim run; the script itself waits at most 20 s for each step

# What `blastguard check --format json` reports for the two examples (asserted below too).
RISKY_TF = {
    ("TF501", 6), ("TF501", 7), ("TF101", 12), ("TF402", 17), ("TF403", 22), ("TF403", 23),
    ("TF103", 35), ("TF102", 36), ("TF104", 37), ("TF306", 38), ("TF301", 49), ("TF201", 59),
    ("TF211", 67), ("TF213", 72), ("TF301", 83),
}
RISKY_K8S = {
    ("K8S101", 52), ("K8S102", 90), ("K8S103", 59), ("K8S104", 63), ("K8S106", 84), ("K8S109", 47),
    ("K8S111", 89), ("K8S205", 31), ("K8S207", 28), ("K8S208", 20),
}
FIX_LINE = 12  # `  force_destroy = true` in risky.tf

pytestmark = pytest.mark.skipif(
    NVIM is None and not os.environ.get("CI"),
    reason="nvim is not on PATH (install Neovim, e.g. `apt-get install neovim`, to run the Neovim client tests)")


def _blastguard_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "blastguard"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "blastguard"]


def _nvim() -> str:
    if NVIM is None:  # only reached under CI
        pytest.fail("nvim is not on PATH under CI: .ci/run should have installed Debian's neovim package")
    return NVIM


def _run_nvim(tmp_path: Path, script: str, env_extra: dict[str, str]) -> tuple[subprocess.CompletedProcess, float]:
    """Run a Lua script in a headless Neovim with clients/neovim on 'runtimepath'; its own
    config, data, state and cache folders live under tmp_path (the LSP log among them)."""
    xdg = tmp_path / "xdg"
    env = {**os.environ, **env_extra}
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(xdg / name.lower())
    args = [_nvim(), "--headless", "--clean", "-n",
            "--cmd", f"set runtimepath^={CLIENT}",
            "-c", f"luafile {SCRIPTS / script}"]
    started = time.monotonic()
    try:
        proc = subprocess.run(args, cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"nvim did not finish within {TIMEOUT_S} s\nstdout: {exc.stdout}\nstderr: {exc.stderr}"
                    f"\n{_lsp_log(xdg)}")
    return proc, time.monotonic() - started


def _lsp_log(xdg: Path) -> str:
    logs = sorted(xdg.rglob("lsp.log"))
    return "\n".join(f"{log}:\n{log.read_text(errors='replace')[-4000:]}" for log in logs) or "(no lsp.log)"


def _result(tmp_path: Path, proc: subprocess.CompletedProcess, out: Path) -> dict:
    context = (f"nvim exited {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}\n"
               f"{_lsp_log(tmp_path / 'xdg')}")
    assert out.exists(), context
    result = json.loads(out.read_text())
    assert proc.returncode == 0 and "error" not in result, f"{result.get('error')}\n{context}"
    return result


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "terraform" / "risky.tf", project / "risky.tf")
    shutil.copy(ROOT / "examples" / "kubernetes" / "risky.yaml", project / "risky.yaml")
    return project


def _e2e(tmp_path: Path, **params) -> tuple[dict, float, Path]:
    project = _project(tmp_path)
    out = tmp_path / "result.json"
    params = {"cmd": _blastguard_cmd() + ["lsp", "--debounce-ms", "0"],
              "files": [str(project / "risky.tf"), str(project / "risky.yaml")],
              "timeout_ms": 20_000, "out": str(out), **params}
    proc, seconds = _run_nvim(tmp_path, "e2e.lua", {"BLASTGUARD_NVIM_TEST": json.dumps(params)})
    return _result(tmp_path, proc, out), seconds, project


def _cli_findings(path: Path) -> set[tuple[str, int, int]]:
    proc = subprocess.run(_blastguard_cmd() + ["check", "--no-config", "--format", "json", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode in (0, 1), proc.stderr
    return {(f["rule"], f["start"]["line"], f["start"]["column"]) for f in json.loads(proc.stdout)["findings"]}


def _pairs(rows: list[dict]) -> set[tuple[str, int]]:
    return {(row["rule"], row["line"]) for row in rows}


def test_diagnostics_and_quick_fix_in_a_real_neovim(tmp_path):
    original = (ROOT / "examples" / "terraform" / "risky.tf").read_text().splitlines()
    assert original[FIX_LINE - 1] == "  force_destroy = true"
    result, seconds, project = _e2e(tmp_path, fix={"path": str(tmp_path / "project" / "risky.tf"),
                                                   "rule": "TF101", "line": FIX_LINE})
    tf = result["files"][str(project / "risky.tf")]
    k8s = result["files"][str(project / "risky.yaml")]
    context = json.dumps(result, indent=1)

    # Both buffers got the blastguard client, one client for the one root (the .git folder).
    assert result["waited"], f"no diagnostics within 20 s\n{context}"
    assert (tf["filetype"], k8s["filetype"]) == ("terraform", "yaml")
    assert tf["client"] == k8s["client"] == "blastguard", context
    assert result["client_roots"] == [str(project)], context

    # Exactly what the CLI reports, rule and line (and column, so positions convert right).
    assert _pairs(tf["diagnostics"]) == RISKY_TF, context
    assert _pairs(k8s["diagnostics"]) == RISKY_K8S, context
    for path, rows in ((project / "risky.tf", tf["diagnostics"]), (project / "risky.yaml", k8s["diagnostics"])):
        assert {(r["rule"], r["line"], r["col"]) for r in rows} == _cli_findings(path), path
        assert len(rows) == len({(r["rule"], r["line"], r["col"]) for r in rows}), rows

    # The preferred quick fix, requested through textDocument/codeAction and applied.
    assert result["applied"] == "Set force_destroy = false (TF101)", context
    assert {"title": "Suppress TF101 on this line", "kind": "quickfix", "isPreferred": False} in result["actions"]
    after = result["lines_after_fix"]
    assert after[FIX_LINE - 1] == "  force_destroy = false"
    assert after[:FIX_LINE - 1] + after[FIX_LINE:] == original[:FIX_LINE - 1] + original[FIX_LINE:]
    # The server saw the edit and dropped the finding; the file on disk is untouched.
    assert result["republished"], context
    assert _pairs(result["diagnostics_after_fix"]) == RISKY_TF - {("TF101", FIX_LINE)}, context
    assert (project / "risky.tf").read_text().splitlines() == original
    print(f"neovim {result['nvim']} ({result['api']}): diagnostics after {result['wait_ms']} ms, "
          f"whole run {seconds:.1f} s")


def test_settings_reach_the_server(tmp_path):
    # The section itself (not wrapped in {blastguard = ...}): setup() wraps it.
    result, _, project = _e2e(tmp_path, settings={"ignore": ["TF501", "K8S1"], "severity": {"TF101": "error"}})
    context = json.dumps(result, indent=1)
    assert result["waited"], context
    tf = result["files"][str(project / "risky.tf")]["diagnostics"]
    k8s = result["files"][str(project / "risky.yaml")]["diagnostics"]
    assert _pairs(tf) == {p for p in RISKY_TF if p[0] != "TF501"}, context
    assert _pairs(k8s) == {p for p in RISKY_K8S if not p[0].startswith("K8S1")}, context
    assert [r["severity"] for r in tf if r["rule"] == "TF101"] == [1], context  # 1 = Error
    assert result["notifications"] == [] and result["messages"] == [], context


@pytest.mark.parametrize("setup", [
    # Explicit init_options: the settings then follow in workspace/didChangeConfiguration (0.7
    # does not answer workspace/configuration) and replace them.
    {"settings": {"blastguard": {"ignore": ["TF501"]}}, "init_options": {"ignore": ["K8S1"]}},
    # Empty tables, which Neovim would send as JSON arrays: left out, so the defaults hold.
    {"settings": {"blastguard": {"severity": {}}}, "init_options": {}},
], ids=["pushed", "empty"])
def test_settings_variants(tmp_path, setup):
    result, _, project = _e2e(tmp_path, **setup)
    context = json.dumps(result, indent=1)
    assert result["waited"] and result["messages"] == [], context
    ignored = setup["settings"]["blastguard"].get("ignore", [])
    tf = result["files"][str(project / "risky.tf")]["diagnostics"]
    k8s = result["files"][str(project / "risky.yaml")]["diagnostics"]
    assert _pairs(tf) == {p for p in RISKY_TF if p[0] not in ignored}, context
    assert _pairs(k8s) == RISKY_K8S, context


def test_bad_settings_are_reported_once(tmp_path):
    result, _, project = _e2e(tmp_path, files=[str(tmp_path / "project" / "risky.tf")],
                              settings={"blastguard": {"ignore": ["TF501"], "bogus": 1}})
    context = json.dumps(result, indent=1)
    # One message naming the bad key (sent once: as initializationOptions, not pushed again);
    # whether the server then keeps the good keys (TF501 ignored) or none is its policy.
    assert len(result["messages"]) == 1 and "bogus" in result["messages"][0]["message"], context
    tf = _pairs(result["files"][str(project / "risky.tf")]["diagnostics"])
    assert {p for p in tf if p[0] != "TF501"} == {p for p in RISKY_TF if p[0] != "TF501"}, context


def test_every_setup_path_and_the_shipped_configs(tmp_path):
    """The 0.8+ (vim.lsp.start) and 0.11+ (vim.lsp.config/enable) paths and the nvim-lspconfig
    entry, run on this Neovim against recording stand-ins for those APIs; lsp/blastguard.lua
    loaded and compared with the module's defaults."""
    out = tmp_path / "paths.json"
    (tmp_path / "project" / ".git").mkdir(parents=True)
    (tmp_path / "project" / "sub").mkdir()
    (tmp_path / "project" / "sub" / ".blastguard.yaml").write_text("ignore: []\n")
    for name in ("main.tf", "sub/main.tf", "docker-compose.blastguard-test", "notes.txt"):
        (tmp_path / "project" / name).write_text('resource "aws_s3_bucket" "b" {}\n')  # not empty: else filetype "tf"
    proc, _ = _run_nvim(tmp_path, "paths.lua", {"BLASTGUARD_NVIM_TEST": json.dumps({
        "out": str(out), "project": str(tmp_path / "project"), "client": str(CLIENT)})})
    result = _result(tmp_path, proc, out)
    failures = [check for check in result["checks"] if not check["ok"]]
    assert result["checks"] and not failures, json.dumps(failures, indent=1)


PASTED = [  # ten lines, as an assistant's suggestion lands: one change
    'resource "aws_s3_bucket" "pasted" {',
    '  bucket        = "pasted-logs"',
    "  force_destroy = true",
    "  tags = {",
    '    team  = "data"',
    '    owner = "ops"',
    '    env   = "prod"',
    '    cost  = "42"',
    "  }",
    "}",
]


def test_review_an_inserted_block_in_a_real_neovim(tmp_path):
    project = tmp_path / "project"
    result, _, _ = _e2e(tmp_path, files=[str(project / "risky.tf")],
                        review={"path": str(project / "risky.tf"), "line": 1, "lines": PASTED})
    context = json.dumps(result, indent=1)
    assert result["review_waited"], context
    # The one finding of the pasted block, on its line, naming the block; nothing else does.
    (finding,) = result["block_diagnostics"]
    assert (finding["rule"], finding["line"]) == ("TF101", 3), context
    assert re.search(r"\[in a block inserted at \d\d:\d\d \(10 lines\)\]$", finding["message"]), context
    assert {"Review inserted block (10 lines)", "Show what this block destroys"} <= set(result["review_actions"])
    # The client's command selected the block's lines in Visual line mode.
    assert result["review_mode"] == "V" and result["review_selection"] == [1, 10], context
    # The server's command answered with the report and showed it.
    assert result["report"].startswith("Blastguard: the block inserted at "), context
    assert "lines 1-10" in result["report"] and "TF101" in result["report"], context
    assert [m["message"] for m in result["messages"]] == [result["report"]], context
