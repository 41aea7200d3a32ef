"""Run the engine over many files, on every core when the scan is large enough to gain from it."""

from __future__ import annotations

import os
import stat
import sys
from typing import Callable, Iterable, Iterator

from blastguard.engine import languages
from blastguard.engine.analyze import Engine
from blastguard.engine.model import NO_RULES, FileError, ScanResult

# Below this many bytes a second process costs more than it saves.
PARALLEL_MIN_BYTES = 2 * 1024 * 1024
_worker_engine: Engine | None = None


def read_and_analyze(engine: Engine, path: str) -> ScanResult:
    limit = engine.options.max_file_size
    try:
        info = os.stat(path)
        size = info.st_size
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            return ScanResult(path, errors=[FileError(path, "not a regular file")])
        data = None
        if languages.detect(path) is None:
            # Only the content tells (a .json plan or template): an unrelated file is skipped, not an error.
            with open(path, "rb") as handle:
                head = handle.read(limit + 1 if size <= limit else languages.SNIFF_BYTES)
            if languages.detect(path, head) is None:
                return skipped(path)
            data = head if size <= limit else None
        if size > limit:
            return ScanResult(path, errors=[FileError(
                path, f"file is {size:,} bytes, over the {limit:,}-byte limit (max_file_size)")])
        if data is None:
            with open(path, "rb") as handle:
                data = handle.read(limit + 1)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.errno == 40:  # ELOOP
            reason = "symbolic link loop"
        return ScanResult(path, errors=[FileError(path, f"cannot read: {reason}")])
    try:
        result = engine.analyze(path, data)
        result.tree = None  # only an editor reuses trees; a scan would hold every file's in memory
        return result
    except Exception as exc:  # one bad file must not end the scan
        return ScanResult(path, errors=[FileError(path, f"internal error: {type(exc).__name__}: {exc}")])


def skipped(path: str) -> ScanResult:
    """A file no rule reads. Only a name of no known kind is said (`notes.txt`, `Makefile`):
    a .json file of no checked kind is common (pre-commit names every one) and stays quiet."""
    return ScanResult(path, skipped=None if languages.candidate(path) else NO_RULES)


def _init(engine: Engine) -> None:
    global _worker_engine
    _worker_engine = engine


def _work(path: str) -> ScanResult:
    return read_and_analyze(_worker_engine, path)


def scan(engine: Engine, paths: list[str], jobs: int,
         progress: Callable[[Iterable, int], Iterable] | None = None) -> list[ScanResult]:
    """Results in the order of paths, identical whatever the number of jobs."""
    total = 0
    for path in paths:
        try:
            total += os.stat(path).st_size
        except OSError:
            pass
    wrap = progress or (lambda it, n: it)
    if jobs <= 1 or len(paths) < 2 or total < PARALLEL_MIN_BYTES:
        return list(wrap((read_and_analyze(engine, p) for p in paths), len(paths)))
    return list(wrap(_pooled(engine, paths, jobs, _context()), len(paths)))


def _context():
    import multiprocessing  # only a large scan pays for the process pool's imports

    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def _pooled(engine: Engine, paths: list[str], jobs: int, context) -> Iterator[ScanResult]:
    """Results in order from a pool of workers. A worker killed by a crash in native code (a
    grammar's segfault) breaks the pool: the files without a result are then analysed one per
    process, so the crash costs the file that caused it, reported as an error, not the run."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    chunk = max(1, len(paths) // (jobs * 8))
    done = 0
    try:
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init, initargs=(engine,)) as pool:
            for result in pool.map(_work, paths, chunksize=chunk):
                done += 1
                yield result
    except BrokenProcessPool:
        for path in paths[done:]:
            yield isolated(engine, path, context)


def isolated(engine: Engine, path: str, context=None) -> ScanResult:
    """Analyse one file in a child process; a crash there becomes the file's error."""
    context = context or _context()
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_send_result, args=(engine, path, send), daemon=True)
    child.start()
    send.close()
    try:
        result = receive.recv()
    except EOFError:  # the child died before it could answer
        result = None
    child.join()
    receive.close()
    if result is None:
        code = child.exitcode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return ScanResult(path, errors=[FileError(path, f"the parser crashed on this file ({how}); it was not checked")])
    return result


def _send_result(engine: Engine, path: str, send) -> None:
    send.send(read_and_analyze(engine, path))
    send.close()
