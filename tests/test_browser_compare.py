"""The comparison across counties in a real browser (the conventions and fixtures of test_browser.py):
reach it from the front page, read the chart and the rows, add a row to a briefing without leaving
the page; and the same page at phone width.

Screenshots (desktop and phone) go to ``test-artifacts/compare.png`` and ``compare-phone.png``.
"""

from __future__ import annotations

import csv

import pytest

from .test_browser import ARTIFACTS, browser, open_page, page, site  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

# Every text of the chart, measured by the browser, ends inside the drawing.
TEXT_OVERFLOW = """svg => {
  const width = svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('text')].filter(t => { const b = t.getBBox(); return b.x < 0 || b.x + b.width > width; })
    .map(t => t.textContent);
}"""


def test_compare_gdp_from_the_front_page_and_add_a_row_to_a_briefing(page, site):
    page.goto(f"{site}/")
    with page.expect_navigation():
        page.locator(".compare-examples").get_by_role("link", name="地区生产总值").click()
    assert page.locator("#compare-q").input_value() == "地区生产总值"
    rows = page.locator("table.compare-table tbody tr")
    assert rows.count() >= 8
    assert len(set(page.locator(".compare-county").all_inner_texts())) >= 5
    assert "557.7亿元" in page.locator(".compare-figures").all_inner_texts()[1]
    chart = page.locator(".figure-chart svg.bars")
    assert chart.locator("rect").count() >= 4 and chart.evaluate(TEXT_OVERFLOW) == []
    assert page.locator(".figure-chart .is-target").count() >= 1 and page.locator(".chart-legend").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "compare.png"), full_page=True)

    row = rows.nth(1)
    row.locator(".add-briefing summary").click()
    row.locator("input[name=title]").fill("地区生产总值对比")
    row.get_by_role("button", name="加入").click()
    notice = row.locator(".notices .notice")
    notice.wait_for()
    assert "已加入简报《地区生产总值对比》" in notice.inner_text() and page.url.endswith("q=%E5%9C%B0%E5%8C%BA%E7%94%9F%E4%BA%A7%E6%80%BB%E5%80%BC")

    with page.expect_navigation():
        row.get_by_role("link", name="永久链接").click()
    assert "/p/" in page.url


def test_compare_at_phone_width_is_one_card_per_row_without_sideways_scrolling(browser, site):
    page = open_page(browser, site, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page.goto(f"{site}/compare?q=城乡居民人均可支配收入")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        first = page.locator("table.compare-table tbody tr").first
        county, passage = first.locator(".compare-county").bounding_box(), first.locator(".compare-passage").bounding_box()
        assert passage["y"] >= county["y"] + county["height"] - 1  # the passage under county, year and figures
        assert page.locator(".figure-chart svg.bars").evaluate(TEXT_OVERFLOW) == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "compare-phone.png"), full_page=True)
        assert not page.console_errors
    finally:
        page.context.close()


def test_the_targets_ledger_from_the_comparison(page, site):
    # From the comparison to the ledger, where the seeds' 表1 rows give each target with its result.
    page.goto(f"{site}/compare?q=地区生产总值")
    with page.expect_navigation():
        page.locator("a.targets-link").click()
    assert page.locator("#ledger-q").input_value() == "地区生产总值"
    youyang = page.locator("table.ledger-table tbody tr", has_text="酉阳").filter(has_text="2022")
    assert youyang.count() == 1
    assert "7%" in youyang.locator(".target-value").inner_text()
    assert "2.3%" in youyang.locator(".result-value").inner_text()
    assert youyang.locator(".status-badge").inner_text() == "未达到"

    # The rule switch: the page says which rule is in force, and the downloads follow it.
    page.get_by_label("容差", exact=False).check()
    with page.expect_navigation():
        page.get_by_role("button", name="查看").click()
    assert "容差" in page.locator(".ledger-rule-in-force").inner_text()
    assert "rule=tolerance" in page.locator("a.download-xlsx").get_attribute("href")
    with page.expect_download() as download:
        page.locator("a.download-csv").click()
    assert download.value.suggested_filename.endswith(".csv")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "targets.png"), full_page=True)
    youyang = page.locator("table.ledger-table tbody tr", has_text="酉阳").filter(has_text="2022")
    with page.expect_navigation():
        youyang.locator("a.cite-target").click()
    assert "/p/" in page.url


def test_targets_at_phone_width_without_sideways_scrolling(browser, site):
    page = open_page(browser, site, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page.goto(f"{site}/targets?q=一般公共预算收入")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        deemed = page.locator("table.ledger-table tbody tr", has_text="涪陵").filter(has_text="2022")
        assert "视为完成" in deemed.locator(".status-deemed_met").inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "targets-phone.png"), full_page=True)
        assert not page.console_errors
    finally:
        page.context.close()


def test_a_new_analyst_picks_a_year_and_a_level_sorts_and_downloads_the_table(page, site):
    # From the front page's 地区对比 to a year and a level chosen on the page itself, no URL typed.
    page.goto(f"{site}/")
    with page.expect_navigation():
        page.locator(".compare-examples").get_by_role("link", name="地区生产总值").click()
    page.locator("#compare-year").select_option("2023")
    page.locator("#compare-level").select_option("县级")
    with page.expect_navigation():
        page.get_by_role("button", name="应用").click()
    assert "year=2023" in page.url and "level=" in page.url
    assert set(page.locator("table.compare-table .compare-year").all_inner_texts()) == {"2023年"}
    assert page.locator("#compare-year").input_value() == "2023"

    # Sort by target: click the column heading, largest first; the heading says so.
    with page.expect_navigation():
        page.locator("table.compare-table thead").get_by_role("link", name="目标").click()
    heading = page.locator("table.compare-table thead th", has_text="目标")
    assert heading.get_attribute("aria-sort") == "descending"
    firsts = page.locator("table.compare-table tbody td.compare-target").evaluate_all(
        "cells => cells.map(c => c.querySelector('.figure-value')).filter(v => v).map(v => v.textContent)")
    targets = [float(t.rstrip("%以上左右")) for t in firsts]  # each place's target as the report states it first
    assert targets == sorted(targets, reverse=True) and len(targets) >= 3
    places = [t.strip() for t in page.locator("table.compare-table tbody .compare-county").all_inner_texts()]

    # The table as it stands, downloaded.
    with page.expect_download() as download:
        page.locator("a.download-csv").click()
    assert download.value.suggested_filename.startswith("对比-地区生产总值-")
    with open(download.value.path(), encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0][:3] == ["地区", "地区全称", "年份"] and [r[0] for r in rows[1:]] == places
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "compare-controls.png"), full_page=True)
    assert not page.console_errors
