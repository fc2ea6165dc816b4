"""The bulk segment writer (search.whoosh_index.segment_writer) against Whoosh's own writer: the same passages
written both ways must read back the same, term by term and document by document."""

from __future__ import annotations

import pytest
from whoosh import index as whoosh_index

from search.whoosh_index import segment_writer
from search.text.streams import gram_list, gram_stream, word_list, word_stream, fold
from search.reading import read_report
from search.whoosh_index.schema import make_schema, passage_fields

from .conftest import SEEDS

FIXTURES = SEEDS.parent / "tests" / "fixtures" / "corpus"


def _documents():
    """Passages of two seeds and two real reports (Word and a web text: quotes, brackets, tables)."""
    files = sorted(SEEDS.glob("*.txt"))[:2] + sorted(FIXTURES.rglob("*.docx"))[:1] + sorted(FIXTURES.rglob("*.txt"))[:1]
    docs = []
    for sequence, path in enumerate(files):
        report = read_report(path)
        docs += [passage_fields(p, sequence, report) for p in report.passages]
    return docs


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    docs = _documents()
    by_whoosh = tmp_path_factory.mktemp("whoosh")
    ix = whoosh_index.create_in(str(by_whoosh), make_schema())
    writer = ix.writer()
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    ours = tmp_path_factory.mktemp("ours")
    ix2 = whoosh_index.create_in(str(ours), make_schema())
    segment_writer.commit(ix2, [segment_writer.write_segment(ix2.storage, ix2.schema, ix2.indexname, docs)])
    with ix.reader() as a, whoosh_index.open_dir(str(ours)).reader() as b:
        yield a, b, len(docs)


def _postings(reader, field, term, fmt):
    m = reader.postings(field, term)
    out = []
    while m.is_active():
        value = m.value()
        decoded = fmt.decode_positions(value) if hasattr(fmt, "decode_positions") and value else value
        out.append((m.id(), m.weight(), decoded))
        m.next()
    return out


def test_the_same_documents_stored_fields_and_lengths(both):
    a, b, n = both
    assert a.doc_count_all() == b.doc_count_all() == n
    for docnum in range(n):
        assert a.stored_fields(docnum) == b.stored_fields(docnum)
        for field in ("words", "grams", "joined"):
            assert a.doc_field_length(docnum, field) == b.doc_field_length(docnum, field)
    for field in ("words", "grams", "joined"):
        assert a.field_length(field) == b.field_length(field) > 0
    assert list(a.column_reader("order")) == list(b.column_reader("order"))


@pytest.mark.parametrize("field", ["id", "report_id", "county", "place", "province", "level", "year",
                                   "section", "kind", "words", "grams", "joined"])
def test_the_same_terms_postings_and_statistics(both, field):
    a, b, _ = both
    terms = list(a.lexicon(field))
    assert terms and list(b.lexicon(field)) == terms
    fmt = a.schema[field].format
    for term in terms:
        ia, ib = a.term_info(field, term), b.term_info(field, term)
        assert (ia.weight(), ia.doc_frequency(), ia.min_length(), ia.max_length(), ia.max_weight(),
                ia.min_id(), ia.max_id()) == (ib.weight(), ib.doc_frequency(), ib.min_length(),
                                              ib.max_length(), ib.max_weight(), ib.min_id(), ib.max_id()), term
        assert _postings(a, field, term, fmt) == _postings(b, field, term, fmt), term


def test_a_long_postings_list_spans_blocks_the_same_way(both):
    a, b, _ = both
    common = max(a.lexicon("grams"), key=lambda t: a.doc_frequency("grams", t))
    assert a.doc_frequency("grams", common) > 2 * segment_writer.BLOCK_LIMIT
    ma, mb = a.postings("grams", common), b.postings("grams", common)
    blocks = 0
    while ma.is_active():
        assert (ma.block_min_id(), ma.block_max_id(), ma.block_max_weight(), ma.block_max_length()) == \
               (mb.block_min_id(), mb.block_max_id(), mb.block_max_weight(), mb.block_max_length())
        blocks += 1
        ma.skip_to(ma.block_max_id() + 1)
        mb.skip_to(mb.block_max_id() + 1)
    assert blocks >= 3 and not mb.is_active()


def test_bulk_token_lists_are_the_streams_tokens():
    texts = [p["text"] for p in _documents()]
    texts += ["GDP增长5.5%，PM2.5浓度下降", "“零碳”供电所", "ａｂｃ１２３ 全角", "单", ""]
    for text in texts:
        folded = fold(text)
        assert gram_list(folded) == [t for t, _, _ in gram_stream(folded)], text
        assert word_list(folded) == [t for t, _, _ in word_stream(folded)], text
