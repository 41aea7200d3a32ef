"""An open document's text at the base revision (`git cat-file` of the workspace's own repository), read off the event loop."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("blastguard.lsp")

GIT_TIMEOUT_S = 5.0
# Nothing the repository configures may run: no fsmonitor hook, no pager, no lazy fetch of a
# partial clone's missing blobs, no credential prompt, no lock taken on the user's index.
_GIT = ["git", "--no-pager", "-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false"]
_ENV_SET = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "GIT_NO_LAZY_FETCH": "1", "LC_ALL": "C"}


def _env() -> dict[str, str]:
    # GIT_DIR and friends from the server's own environment (a server started from a hook)
    # would point git at some other repository than the document's.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(_ENV_SET)
    return env


def git(args: list[str], cwd: Path, absent_ok: bool = False) -> bytes | None:
    """git's standard output; None when it fails, is missing or takes too long. With
    `absent_ok`, exit status 1 (what `rev-parse --verify --quiet` says of a name that does not
    exist) gives b"" instead."""
    try:
        done = subprocess.run(_GIT + args, cwd=cwd, env=_env(), stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=GIT_TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("git %s failed: %s", args[0], exc)
        return None
    if done.returncode == 1 and absent_ok:
        return b""
    return done.stdout if done.returncode == 0 else None


@dataclass(frozen=True, slots=True)
class BaseText:
    """A document at the base: its blob id and bytes, or (None, None) when the file is new since then."""

    base: str
    blob: str | None
    data: bytes | None


class BaseVersions:
    """Reads documents at `base` from the git repository holding the workspace root; never any
    other repository, and only for documents inside the root. Git runs on its own thread, one
    call after another, each with a timeout, so a slow repository delays only the comparison."""

    def __init__(self) -> None:
        self.root: Path | None = None
        self.base = ""
        self._top: Path | None = None  # the repository's work tree, once found
        self._looked = False
        self._commit: str | None = None  # what `base` names, until HEAD moves
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="blastguard-git")

    def configure(self, root: Path | None, base: str) -> bool:
        """True when the root or base changed (every document must be read again)."""
        if (root, base) == (self.root, self.base):
            return False
        if root != self.root:
            self._top, self._looked = None, False
        self.root, self.base, self._commit = root, base, None
        return True

    def moved(self) -> None:
        """The branch or HEAD moved: resolve the base again on the next read."""
        self._commit = None

    async def read(self, path: str) -> BaseText | None:
        """The document at the base, or None when there is nothing to compare with (no base
        set, no repository, a file outside the workspace, git failing)."""
        if not self.base or self.root is None:
            return None
        return await asyncio.get_running_loop().run_in_executor(self.executor, self._read, path)

    def _read(self, path: str) -> BaseText | None:
        top = self._toplevel()
        if top is None:
            return None
        try:
            resolved = Path(path).resolve()
            resolved.relative_to(self.root.resolve())
            relative = resolved.relative_to(top).as_posix()
        except (ValueError, OSError):
            return None
        commit = self._resolve()
        if commit is None:
            return None
        found = git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{commit}:{relative}"], top, True)
        if found is None:
            return None
        if not found:
            return BaseText(self.base, None, None)  # not in the base commit: a new file
        blob = found.decode().strip()
        # cat-file of a blob id: the stored bytes, without textconv or filters (which could run
        # commands the repository configures).
        data = git(["cat-file", "blob", blob], top)
        if data is None:
            return None  # a submodule or directory at that path, or git failing
        return BaseText(self.base, blob, data)

    def _toplevel(self) -> Path | None:
        if not self._looked:
            self._looked = True
            out = git(["rev-parse", "--show-toplevel"], self.root) if self.root.is_dir() else None
            self._top = Path(out.decode().strip()).resolve() if out else None
        return self._top

    def _resolve(self) -> str | None:
        if self._commit is None:
            out = git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{self.base}^{{commit}}"], self._top)
            if out is None:
                log.warning("diffBase %r is not a commit in %s: nothing to compare with", self.base, self._top)
                return None
            self._commit = out.decode().strip()
        return self._commit

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
