"""A cache of parsed, validated rule files, keyed by their bytes and the package version."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from blastguard import __version__

# Bump when the cached layout changes; the package version alone would miss a dev build.
FORMAT = 2
KEEP = 8  # cache files kept; one per distinct set of rule folders in use


def cache_dir() -> Path | None:
    """Where cache files live, or None when caching is off (BLASTGUARD_NO_CACHE=1)."""
    if os.environ.get("BLASTGUARD_NO_CACHE"):
        return None
    override = os.environ.get("BLASTGUARD_CACHE_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "blastguard"


def key_of(files: list[tuple[Path, bytes]], extra: bytes) -> str:
    """A digest of every rule file's path and bytes, the schema and the package version:
    a cache entry is used only for exactly the rules and the code that wrote it."""
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0".encode())
    digest.update(extra)
    for path, data in files:
        digest.update(b"\0" + str(path).encode("utf-8", "surrogateescape") + b"\0")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def read(key: str) -> tuple[list[dict], object] | None:
    """The cached rule documents for this key and what was stored beside them (`write`'s
    `derived`, checked by its reader); None when absent, stale or damaged."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(folder / f"rules-{key}.json", "rb") as handle:
            entry = json.loads(handle.read())
    except (OSError, ValueError):
        return None
    # The file name could be copied or truncated by anything: trust only what it says itself.
    if not isinstance(entry, dict) or entry.get("key") != key or entry.get("version") != __version__:
        return None
    documents = entry.get("rules")
    if not isinstance(documents, list) or not all(isinstance(d, dict) for d in documents):
        return None
    return documents, entry.get("derived")


def write(key: str, documents: list[dict], derived: object = None) -> None:
    """Store atomically, with `derived`: what was computed from these rules and is as valid as
    they are. A cache that cannot be written is simply not used."""
    folder = cache_dir()
    if folder is None:
        return
    payload = json.dumps({"key": key, "version": __version__, "rules": documents,
                          "derived": derived}).encode()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        import tempfile  # with shutil, bz2 and lzma: only when the cache is written

        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".rules-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
            os.replace(tmp, folder / f"rules-{key}.json")
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        _prune(folder)
    except OSError:
        pass


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("rules-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        try:
            old.unlink()
        except OSError:
            pass
