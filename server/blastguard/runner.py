"""Run the engine over many files, on every core when the scan is large enough to gain from it."""

from __future__ import annotations

import gc
import os
import stat
import sys
from typing import Protocol

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
                head = read_most(handle, size, limit + 1 if size <= limit else languages.SNIFF_BYTES)
            if languages.detect(path, head) is None:
                return skipped(path)
            data = head if size <= limit else None
        if size > limit:
            return ScanResult(path, errors=[FileError(
                path, f"file is {size:,} bytes, over the {limit:,}-byte limit (max_file_size)")])
        if data is None:
            with open(path, "rb") as handle:
                data = read_most(handle, size, limit + 1)
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


def read_most(handle, size: int, most: int) -> bytes:
    """Up to `most` bytes of a file opened when its size was `size`. `read(most)` would allocate
    `most` bytes (max_file_size + 1) for every file, which costs more than reading a small one;
    a file that grew since its size was taken is read on, so what is read is the same."""
    data = handle.read(min(size + 1, most))
    if size < len(data) < most:
        data += handle.read(most - len(data))
    return data


def skipped(path: str) -> ScanResult:
    """A file no rule reads. Only a name of no known kind is said (`notes.txt`, `Makefile`):
    a .json file of no checked kind is common (pre-commit names every one) and stays quiet."""
    return ScanResult(path, skipped=None if languages.candidate(path) else NO_RULES)


def _init(engine: Engine) -> None:
    global _worker_engine
    _worker_engine = engine
    keep_long_lived()


def _work(paths: list[str]) -> list[ScanResult]:
    return [read_and_analyze(_worker_engine, path) for path in paths]


class Progress(Protocol):
    def start(self, expected: int) -> None: ...
    def done(self, result: ScanResult) -> None: ...


def expected(paths: list[str]) -> int:
    """How many of paths will be checked, as far as names and the first bytes tell (a YAML file
    of no known kind still counts; the progress bar takes it off when its result comes)."""
    count = 0
    for path in paths:
        if languages.detect(path) is not None:
            count += 1
            continue
        try:
            with open(path, "rb") as handle:
                count += languages.detect(path, handle.read(languages.SNIFF_BYTES)) is not None
        except OSError:
            count += 1  # reported as an error, which counts as checked
    return count


def keep_long_lived() -> None:
    """Keep the cyclic collector off what lives as long as the process (rules, grammars, caches)
    and let it run less often: analysis makes many short-lived objects, nearly all freed by
    reference counting, and each collection walked the rules again (5-10% of a YAML scan)."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def scan(engine: Engine, paths: list[str], jobs: int, progress: Progress | None = None) -> list[ScanResult]:
    """Results in the order of paths, identical whatever the number of jobs; `progress` hears of
    each file as soon as it is done, in whatever order the workers finish them."""
    keep_long_lived()  # the workers, forked or spawned, set it in _init
    total = 0
    for path in paths:
        try:
            total += os.stat(path).st_size
        except OSError:
            pass
    if progress is not None:
        progress.start(expected(paths))
    report = progress.done if progress is not None else (lambda result: None)
    if jobs <= 1 or len(paths) < 2 or total < PARALLEL_MIN_BYTES:
        results = []
        for path in paths:
            results.append(read_and_analyze(engine, path))
            report(results[-1])
        return results
    return _pooled(engine, paths, jobs, _context(), report)


def _context():
    import multiprocessing  # only a large scan pays for the process pool's imports

    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def _pooled(engine: Engine, paths: list[str], jobs: int, context, report) -> list[ScanResult]:
    """Results in path order from a pool of workers, reported as each chunk completes. A worker
    killed by a crash in native code (a grammar's segfault) breaks the pool: the files without a
    result are then analysed one per process, so the crash costs the file that caused it,
    reported as an error, not the run."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    # Small chunks: the bar moves steadily, and a slow file holds back only its own chunk.
    size = max(1, min(16, len(paths) // (jobs * 8)))
    chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
    done: list[list[ScanResult] | None] = [None] * len(chunks)
    try:
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init, initargs=(engine,)) as pool:
            futures = {pool.submit(_work, chunk): index for index, chunk in enumerate(chunks)}
            for future in as_completed(futures):
                chunk_results = done[futures[future]] = future.result()
                for result in chunk_results:
                    report(result)
    except BrokenProcessPool:
        for index, chunk in enumerate(chunks):
            if done[index] is None:
                done[index] = [isolated(engine, path, context) for path in chunk]
                for result in done[index]:
                    report(result)
    return [result for chunk_results in done for result in chunk_results]


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
