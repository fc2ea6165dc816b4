"""Briefings in a real browser (the conventions and fixtures of test_browser.py): collect passages from
the results without leaving them, reorder and annotate, share the read-only link, download the
exports; a collaborator's edit link, which joins their briefings only when they ask; and the same
adding without JavaScript.

Screenshots of the briefing (screen and print) go to ``test-artifacts/``.
"""

from __future__ import annotations

import io

import pytest
from docx import Document

from .test_browser import ARTIFACTS, QUERY, browser, open_page, page, site  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

TITLE = "森林覆盖率对比"
NOTE = "三县都超过六成，<script>alert(1)</script> 只是文字"


def add_hit(page, n: int, title: str | None = None) -> str:
    """Add the n-th hit through its "加入简报" form; return the confirmation shown on the hit."""
    hit = page.locator(".hit").nth(n)
    hit.locator(".add-briefing summary").click()
    form = hit.locator(".add-briefing-form")
    if title is not None:
        form.locator("select[name=briefing]").select_option("new")
        form.locator("input[name=title]").fill(title)
    else:
        assert not form.locator("input[name=title]").is_visible()  # an existing briefing is chosen
    form.get_by_role("button", name="加入").click()
    notice = hit.locator(".notices .notice")
    notice.wait_for()
    assert not form.is_visible()  # the form closes again
    return notice.inner_text()


def passage_order(page) -> list[str]:
    return [href.split("/")[-1] for href in page.locator(".briefing-item .item-permalink").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")]


def test_collect_reorder_annotate_share_and_export(page, site, browser, engine):
    page.goto(f"{site}/search?q={QUERY}")
    page.evaluate("window.stillHere = true")  # gone if the page reloads
    hit_ids = [page.locator(".hit").nth(n).get_attribute("id").removeprefix("hit-") for n in range(3)]
    assert "现有 1 段" in add_hit(page, 0, TITLE)
    assert "现有 2 段" in add_hit(page, 1)
    confirmation = add_hit(page, 2)
    assert f"已加入简报《{TITLE}》" in confirmation and "现有 3 段" in confirmation
    assert page.evaluate("window.stillHere") is True

    with page.expect_navigation():
        page.locator(".hit").nth(2).get_by_role("link", name="打开简报").click()
    assert "token=" in page.url and page.locator("h1").inner_text() == TITLE
    assert passage_order(page) == hit_ids

    with page.expect_navigation():
        page.get_by_role("button", name="第 1 段下移").click()
    assert passage_order(page) == [hit_ids[1], hit_ids[0], hit_ids[2]]
    assert page.evaluate("document.querySelector(':target').id").startswith("item-")
    note_field = page.get_by_label("第 2 段的批注")
    note_field.fill(NOTE)
    with page.expect_navigation():
        page.locator(".briefing-item").nth(1).get_by_role("button", name="保存批注").click()
    assert page.get_by_label("第 2 段的批注").input_value() == NOTE
    assert "批注已保存" in page.locator(".briefing-item").nth(1).locator(".notice").inner_text()

    page.goto(page.url.split("#")[0])
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "briefing.png"), full_page=True)
    page.emulate_media(media="print")
    assert not page.locator("form").first.is_visible() and not page.locator(".site-header").is_visible()
    assert page.locator(".briefing-item .item-note").nth(0).is_visible()  # notes print, their fields do not
    page.screenshot(path=str(ARTIFACTS / "briefing-print.png"), full_page=True)
    page.emulate_media(media="screen")
    read_link = page.locator("#read-link").input_value()
    assert "token" not in read_link

    colleague = open_page(browser, site)
    try:
        colleague.goto(read_link)
        main = colleague.locator("main")
        assert main.locator("form, textarea, button").count() == 0  # no edit controls
        assert passage_order(colleague) == [hit_ids[1], hit_ids[0], hit_ids[2]]
        assert colleague.locator(".briefing-item .item-note").inner_text() == f"批注：{NOTE}"
        check_exports(colleague, [engine.passage(pid) for pid in (hit_ids[1], hit_ids[0], hit_ids[2])])
        assert not colleague.console_errors
    finally:
        colleague.context.close()


def check_exports(page, ordered: list[dict]) -> None:
    with page.expect_download() as markdown:
        page.get_by_role("link", name="Markdown（.md）").click()
    assert markdown.value.suggested_filename == f"{TITLE}.md"
    text = markdown.value.path().read_text(encoding="utf-8")
    assert text.startswith(f"# {TITLE}\n")
    for n, passage in enumerate(ordered, 1):
        assert f"［{n}］{passage['citation']}" in text and f"/p/{passage['id']}" in text
    assert "<script>" not in text and "&lt;script&gt;" in text

    with page.expect_download() as word:
        page.get_by_role("link", name="Word 文档（.docx）").click()
    assert word.value.suggested_filename == f"{TITLE}.docx"
    document = Document(io.BytesIO(word.value.path().read_bytes()))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert document.paragraphs[0].text == TITLE
    for n, passage in enumerate(ordered, 1):
        assert passage["text"] in paragraphs and f"［{n}］{passage['citation']}" in paragraphs
    assert NOTE in paragraphs


def test_an_edit_link_joins_my_briefings_only_when_asked(page, site, browser):
    page.goto(f"{site}/search?q={QUERY}")
    add_hit(page, 0, "合作简报")
    with page.expect_navigation():
        page.locator(".hit").nth(0).get_by_role("link", name="打开简报").click()
    edit_link = page.locator("#edit-link").input_value()

    colleague = open_page(browser, site)
    try:
        colleague.goto(edit_link)
        assert colleague.locator("h1").inner_text() == "合作简报"
        colleague.goto(f"{site}/search?q={QUERY}")  # opening the link added nothing to their list
        options = colleague.locator(".hit").first.locator("select[name=briefing] option")
        assert options.all_text_contents() == ["新建简报…"]

        colleague.goto(edit_link)
        with colleague.expect_navigation():
            colleague.get_by_role("button", name="加入我的简报").click()
        assert "已加入“我的简报”" in colleague.locator(".notice").first.inner_text()
        assert colleague.get_by_role("button", name="加入我的简报").count() == 0
        colleague.goto(f"{site}/search?q={QUERY}")
        assert "已加入简报《合作简报》，现有 2 段" in add_hit(colleague, 1)
        hit = colleague.locator(".hit").nth(1)  # the same passage again: said, not doubled
        hit.locator(".add-briefing summary").click()
        hit.get_by_role("button", name="加入").click()
        hit.locator(".notice", has_text="这一段已在简报《合作简报》中（第 2 段），没有重复加入").wait_for()
        assert not colleague.console_errors
    finally:
        colleague.context.close()


def test_adding_without_javascript_is_a_form_post_back_to_the_hit(browser, site):
    page = open_page(browser, site, java_script_enabled=False)
    try:
        page.goto(f"{site}/search?q={QUERY}")
        hit = page.locator(".hit").nth(1)
        hit.locator(".add-briefing summary").click()  # <details> opens without JavaScript
        hit.locator("input[name=title]").fill("无脚本简报")
        with page.expect_navigation():
            hit.get_by_role("button", name="加入").click()
        assert page.url.endswith("#" + hit_id(page, 1))
        assert "已加入简报《无脚本简报》" in page.locator(".hit").nth(1).locator(".notice").inner_text()
        with page.expect_navigation():
            page.locator(".hit").nth(1).get_by_role("link", name="打开简报").click()
        assert page.locator(".briefing-item").count() == 1
        assert not page.console_errors
    finally:
        page.context.close()


def hit_id(page, n: int) -> str:
    return page.locator(".hit").nth(n).get_attribute("id")


def test_phone_width_add_form_fits(browser, site):
    page = open_page(browser, site, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page.goto(f"{site}/search?q={QUERY}")
        page.locator(".hit").first.locator(".add-briefing summary").click()
        assert page.locator(".hit").first.locator(".add-briefing-form").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert not page.console_errors
    finally:
        page.context.close()


def briefing_of(page, site, engine, n: int) -> dict:
    """A briefing of the first n hits of QUERY, made through the JSON API; its edit link opened."""
    made = page.request.post(f"{site}/api/briefings", data={"title": "四段简报"}).json()
    for hit in engine.search(QUERY, per_page=n)["hits"]:
        page.request.post(f"{site}/api/briefings/{made['id']}/items", data={"passage_id": hit["id"]},
                          headers={"X-Edit-Token": made["edit_token"]})
    page.goto(f"{site}/b/{made['id']}?token={made['edit_token']}")
    return made


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_saving_note_2_keeps_the_note_typed_for_item_4(browser, site, engine, javascript):
    """The issue's scenario: type a note for item 2 and one for item 4, save item 2: both are kept."""
    page = open_page(browser, site, java_script_enabled=javascript)
    try:
        made = briefing_of(page, site, engine, 4)
        page.get_by_label("第 2 段的批注").fill("第二段：三县都超过六成")
        page.get_by_label("第 4 段的批注").fill("第四段：还没保存时写的")
        with page.expect_navigation():
            page.locator(".briefing-item").nth(1).get_by_role("button", name="保存批注").click()
        assert "批注已保存（2 条）" in page.locator(".briefing-item").nth(1).locator(".notice").inner_text()
        page.goto(f"{site}/b/{made['id']}")  # the read-only page: what colleagues see
        assert page.locator(".item-note").all_inner_texts() == ["批注：第二段：三县都超过六成", "批注：第四段：还没保存时写的"]
        assert not page.console_errors
    finally:
        page.context.close()


def test_leaving_with_unsaved_text_asks_first_and_saving_all_does_not(page, site, engine):
    briefing_of(page, site, engine, 2)
    asked = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", stay)
    page.get_by_label("第 1 段的批注").fill("还没保存")
    page.get_by_role("link", name="我的简报").first.click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert page.get_by_label("第 1 段的批注").input_value() == "还没保存"  # still here, text intact

    with page.expect_navigation():
        page.get_by_role("button", name="保存全部").click()
    assert asked == ["beforeunload"]  # saving is not leaving
    assert page.get_by_label("第 1 段的批注").input_value() == "还没保存"
    with page.expect_navigation():
        page.get_by_role("link", name="我的简报").first.click()  # nothing unsaved: no question
    assert asked == ["beforeunload"]
