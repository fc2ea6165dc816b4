"""The compare page in a real browser (the conventions and fixtures of test_browser.py)."""

from __future__ import annotations

import pytest

from .test_browser import ARTIFACTS, browser, open_page, page, site  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_compare_gdp_across_counties(page, site):
    page.goto(f"{site}/")
    page.get_by_role("link", name="各区县指标对比").click()
    page.get_by_role("link", name="地区生产总值").first.click()
    table = page.locator("table.compare-table")
    assert table.locator("tbody tr").count() >= 8
    assert page.locator("svg.bars rect").count() >= 3
    assert "557.7亿元" in table.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "compare.png"), full_page=True)
    table.locator("a", has_text="永久链接").first.click()
    assert "/p/" in page.url


def test_compare_at_phone_width(browser, site):
    page = open_page(browser, site, viewport={"width": 390, "height": 844})
    page.goto(f"{site}/compare?q=一般公共预算收入")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "compare-phone.png"), full_page=False)
    assert not page.console_errors
    page.context.close()
