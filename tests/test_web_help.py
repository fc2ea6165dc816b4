"""The query language's help page (/help, 检索语法): every example on it runs a search that finds
something on the seed reports (or, for the punctuation-only example, says why it searches nothing),
and every page with a search box, and every results page, links to it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from webui.searching.query_help import SECTIONS

from .test_web import app, client  # noqa: F401 (fixtures)
from .web_helpers import parse_html

HELP_LINK = "检索语法"


def example_links(client) -> list[str]:
    page = parse_html(client.get("/help").data)
    return [a.attrs["href"] for a in page.find_all("a", cls="help-example-link")]


def test_the_help_page_explains_each_kind_of_query(client):
    response = client.get("/help")
    assert response.status_code == 200
    page = parse_html(response.data)
    headings = [h.text for h in page.find_all("h2")]
    for topic in ("词语", "短语", "OR", "减号", "数字", "近似匹配", "筛选条件", "只有标点"):
        assert any(topic in heading for heading in headings), (topic, headings)
    assert len(example_links(client)) == sum(len(s.examples) for s in SECTIONS)


@pytest.mark.parametrize("index", range(sum(len(s.examples) for s in SECTIONS)))
def test_every_example_link_finds_passages_on_the_seeds(client, index):
    examples = [example for section in SECTIONS for example in section.examples]
    link = example_links(client)[index]
    url = urlsplit(link)
    assert url.path == "/search"
    # The same query string on the JSON twin: what the reader sees after the click.
    response = client.get(f"/api/search?{url.query}")
    if examples[index].finds_nothing:
        assert response.status_code == 400
        assert "没有可检索的词" in response.get_json()["error"]
        assert "没有可检索的词" in client.get(link).get_data(as_text=True)
    else:
        assert response.status_code == 200, response.get_json()
        result = response.get_json()
        assert result["total"] > 0, link
        assert result["filters"] or not examples[index].filters, "a filter of the example was dropped"
        assert result["sort"] == (examples[index].sort or "relevance"), "the example's order was dropped"


def test_the_near_match_examples_show_near_matches(client):
    examples = [example for section in SECTIONS for example in section.examples]
    links = example_links(client)
    near = [link for example, link in zip(examples, links) if example in next(s for s in SECTIONS if s.anchor == "near").examples]
    assert near
    for link in near:
        hits = client.get(f"/api/search?{urlsplit(link).query}&per_page=50").get_json()["hits"]
        assert any(hit["match"] == "near" for hit in hits), link


@pytest.mark.parametrize("path", ["/", "/search?q=森林覆盖率", "/search?q=没有这个词的查询xyz", "/search",
                                  "/compare", "/coverage", "/help"])
def test_every_search_box_links_to_the_help(client, path):
    page = parse_html(client.get(path).data)
    form = page.find("form", cls="search-form")
    assert form is not None
    assert "/help" in [a.attrs["href"] for a in form.find_all("a") if a.text == HELP_LINK]


def test_the_no_results_page_points_to_the_help_in_its_advice(client):
    page = parse_html(client.get("/search?q=没有这个词的查询xyz").data)
    advice = page.find("div", cls="no-results")
    assert "/help" in [a.attrs["href"] for a in advice.find_all("a") if a.text == HELP_LINK]
