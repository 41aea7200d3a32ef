"""Write a fixed file back over the text it was computed from, keeping the file's identity.

The usual case (one link, an owner we can keep) is an atomic replace: a temporary file in the
same folder with the original's mode and owner, renamed over it. A replace would give the path a
new inode, so a file with several hard links, or whose owner we could not give back, is
rewritten in place instead (through one descriptor; not atomic, which is the price of keeping the
other links and the owner). A symbolic link is followed when its target lies inside the checked
paths, and the target's path is replaced (the link stays a link). Just before writing, the file
is read again: if a save landed while the fix was computed, the file is left alone.
"""

from __future__ import annotations

import os
import stat


class WriteRefused(OSError):
    """A file that was not written (or read), with a one-line reason."""


def read_regular(path: str) -> tuple[bytes, os.stat_result]:
    """A regular file's bytes and status, read without blocking (a FIFO put in the file's place
    must not hang the run) and refused when the path is no longer a regular file."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise WriteRefused("not a regular file any more; not fixed")
        return _read_all(fd), info
    finally:
        os.close(fd)


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def target_of(path: str, roots: list[str] | None) -> str:
    """The path to write: `path`, or the file a symbolic link on the way leads to when that
    file lies inside one of the checked `roots` (None: anywhere)."""
    real = os.path.realpath(path)
    if real == os.path.abspath(path) or roots is None:
        return real
    for root in roots:
        top = os.path.realpath(root)
        if real == top or real.startswith(top.rstrip(os.sep) + os.sep):
            return real
    raise WriteRefused(f"symbolic link to {real}, outside the checked paths; not fixed")


def check_writable(path: str) -> os.stat_result:
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise WriteRefused("not a regular file; not fixed")
    # Root may write anything, so the mode says whether the owner meant it to be written.
    if not info.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise WriteRefused("read-only file; not fixed")
    return info


def replace(path: str, original: bytes, data: bytes, read: os.stat_result | None = None) -> None:
    """Write `data` to `path` (no symbolic link: see target_of) if it still holds `original`
    (and is still the file `read` describes, when given)."""
    info = check_writable(path)
    if read is not None and (read.st_dev, read.st_ino) != (info.st_dev, info.st_ino):
        raise WriteRefused("replaced on disk while fixing; not fixed (run --fix again)")
    if info.st_nlink == 1 and (os.geteuid() == 0 or info.st_uid == os.geteuid()):
        if _replace_atomically(path, info, original, data):
            return
    _rewrite_in_place(path, info, original, data)


def _replace_atomically(path: str, info: os.stat_result, original: bytes, data: bytes) -> bool:
    """Temporary file + rename; False when the owner cannot be given back (then the caller
    rewrites in place)."""
    folder, name = os.path.split(path)
    try:
        import tempfile  # with shutil, bz2 and lzma: only when a file is written

        fd, tmp = tempfile.mkstemp(dir=folder or ".", prefix=f".{name}.", suffix=".blastguard")
    except OSError as exc:
        raise WriteRefused(f"cannot create a temporary file in {folder or '.'}: {exc.strerror}; not fixed") from None
    try:
        try:
            os.fchown(fd, info.st_uid, info.st_gid)
        except PermissionError:
            return False  # e.g. a group we are not in: the replaced file would change group
        os.fchmod(fd, stat.S_IMODE(info.st_mode))
        _write_all(fd, data)
        os.fsync(fd)
        _unchanged(path, info, original)
        os.replace(tmp, path)
        tmp = None
        return True
    finally:
        os.close(fd)
        if tmp is not None:
            os.unlink(tmp)


def _rewrite_in_place(path: str, info: os.stat_result, original: bytes, data: bytes) -> None:
    fd = os.open(path, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
            raise WriteRefused("replaced on disk while fixing; not fixed (run --fix again)")
        if _read_all(fd) != original:
            raise WriteRefused("changed on disk while fixing; not fixed (run --fix again)")
        os.lseek(fd, 0, os.SEEK_SET)
        _write_all(fd, data)
        os.ftruncate(fd, len(data))
        os.fsync(fd)
    finally:
        os.close(fd)


def _unchanged(path: str, info: os.stat_result, original: bytes) -> None:
    """The lost-update guard: the file still is the one read, with the same bytes."""
    try:
        current, now = read_regular(path)
    except FileNotFoundError:
        raise WriteRefused("deleted while fixing; not fixed") from None
    if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
        raise WriteRefused("replaced on disk while fixing; not fixed (run --fix again)")
    if current != original:
        raise WriteRefused("changed on disk while fixing; not fixed (run --fix again)")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
