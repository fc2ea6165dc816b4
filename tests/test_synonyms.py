"""The synonym list: big enough, well-formed, and every group grounded in the reports."""

from __future__ import annotations

import pytest

from search import settings
from search.analysis import fold

from .conftest import SEEDS

GROUPS = [line.split("\t") for line in (settings.DATA_DIR / "synonyms.tsv").read_text(encoding="utf-8").splitlines()
          if line.strip() and not line.startswith("#")]
CORPUS = fold("".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")))


def test_there_are_at_least_40_groups():
    assert len(GROUPS) >= 40


@pytest.mark.parametrize("group", GROUPS, ids=[g[0] for g in GROUPS])
def test_group_is_grounded_in_the_reports(group):
    assert len(group) >= 2 and all(t.strip() == t and t for t in group)
    assert len({fold(t) for t in group}) == len(group)
    assert any(fold(t) in CORPUS for t in group), f"no term of {group} occurs in the bundled reports"


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
