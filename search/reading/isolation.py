"""Reading report files in worker processes, so that no file can take the reader down or hold it.

The readers refuse what they can see (``limits``), but pdfium and libxml2 are native code: a hostile
PDF can make pdfium abort the process (SIGABRT) or allocate without end, where Python has no
exception to catch. ``ReaderPool`` reads each file in a worker process that has an address-space
limit (``read_memory_mb``, RLIMIT_AS) and a wall-time limit per file (``read_timeout``). A worker
that dies or overruns is killed and replaced, and its file refused with one line; the other files
go on. Workers are started once per pool (forked from a server that has the readers imported, so
starting or replacing one costs milliseconds) and read file after file; only a path goes to a worker,
and a ``Report`` comes back.

    with ReaderPool(processes=2) as pool:
        for path, (report, refusal) in zip(files, pool.read_many(files, overrides, root=folder)):
            ...

``read_report_isolated(path)`` reads one file in a pool shared by the process.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import wait
from pathlib import Path

from .. import settings
from ..documents import Report
from ..errors import ReportError

TIMEOUT = "{name}：读取超时（超过 {seconds:g} 秒，设置 read_timeout），文件可能已损坏或是恶意构造的；已跳过这个文件。"
CRASHED = "{name}：读取时进程异常退出（{how}），文件可能已损坏或是恶意构造的；已跳过这个文件。"
OUT_OF_MEMORY = ("{name}：读取所需的内存超过了上限 {mb} MB（设置 read_memory_mb），文件可能已损坏或是恶意构造的；"
                 "已跳过这个文件。")
# Imported once in the fork server, so that every worker starts with the readers loaded.
PRELOAD = ["search.reading", "search.reading.sniff", "search.reading.isolation"]
ENV_PREFIX = "POLICY_SEARCH_"

Outcome = tuple[Report | None, str | None]


def read_one(path: str, overrides, root: str | None) -> Report:
    """What a worker runs for each file by default."""
    from . import read_report

    return read_report(Path(path), overrides, Path(root) if root is not None else None)


def inspect_one(path: str, overrides, root: str | None) -> dict:
    """What a worker runs for ``policy-search inspect``: the file's inspection (plain data)."""
    from . import inspect

    return inspect(Path(path), overrides, root=Path(root) if root is not None else None)


class ReaderPool:
    """Worker processes that read report files, each file bounded in wall time and memory.

    ``processes`` workers at most (default: one per core), started when first needed and reused for
    every later file; ``timeout`` seconds and ``memory_mb`` of address space per file (defaults: the
    settings read_timeout and read_memory_mb). ``reader`` is the function a worker calls with
    (path, overrides, root): a module-level function, sent by name."""

    def __init__(self, processes: int | None = None, timeout: float | None = None, memory_mb: int | None = None,
                 reader: Callable = read_one):
        self.processes = max(1, processes or os.cpu_count() or 1)
        self.timeout = float(timeout if timeout is not None else settings.get("read_timeout"))
        self.memory_mb = int(memory_mb if memory_mb is not None else settings.get("read_memory_mb"))
        self.reader = reader
        self._idle: list[_Worker] = []  # a busy worker is in no list: read_many holds it until it answers

    def read(self, path: Path, overrides=None, root: Path | None = None) -> Report:
        """One file's report, or ReportError saying why it is refused (timeouts and crashes included)."""
        [(report, refusal)] = list(self.read_many([path], overrides, root))
        if refusal is not None:
            raise ReportError(refusal)
        return report

    def read_many(self, paths: Iterable[Path], overrides=None, root: Path | dict | None = None) -> Iterator[Outcome]:
        """(report, None) or (None, refusal) for each path, in the order given, read ``processes``
        files at a time. Stopping early kills the workers still reading. ``overrides``: one for
        every file, or a dict of them by path (as str), as a manifest gives them; ``root`` too
        (files from several folders)."""
        paths = [Path(p) for p in paths]
        env = {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIX)}
        busy: dict[_Worker, tuple[int, float]] = {}  # worker: (index of its file, when it must have answered)
        done: dict[int, Outcome] = {}
        sent = emitted = 0
        try:
            while emitted < len(paths):
                while sent < len(paths) and len(busy) < self.processes:
                    said = overrides.get(str(paths[sent])) if isinstance(overrides, dict) else overrides
                    folder = root.get(str(paths[sent])) if isinstance(root, dict) else root
                    worker = self._send((self.reader, str(paths[sent]), said,
                                         str(folder) if folder is not None else None, env))
                    busy[worker] = (sent, time.monotonic() + self.timeout)
                    sent += 1
                if emitted not in done:
                    self._collect(busy, done, paths)
                while emitted in done:
                    yield done.pop(emitted)
                    emitted += 1
        finally:
            for worker in busy:
                worker.kill()

    def close(self) -> None:
        for worker in self._idle:
            worker.stop()
        self._idle.clear()

    def __enter__(self) -> ReaderPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _send(self, job) -> _Worker:
        """Hand a job to an idle worker, starting one when none is idle or the idle one has died."""
        while True:
            try:
                worker = self._idle.pop()
            except IndexError:
                break
            with contextlib.suppress(OSError, EOFError):
                worker.conn.send(job)
                return worker
            worker.kill()
        worker = _Worker(self.memory_mb)
        worker.conn.send(job)
        return worker

    def _collect(self, busy: dict, done: dict, paths: list[Path]) -> None:
        """Wait for the next worker to answer, die or overrun, and record its file's outcome."""
        first_deadline = min(deadline for _, deadline in busy.values())
        ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy],
                         max(0.0, first_deadline - time.monotonic())))
        now = time.monotonic()
        for worker, (index, deadline) in list(busy.items()):
            name = paths[index].name
            outcome = None
            if worker.conn in ready or worker.process.sentinel in ready:
                outcome = worker.reply(name, self.memory_mb)
                if outcome is None:  # died without answering
                    outcome = (None, CRASHED.format(name=name, how=worker.how_it_ended()))
                if worker.retiring or not worker.process.is_alive():
                    worker.kill()
                else:
                    self._idle.append(worker)
            elif now >= deadline:
                worker.kill()
                outcome = (None, TIMEOUT.format(name=name, seconds=self.timeout))
            if outcome is not None:
                del busy[worker]
                done[index] = outcome


class _Worker:
    def __init__(self, memory_mb: int):
        context = _context()
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_work, args=(child, memory_mb * 1024 * 1024),
                                       daemon=True, name="policy-search-reader")
        self.process.start()
        child.close()
        self.retiring = False

    def reply(self, name: str, memory_mb: int) -> Outcome | None:
        try:
            if not self.conn.poll():
                return None
            status, value = self.conn.recv()
        except (EOFError, OSError):
            return None
        except Exception as err:  # noqa: BLE001 - a reply that does not unpickle is this file's failure
            self.retiring = True
            return None, CRASHED.format(name=name, how=f"结果无法读回：{type(err).__name__}")
        if status == "memory":
            self.retiring = True  # a worker that ran out of memory may be left in a bad state
            return None, OUT_OF_MEMORY.format(name=name, mb=memory_mb)
        return (value, None) if status == "report" else (None, value)

    def how_it_ended(self) -> str:
        self.process.join(5)
        code = self.process.exitcode
        if code is not None and code < 0:
            with contextlib.suppress(ValueError):
                return f"信号 {signal.Signals(-code).name}"
            return f"信号 {-code}"
        return f"退出码 {code}"

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.send(None)
            self.process.join(2)
        self.kill()


def _context():
    if "forkserver" in mp.get_all_start_methods():
        context = mp.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return mp.get_context("spawn")


def _work(conn, memory_bytes: int) -> None:
    """A worker's life: limit itself, then read one file per job until told to stop."""
    _limit_self(memory_bytes)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if job is None:
            return
        reader, path, overrides, root, env = job
        _use_settings(env)
        try:
            reply = ("report", reader(path, overrides, root))
        except ReportError as err:
            reply = ("refused", str(err))
        except MemoryError:
            reply = ("memory", None)
        except Exception as err:  # noqa: BLE001 - read_report refuses with ReportError; anything else is a bug, still one file's
            reply = ("refused", f"{Path(path).name}：读取时出错（{type(err).__name__}）；请把这个文件报告给维护者。")
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("memory", None))
        if reply[0] == "memory":
            return


def _limit_self(memory_bytes: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it then kills us
    try:
        import resource
    except ImportError:  # Windows: no address-space limit, the wall-time limit still holds
        return
    if memory_bytes > 0:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an aborting pdfium leaves no core file behind
    if sys.platform.startswith("linux"):
        import ctypes

        # PR_SET_PDEATHSIG: die with the parent (the fork server, which exits with the pool's process).
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


def _use_settings(env: dict[str, str]) -> None:
    """The settings the pool's process has now (a worker outlives changes to its environment)."""
    for key in [k for k in os.environ if k.startswith(ENV_PREFIX) and k not in env]:
        del os.environ[key]
    os.environ.update(env)


_shared: ReaderPool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> ReaderPool:
    """A pool for the whole process, started on first use and stopped at exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ReaderPool()
            atexit.register(_shared.close)
        return _shared


def read_report_isolated(path: Path, overrides=None, root: Path | None = None) -> Report:
    """``read_report`` in a worker process of the shared pool: a file that would crash, exhaust memory
    or hang is refused with ReportError like any other bad file."""
    return shared_pool().read(path, overrides, root)
