"""Scanned PDFs: read by Tesseract where it is installed, refused with what to install where not.

The scanned page is made here: Chinese text drawn with fonts-wqy-microhei into an image, saved as
an image-only PDF. In CI (CI=true or POLICY_SEARCH_REQUIRE_OCR=1, which .ci/run sets) a missing
Tesseract fails the test instead of skipping it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from search.errors import ReportError
from search.reading import inspect, ocr, read_report

FONTS = [Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc")]
REQUIRED = os.environ.get("POLICY_SEARCH_REQUIRE_OCR") == "1" or os.environ.get("CI") == "true"
PAGE = [
    "关于宜昌市2025年预算执行情况",
    "和2026年预算草案的报告",
    "各位代表：",
    "一、2025年预算执行情况",
    "全市一般公共预算收入增长百分之五。",
    "二、2026年预算草案",
    "全市一般公共预算收入预计增长百分之四。",
]


def scanned_pdf(path: Path, lines: list[str]) -> Path:
    image_module = pytest.importorskip("PIL.Image")
    from PIL import ImageDraw, ImageFont

    font_file = next((f for f in FONTS if f.exists()), None)
    if font_file is None:
        pytest.skip("fonts-wqy-microhei is not installed: no Chinese font to draw the scanned page with")
    font = ImageFont.truetype(str(font_file), 40)
    image = image_module.new("L", (1654, 1200), 255)  # an A4-wide page at 150 dpi, grey like a scan
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        draw.text((120, 100 + n * 80), line, font=font, fill=0)
    image.save(path, "PDF", resolution=150)
    return path


def needs_tesseract():
    if ocr.available():
        return
    message = "Tesseract with Chinese data is not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)"
    if REQUIRED:
        pytest.fail(message + "; CI must install it")
    pytest.skip(message)


def test_a_scanned_page_is_read_by_ocr_and_its_passages_say_so(tmp_path):
    needs_tesseract()
    report = read_report(scanned_pdf(tmp_path / "scan.pdf", PAGE))
    assert (report.place, report.type, report.year) == ("湖北省宜昌市", "预算执行情况报告", 2026)
    texts = [p.text for p in report.passages]
    assert "全市一般公共预算收入增长百分之五。" in texts
    assert all(p.ocr for p in report.passages if p.kind == "sentence")
    assert any("文字识别" in w for w in report.warnings)
    assert inspect(tmp_path / "scan.pdf")["ocr_passages"] >= 2


def test_without_tesseract_a_scanned_pdf_says_what_to_install(tmp_path, monkeypatch):
    path = scanned_pdf(tmp_path / "scan.pdf", PAGE)
    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(ReportError, match="tesseract-ocr-chi-sim"):
        read_report(path)


# -- the flag end to end: index, JSON and pages ---------------------------------------------------------

TYPED = """2026年宜昌市政府工作报告
各位代表：
现在，我代表市人民政府，向大会报告工作，请予审议。
一、2025年工作回顾
全市一般公共预算收入稳定增长，财政保障有力。
二、2026年工作安排
今年要抓好以下工作。
"""


@pytest.fixture(scope="module")
def ocr_site(tmp_path_factory):
    """An index of one scanned budget report and one typed work report, and the site serving it."""
    needs_tesseract()
    from search.engine import Engine
    from search.whoosh_index.indexing import build
    from webui import create_app

    source = tmp_path_factory.mktemp("ocr-source")
    scanned_pdf(source / "scan.pdf", PAGE)
    (source / "typed.txt").write_text(TYPED, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("ocr-index")
    summary = build(source, index_dir)
    assert not summary.refused, summary.refused
    app = create_app({"INDEX_DIR": index_dir, "TESTING": True, "SECRET_KEY": "test",
                      "BRIEFINGS_DB": tmp_path_factory.mktemp("ocr-briefings") / "b.sqlite"})
    return Engine(index_dir), app.test_client()


def _hits_by_kind_of_page(client, q):
    hits = client.get("/api/search", query_string={"q": q}).get_json()["hits"]
    scanned = [h for h in hits if h["report_title"].startswith("2025年预算")]
    typed = [h for h in hits if h["report_title"].startswith("2026年宜昌市政府工作报告")]
    return scanned, typed


def test_search_results_and_the_passage_api_say_which_passages_were_read_by_ocr(ocr_site):
    _engine, client = ocr_site
    scanned, typed = _hits_by_kind_of_page(client, "一般公共预算收入")
    assert scanned and typed, "both reports hold the words"
    assert all(h["ocr"] is True for h in scanned)
    assert all(h["ocr"] is False for h in typed)
    api = client.get(f"/api/passages/{scanned[0]['id']}").get_json()
    assert api["passage"]["ocr"] is True
    assert client.get(f"/api/passages/{typed[0]['id']}").get_json()["passage"]["ocr"] is False


@pytest.mark.parametrize("page", ["results", "report", "permalink"])
def test_pages_tag_passages_read_by_ocr_and_only_those(ocr_site, page):
    from tests.web_helpers import parse_html

    _engine, client = ocr_site
    scanned, typed = _hits_by_kind_of_page(client, "一般公共预算收入")
    if page == "results":
        doc = parse_html(client.get("/search", query_string={"q": "一般公共预算收入"}).get_data(as_text=True))
        cards = {c.attrs["id"].removeprefix("hit-"): c for c in doc.find_all("li", "hit")}
        assert "文字识别" in cards[scanned[0]["id"]].find(cls="tag-ocr").text
        assert cards[scanned[0]["id"]].find(cls="tag-ocr") is not None
        assert cards[typed[0]["id"]].find(cls="tag-ocr") is None
    elif page == "report":
        for hit, tagged in ((scanned[0], True), (typed[0], False)):
            doc = parse_html(client.get(f"/reports/{hit['report_id']}").get_data(as_text=True))
            paragraph = doc.by_id[hit["id"]].parent  # the paragraph holding the hit's sentence
            assert (paragraph.find(cls="tag-ocr") is not None) is tagged
            assert (doc.find(cls="tag-ocr") is not None) is tagged
    else:
        for hit, tagged in ((scanned[0], True), (typed[0], False)):
            doc = parse_html(client.get(f"/p/{hit['id']}").get_data(as_text=True))
            assert (doc.find(cls="tag-ocr") is not None) is tagged


def test_the_opensearch_documents_carry_the_flag():
    from search.opensearch.export import document
    from search.opensearch.mapping import index_body, passage_document

    stored = {"id": "p1", "report_id": "r1", "county": "宜昌", "place": "湖北省宜昌市", "province": "湖北省",
              "level": "地级", "year": 2026, "section": "工作回顾", "kind": "sentence", "heading": "", "position": 1,
              "para": 1, "text": "全市一般公共预算收入增长。", "table": None, "figures": []}
    assert passage_document({**stored, "ocr": True}, 0)["ocr"] is True
    # an index built before the flag stored none: the passage was not read by OCR
    assert passage_document(stored, 0)["ocr"] is False
    assert "ocr" in index_body()["mappings"]["properties"]
    assert document({**stored, "ocr": True})["ocr"] is True


def test_the_opensearch_backend_returns_the_flag(ocr_site, opensearch_url):
    from search.engine import Engine
    from search.opensearch.backend import OpenSearchBackend
    from search.opensearch.client import connect
    from search.opensearch.push import push

    engine, _client = ocr_site
    push(engine.index_dir, connect(opensearch_url), "ocr")
    remote = Engine(engine.index_dir, backend=OpenSearchBackend(url=opensearch_url, alias="ocr"))
    hits = remote.search("一般公共预算收入")["hits"]
    assert {h["report_title"][:5]: h["ocr"] for h in hits} == {h["report_title"][:5]: h["ocr"]
                                                              for h in engine.search("一般公共预算收入")["hits"]}
    assert any(h["ocr"] for h in hits) and not all(h["ocr"] for h in hits)


# -- in a browser ------------------------------------------------------------------------------------------

from tests.test_browser import browser, open_page  # noqa: E402,F401 - the browser fixture, shared


@pytest.fixture(scope="module")
def ocr_server(ocr_site, tmp_path_factory):
    import threading

    from webui.server import make_server

    engine, _client = ocr_site
    config = {"BRIEFINGS_DB": tmp_path_factory.mktemp("ocr-browser") / "b.sqlite3", "SECRET_KEY": "ocr-tests"}
    server = make_server(engine.index_dir, host="127.0.0.1", port=0, threads=2, config=config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


def test_a_reader_sees_the_ocr_tag_on_scanned_hits_and_in_the_report(browser, ocr_server):  # noqa: F811
    page = open_page(browser, ocr_server)
    page.goto(f"{ocr_server}/search?q=一般公共预算收入")
    cards = page.locator("li.hit")
    tagged = [cards.nth(i).locator(".tag-ocr").count() == 1 for i in range(cards.count())]
    titles = [cards.nth(i).locator(".cite").inner_text() for i in range(cards.count())]
    assert tagged == ["政府工作报告" not in t for t in titles] and any(tagged) and not all(tagged)
    tag = page.locator(".tag-ocr").first
    assert tag.is_visible() and tag.inner_text() == "文字识别"
    assert "文字识别" in tag.get_attribute("title") and "核对" in tag.get_attribute("title")
    # In the report reader the tag follows its paragraph, as small as on the card: the paragraph's
    # indent does not widen it.
    card_width = tag.bounding_box()["width"]
    page.locator("li.hit", has=page.locator(".tag-ocr")).first.get_by_text("在报告中查看").click()
    reader_tag = page.locator(".document .tag-ocr").first
    assert reader_tag.is_visible()
    assert reader_tag.bounding_box()["width"] <= card_width * 1.2
    page.context.close()
