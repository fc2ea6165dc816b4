"""Whole-index arrays read a block or a column at a time.

Opening a generation needs, for every document, whether it is live, its facet values, its reading
order and its field lengths; a query needs a term's postings. Whoosh's own iterators make a Python
call (several, for a column value) per document: opening 110,000 passages that way took 1.6 s, and
every CLI search and every new generation paid it. Here postings come a W3 block (up to 128 ids) at
a time, and a numeric column straight from its bytes.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import zlib
from bisect import bisect_right

import numpy as np
from whoosh.codec.whoosh3 import STORED_COLUMN, WHOOSH3_HEADER_MAGIC
from whoosh.columns import CompressedBytesColumn, NumericColumn, PickleColumn
from whoosh.filedb.compound import SubFile

_INT = struct.Struct("!i")  # a block's length, as StructFile.write_int writes it


class Extent:
    """Where a term's postings lie: what ``read_leaf`` needs (a W3LeafMatcher has the same four
    attributes, but making one reads the list's first block)."""

    __slots__ = ("_postfile", "_startoffset", "_length", "format")

    def __init__(self, postfile, startoffset: int, length: int, format_):
        self._postfile, self._startoffset, self._length, self.format = postfile, startoffset, length, format_


def extent(seg, field: str, text: str | bytes, info=None) -> Extent:
    """A segment's postings of a term (``info``: its term info, when the caller has it)."""
    terms = seg._terms
    if info is None:
        info = terms.term_info(field, text if isinstance(text, bytes) else seg._text_to_bytes(field, text))
    if info.is_inlined():  # never written by W3Codec's defaults (inlinelimit=1)
        raise ValueError(f"inlined postings are not supported: {field}:{text!r}")
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes keeps the length as unpack's 1-tuple
        length = length[0]
    return Extent(terms._postfile, offset, length, seg.schema[field].format)


def _blocks(matcher):
    """Each block of a W3 postings list as (count, last id, data bytes, compressed), from one read
    of the whole list: W3LeafMatcher reads a block's header through a pickle load that asks the
    file for a few bytes at a time, which made reading postings most of opening an index."""
    raw = matcher._postfile.get(matcher._startoffset, matcher._length)
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"not a postings list at {matcher._startoffset}: {raw[:4]!r}")
    pos, end = 4, len(raw)
    while pos < end:
        (size,) = _INT.unpack_from(raw, pos)
        pos += _INT.size
        size = abs(size)  # negative marks the last block
        block = io.BytesIO(raw[pos:pos + size])
        count, last, _maxweight, compressed, _minlen, _maxlen = pickle.load(block)
        yield count, last, raw[pos + block.tell():pos + size], compressed
        pos += size


def _decode(data: bytes, compressed, count: int, fixed: int | None, ids_only: bool):
    """A block's (ids, weights, values), as W3LeafMatcher's _read_ids/_read_weights/_read_values."""
    ids, weights, values = pickle.loads(zlib.decompress(data) if compressed else data)
    ids = np.cumsum(np.asarray(ids, dtype=np.int64))  # ids are stored as deltas within the block
    if ids_only:
        return ids, None, None
    if weights is None or isinstance(weights, float):
        weights = np.full(count, 1.0 if weights is None else weights)
    else:
        weights = np.asarray(weights, dtype=np.float64)
    if fixed is None or fixed < 0:
        pass
    elif fixed == 0:
        values = (None,) * count
    else:
        values = [values[i:i + fixed] for i in range(0, len(values), fixed)]
    return ids, weights, values


def read_leaf(matcher, ids_only: bool = False):
    """A W3 leaf matcher's postings, a block at a time: (ids, weights, values), lists of arrays
    (and of value bytes)."""
    ids, weights, values = [], [], []
    fixed = matcher.format.fixed_value_size()
    for count, _last, data, compressed in _blocks(matcher):
        i, w, v = _decode(data, compressed, count, fixed, ids_only)
        ids.append(i)
        if not ids_only:
            weights.append(w)
            values.extend(v)
    return ids, weights, values


def read_leaf_at(matcher, targets: np.ndarray):
    """Like ``read_leaf``, but only the blocks whose range of ids can hold one of ``targets``
    (ascending), and only those postings: (ids, weights, values)."""
    ids, weights, values = [], [], []
    fixed = matcher.format.fixed_value_size()
    t = 0
    for count, last, data, compressed in _blocks(matcher):
        if t >= len(targets):
            break
        if last < targets[t]:  # the header alone says the block cannot hold the next target
            continue
        block, w, v = _decode(data, compressed, count, fixed, False)
        hit = np.isin(block, targets, assume_unique=True)
        ids.append(block[hit])
        weights.append(w[hit])
        values.extend(x for x, keep in zip(v, hit) if keep)
        t = int(np.searchsorted(targets, block[-1], side="right"))
    return ids, weights, values


def term_docs(reader, field: str, text: str) -> np.ndarray:
    """The index-wide document numbers of a term, deleted documents included, ascending."""
    found = []
    for seg, offset in reader.leaf_readers():
        if (field, text) in seg:
            found += [ids + offset for ids in read_leaf(extent(seg, field, text), ids_only=True)[0]]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def live_mask(reader) -> np.ndarray:
    """True for each document number that is not deleted."""
    live = np.ones(reader.doc_count_all(), dtype=bool)
    for seg, offset in reader.leaf_readers():
        if seg.has_deletions():
            deleted = np.fromiter(seg._perdoc.deleted_docs(), dtype=np.int64)
            live[deleted + offset] = False
    return live


def numeric_column(reader, field: str, column: NumericColumn, dtype=np.int64) -> np.ndarray:
    """A numeric column's value for every document number (the column's default where a segment
    has none): ``column`` is the field's column type, or LENGTHS_COLUMN for a ``_<field>_len``."""
    out = np.full(reader.doc_count_all(), column._default, dtype=dtype)
    for seg, offset in reader.leaf_readers():
        if not seg._perdoc.has_column(field):
            continue
        values = _column_values(seg._perdoc._cached_reader(field, column), seg.doc_count_all())
        out[offset:offset + len(values)] = values
    return out


def _column_values(creader, count: int) -> np.ndarray:
    """A segment's NumericColumn values from their bytes: big-endian, fixed width, the last
    documents' defaults left unwritten."""
    if not isinstance(creader, NumericColumn.Reader):  # another column type: the slow, sure way
        return np.fromiter(creader, dtype=np.float64, count=count)
    stored = creader._count
    raw = creader._dbfile.get(creader._basepos, stored * creader._fixedlen)
    values = np.frombuffer(raw, dtype=">" + creader._typecode)
    if stored < count:
        values = np.concatenate([values, np.full(count - stored, creader._default, dtype=values.dtype)])
    return values


class StoredFields:
    """A document's stored fields with one positioned read (``os.pread``), thread-safe without a
    lock.

    Whoosh's path to a stored document seeks the shared file, reads through a buffer, then filters
    the fields against the schema: 42 µs a document at 110,000 passages, and reranking alone reads
    100 documents per query. This reads the same bytes of the segment's compound file directly: the
    stored column's own offsets and lengths, then zlib and pickle, as ``PickleColumn`` over
    ``CompressedBytesColumn`` does. A segment laid out otherwise is read Whoosh's way, under
    ``lock``."""

    def __init__(self, reader, lock):
        self._reader, self._lock = reader, lock
        self._bases, self._direct = [], []
        for seg, base in reader.leaf_readers():
            self._bases.append(base)
            self._direct.append(self._locate(seg))

    @staticmethod
    def _locate(seg):
        """(file descriptor, where the column starts, offsets, lengths) of a segment's stored
        column, or None when it is not a compressed pickle column inside a compound file."""
        try:
            pickled = seg._perdoc._cached_reader("_stored", STORED_COLUMN)
            column = pickled._child
            sub = column._dbfile.file
            if not (isinstance(pickled, PickleColumn.Reader) and isinstance(column, CompressedBytesColumn.Reader)
                    and isinstance(sub, SubFile)):
                return None
            return sub._file.fileno(), sub._offset + column._basepos, column._offsets, column._lengths
        except (AttributeError, OSError, ValueError):
            return None

    def __call__(self, docnum: int) -> dict:
        n = bisect_right(self._bases, docnum) - 1
        direct = self._direct[n]
        if direct is None:
            with self._lock:
                return self._reader.stored_fields(docnum)
        fd, start, offsets, lengths = direct
        local = docnum - self._bases[n]
        length = lengths[local]
        if not length:
            return {}
        data = os.pread(fd, length, start + offsets[local])
        return pickle.loads(zlib.decompress(data)) or {}
