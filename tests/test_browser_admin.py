"""Adding a report through the site in a real browser (the conventions and fixtures of
test_browser.py): the maintainer signs in, uploads a real report, corrects its year, adds it, and
finds its passage with the site's own search box. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import shutil
import threading

import pytest

from webui.server import make_server

from .test_admin import HENAN, HENAN_PHRASE, TOKEN
from .test_browser import ARTIFACTS, browser, open_page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def admin_site(seed_index, tmp_path_factory):
    """The real waitress server over a copy of the seeds' index, with the admin pages on."""
    folder = tmp_path_factory.mktemp("admin-site")
    index_dir = folder / "index"
    shutil.copytree(seed_index, index_dir, symlinks=True)
    config = {"BRIEFINGS_DB": folder / "b.sqlite3", "SECRET_KEY": "browser-tests", "ADMIN_TOKEN": TOKEN,
              "ADMIN_UPLOADS": folder / "uploads"}
    server = make_server(index_dir, host="127.0.0.1", port=0, threads=4, config=config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


@pytest.fixture
def page(browser, admin_site):
    page = open_page(browser, admin_site)
    page.set_default_timeout(30_000)  # reading and adding a report takes a few seconds on a busy machine
    yield page
    errors = page.console_errors
    page.context.close()
    assert not errors, f"console errors (a CSP violation, a failed request, a script error): {errors}"


def test_sign_in_upload_correct_the_year_add_and_find_it(page, admin_site):
    page.goto(f"{admin_site}/search?q={HENAN_PHRASE}")
    assert page.locator(".hit").count() == 0  # the seeds are Chongqing's counties only

    page.goto(f"{admin_site}/admin")
    page.get_by_label("管理口令").fill("not-the-token")
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert "口令不对" in page.locator(".admin-error").inner_text()
    # The refusal is a 403 page, which Chromium also logs as a failed load: that one is expected.
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 403 (FORBIDDEN)"]
    page.console_errors.clear()
    page.get_by_label("管理口令").fill(TOKEN)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()

    page.locator("input[type=file]").set_input_files(str(HENAN))
    with page.expect_navigation():
        page.get_by_role("button", name="上传并预览").click()
    card = page.locator(".admin-file").first
    assert "河南省" in card.locator(".admin-facts").inner_text()
    assert card.locator(".admin-year").inner_text().startswith("2026")
    assert card.locator(".admin-passages li").count() == 5
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-preview.png"), full_page=True)

    card.get_by_label("年份").fill("2027")
    with page.expect_navigation():
        page.get_by_role("button", name="按改正重新识别").click()
    card = page.locator(".admin-file").first
    assert card.locator(".admin-year").inner_text().startswith("2027")
    assert "维护者指定" in card.locator(".admin-year").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="加入索引").click()
    assert page.locator("h1").inner_text() == "已加入索引"
    assert "河南省 2027 政府工作报告" in page.locator(".admin-added").inner_text()
    page.screenshot(path=str(ARTIFACTS / "admin-added.png"), full_page=True)

    page.locator("#q").fill(HENAN_PHRASE)
    with page.expect_navigation():
        page.locator("#q").press("Enter")
    first = page.locator(".hit").first
    assert HENAN_PHRASE in first.inner_text() and "河南" in first.inner_text()
    with page.expect_navigation():
        first.get_by_role("link", name="在报告中查看").click()
    assert "2026年河南省政府工作报告" in page.locator("h1").inner_text() and "2027" in page.locator("main").inner_text()
