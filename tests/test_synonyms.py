"""The synonym list: big enough, well-formed, and every group grounded in the reports."""

from __future__ import annotations

import pytest

from search import settings
from search.text.streams import fold
from search.engine import Engine
from search.whoosh_index.indexing import build

from .conftest import MINI_REPORT, ROOT, SEEDS, write_report

GROUPS = [line.split("\t") for line in (settings.DATA_DIR / "synonyms.tsv").read_text(encoding="utf-8").splitlines()
          if line.strip() and not line.startswith("#")]
CORPUS = fold("".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")))
FIXTURES = fold("".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests" / "fixtures").rglob("*.txt")))
# The real reports every helper may read (national and provincial text), next to the project.
SHARED_CORPUS = next((p for p in (ROOT.parent / "shared" / "corpus", ROOT.parent.parent / "shared" / "corpus")
                      if p.is_dir()), None)
GDP_GROUP = next(g for g in GROUPS if "GDP" in g)


def test_there_are_at_least_40_groups():
    assert len(GROUPS) >= 40


@pytest.mark.parametrize("group", GROUPS, ids=[g[0] for g in GROUPS])
def test_group_is_grounded_in_the_reports(group):
    assert len(group) >= 2 and all(t.strip() == t and t for t in group)
    assert len({fold(t) for t in group}) == len(group)
    assert any(fold(t) in CORPUS for t in group), f"no term of {group} occurs in the bundled reports"


def test_each_way_a_level_of_government_writes_gdp_occurs_in_a_report():
    # GDP is typed by analysts; the other terms are how reports write it, and each must be real: in the
    # seeds, the test fixtures, or the shared corpus (国内生产总值 is the national reports' form).
    written = [t for t in GDP_GROUP if not t.isascii()]
    assert {"地区生产总值", "国内生产总值"} <= set(written)
    missing = [t for t in written if fold(t) not in CORPUS and fold(t) not in FIXTURES]
    if missing and SHARED_CORPUS is None:
        pytest.skip(f"{missing} are grounded in the shared corpus, which is not next to the project")
    shared = fold("".join(p.read_text(encoding="utf-8") for p in SHARED_CORPUS.glob("*/*.txt"))) if missing else ""
    assert not [t for t in missing if fold(t) not in shared]


def test_gdp_finds_the_figure_however_the_level_writes_it(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    # A county report that quotes the national and provincial figures in their own words.
    text = MINI_REPORT.replace("全年实现地区生产总值100.5亿元、增长4.7%。",
                               "全县生产总值增长4.7%。全国国内生产总值增长5.2%。全省生产总值增长5.4%。")
    write_report(reports, "wushan.txt", text)
    build(reports, tmp_path / "index")
    for q in ("GDP", "地区生产总值"):
        found = {h["text"] for h in Engine(tmp_path / "index").search(q, per_page=50)["hits"]}
        assert {"全县生产总值增长4.7%。", "全国国内生产总值增长5.2%。", "全省生产总值增长5.4%。"} <= found, q


def test_a_term_belongs_to_one_group_only():
    terms = [fold(t) for g in GROUPS for t in g]
    assert len(terms) == len(set(terms))


@pytest.mark.parametrize("typed, finds", [
    ("社零", "社会消费品零售总额"),
    ("固投", "固定资产投资"),
    ("GDP", "地区生产总值"),
    ("地区生产总值", "GDP"),  # both ways: 奉节 writes GDP
    ("CPI", "居民消费价格指数"),
    ("R&D", "研发"),
    ("高企", "高新技术企业"),
    ("成渝双城", "成渝地区双城经济圈"),
])
def test_typed_abbreviation_finds_the_full_form(engine, typed, finds):
    result = engine.search(typed, per_page=50)
    assert result["total"] > 0
    assert any(finds in h["text"] for h in result["hits"])
    # The synonym is marked like a typed term.
    marked = {fold(h["text"][s["start"]:s["end"]]) for h in result["hits"] for s in h["spans"] if s["kind"] == "term"}
    assert any(fold(finds) in m for m in marked), marked


def test_quoted_term_is_literal(engine):
    assert engine.search('"社零"')["total"] < engine.search("社零")["total"]
