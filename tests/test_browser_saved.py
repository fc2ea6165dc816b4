"""Saving a search in a real browser (the conventions and fixtures of test_browser.py): search, press
保存此搜索 on the results, land on the saved search's private page, find its feed there (the
visible link and the auto-discovery link a feed reader looks for) and read the feed.

A screenshot of the saved search's page goes to ``test-artifacts/``.
"""

from __future__ import annotations

import threading

import feedparser
import pytest

from webui.server import make_server

from .test_browser import ARTIFACTS, QUERY, browser, page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(seed_index, tmp_path_factory):
    """The production server over the seeds, with its own databases (not the instance folder's)."""
    folder = tmp_path_factory.mktemp("saved-site")
    config = {"BRIEFINGS_DB": folder / "b.sqlite3", "SAVED_SEARCHES_DB": folder / "saved.sqlite3",
              "SECRET_KEY": "browser-tests"}
    server = make_server(seed_index, host="127.0.0.1", port=0, threads=4, config=config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


def test_save_a_search_and_find_its_feed(page, site):
    page.goto(f"{site}/search?q={QUERY}")
    with page.expect_navigation():  # app.js applies a ticked filter at once
        page.locator(".facet input[value='重庆市云阳县']").check()
    total = int(page.locator(".total strong").inner_text())
    with page.expect_navigation():
        page.get_by_role("button", name="保存此搜索").click()

    assert "/saved/" in page.url and "token=" in page.url
    assert page.locator("h1").inner_text() == f"“{QUERY}” · 地区：重庆市云阳县"
    assert "已保存这次检索" in page.locator(".notice").first.inner_text()
    assert page.locator(".saved-hits .hit").count() == total
    feed_link = page.get_by_role("link", name="订阅源（Atom）")
    assert feed_link.is_visible()
    discovered = page.locator("link[rel=alternate][type='application/atom+xml']").get_attribute("href")
    assert discovered == feed_link.get_attribute("href") == page.get_by_role("textbox", name="订阅源地址").input_value()
    page.screenshot(path=str(ARTIFACTS / "saved-search.png"), full_page=True)

    answer = page.request.get(discovered)
    assert answer.ok and answer.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(answer.body())
    assert not feed.bozo and len(feed.entries) == total
    with page.expect_navigation():
        page.locator(".saved-hits .hit").first.get_by_role("link", name="永久链接").click()
    assert page.url == feed.entries[0].link
