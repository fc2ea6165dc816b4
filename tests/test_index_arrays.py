"""search.whoosh_index.arrays reads what Whoosh's own iterators read, a block or a column at a time: on an
index of two segments with deleted documents (a build, then an add that replaces a report)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

from whoosh.filedb.filestore import FileStorage

from search.whoosh_index import indexing, store
from search.engine import Engine
from search.whoosh_index.facets import FACETS, FacetIndex
from search.whoosh_index.arrays import (StoredFields, extent, live_mask, numeric_column, read_leaf, read_leaf_at, term_docs)

from .conftest import SEEDS


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    seeds = sorted(SEEDS.glob("*.txt"))[:2]
    for path in seeds:
        shutil.copy(path, src / path.name)
    index = tmp_path_factory.mktemp("ix") / "index"
    indexing.build(src, index)
    edited = tmp_path_factory.mktemp("edited") / seeds[0].name
    edited.write_text(seeds[0].read_text(encoding="utf-8").replace("。", "。 ", 3), encoding="utf-8")
    indexing.add([edited], index)
    return index


@pytest.fixture(scope="module")
def reader(index):
    with FileStorage(str(store.current_generation(index))).open_index().reader() as r:
        assert len(r.leaf_readers()) == 2 and r.has_deletions()
        yield r


def test_facets_from_reports_are_the_indexed_ones(index):
    # Place, province and level are read from the reports at open; the postings say the same.
    gen = Engine(index).generation()
    from_postings = FacetIndex(gen.reader, gen.meta["reports"])
    assert set(FacetIndex.REPORT_FACETS) <= {f.name for f in FACETS}
    for facet in FACETS:
        assert gen.facets.names[facet.name] == from_postings.names[facet.name], facet.name
        assert np.array_equal(gen.facets.codes[facet.name], from_postings.codes[facet.name]), facet.name
    assert np.array_equal(gen.facets.live, from_postings.live) and not gen.facets.live.all()
    # Each report's passages in reading order, from the order column alone.
    for rid, docs in gen.by_report.items():
        assert docs == sorted(term_docs(gen.reader, "report_id", rid)[gen.facets.live[term_docs(gen.reader, "report_id", rid)]],
                              key=lambda d: gen.stored(d)["position"])
        assert all(gen.report_of(d) == rid for d in docs)


def test_live_documents_are_whooshs(reader):
    expected = np.zeros(reader.doc_count_all(), dtype=bool)
    expected[list(reader.all_doc_ids())] = True
    assert np.array_equal(live_mask(reader), expected) and not expected.all()


@pytest.mark.parametrize("field, column", [("order", None), (_lenfield("grams"), LENGTHS_COLUMN),
                                           (_lenfield("joined"), LENGTHS_COLUMN)])
def test_columns_are_whooshs(reader, field, column):
    column = column or reader.schema[field].column_type
    expected = []
    for seg, _ in reader.leaf_readers():
        creader = seg._perdoc._cached_reader(field, column) if seg._perdoc.has_column(field) else None
        expected += list(creader) if creader is not None else [column._default] * seg.doc_count_all()
    assert numeric_column(reader, field, column).tolist() == expected


@pytest.mark.parametrize("field, text", [("report_id", None), ("year", "2023"), ("grams", "发展"), ("words", "发展"),
                                         ("grams", "森林")])
def test_postings_are_whooshs(reader, field, text):
    text = text or next(iter(reader.lexicon(field))).decode()
    docs = term_docs(reader, field, text)  # deleted documents included; Whoosh's leaves them out
    assert docs[live_mask(reader)[docs]].tolist() == list(reader.postings(field, text).all_ids())
    for seg, _ in reader.leaf_readers():
        if (field, text) not in seg:
            continue
        ids, weights, values = read_leaf(extent(seg, field, text))
        # Whoosh's own matcher of the segment's postings (seg.postings would leave deletions out).
        m = seg._terms.matcher(field, seg._text_to_bytes(field, text), seg.schema[field].format)
        expected = []
        while m.is_active():
            expected.append((m.id(), m.weight(), m.value()))
            m.next()
        got = list(zip(np.concatenate(ids).tolist(), np.concatenate(weights).tolist(), values))
        fixed = seg.schema[field].format.fixed_value_size()
        if fixed == 0:  # no values kept: Whoosh's matcher says b"" where the block has none
            expected = [(i, w, None) for i, w, _ in expected]
        assert got == expected
        targets = np.array([i for i, _, _ in expected][::3], dtype=np.int64)
        sub_ids, _, sub_values = read_leaf_at(extent(seg, field, text), targets)
        assert np.concatenate(sub_ids).tolist() == targets.tolist() and len(sub_values) == len(targets)


@pytest.mark.parametrize("mmap", [False, True])
def test_stored_fields_are_whooshs(index, mmap):
    # Without mmap (as the engine opens an index) documents are read directly; with it, Whoosh's way.
    import threading

    storage = FileStorage(str(store.current_generation(index)), supports_mmap=mmap)
    with storage.open_index().reader() as reader:
        stored = StoredFields(reader, threading.Lock())
        assert all((d is not None) != mmap for d in stored._direct)
        for docnum in range(reader.doc_count_all()):
            assert stored(docnum) == reader.stored_fields(docnum), docnum
