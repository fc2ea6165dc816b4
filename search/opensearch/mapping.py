"""The OpenSearch index: its settings and mapping, and the document each passage becomes.

OpenSearch never analyses our text. Python tokenizes every passage with the same functions the
Whoosh index uses (``search.text``), writes each stream as one space-separated string, and the
cluster splits it with a ``whitespace`` tokenizer: the tokens and their positions are ours by
construction. A stream that leaves a position empty (the joined stream between runs) writes the
placeholder ``GAP`` there, which a ``stop`` filter removes while keeping its position, so no
phrase matches across it. Queries send their tokens the same way (``search.opensearch.dsl``).

One index holds a load: a document per passage (``doc_type: passage``, id = passage id, so a load
is idempotent) and one per report (``doc_type: report``, the report's metadata), so that one
alias switch moves both at once.
"""

from __future__ import annotations

from .. import settings
from ..text.joined import joined_stream
from ..text.streams import fold, gram_list, word_list

GAP = "\ue000"  # private use: our tokenizers never emit it
TOKEN_FIELDS = ("grams", "words", "joined")
STORED = ("id", "report_id", "county", "place", "province", "level", "year", "section", "kind", "heading",
          "position", "para", "text", "table", "figures", "ocr")
FACET_FIELDS = ("place", "province", "level", "year", "section")


def index_body(shards: int = 1, replicas: int = 0) -> dict:
    keyword = {"type": "keyword"}
    stored_only = {"type": "object", "enabled": False}
    return {
        "settings": {
            "number_of_shards": shards,
            "number_of_replicas": replicas,
            # Filled at once, then searched: no refresh while loading (push restores it).
            "refresh_interval": "-1",
            # Whoosh ranks with the same BM25 parameters (search.settings bm25_b, bm25_k1).
            "similarity": {"default": {"type": "BM25", "b": settings.get("bm25_b"), "k1": settings.get("bm25_k1")}},
            "analysis": {
                # Tokens are never split again: a Latin run may be longer than the default 255.
                "tokenizer": {"pretok": {"type": "whitespace", "max_token_length": 16384}},
                "filter": {"gap": {"type": "stop", "stopwords": [GAP], "ignore_case": False}},
                "analyzer": {"pretok": {"type": "custom", "tokenizer": "pretok", "filter": ["gap"]}},
            },
        },
        "mappings": {
            "dynamic": "strict",
            # The token strings and their lengths are derived data: kept out of _source (Python
            # re-derives them).
            "_source": {"excludes": [*TOKEN_FIELDS, "lengths"]},
            "properties": {
                "doc_type": keyword, "id": keyword, "report_id": keyword, "county": keyword,
                **{f: keyword for f in FACET_FIELDS}, "kind": keyword,
                "heading": {"type": "keyword", "index": False, "doc_values": False},
                "position": {"type": "integer"}, "order": {"type": "long"},
                "para": {"type": "integer", "index": False},
                "text": {"type": "text", "index": False},
                "table": stored_only, "figures": stored_only, "report": stored_only,
                "ocr": {"type": "boolean", "index": False},
                # Each token stream's length: summed per field, they give BM25F's average lengths.
                "lengths": {"properties": {f: {"type": "integer", "index": False} for f in TOKEN_FIELDS}},
                # Whole words only earn a bonus: no positions needed, as in the Whoosh index. Stored
                # (not in _source), so that a first page's candidates are scored with their words
                # without a segmenter at query time (search.opensearch.candidates).
                "words": {"type": "text", "analyzer": "pretok", "index_options": "freqs", "norms": True, "store": True},
                "grams": {"type": "text", "analyzer": "pretok"},
                "joined": {"type": "text", "analyzer": "pretok"},
            },
        },
    }


def streams(folded: str) -> dict[str, list[str | None]]:
    """The three token streams of folded text, in position order (None: a position left empty)."""
    return {"grams": gram_list(folded), "words": word_list(folded),
            "joined": [None if item is None else item[0] for item in joined_stream(folded)]}


def passage_document(stored: dict, order: int) -> dict:
    """The document of one passage (its stored fields, as the Whoosh index keeps them), the
    ``order``-th in reading order, with its token streams and their lengths."""
    doc = {k: stored.get(k) for k in STORED}
    doc["year"] = str(doc["year"])
    doc["ocr"] = bool(doc["ocr"])  # an index built before the flag stored none
    folded = streams(fold(stored["text"]))
    indexed = {field: " ".join(GAP if t is None else t for t in stream) for field, stream in folded.items()}
    lengths = {field: sum(t is not None for t in stream) for field, stream in folded.items()}
    return {"doc_type": "passage", "order": order, **doc, **indexed, "lengths": lengths}


def report_document(report: dict, sequence: int) -> dict:
    return {"doc_type": "report", "id": report["id"], "order": sequence, "report": report}
