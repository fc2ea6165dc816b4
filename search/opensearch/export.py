"""Export for OpenSearch / Elasticsearch: an index mapping and newline-delimited bulk files.

Past one machine (thousands of counties, tens of millions of passages) Whoosh is not the engine.
The export carries our own tokens so the cluster needs no Chinese analyzer plugin:

- ``words``: jieba's words, pre-split and joined by spaces, in a whitespace-analyzed field;
- ``grams``: our bigram stream (CJK bigrams, whole Latin/number runs, punctuation marks), pre-split
  the same way, so ``match_phrase`` on it is exactly our substring and phrase matching;
- ``text``: the passage, also analyzed with the built-in ``cjk_bigram`` filter for ad-hoc queries.

Files: ``mapping.json`` (PUT it as the index body) and ``bulk-0001.ndjson``… (POST each to
``_bulk``), each file at most ``DOCS_PER_FILE`` documents, one action line before each document.
Document ids are our passage ids, so re-loading a rebuilt index updates in place.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..text.streams import fold, gram_stream, word_stream

INDEX_NAME = "policy-passages"
DOCS_PER_FILE = 5000

MAPPING = {
    "settings": {
        "analysis": {
            "analyzer": {
                "pre_split": {"type": "custom", "tokenizer": "whitespace"},
                "cjk": {"type": "custom", "tokenizer": "standard",
                        "filter": ["cjk_width", "lowercase", "cjk_bigram"]},
            }
        }
    },
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "id": {"type": "keyword"},
            "report_id": {"type": "keyword"},
            "county": {"type": "keyword"},
            "place": {"type": "keyword"},
            "province": {"type": "keyword"},
            "level": {"type": "keyword"},
            "city": {"type": "keyword"},
            "adcode": {"type": "keyword"},
            "year": {"type": "integer"},
            "section": {"type": "keyword"},
            "kind": {"type": "keyword"},
            "heading": {"type": "keyword", "index": False},
            "position": {"type": "integer"},
            "para": {"type": "integer", "index": False},
            "text": {"type": "text", "analyzer": "cjk"},
            "table": {"type": "object", "enabled": False},
            "ocr": {"type": "boolean", "index": False},
            "words": {"type": "text", "analyzer": "pre_split"},
            "grams": {"type": "text", "analyzer": "pre_split"},
        },
    },
}


def document(passage: dict) -> dict:
    folded = fold(passage["text"])
    return {
        **{k: passage.get(k) for k in ("id", "report_id", "county", "place", "province", "level", "city",
                                       "adcode", "year", "section", "kind", "heading", "position", "para",
                                       "text", "table")},
        "ocr": bool(passage.get("ocr")),
        # Tokens never contain spaces, so joining by one space is a lossless pre-split.
        "words": " ".join(t for t, _, _ in word_stream(folded)),
        "grams": " ".join(t for t, _, _ in gram_stream(folded)),
    }


def export(passages, out_dir: Path, index_name: str = INDEX_NAME) -> dict:
    """Write mapping.json and bulk files; return {"files": [...], "documents": n}."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "mapping.json").write_text(json.dumps(MAPPING, ensure_ascii=False, indent=1), encoding="utf-8")
    files, count, handle = [], 0, None
    try:
        for passage in passages:
            if count % DOCS_PER_FILE == 0:
                if handle:
                    handle.close()
                path = out_dir / f"bulk-{len(files) + 1:04d}.ndjson"
                files.append(path.name)
                handle = open(path, "w", encoding="utf-8", newline="\n")
            handle.write(json.dumps({"index": {"_index": index_name, "_id": passage["id"]}}) + "\n")
            handle.write(json.dumps(document(passage), ensure_ascii=False) + "\n")
            count += 1
    finally:
        if handle:
            handle.close()
    return {"files": files, "documents": count, "mapping": "mapping.json"}
