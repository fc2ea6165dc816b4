"""Writing a Whoosh segment a field at a time, from arrays, instead of a posting at a time.

Whoosh's own writer handles every posting several times in Python: the analyzer yields a Token, the
format encodes it, the writer pools a tuple, sorts the pool on disk, merges the runs back and feeds
each posting to the block writer. At 441,000 passages that was most of a ten-minute build. Here each
passage's tokens become integers once (term number, document, position); sorting, grouping into
postings and block statistics are numpy operations over a whole field; Python is left with one step
per term and per block of 128 postings.

The files are Whoosh's W3 format: the structures ``W3PostingsWriter`` and ``W3FieldWriter`` write
(a block is its pickled header, then the pickled tuple of id deltas, weights and values, compressed
with zlib when it is long enough to gain by it; the tuple is pickled at a newer protocol than
Whoosh's, which Whoosh reads the same), and the per-document columns of ``W3PerDocWriter``,
filled a field list at a time. So Whoosh's readers, matchers and our evaluator read the result as
any other segment, and ``tests/test_segment_writer.py`` holds it to Whoosh's writer: the same terms,
postings, statistics, block boundaries, stored fields and lengths.

Only the field types of our schema are supported (ID, STORED, COLUMN, and TEXT fields whose
analyzer is one of ``search.text.streams``'s token streams); another field type is a programming error.
"""

from __future__ import annotations

import gc
import os
import shutil
import zlib
from pickle import dumps

import numpy as np
from whoosh import fields, formats
from whoosh.columns import NumericColumn
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec, W3TermInfo, _lenfield
from whoosh.filedb.filetables import OrderedHashWriter, _lengths as _LENGTHS
from whoosh.system import pack_int, pack_long, pack_ushort

from ..scoring.lengths import length_bytes as _length_bytes
from ..scoring.lengths import quantized
from ..text.streams import fold
from .analyzers import _StreamAnalyzer

BLOCK_LIMIT = 128  # postings per block: W3Codec's default blocklimit
COMPRESSION = 3  # zlib level of a block: W3Codec's default
# Blocks whose pickle is shorter than this are written uncompressed (their header says so, and
# Whoosh's reader honours it): starting zlib costs 13-80 µs a block, and most terms are one short
# block, so compressing every block was the largest single cost of a build. W3PostingsWriter means to
# do the same below 20 bytes (a bug overrides it).
COMPRESS_FROM = 256
# A block's data tuple is pickled at protocol 4, where W3PostingsWriter uses 2: protocol 2 writes
# each bytes value (a posting's positions) as a call to _codecs.encode, which made unpickling a block
# of 128 values 11x slower (112 against 10 µs) and the pickle twice the size. Whoosh reads blocks
# with pickle.loads, which takes any protocol. Headers stay at protocol 2: they hold numbers only.
DATA_PROTOCOL = 4
_TERMINFO = W3TermInfo._struct
_NO_LENGTH = np.iinfo(np.int64).max


class _Vocabulary(dict):
    """Term text -> term number, numbering new terms as they come (``map`` over it stays in C)."""

    def __missing__(self, term):
        number = self[term] = len(self)
        return number


class _FieldPostings:
    """One indexed field's tokens over the documents of a segment, as integer arrays."""

    def __init__(self, name: str, field):
        self.name, self.field = name, field
        self.format = field.format
        self.positions = isinstance(self.format, formats.Positions)
        self.whole_value = isinstance(field, fields.ID)
        self.folds = isinstance(field.analyzer, _StreamAnalyzer)
        self.analyzer = field.analyzer
        if not (self.whole_value or self.folds):
            raise TypeError(f"segment_writer cannot index field {name!r} ({type(field).__name__})")
        self.vocabulary = _Vocabulary()
        # Plain lists grow fastest from C iterators; they become arrays once, in ``write``.
        self.terms: list[int] = []  # term numbers, document after document
        self.pos: list[int] = []  # their positions (for a field with positions)
        self.doc_ids: list[int] = []  # documents with tokens ...
        self.doc_tokens: list[int] = []  # ... and how many
        self.lengths: dict[int, int] = {}

    def add_values(self, values: list) -> None:
        """An ID field: each document's value (None: no value) is its one term."""
        docs = range(len(values))
        if None in values:
            docs = [d for d, v in zip(docs, values) if v is not None]
            values = [v for v in values if v is not None]
        self.terms += map(self.vocabulary.__getitem__, values)
        self.doc_ids += docs
        self.doc_tokens += [1] * len(docs)

    def add_text(self, docnum: int, folded: str) -> int:
        """A text field: add one document's folded text; return its length (number of tokens)."""
        tokens = self.analyzer.folded_tokens(folded)
        if self.analyzer.gaps and None in tokens:  # an empty position: no token, but the position counts
            kept = [(t, i) for i, t in enumerate(tokens) if t is not None]
            tokens, where = [t for t, _ in kept], [i for _, i in kept]
        else:
            where = range(len(tokens))
        if not tokens:
            return 0
        self.terms += map(self.vocabulary.__getitem__, tokens)
        self.doc_ids.append(docnum)
        self.doc_tokens.append(len(tokens))
        if self.positions:
            self.pos += where
        if self.field.scorable:
            self.lengths[docnum] = len(tokens)
            return len(tokens)
        return 0

    def length_array(self, size: int) -> np.ndarray:
        """Each document's length in this field (0: none, or not scored), for documents 0..size-1."""
        lengths = np.zeros(size, dtype=np.int64)
        if self.lengths:
            lengths[list(self.lengths)] = list(self.lengths.values())
        return lengths

    def write(self, postfile, terms_table: OrderedHashWriter, fieldid: int) -> None:
        """Write this field's postings and term rows (the field's terms in byte order)."""
        if not self.terms:
            return
        texts = list(self.vocabulary)
        order = sorted(range(len(texts)), key=texts.__getitem__)  # code point order is UTF-8 byte order
        rank = np.empty(len(texts), dtype=np.int64)
        rank[order] = np.arange(len(texts))
        term = rank[np.array(self.terms, dtype=np.int64)]
        doc = np.repeat(np.array(self.doc_ids, dtype=np.int64), self.doc_tokens)
        # Tokens were added in document order, then position order: a stable sort by term keeps that.
        by_term = np.argsort(term, kind="stable")
        term, doc = term[by_term], doc[by_term]
        starts = np.flatnonzero(np.r_[True, (term[1:] != term[:-1]) | (doc[1:] != doc[:-1])])
        counts = np.diff(np.r_[starts, len(term)])
        post_doc, post_term = doc[starts], term[starts]
        weights = counts.astype(np.float64)  # field and document boosts are 1
        values = self._values(starts, counts, by_term)
        post_len = quantized(self.length_array(int(post_doc.max()) + 1))[post_doc]
        term_starts = np.flatnonzero(np.r_[True, post_term[1:] != post_term[:-1]])
        _write_terms(postfile, terms_table, pack_ushort(fieldid), [texts[order[r]].encode("utf-8") for r in
                     post_term[term_starts].tolist()], term_starts, post_doc, weights, values, post_len,
                     self.format)

    def _values(self, starts, counts, by_term):
        """Each posting's encoded value, as the field's format encodes it (a list, an array or None)."""
        if isinstance(self.format, formats.Existence):
            return None
        if isinstance(self.format, formats.Frequency) and not self.positions:
            return counts.astype(">u4")  # pack_uint(freq), joined per block
        if not self.positions:
            raise TypeError(f"segment_writer cannot encode the postings of {type(self.format).__name__}")
        pos = np.array(self.pos, dtype=np.int64)[by_term]
        first = pos[starts].tolist()
        encode = self.format.encode
        single = [encode([p]) for p in range(max(first) + 1)]
        values = [single[p] for p in first]
        several = np.flatnonzero(counts > 1)
        if len(several):
            pos_list = pos.tolist()
            for i, start, count in zip(several.tolist(), starts[several].tolist(), counts[several].tolist()):
                values[i] = encode(pos_list[start:start + count])
        return values


def _write_terms(postfile, terms_table, prefix: bytes, texts: list[bytes], term_starts, post_doc, weights,
                 values, post_len, fmt) -> None:
    """The blocks of every term of a field and its row in the terms table, as W3FieldWriter and
    W3PostingsWriter write them."""
    n_post = len(post_doc)
    term_ends = np.r_[term_starts[1:], n_post]
    per_term = term_ends - term_starts
    n_blocks = (per_term + BLOCK_LIMIT - 1) // BLOCK_LIMIT
    block_term = np.repeat(np.arange(len(term_starts)), n_blocks)
    first_block = np.cumsum(n_blocks) - n_blocks
    block_start = term_starts[block_term] + BLOCK_LIMIT * (np.arange(len(block_term)) - first_block[block_term])
    block_end = np.minimum(block_start + BLOCK_LIMIT, term_ends[block_term])

    deltas = post_doc.copy()
    deltas[1:] -= post_doc[:-1]
    deltas[block_start] = post_doc[block_start]  # each block's ids start from 0, as delta_encode does
    max_weight = np.maximum.reduceat(weights, block_start)
    min_weight = np.minimum.reduceat(weights, block_start)
    max_len = np.maximum.reduceat(post_len, block_start)
    min_len = np.minimum.reduceat(np.where(post_len > 0, post_len, _NO_LENGTH), block_start)
    last_id = post_doc[block_end - 1]
    term_weight = np.add.reduceat(weights, term_starts)

    # Lengths as the one byte Whoosh keeps (length_to_byte, for whole arrays); 0 where no length.
    lb_max = _length_bytes(max_len)
    has_len = min_len != _NO_LENGTH
    lb_min = np.where(has_len, _length_bytes(np.where(has_len, min_len, 0)), 0)
    # A term's row takes the extremes over its blocks (W3TermInfo.add_block); 0 when no block has
    # a length, as to_bytes writes a missing minimum.
    t_min = np.minimum.reduceat(np.where(has_len, lb_min, 256), first_block)
    t_min[t_min == 256] = 0
    t_max = np.maximum.reduceat(lb_max, first_block)
    t_maxw = np.maximum.reduceat(max_weight, first_block)

    fixed = fmt.fixed_value_size()
    deltas_l, weights_l, last_l = deltas.tolist(), weights.tolist(), last_id.tolist()
    bs_l, be_l = block_start.tolist(), block_end.tolist()
    maxw_l, minw_l = max_weight.tolist(), min_weight.tolist()
    lb_max_l, lb_min_l = lb_max.tolist(), lb_min.tolist()
    first_l, nb_l = first_block.tolist(), n_blocks.tolist()
    rows_l = zip(term_weight.tolist(), per_term.tolist(), t_min.tolist(), t_max.tolist(), t_maxw.tolist(),
                 post_doc[term_starts].tolist(), post_doc[term_ends - 1].tolist())
    pack_row = _TERMINFO.pack

    offset = postfile.tell()
    keys: list[bytes] = []
    rows: list[bytes] = []
    for t, (tbytes, row) in enumerate(zip(texts, rows_l)):
        out = [WHOOSH3_HEADER_MAGIC]
        b0, nb = first_l[t], nb_l[t]
        for b in range(b0, b0 + nb):
            a, e = bs_l[b], be_l[b]
            if maxw_l[b] == minw_l[b]:
                mini_weights = None if maxw_l[b] == 1.0 else maxw_l[b]
            else:
                mini_weights = tuple(weights_l[a:e])
            if values is None or fixed == 0:
                mini_values = None
            elif fixed and fixed > 0:
                mini_values = values[a:e].tobytes()
            else:
                mini_values = tuple(values[a:e])
            data = dumps((tuple(deltas_l[a:e]), mini_weights, mini_values), DATA_PROTOCOL)
            comp = 0
            if len(data) >= COMPRESS_FROM:
                data, comp = _compress(data, COMPRESSION), COMPRESSION
            info = dumps((e - a, last_l[b], maxw_l[b], comp, lb_min_l[b], lb_max_l[b]), 2)
            size = len(info) + len(data)
            out += [pack_int(-size if b == b0 + nb - 1 else size), info, data]
        chunk = b"".join(out)
        postfile.write(chunk)
        # The term's row: W3TermInfo.to_bytes of a term that is not inlined (flags, weight, df,
        # min and max length bytes, max weight, first and last id; then where its blocks are).
        keys.append(prefix + tbytes)
        rows.append(pack_row(0, *row) + pack_long(offset) + pack_int(len(chunk)))
        offset += len(chunk)
    _add_rows(terms_table, keys, rows)


def _compress(data: bytes, level: int) -> bytes:
    """zlib with a small window and little memory: far cheaper to start for a few hundred bytes,
    and inflated like any other stream."""
    z = zlib.compressobj(level, zlib.DEFLATED, 12, 4)
    return z.compress(data) + z.flush()


def _add_rows(table: OrderedHashWriter, keys: list[bytes], values: list[bytes]) -> None:
    """``table.add(key, value)`` for each row (keys ascending), in one write: OrderedHashWriter.add
    and HashWriter.add without a write and a tell per row."""
    if not keys:
        return
    if keys[0] <= table.lastkey:
        raise ValueError(f"Keys must increase: {table.lastkey!r}..{keys[0]!r}")
    pos = table.dbfile.tell()
    parts: list[bytes] = []
    hashfn, buckets, index = table.hashfn, table.buckets, table.index
    for key, value in zip(keys, values):
        index.append(pos)
        parts += (_LENGTHS.pack(len(key), len(value)), key, value)
        h = hashfn(key)
        buckets[h & 255].append((h, pos))
        pos += _LENGTHS.size + len(key) + len(value)
    table.dbfile.write(b"".join(parts))
    table.lastkey = keys[-1]


def write_segment(storage, schema, indexname: str, documents) -> "W3Segment":  # noqa: F821
    """Write ``documents`` (dicts of field values, as ``writer.add_document`` takes them) as one new
    segment of the index in ``storage``; return the segment, for the caller to commit (``commit``)."""
    # Millions of small objects and not one cycle among them: the collector's full passes over
    # them cost a tenth of the build and would find nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _write_segment(storage, schema, indexname, documents)
    finally:
        if collecting:
            gc.enable()


def _write_segment(storage, schema, indexname: str, documents):
    codec = W3Codec()
    segment = codec.new_segment(storage, indexname)
    perdoc = codec.per_document_writer(storage, segment)
    indexed = {name: _FieldPostings(name, schema[name]) for name in schema.names() if schema[name].indexed}
    # The per-document part of W3PerDocWriter's start_doc/add_field/add_column_value/finish_doc,
    # a field list at a time rather than a call per field. Its files are still its own to write.
    names = sorted(schema.names())
    stored = [n for n in names if schema[n].stored]
    id_values = {n: [] for n in names if n in indexed and indexed[n].whole_value}
    texts = [(n, indexed[n]) for n in names if n in indexed and indexed[n].folds]
    for n, postings in texts:
        if postings.field.scorable:
            perdoc._create_column(_lenfield(n), LENGTHS_COLUMN)
    columns = [(n, schema[n]) for n in names if schema[n].column_type]
    for n, field in columns:
        perdoc._create_column(n, field.column_type)
    # Numeric columns (ours: the order) are collected and written whole at the end, like the
    # lengths; every other column type is written a document at a time, as Whoosh does.
    numeric = {n: [] for n, field in columns if isinstance(field.column_type, NumericColumn)}
    columns = [(n, field) for n, field in columns if n not in numeric]
    column = perdoc._get_column
    stored_column = column("_stored")
    # Stored fields are compressed per document; a small zlib window starts far faster (the reader
    # inflates any window size), which takes a tenth off the build.
    stored_column._child._compress = _compress
    field_lengths = perdoc._fieldlengths
    docnum = -1
    for docnum, doc in enumerate(documents):
        values = {n: doc[n] for n in stored if doc.get(n) is not None}
        if values:
            stored_column.add(docnum, values)
        for n, collected in id_values.items():
            collected.append(doc.get(n))
        last, folded = None, ""
        for n, postings in texts:
            value = doc.get(n)
            if value is None:
                continue
            if value is not last:  # our text fields share one value: fold it once
                last, folded = value, fold(value)
            postings.add_text(docnum, folded)
        for n, collected in numeric.items():
            collected.append(doc.get(n) or 0)
        for n, field in columns:
            if doc.get(n) is not None:
                column(n).add(docnum, field.to_column_value(doc[n]))
    docnum += 1
    perdoc._doccount = docnum
    for n, postings in texts:
        if postings.lengths:
            lengths = postings.length_array(docnum)
            field_lengths[n] += int(lengths.sum())
            _write_numeric(column(_lenfield(n)), _length_bytes(lengths))
    for n, collected in numeric.items():
        _write_numeric(column(n), np.array(collected, dtype=np.int64))
    for n, collected in id_values.items():
        indexed[n].add_values(collected)
    perdoc.close()
    postfile = segment.create_file(storage, W3Codec.POSTS_EXT)
    terms_table = OrderedHashWriter(segment.create_file(storage, W3Codec.TERMS_EXT))
    fieldmap = terms_table.extras["fieldmap"] = {}
    for name in sorted(indexed):
        fieldmap[name] = len(fieldmap)
        indexed[name].write(postfile, terms_table, fieldmap[name])
    terms_table.close()
    postfile.close()
    segment.set_doc_count(docnum)
    # One file per segment, as Whoosh's writer leaves it (compound=True): fewer open files.
    segment.create_compound_file(storage)
    return segment


def _write_numeric(writer, values: np.ndarray) -> None:
    """A NumericColumn's values for documents 0, 1, ... at once, as its writer's ``add`` per
    document writes them: big-endian, the default (0) for a document without a value, nothing
    after the last document that has one."""
    if writer._default != 0:
        raise ValueError(f"numeric column with default {writer._default!r}")
    (nonzero,) = np.nonzero(values)
    if not len(nonzero):
        return
    count = int(nonzero[-1]) + 1
    code = writer._pack.__self__.format.lstrip("!")
    writer._dbfile.write(values[:count].astype(np.dtype(code).newbyteorder(">")).tobytes())
    writer._count = count


def commit(index, segments: list) -> None:
    """Make ``segments`` (from ``write_segment``) part of ``index``: a new table of contents that
    lists them after the index's current segments."""
    from whoosh.index import TOC, clean_files

    toc = index._read_toc()
    generation = toc.generation + 1
    all_segments = list(toc.segments) + list(segments)
    TOC(index.schema, all_segments, generation).write(index.storage, index.indexname)
    clean_files(index.storage, index.indexname, generation, all_segments)
    # The per-document writers' scratch folder (one name, shared by the writer processes), as
    # Whoosh's writer removes it when it finishes.
    shutil.rmtree(os.path.join(index.storage.folder, f"{index.indexname}.tmp"), ignore_errors=True)
