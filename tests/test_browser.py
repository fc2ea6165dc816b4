"""The site in a real browser: Debian's Chromium driven by Playwright, against the production server.

Without Chromium or Playwright these tests are skipped and say why (``-ra`` prints the reason in
the summary); with ``POLICY_SEARCH_REQUIRE_BROWSER=1`` (CI) that is a failure instead. Every page
the browser opens is checked for console errors, which is where Content-Security-Policy violations
show up, and requests anywhere but the test server are refused, so nothing can come from a CDN.

Screenshots of a results page (desktop and phone width) go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from webui.server import make_server

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
QUERY = "森林覆盖率"


def browser_unavailable(reason: str):
    if os.environ.get("POLICY_SEARCH_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; POLICY_SEARCH_REQUIRE_BROWSER=1 makes a skipped browser test a failure")
    pytest.skip(f"{reason}: browser tests skipped")


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("Playwright for Python is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        browser_unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(seed_index, tmp_path_factory):
    """The real waitress server on a free port of 127.0.0.1, in a background thread, with its own
    briefings database and session key (not the instance folder's)."""
    config = {"BRIEFINGS_DB": tmp_path_factory.mktemp("briefings") / "b.sqlite3", "SECRET_KEY": "browser-tests"}
    server = make_server(seed_index, host="127.0.0.1", port=0, threads=4, config=config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


def open_page(browser, site, **context_options):
    context = browser.new_context(locale="zh-CN", **{"viewport": {"width": 1280, "height": 900}, **context_options})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    # Only the test server may be reached: a request for anything else fails the page visibly.
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(site)
                  else route.abort())
    return page


@pytest.fixture
def page(browser, site):
    page = open_page(browser, site)
    yield page
    errors = page.console_errors
    page.context.close()
    assert not errors, f"console errors (a CSP violation, a failed request, a script error): {errors}"


def facet_count(page, name: str, value: str) -> int:
    option = page.locator(".facet-option", has=page.locator(f"input[name='{name}'][value='{value}']"))
    return int(option.locator(".facet-count").inner_text())


def total(page) -> int:
    return int(page.locator(".total strong").inner_text())


def tick(page, name: str, value: str) -> None:
    """Tick a facet box; app.js applies it at once by submitting the form."""
    with page.expect_navigation():
        page.locator(f".facet input[name='{name}'][value='{value}']").check()


def assert_target_highlighted_in_view(page, passage_id: str) -> None:
    target = page.locator(f"[id='{passage_id}']")
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == passage_id
    box = target.bounding_box()
    viewport = page.viewport_size
    assert box and 0 <= box["y"] < viewport["height"], "the linked passage is not scrolled into view"
    background = target.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), "the linked passage is not highlighted"


def test_search_tick_counties_and_see_results_and_counts_change(page, site):
    page.goto(site + "/")
    page.locator("#q").fill(QUERY)
    with page.expect_navigation():
        page.locator("#q").press("Enter")
    assert total(page) == 8 and page.locator(".hit").count() == 8
    assert page.locator(".hit mark.term").first.inner_text() == QUERY
    years_before = {y: facet_count(page, "year", y) for y in ("2022", "2023", "2024")}

    yunyang, youyang = "重庆市云阳县", "重庆市酉阳土家族苗族自治县"
    tick(page, "place", yunyang)
    assert "place=" in page.url and total(page) == 2
    assert set(page.locator(".hit .cite-county").all_inner_texts()) == {yunyang}
    assert facet_count(page, "place", youyang) == 1  # other places keep their counts
    assert {y: facet_count(page, "year", y) for y in ("2022", "2023")} != \
        {y: years_before[y] for y in ("2022", "2023")}  # the year counts follow the place
    # The reloaded page gives the focus back to the box just ticked, so keyboard users keep their place.
    assert page.evaluate("document.activeElement.value") == yunyang

    tick(page, "place", youyang)
    assert total(page) == 3
    assert set(page.locator(".hit .cite-county").all_inner_texts()) == {yunyang, youyang}
    assert page.locator(".chip").all_inner_texts() and page.locator(".chip").count() == 2

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "results.png"), full_page=True)

    with page.expect_navigation():
        page.locator(".chip", has_text="云阳").click()  # a chip removes its filter
    assert total(page) == 1 and page.locator(".chip").count() == 1


def test_permalink_then_in_report_lands_on_the_highlighted_sentence(page, site):
    page.goto(f"{site}/search?q={QUERY}")
    first_hit = page.locator(".hit").first
    passage_id = first_hit.get_attribute("id").removeprefix("hit-")
    with page.expect_navigation():
        first_hit.get_by_role("link", name="永久链接").click()
    assert page.url.endswith(f"/p/{passage_id}")
    assert page.locator(".context-passage").count() == 4
    assert "《" in page.locator("#citation").input_value()

    with page.expect_navigation():
        page.get_by_role("link", name="在报告中查看").first.click()
    assert page.url.endswith(f"#{passage_id}")
    assert_target_highlighted_in_view(page, passage_id)


def test_keyboard_only_search_and_open_a_result(page, site):
    page.goto(f"{site}/reports/{page_report_id(page, site)}")  # a page without autofocus
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type(QUERY)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert total(page) == 8
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate("[document.activeElement.textContent.trim(), "
                                "!!document.activeElement.closest('.hit'), "
                                "getComputedStyle(document.activeElement).outlineStyle]")
        if focused[1]:
            break
    else:
        pytest.fail("Tab never reached a search result")
    text, _, outline = focused
    assert text == "在报告中查看" and outline != "none"  # the focus is visible
    href = page.evaluate("document.activeElement.getAttribute('href')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_target_highlighted_in_view(page, href.split("#")[1])


def page_report_id(page, site) -> str:
    page.goto(site + "/")
    return page.locator("table.reports tbody a[href^='/reports/']").first.get_attribute("href").split("/")[-1]


def test_facets_and_context_work_without_javascript(browser, site):
    page = open_page(browser, site, java_script_enabled=False)
    try:
        page.goto(f"{site}/search?q={QUERY}")
        assert page.locator(".apply").is_visible()  # the button that app.js would make unnecessary
        page.locator(".facet input[value='重庆市云阳县']").check()
        assert total(page) == 8  # nothing happens until the form is sent
        with page.expect_navigation():
            page.locator(".apply").click()
        assert total(page) == 2
        with page.expect_navigation():
            page.locator(".hit").first.get_by_role("link", name="上下文").click()
        assert page.locator(".hit .context .context-passage").count() >= 2
        assert not page.console_errors
    finally:
        page.context.close()


def test_phone_width_puts_filters_above_results_without_sideways_scrolling(browser, site):
    page = open_page(browser, site, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page.goto(f"{site}/search?q=GDP&county=涪陵")
        facets, results = page.locator(".facets").bounding_box(), page.locator(".results").bounding_box()
        assert facets["y"] + facets["height"] <= results["y"] + 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "results-phone.png"))
        assert not page.console_errors
    finally:
        page.context.close()
