"""The OpenSearch/Elasticsearch export: a mapping and bulk files in the _bulk format."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from search.opensearch import export as opensearch
from search.cli import cli


@pytest.fixture(scope="module")
def exported(engine, tmp_path_factory):
    out = tmp_path_factory.mktemp("os")
    result = opensearch.export(engine.export(), out)
    return out, result


def read_bulk(out, files):
    lines = []
    for name in files:
        text = (out / name).read_text(encoding="utf-8")
        assert text.endswith("\n")  # _bulk needs the final newline
        lines += text.splitlines()
    return lines


def test_bulk_files_alternate_action_and_document(exported, engine):
    out, result = exported
    lines = read_bulk(out, result["files"])
    assert len(lines) == 2 * result["documents"] == 2 * sum(r["passage_count"] for r in engine.reports())
    actions, docs = lines[0::2], lines[1::2]
    for action, doc in zip(actions, docs):
        action, doc = json.loads(action), json.loads(doc)
        assert list(action) == ["index"] and action["index"]["_index"] == opensearch.INDEX_NAME
        assert action["index"]["_id"] == doc["id"]
        assert set(doc) <= set(opensearch.MAPPING["mappings"]["properties"])  # dynamic: strict
        # The place model travels with every passage, so a cluster can filter by place and level.
        assert {"place", "province", "level", "city", "adcode"} <= set(doc)
    first = json.loads(docs[0])
    assert first["place"].startswith("重庆市") and first["level"] == "县级" and first["province"] == "重庆市"


def test_files_are_split(exported):
    out, result = exported
    sizes = [len((out / f).read_text(encoding="utf-8").splitlines()) // 2 for f in result["files"]]
    assert all(s <= opensearch.DOCS_PER_FILE for s in sizes) and sum(sizes) == result["documents"]


def test_ids_are_stable_and_unique(exported, engine, tmp_path):
    out, result = exported
    first = [json.loads(a)["index"]["_id"] for a in read_bulk(out, result["files"])[0::2]]
    again = opensearch.export(engine.export(), tmp_path)
    second = [json.loads(a)["index"]["_id"] for a in read_bulk(tmp_path, again["files"])[0::2]]
    assert first == second and len(set(first)) == len(first)


def test_tokens_are_pre_split(exported):
    out, result = exported
    docs = [json.loads(d) for d in read_bulk(out, result["files"])[1::2]]
    doc = next(d for d in docs if "557.7亿元" in d["text"])
    assert "地区生产总值" in doc["words"].split()
    grams = doc["grams"].split()
    assert grams[grams.index("557.7") + 1] == "亿元"
    mapping = json.loads((out / "mapping.json").read_text(encoding="utf-8"))
    assert mapping["mappings"]["properties"]["grams"]["analyzer"] == "pre_split"
    assert mapping["settings"]["analysis"]["analyzer"]["pre_split"]["tokenizer"] == "whitespace"


def test_cli(seed_index, tmp_path):
    result = CliRunner().invoke(cli, ["export", "--format", "opensearch", "--out", str(tmp_path / "o"),
                                      "--index", str(seed_index)])
    assert result.exit_code == 0 and "bulk files" in result.output
    assert (tmp_path / "o" / "mapping.json").exists() and (tmp_path / "o" / "bulk-0001.ndjson").exists()
