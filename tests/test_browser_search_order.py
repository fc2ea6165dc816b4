"""Searching within one report and ordering results, in a real browser (the conventions and fixtures
of test_browser.py): the reader's search box, the notice that says a search is within a report and
the way out of it, and the order control, kept while paging and ticking filters.

Screenshots go to ``test-artifacts/within-report.png`` and ``sorted-by-year-phone.png``.
"""

from __future__ import annotations

import pytest

from .test_browser import ARTIFACTS, browser, open_page, page, page_report_id, site, total  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_search_box_on_the_reader_searches_that_report_and_the_notice_leads_out(page, site):
    report_id = page_report_id(page, site)
    page.goto(f"{site}/reports/{report_id}")
    title = page.locator(".report-header h1").inner_text()
    page.get_by_role("searchbox", name="在本报告中检索").fill("发展")
    with page.expect_navigation():
        page.get_by_role("button", name="在本报告中检索").click()
    notice = page.locator("#within-report")
    assert notice.is_visible() and "仅在" in notice.inner_text()
    within = total(page)
    links = page.locator(".hit").get_by_role("link", name="在报告中查看")
    assert links.count() and all(f"/reports/{report_id}#" in links.nth(i).get_attribute("href")
                                 for i in range(links.count()))
    assert notice.get_by_role("link").first.inner_text() in title
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "within-report.png"))
    with page.expect_navigation():
        notice.get_by_role("link", name="在全部报告中检索").click()
    assert not page.locator("#within-report").count() and total(page) > within
    assert page.locator("#q").input_value() == "发展"


def test_order_control_sorts_by_year_and_paging_keeps_the_order(browser, site):
    page = open_page(browser, site, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page.goto(f"{site}/search?q=发展&per_page=20")
        control = page.get_by_role("navigation", name="排序")
        assert control.locator("[aria-current]").inner_text() == "相关度"
        with page.expect_navigation():
            control.get_by_role("link", name="最新年份在前").click()
        assert page.get_by_role("navigation", name="排序").locator("[aria-current]").inner_text() == "最新年份在前"
        first_page = [page.locator(".hit").nth(i).get_attribute("id") for i in range(page.locator(".hit").count())]
        years = page.locator(".facet input[name='year']").evaluate_all("els => els.map(e => e.value)")
        newest = max(years)
        assert page.locator(".hit").first.inner_text().count(f"{newest}年") >= 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "sorted-by-year-phone.png"))
        with page.expect_navigation():
            page.get_by_role("navigation", name="分页").get_by_role("link", name="下一页").click()
        assert "sort=year" in page.url
        second_page = [page.locator(".hit").nth(i).get_attribute("id") for i in range(page.locator(".hit").count())]
        assert not set(first_page) & set(second_page)
        # A new query typed in the header keeps the order.
        page.locator("#q").fill("就业")
        with page.expect_navigation():
            page.locator("#q").press("Enter")
        assert "sort=year" in page.url and "就业" in page.locator("h1").inner_text()
        assert not page.console_errors
    finally:
        page.context.close()
