"""The build's floor: the same bigram and word postings, written by numpy alone.

It tokenizes every passage with our own analyzers (the same tokens the index gets), then builds
what an inverted index must hold — for each term, its documents, and for bigrams their positions —
as sorted numpy arrays, and writes them to disk. No Whoosh, no per-posting Python: what is left is
tokenizing plus sorting and writing arrays. A build cannot be faster than this without tokenizing
faster or writing less.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np


def build(passages, out: Path) -> dict:
    """Tokenize and write postings for ``passages`` (texts); return seconds per stage and sizes."""
    from search.text.streams import fold, gram_stream, word_stream

    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    terms: dict[str, int] = {}
    gram_term, gram_doc, gram_pos = [], [], []
    word_term, word_doc = [], []
    for doc, text in enumerate(passages):
        folded = fold(text)
        for pos, (token, _, _) in enumerate(gram_stream(folded)):
            gram_term.append(terms.setdefault(token, len(terms)))
            gram_doc.append(doc)
            gram_pos.append(pos)
        for token, _, _ in word_stream(folded):
            word_term.append(terms.setdefault("w:" + token, len(terms)))
            word_doc.append(doc)
    tokenized = time.perf_counter()
    size = 0
    for name, term, doc, pos in (("grams", gram_term, gram_doc, gram_pos), ("words", word_term, word_doc, None)):
        term = np.asarray(term, dtype=np.int32)
        doc = np.asarray(doc, dtype=np.int32)
        order = np.lexsort((doc, term))
        arrays = {"term": term[order], "doc": doc[order]}
        if pos is not None:
            arrays["pos"] = np.asarray(pos, dtype=np.int32)[order]
        # Postings as a CSR: where each term's run starts, then documents (and positions).
        arrays["starts"] = np.searchsorted(arrays["term"], np.arange(len(terms) + 1))
        for key, array in arrays.items():
            path = out / f"{name}-{key}.npy"
            np.save(path, array)
            size += path.stat().st_size
    written = time.perf_counter()
    return {"tokenize_s": tokenized - started, "write_s": written - tokenized, "total_s": written - started,
            "postings": len(gram_term) + len(word_term), "mb": size / 2**20}
