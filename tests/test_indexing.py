"""Building and adding: stable ids, atomic switches, refused files, version checks."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil

import pytest

from search.whoosh_index import indexing, store
from search.byte_lru import ByteLRU
from search.engine import Engine
from search.whoosh_index.backend import Generation
from search.query.parse import parse
from search.errors import BuildError, IndexUnavailable

from .conftest import MINI_REPORT, SEEDS, write_report


def ids_by_text(engine) -> dict[tuple[str, str], str]:
    return {(p["report_id"], p["text"]): p["id"] for p in engine.export()}


@pytest.fixture
def two_seeds(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    for path in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(path, folder / path.name)
    return folder


def test_ids_are_stable_across_rebuilds_and_added_reports(tmp_path, two_seeds, engine):
    index = tmp_path / "index"
    indexing.build(two_seeds, index)
    first = ids_by_text(Engine(index))
    indexing.build(two_seeds, index)
    assert ids_by_text(Engine(index)) == first
    # With all five reports, the two reports' sentences keep their ids.
    everything = ids_by_text(engine)
    assert all(everything[key] == pid for key, pid in first.items())


def test_ids_survive_an_unrelated_edit(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    write_report(src, "r.txt", MINI_REPORT)
    index = tmp_path / "index"
    indexing.build(src, index)
    before = ids_by_text(Engine(index))
    write_report(src, "r.txt", MINI_REPORT.replace("新建5G基站20个。", "新建5G基站25个。"))
    indexing.build(src, index)
    after = ids_by_text(Engine(index))
    unchanged = {k: v for k, v in before.items() if "5G" not in k[1]}
    assert unchanged and all(after[k] == v for k, v in unchanged.items())


def test_add_replaces_one_report_and_keeps_the_rest(tmp_path, two_seeds):
    index = tmp_path / "index"
    indexing.build(two_seeds, index)
    engine = Engine(index)
    before = ids_by_text(engine)
    mini = write_report(tmp_path, "mini.txt", MINI_REPORT)
    indexing.add([mini], index)
    assert engine.search("", county=["巫山"])["total"] > 0  # the served engine picks up the switch
    after = ids_by_text(engine)
    assert all(after[k] == v for k, v in before.items())
    # Same county, type and year: replaced, not duplicated.
    indexing.add([write_report(tmp_path, "mini.txt", MINI_REPORT.replace("20个", "30个"))], index)
    texts = [p["text"] for p in engine.export() if p["county"] == "巫山"]
    assert any("30个" in t for t in texts) and not any("基站20个" in t for t in texts)
    assert len({r["id"] for r in engine.reports()}) == 3


def test_a_crash_mid_build_leaves_the_old_index_serving(tmp_path, two_seeds, monkeypatch):
    index = tmp_path / "index"
    indexing.build(two_seeds, index)
    engine = Engine(index)
    total = engine.search("发展")["total"]
    served = store.current_generation(index)

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(indexing, "_write_all", crash)
    with pytest.raises(RuntimeError):
        indexing.build(SEEDS, index)
    assert store.current_generation(index) == served
    assert engine.search("发展")["total"] == total
    assert [p.name for p in index.glob("gen-*")] == [served.name]  # the unfinished one is gone
    monkeypatch.undo()
    indexing.build(SEEDS, index)  # and the next build succeeds
    assert engine.search("发展")["total"] > total


def test_bad_files_are_refused_and_the_rest_indexed(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    write_report(src, "good.txt", MINI_REPORT, encoding="gb18030")
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(b"\x00\xff" * 100)
    (src / "word.txt").write_bytes(b"PK\x03\x04rest-of-a-docx")
    write_report(src, "nowhere.txt", MINI_REPORT.replace("巫山县", "某地"))
    summary = indexing.build(src, tmp_path / "index")
    assert [r["county"] for r in summary.reports] == ["巫山"]
    refused = "\n".join(summary.refused)
    for name in ("empty.txt", "binary.txt", "word.txt", "nowhere.txt"):
        assert name in refused


def test_nothing_readable_leaves_the_index_alone(tmp_path, two_seeds):
    index = tmp_path / "index"
    indexing.build(two_seeds, index)
    served = store.current_generation(index)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    with pytest.raises(BuildError, match="empty.txt"):
        indexing.build(bad, index)
    assert store.current_generation(index) == served


def test_an_index_from_another_version_says_rebuild(tmp_path, two_seeds):
    index = tmp_path / "index"
    indexing.build(two_seeds, index)
    meta_path = store.current_generation(index) / store.META
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["analyzer_version"] = "0"
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="policy-search build"):
        Engine(index).search("发展")


def test_no_index_says_how_to_build_one(tmp_path):
    with pytest.raises(IndexUnavailable, match="policy-search build"):
        Engine(tmp_path / "nothing").search("发展")


def test_a_parallel_build_keeps_reading_order(tmp_path, monkeypatch, engine):
    # Several writer processes each write a segment, so docnums stop being reading order.
    monkeypatch.setenv("POLICY_SEARCH_PARALLEL_BUILD_MIN", "100")
    monkeypatch.setenv("POLICY_SEARCH_BUILD_PROCS", "2")
    indexing.build(SEEDS, tmp_path / "index")
    parallel = Engine(tmp_path / "index")
    listed = parallel.search("", county=["涪陵"], per_page=50)["hits"]
    assert [h["position"] for h in listed] == list(range(50))
    hit = parallel.search("榨菜专营支行")["hits"][0]
    ctx = parallel.context(hit["id"])
    assert [p["position"] for p in ctx["before"] + [ctx["passage"]] + ctx["after"]] == \
        list(range(hit["position"] - 2, hit["position"] + 3))
    assert ids_by_text(parallel) == ids_by_text(engine)
    assert parallel.search("发展")["total"] == engine.search("发展")["total"]


def test_add_refuses_bad_files_and_loses_nothing(tmp_path, two_seeds):
    index = tmp_path / "index"
    indexing.build(two_seeds, index)
    engine = Engine(index)
    before = ids_by_text(engine)
    files = {
        "huge.txt": b"\xe5\x8f\x91" * (50 * 1024 * 1024 // 3 + 1),  # 50 MB of 发
        "utf16.txt": MINI_REPORT.encode("utf-16"),
        "bom.txt": "\ufeff".encode("utf-8") + MINI_REPORT.replace("巫山县", "巫溪县").encode("utf-8"),
        "renamed.txt": b"PK\x03\x04" + b"\x00" * 64,
        "empty.txt": b"",
    }
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    summary = indexing.add(paths, index)
    refused = "\n".join(summary.refused)
    assert "huge.txt：文件有 50.0 MB，超过了" in refused
    assert "renamed.txt：" in refused and "empty.txt：文件是空的" in refused
    assert {r["county"] for r in engine.reports()} >= {"巫山", "巫溪"}  # UTF-16 and BOM reports added
    after = ids_by_text(engine)
    assert all(after[k] == v for k, v in before.items())


def file_hashes(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def answers(gen) -> dict[str, tuple[float, str]]:
    """What a server holding this generation answers: each match's score and stored text."""
    scored = gen.evaluator.query(parse("基站 OR 发展"))
    return {gen.stored(d)["id"]: (round(float(s), 6), gen.stored(d)["text"])
            for d, s in zip(scored.docs.tolist(), scored.scores.tolist())}


@pytest.mark.parametrize("edit", [
    ("巫山县", "巫溪县"),  # a new report: nothing of the served generation is deleted
    ("20个", "30个"),  # replaces the indexed 巫山 report: its passages are deleted in a shared segment
])
def test_add_shares_the_served_segments_and_never_changes_them(tmp_path, two_seeds, edit):
    write_report(two_seeds, "mini.txt", MINI_REPORT)
    index = tmp_path / "index"
    indexing.build(two_seeds, index)
    engine = Engine(index)
    served = engine.generation()
    before_files, before_answers = file_hashes(served.path), answers(served)
    indexing.add([write_report(tmp_path, "edited.txt", MINI_REPORT.replace(*edit))], index)
    new = store.current_generation(index)
    assert new != served.path and engine.search(edit[1])["total"] > 0
    segments = [name for name in before_files if name.endswith(".seg")]
    assert segments and all(os.path.samefile(served.path / name, new / name) for name in segments)
    # The served generation's files are byte for byte what they were, and a server holding it (or
    # opening it now) answers as before.
    assert file_hashes(served.path) == before_files
    assert answers(served) == before_answers
    assert answers(Generation(served.path, store.read_meta(served.path), ByteLRU(2**20))) == before_answers
    assert store.verify(new) == []


def test_add_copies_where_the_file_system_has_no_hard_links(tmp_path, two_seeds, monkeypatch):
    index = tmp_path / "index"
    indexing.build(two_seeds, index)
    served = store.current_generation(index)

    def no_links(src, dst, *args, **kwargs):
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), str(src), None, str(dst))

    monkeypatch.setattr(os, "link", no_links)
    indexing.add([write_report(tmp_path, "mini.txt", MINI_REPORT)], index)
    new = store.current_generation(index)
    assert not any(os.path.samefile(served / name, new / name)
                   for name in store.index_files(served) if (new / name).exists())
    assert Engine(index).search("", county=["巫山"])["total"] > 0
    assert store.verify(new) == []
