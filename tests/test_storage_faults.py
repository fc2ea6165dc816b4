"""Storage faults: two builders at once, a builder killed holding the lock, a damaged index, a full
disk. Each ends in one clear line (or a 503 page) and leaves the served index as it was."""

from __future__ import annotations

import builtins
import errno
import gc
import hashlib
import io
import multiprocessing
import os
import random
import shutil
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.whoosh_index import indexing, store
from search.cli import cli
from search.engine import Engine
from search.errors import BuildError, IndexDamaged, UserError
from webui import create_app

from .conftest import MINI_REPORT, SEEDS, write_report

# -- the build lock ------------------------------------------------------------------------------

RACERS = 6


def _race_for_the_lock(index_dir: Path, everyone: multiprocessing.Barrier, results) -> None:
    """Try once to take the lock; a winner holds it until every racer has tried."""
    everyone.wait()
    try:
        with store.BuildLock(index_dir):
            results.put(("held", os.getpid()))
            everyone.wait()
    except UserError as exc:
        results.put(("refused", str(exc)))
        everyone.wait()


def _hold_until_killed(index_dir: Path, holding) -> None:
    with store.BuildLock(index_dir):
        holding.set()
        signal.pause()


@pytest.fixture(scope="module")
def processes():
    # forkserver: no fork of a test process that may run threads, and cheaper starts than spawn.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def test_a_builder_killed_holding_the_lock_leaves_no_stale_lock(tmp_path, processes):
    index = tmp_path / "index"
    for trial in range(10):  # the old pid-file lock let 2-3 racers in, in 1 trial of 3 to 10
        holding = processes.Event()
        holder = processes.Process(target=_hold_until_killed, args=(index, holding))
        holder.start()
        assert holding.wait(timeout=60)
        os.kill(holder.pid, signal.SIGKILL)
        holder.join(timeout=60)
        everyone, results = processes.Barrier(RACERS), processes.Queue()
        racers = [processes.Process(target=_race_for_the_lock, args=(index, everyone, results))
                  for _ in range(RACERS)]
        for racer in racers:
            racer.start()
        outcomes = [results.get(timeout=60) for _ in racers]
        for racer in racers:
            racer.join(timeout=60)
        winners = [detail for kind, detail in outcomes if kind == "held"]
        assert len(winners) == 1, (trial, outcomes)
        # The holder's pid, unless a racer asked before the holder had written it; never another.
        refusals = {detail for kind, detail in outcomes if kind == "refused"}
        assert refusals <= {f"另一个构建正在进行（进程 {winners[0]}），请等它结束", "另一个构建正在进行，请等它结束"}, \
            (trial, outcomes)


def test_a_build_waits_for_no_one_once_the_holder_is_gone(tmp_path):
    index = tmp_path / "index"
    with store.BuildLock(index):
        with pytest.raises(BuildError, match=f"另一个构建正在进行（进程 {os.getpid()}）"):
            with store.BuildLock(index):
                pass
    with store.BuildLock(index):  # released by the first holder's exit
        pass


# -- a damaged index -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_index(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for path in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(path, src / path.name)
    index = tmp_path_factory.mktemp("built") / "index"
    indexing.build(src, index)
    return index


@pytest.fixture
def index(built_index, tmp_path) -> Path:
    """A private copy of the built index, to damage."""
    copy = tmp_path / "index"
    shutil.copytree(built_index, copy)
    return copy


def scramble(path: Path) -> None:
    """Overwrite the file's bytes in place with noise, keeping its size (what a bad disk does)."""
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.write(random.Random(1).randbytes(size))


def largest_segment_of(gen: Path) -> Path:
    return max(gen.glob("*.seg"), key=os.path.getsize)


# name: (what happens to the served generation, what `check` says, noticed on opening it)
DAMAGES = {
    # the case that gave a JSONDecodeError traceback in serve, search and add
    "meta cut short": (lambda gen: os.truncate(gen / store.META, 100), "meta.json 不完整", True),
    "meta not JSON": (lambda gen: (gen / store.META).write_text("{", encoding="utf-8"), "meta.json 不完整", True),
    "segment cut short": (lambda gen: os.truncate(largest_segment_of(gen), 1000), "字节，应为", True),
    "segment missing": (lambda gen: largest_segment_of(gen).unlink(), "文件不见了", True),
    # same size: only reading it tells (the case that gave a bare 500)
    "segment scrambled": (lambda gen: scramble(largest_segment_of(gen)), "校验和不符", False),
}


def whoosh_leaks_on_failure(test):
    """Whoosh leaves files open when it fails halfway: opening a scrambled segment (SegmentReader),
    or cancelling a writer whose writes failed. The garbage collector closes them, with a
    ResourceWarning; collect them at the end of the test rather than during some later one. (The
    engine opens a damaged generation once, not per request, and a failed build or add ends its
    process, so nothing accumulates.)"""
    test = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")(test)
    return pytest.mark.usefixtures("collect_leaked_files")(test)


@pytest.fixture
def collect_leaked_files():
    yield
    gc.collect()


@whoosh_leaks_on_failure
@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_index_is_named_checked_and_rebuilt(index, tmp_path, monkeypatch, damage):
    run = CliRunner().invoke
    assert run(cli, ["check", "--index", str(index)]).exit_code == 0
    do_damage, check_says, noticed_on_open = DAMAGES[damage]
    do_damage(store.current_generation(index))
    with pytest.raises(IndexDamaged, match="索引已损坏.*policy-search build"):
        Engine(index).search("发展")
    commands = [["search", "发展"], ["add", str(write_report(tmp_path, "mini.txt", MINI_REPORT))]]
    if noticed_on_open:  # otherwise serve starts, and answers 503 (next test)
        monkeypatch.setattr("webui.server.serve", lambda *a, **k: pytest.fail("served a damaged index"))
        commands.append(["serve", "--port", "0"])
    for args in commands:
        result = run(cli, [*args, "--index", str(index)])
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert result.output.splitlines()[-1].startswith("Error: 索引已损坏"), result.output
    checked = run(cli, ["check", "--index", str(index)])
    assert checked.exit_code == 1
    problems = checked.stdout.splitlines()
    assert problems and all(line.startswith("gen-") for line in problems)
    assert check_says in problems[0]
    rebuilt = run(cli, ["build", "--source", str(SEEDS), "--index", str(index)])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert run(cli, ["check", "--index", str(index)]).exit_code == 0
    assert Engine(index).search("发展")["total"] > 0


def test_check_says_an_intact_index_is_intact(index):
    result = CliRunner().invoke(cli, ["check", "--index", str(index)])
    assert result.exit_code == 0
    assert result.stdout.startswith("索引完好：gen-") and "校验和全部相符" in result.stdout


@whoosh_leaks_on_failure
def test_a_segment_damaged_while_serving_gives_503_with_a_message(index, tmp_path):
    app = create_app({"INDEX_DIR": index, "BRIEFINGS_DB": tmp_path / "b.sqlite3", "SECRET_KEY": "t",
                      "RATE_LIMIT": 0})
    client = app.test_client()
    assert client.get("/api/search?q=发展").status_code == 200
    scramble(largest_segment_of(store.current_generation(index)))  # the open reader now reads noise
    response = client.get("/api/search?q=森林覆盖率")
    assert response.status_code == 503
    assert "索引已损坏" in response.get_json()["error"]
    page = client.get("/search?q=GDP")
    assert page.status_code == 503 and "检索索引已损坏" in page.get_data(as_text=True)
    indexing.build(SEEDS, index)  # repairs it: the next request reads the new generation
    assert client.get("/api/search?q=森林覆盖率").status_code == 200


# -- a full disk ---------------------------------------------------------------------------------


class FullDisk:
    """Writes under root fail with ENOSPC after ``room`` write calls (None: never; count them).

    Covers every way the index is written: files opened for writing (Whoosh's segments and TOC,
    meta.json, CURRENT), hard links and file copies."""

    def __init__(self, monkeypatch, root: Path, room: int | None):
        self.root, self.room, self.writes = str(root), room, 0
        real_open, real_link, real_copy = io.open, os.link, shutil.copyfile

        def metered_open(file, mode="r", *args, **kwargs):
            f = real_open(file, mode, *args, **kwargs)
            writing = isinstance(file, (str, Path)) and any(c in mode for c in "wax+")
            return _MeteredFile(f, self) if writing and str(file).startswith(self.root) else f

        def metered(real):
            def call(*args, **kwargs):
                self.spend()
                return real(*args, **kwargs)
            return call

        monkeypatch.setattr(io, "open", metered_open)
        monkeypatch.setattr(builtins, "open", metered_open)
        monkeypatch.setattr(os, "link", metered(real_link))
        monkeypatch.setattr(shutil, "copyfile", metered(real_copy))

    def spend(self) -> None:
        self.writes += 1
        if self.room is not None and self.writes > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class _MeteredFile:
    def __init__(self, f, disk: FullDisk):
        self._f, self._disk = f, disk

    def write(self, data):
        self._disk.spend()
        return self._f.write(data)

    def __getattr__(self, name):
        return getattr(self._f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()


def snapshot(index: Path) -> dict[str, str]:
    """Every file of the index folder and its hash (the lock file aside: it only names its holder)."""
    return {str(p.relative_to(index)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(index.rglob("*")) if p.is_file() and p.name != store.LOCK}


OPERATIONS = {
    "add": lambda index, report: indexing.add([report], index),
    "build": lambda index, report: indexing.build(report.parent, index),
}


@whoosh_leaks_on_failure
@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_full_disk_at_any_write_leaves_the_served_index_untouched(built_index, tmp_path, monkeypatch,
                                                                    operation):
    (tmp_path / "new").mkdir()
    report = write_report(tmp_path / "new", "mini.txt", MINI_REPORT)

    def fresh_copy(name: str) -> Path:
        copy = tmp_path / name
        shutil.copytree(built_index, copy)
        return copy

    counted = fresh_copy("counted")
    with monkeypatch.context() as patched:
        disk = FullDisk(patched, counted, room=None)
        OPERATIONS[operation](counted, report)
    assert disk.writes > 10
    # The first write, the middle of Whoosh's, the meta.json and CURRENT at the end.
    for room in sorted({0, 1, disk.writes // 3, 2 * disk.writes // 3, disk.writes - 2, disk.writes - 1}):
        index = fresh_copy(f"full-{room}")
        served = Engine(index)
        total = served.search("发展")["total"]
        before = snapshot(index)
        with monkeypatch.context() as patched:
            FullDisk(patched, index, room)
            with pytest.raises(BuildError, match="^磁盘空间不足：.*原索引未改动"):
                OPERATIONS[operation](index, report)
        assert snapshot(index) == before, room
        assert Engine(index).search("发展")["total"] == served.search("发展")["total"] == total


@whoosh_leaks_on_failure
def test_a_full_disk_is_one_line_from_the_command_line(index, tmp_path, monkeypatch):
    report = write_report(tmp_path, "mini.txt", MINI_REPORT)
    FullDisk(monkeypatch, index, room=3)
    result = CliRunner().invoke(cli, ["add", str(report), "--index", str(index)])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    error = result.output.splitlines()[-1]  # after the progress bar's lines
    assert error.startswith("Error: 磁盘空间不足：") and "原索引未改动" in error


def _disk_fills(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _process_dies(*args, **kwargs):
    os._exit(1)  # killed outright: no error of its own reaches the build


@whoosh_leaks_on_failure
@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                    reason="the failure is patched into the build's writer processes, which must be forked")
@pytest.mark.parametrize("failure, message", [(_disk_fills, "^磁盘空间不足：.*原索引未改动"),
                                              (_process_dies, "^索引写入不完整.*原索引未改动")])
def test_a_writer_process_that_fails_does_not_go_unnoticed(tmp_path, monkeypatch, capfd, failure, message):
    # A writer process that fails or dies must fail the build, not leave its share out.
    monkeypatch.setenv("POLICY_SEARCH_PARALLEL_BUILD_MIN", "1")
    monkeypatch.setenv("POLICY_SEARCH_BUILD_PROCS", "2")
    monkeypatch.setattr("search.whoosh_index.segment_writer.write_segment", failure)
    src = tmp_path / "src"
    src.mkdir()
    write_report(src, "mini.txt", MINI_REPORT)
    write_report(src, "other.txt", MINI_REPORT.replace("巫山", "云阳"))
    with pytest.raises(BuildError, match=message):
        indexing.build(src, tmp_path / "index")
    assert store.current_generation(tmp_path / "index") is None
    assert not list((tmp_path / "index").glob("gen-*"))
