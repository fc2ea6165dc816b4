"""The targets ledger reached the way a new analyst reaches it: from the top bar or the front page's
place picker, never by editing a URL (the conventions and fixtures of test_browser.py)."""

from __future__ import annotations

import pytest

from .test_browser import page, site, browser  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_pick_a_place_on_the_front_page_and_see_its_targets(page, site):
    page.goto(f"{site}/")
    picker = page.locator("form.targets-pick select[name=place]")
    labels = picker.locator("option").all_inner_texts()
    assert "云阳（重庆市云阳县）" in labels and len(labels) == 5  # every place the seeds hold, once each
    picker.select_option(label="云阳（重庆市云阳县）")
    with page.expect_navigation():
        page.get_by_role("button", name="查看目标与实绩").click()
    assert "/targets" in page.url
    assert page.locator("#ledger-place").input_value() == "云阳"
    places = set(page.locator("table tbody th[scope=row]").all_inner_texts())
    assert places == {"云阳"}


def test_the_top_bar_names_the_targets_page_and_its_place_box_offers_the_places(page, site):
    page.goto(f"{site}/search?q=GDP")
    with page.expect_navigation():
        page.locator("header").get_by_role("link", name="目标完成情况").click()
    assert page.url.endswith("/targets")
    offered = page.locator("#ledger-places option").evaluate_all("options => options.map(o => o.value)")
    assert "奉节" in offered and "云阳" in offered
