"""Field lengths as BM25F sees them: one byte per document and field, read back as an approximation.

Whoosh stores each document's field length in one byte: byte ``n`` stands for the length
``round((1.033 ** n - 1) * 27)``, and a length is stored as the first byte whose length is not
smaller (``bisect_left``), so it is read back rounded up: exact up to 10, 11 read as 12, at most
4 % more from 100 tokens on; 106,374 and longer are byte 255.
Scores use the length read back, so anything that scores as the Whoosh index does (the candidates
a cluster sends, ``search.opensearch.candidates``) quantizes the same way.
``tests/test_scoring.py`` holds this table to Whoosh's own.
"""

from __future__ import annotations

import numpy as np

LENGTH_OF_BYTE = np.array([int(round((1.033 ** n - 1) * 27)) for n in range(256)], dtype=np.int64)


def length_bytes(lengths: np.ndarray) -> np.ndarray:
    """The byte each length is stored as."""
    lengths = np.asarray(lengths, dtype=np.int64)
    return np.where(lengths >= LENGTH_OF_BYTE[255], 255,
                    np.minimum(np.searchsorted(LENGTH_OF_BYTE, lengths, side="left"), 255))


def quantized(lengths) -> np.ndarray:
    """Lengths as scoring reads them back: each length's byte, decoded."""
    return LENGTH_OF_BYTE[length_bytes(lengths)]
