"""`check --fix` writes: links, modes, owners and read-only files kept; no lost update; files
that changed kind or vanished between check and fix; `--dry-run` prints a patch that applies."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess

import pytest

from blastguard import fixing, runner
from blastguard.cli import main

RISKY = 'resource "aws_s3_bucket" "b" {\n  force_destroy = true\n}\n'
FIXED = RISKY.replace("= true", "= false")


def fix(capsys, *paths: str, dry_run: bool = False):
    args = ["check", "--no-config", "--select", "TF101", "--format", "json", "--fix", *paths]
    code = main(args + (["--dry-run"] if dry_run else []))
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out


def errors(out) -> dict[str, str]:
    return {os.path.basename(e["path"]): e["message"] for e in json.loads(out.out)["errors"]}


def test_symbolic_link_inside_the_checked_tree_is_followed_and_stays_a_link(tmp_path, capsys):
    (tmp_path / "real.tf").write_text(RISKY)
    os.symlink("real.tf", tmp_path / "link.tf")
    fix(capsys, str(tmp_path / "link.tf"), str(tmp_path / "real.tf"))
    assert os.readlink(tmp_path / "link.tf") == "real.tf"
    assert (tmp_path / "real.tf").read_text() == FIXED


def test_symbolic_link_out_of_the_checked_tree_is_refused(tmp_path, capsys):
    inside, outside = tmp_path / "in", tmp_path / "out"
    inside.mkdir()
    outside.mkdir()
    (outside / "t.tf").write_text(RISKY)
    os.symlink("../out/t.tf", inside / "link.tf")
    code, out = fix(capsys, str(inside))
    assert errors(out) == {"link.tf": f"symbolic link to {outside / 't.tf'}, outside the checked paths; not fixed"}
    assert (outside / "t.tf").read_text() == RISKY and os.path.islink(inside / "link.tf")


def test_hard_links_stay_one_file(tmp_path, capsys):
    (tmp_path / "a.tf").write_text(RISKY)
    os.link(tmp_path / "a.tf", tmp_path / "b.tf")
    inode = os.stat(tmp_path / "a.tf").st_ino
    fix(capsys, str(tmp_path / "a.tf"))
    assert os.stat(tmp_path / "a.tf").st_ino == os.stat(tmp_path / "b.tf").st_ino == inode
    assert (tmp_path / "b.tf").read_text() == FIXED


def test_mode_and_owner_are_kept(tmp_path, capsys):
    path = tmp_path / "a.tf"
    path.write_text(RISKY)
    os.chmod(path, 0o604)
    if os.geteuid() == 0:
        os.chown(path, 1234, 2345)
    before = os.stat(path)
    fix(capsys, str(path))
    after = os.stat(path)
    assert path.read_text() == FIXED
    assert (stat.S_IMODE(after.st_mode), after.st_uid, after.st_gid) == (0o604, before.st_uid, before.st_gid)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tf"]  # no temporary file left


def test_read_only_file_is_refused_with_an_error(tmp_path, capsys):
    path = tmp_path / "a.tf"
    path.write_text(RISKY)
    os.chmod(path, 0o444)
    code, out = fix(capsys, str(path))
    assert errors(out) == {"a.tf": "read-only file; not fixed"}
    assert path.read_text() == RISKY
    # It was checked (its finding is reported); the run fails because the fix was not written.
    assert code == 2 and [f["rule"] for f in json.loads(out.out)["findings"]] == ["TF101"]
    assert out.err == f"blastguard: error: 1 file checked but not fixed (first: {path}: read-only file; not fixed)\n"


def test_a_file_in_a_folder_that_cannot_be_fixed_fails_the_run(tmp_path, capsys):
    (tmp_path / "a.tf").write_text(RISKY)
    os.chmod(tmp_path / "a.tf", 0o444)
    code, out = fix(capsys, str(tmp_path))
    assert code == 2 and "1 file checked but not fixed" in out.err


def test_a_save_during_the_fix_is_not_overwritten(tmp_path, capsys, monkeypatch):
    path = tmp_path / "a.tf"
    path.write_text(RISKY)
    saved = RISKY + "# saved by the editor\n"
    real = fixing.fix_passes

    def save_while_computing(engine, name, data):
        path.write_text(saved)
        return real(engine, name, data)

    monkeypatch.setattr(fixing, "fix_passes", save_while_computing)
    code, out = fix(capsys, str(path))
    assert errors(out) == {"a.tf": "changed on disk while fixing; not fixed (run --fix again)"}
    assert path.read_text() == saved


def test_a_save_during_the_fix_of_a_hard_linked_file_is_not_overwritten(tmp_path, capsys, monkeypatch):
    path = tmp_path / "a.tf"
    path.write_text(RISKY)
    os.link(path, tmp_path / "b.tf")
    real = fixing.fix_passes

    def save_while_computing(engine, name, data):
        with open(path, "a") as handle:  # in place, as an editor that keeps the inode would
            handle.write("# saved\n")
        return real(engine, name, data)

    monkeypatch.setattr(fixing, "fix_passes", save_while_computing)
    code, out = fix(capsys, str(path))
    assert errors(out) == {"a.tf": "changed on disk while fixing; not fixed (run --fix again)"}
    assert path.read_text() == RISKY + "# saved\n"


@pytest.mark.parametrize("change, message", [
    ("delete", "cannot fix: no such file or directory"),
    ("folder", "not a regular file; not fixed"),
    ("fifo", "not a regular file; not fixed"),
])
def test_file_gone_or_changed_kind_between_check_and_fix(tmp_path, capsys, monkeypatch, change, message):
    path = tmp_path / "a.tf"
    path.write_text(RISKY)
    real = runner.scan

    def scan_then_change(*args, **kwargs):
        results = real(*args, **kwargs)
        path.unlink()
        if change == "folder":
            path.mkdir()
        elif change == "fifo":
            os.mkfifo(path)
        return results

    monkeypatch.setattr(runner, "scan", scan_then_change)
    code, out = fix(capsys, str(path))  # a FIFO would block an open() without O_NONBLOCK
    assert errors(out) == {"a.tf": message}


def test_unwritable_folder_is_a_one_line_error(tmp_path, capsys):
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "a.tf").write_text(RISKY)
    if os.geteuid() == 0:  # root writes through modes: only an immutable folder stops it
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("chattr +i is not available here, and root ignores folder modes")
        unlock = ["chattr", "-i", str(folder)]
    else:
        os.chmod(folder, 0o555)
        unlock = ["chmod", "755", str(folder)]
    try:
        code, out = fix(capsys, str(folder))
    finally:
        subprocess.run(unlock, check=True)
    message = errors(out)["a.tf"]
    assert message.startswith(f"cannot create a temporary file in {folder}: ") and message.endswith("; not fixed")
    assert (folder / "a.tf").read_text() == RISKY and sorted(p.name for p in folder.iterdir()) == ["a.tf"]


TEXTS = {
    "no-final-newline.tf": RISKY.rstrip("\n"),
    "crlf.tf": RISKY.replace("\n", "\r\n"),
    "cr-only.tf": RISKY.replace("\n", "\r"),
    "separators.tf": '# a\u2028b\x0cc\x1cd\x85e\n' + RISKY + '# end\u2029',
    "changed-last-line.tf": 'resource "aws_s3_bucket" "b" {\n  force_destroy = true }',
}


@pytest.mark.skipif(shutil.which("patch") is None, reason="needs the patch command")
def test_dry_run_prints_a_patch_that_applies(tmp_path, capsys, monkeypatch):
    work, copy = tmp_path / "work", tmp_path / "copy"
    work.mkdir()
    for name, text in TEXTS.items():
        (work / name).write_bytes(text.encode())
    shutil.copytree(work, copy)
    monkeypatch.chdir(work)
    code, out = fix(capsys, *sorted(TEXTS), dry_run=True)
    assert out.out.count("--- a/") == len(TEXTS)
    assert out.out.count("\\ No newline at end of file\n") == 6  # both sides of 3 files
    (tmp_path / "fix.patch").write_text(out.out)
    applied = subprocess.run(["patch", "-p1", "--binary", "-i", str(tmp_path / "fix.patch")],
                             cwd=copy, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    fix(capsys, *sorted(TEXTS))
    for name in TEXTS:
        assert (copy / name).read_bytes() == (work / name).read_bytes(), name
        assert (work / name).read_bytes() != TEXTS[name].encode(), name
