"""地区, not 区县, wherever a place of any level is meant: the collection holds national, provincial
and city reports too. Report text itself may say 区县 (it is quoted, not our wording), so the pages
are checked outside the passages."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from search.cli import cli

from .test_web import app, client  # noqa: F401 (fixtures)
from .web_helpers import parse_html

COUNTY_ERA = re.compile(r"区县")
# Report text shown on a page: quoted from the reports, so it may say 区县 itself.
QUOTED = ("hit", "passage", "compare-passage", "item-text")


def own_words(html: bytes) -> str:
    """A page's text without the passages it quotes."""
    page = parse_html(html)
    for element in page.find_all():
        if element.classes & set(QUOTED):
            element.children.clear()
            element.content.clear()
    return page.root.text


@pytest.mark.parametrize("path", ["/", "/search?q=森林覆盖率", "/compare?q=森林覆盖率", "/coverage", "/targets",
                                  "/help", "/search?q=森林覆盖率&place=火星", "/api/search?place=火星"])
def test_pages_say_place_not_county(client, path):
    response = client.get(path)
    text = response.get_data(as_text=True) if response.is_json else own_words(response.data)
    assert not COUNTY_ERA.search(text), COUNTY_ERA.findall(text)


def test_the_home_table_and_compare_chart_name_the_place_column_地区(client):
    home = parse_html(client.get("/").data)
    assert home.find("table", "reports").find("th").text == "地区"
    compare = client.get("/compare?q=森林覆盖率").get_data(as_text=True)
    assert "各地区“森林覆盖率”" in compare


def test_an_unknown_place_is_explained_in_terms_of_places(client):
    response = client.get("/search?q=森林覆盖率&place=火星")
    assert response.status_code == 400
    assert "索引中已有的地区" in parse_html(response.data).root.text


def test_cli_offers_place_and_keeps_county_only_as_a_hidden_old_name(seed_index):
    runner = CliRunner()
    shown = runner.invoke(cli, ["search", "--help"]).output
    assert "--place" in shown and "--county" not in shown
    old = runner.invoke(cli, ["search", "森林覆盖率", "--county", "奉节", "--json", "--index", str(seed_index)])
    assert old.exit_code == 0, old.output
    assert '"重庆市奉节县"' in old.output
