"""Briefing exports: Markdown whose notes stay notes under any CommonMark renderer, Word files that
hold any stored text, name their title, author and date, and link their permalinks; and on the site,
exports cached per briefing version and made only a few at a time.

No CommonMark parser is installed here, so the Markdown tests spell out the exact escaped text.
"""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone

import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE

from search.briefings.exports import SITE_NAME, to_docx, to_markdown
from search.briefings.store import BriefingStore
from webui import create_app
from webui.briefings import exports as briefing_exports
from webui.briefings.exports import ExportCache

from .web_helpers import parse_html

BASE = "http://localhost:8000"


def briefing_of(title="林业简报", intro="", note="", text="森林覆盖率达到64.05%。", citation="奉节县《报告》，一、…，2024年"):
    return {"id": "b1", "title": title, "intro": intro,
            "items": [{"passage_id": "p1", "text": text, "citation": citation, "note": note}]}


def note_lines(markdown: str) -> list[str]:
    """The lines of the first item between its passage and its citation: the note."""
    lines = markdown.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("1. "))
    end = next(n for n, line in enumerate(lines) if line.startswith("   ［1］"))
    return lines[start + 1:end]


# -- Markdown --------------------------------------------------------------------------------------


@pytest.mark.parametrize("note, expected", [
    # A fence of backticks or tildes would turn the rest of the document into code.
    ("第一行\n```\n其余", ["   批注：第一行  ", "   \\`\\`\\`  ", "   其余  "]),
    ("~~~\n其余", ["   批注：\\~\\~\\~  ", "   其余  "]),
    # Ordered lists start with 2. or 2); bullets with - or +; = and - under a line make a heading.
    ("说明\n2) 第二条\n3. 第三条\n2022. 年份", ["   批注：说明  ", "   2\\) 第二条  ", "   3\\. 第三条  ",
                                       "   2022\\. 年份  "]),
    ("说明\n- 要点\n+ 要点\n===", ["   批注：说明  ", "   \\- 要点  ", "   \\+ 要点  ", "   \\===  "]),
    # Four spaces would start a code block; blank lines would end the item.
    ("说明\n    缩进四格\n\n\n空行之后", ["   批注：说明  ", "   缩进四格  ", "   空行之后  "]),
    # Inline markup and HTML stay text.
    ("<b>粗</b> & [链](http://x) #签 *强* _下_ |表| ~删~ !",
     ["   批注：&lt;b&gt;粗&lt;/b&gt; &amp; \\[链\\](http://x) \\#签 \\*强\\* \\_下\\_ \\|表\\| \\~删\\~ \\!  "]),
])
def test_markdown_notes_stay_notes(note, expected):
    assert note_lines(to_markdown(briefing_of(note=note), BASE)) == expected


def test_markdown_title_and_intro_are_escaped_the_same_way():
    markdown = to_markdown(briefing_of(title="标题\n# 第二行", intro="2) 导语\n~~~"), BASE)
    assert markdown.startswith("# 标题 \\# 第二行\n\n2\\) 导语  \n\\~\\~\\~\n\n1. ")


def test_markdown_gives_each_passage_its_numbered_citation_and_permalink():
    markdown = to_markdown(briefing_of(), BASE)
    assert "   ［1］奉节县《报告》，一、…，2024年  \n   <http://localhost:8000/p/p1>\n" in markdown
    assert markdown.endswith("引用\n\n［1］奉节县《报告》，一、…，2024年 http://localhost:8000/p/p1\n")


# -- Word ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["title", "intro", "note", "text", "citation"])
@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x0b", "\x1f", "\ufffe", "\ud800"])
def test_word_export_holds_any_stored_text(field, bad):
    # Stored before text was cleaned on the way in, or written by another program.
    briefing = briefing_of(**{field: f"前{bad}后"})
    paragraphs = [p.text for p in Document(io.BytesIO(to_docx(briefing, BASE))).paragraphs]
    assert any("前" in p and "后" in p for p in paragraphs)


def test_word_export_names_title_author_and_date():
    before = datetime.now(timezone.utc).replace(microsecond=0)
    document = Document(io.BytesIO(to_docx(briefing_of(title="林业\n简报"), BASE)))
    props = document.core_properties
    assert (props.title, props.author, props.last_modified_by) == ("林业 简报", SITE_NAME, SITE_NAME)
    assert "python-docx" not in (props.comments or "")
    assert before <= props.created <= before + timedelta(minutes=10) and props.modified == props.created


def test_word_permalinks_are_hyperlinks():
    briefing = briefing_of()
    briefing["items"].append({**briefing["items"][0], "passage_id": "p2"})
    document = Document(io.BytesIO(to_docx(briefing, BASE)))
    links = [link for paragraph in document.paragraphs for link in paragraph.hyperlinks]
    assert [(link.address, link.text) for link in links] == [(f"{BASE}/p/p1", f"{BASE}/p/p1"),
                                                            (f"{BASE}/p/p2", f"{BASE}/p/p2")]
    rels = [r for r in document.part.rels.values() if r.reltype == RELATIONSHIP_TYPE.HYPERLINK]
    assert all(r.is_external for r in rels) and len(rels) == 2
    link_style = document.styles["Hyperlink"]  # they look like links: underlined, blue
    assert {run.style.name for link in links for run in link.runs} == {"Hyperlink"}
    assert link_style.font.underline and str(link_style.font.color.rgb) == "0563C1"


def test_word_notes_and_citations_have_their_own_styles():
    paragraphs = Document(io.BytesIO(to_docx(briefing_of(note="要点"), BASE))).paragraphs
    styles = {p.text.split("：")[0] if p.text.startswith("批注") else p.text[:3]: p.style for p in paragraphs}
    assert styles["批注"].name == "批注" and styles["批注"].font.italic
    assert styles["［1］"].name == "引文" and styles["［1］"].font.size.pt == 9


# -- on the site: cache and limit ------------------------------------------------------------------


def test_the_export_cache_is_bounded_in_bytes_least_recently_used_first():
    cache = ExportCache(max_bytes=100)
    cache.put("a", b"a" * 40)
    cache.put("b", b"b" * 40)
    assert cache.get("a") == b"a" * 40  # now b is the least recently used
    cache.put("c", b"c" * 40)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"a" * 40, None, b"c" * 40)
    cache.put("huge", b"h" * 101)
    assert cache.get("huge") is None and len(cache) == 2


@pytest.fixture
def site(seed_index, tmp_path, monkeypatch):
    """A fresh app (its own exporter) with one export at a time, and a count of Word renderings."""
    monkeypatch.setenv("POLICY_SEARCH_MAX_CONCURRENT_EXPORTS", "1")
    app = create_app({"INDEX_DIR": seed_index, "TESTING": True, "BRIEFINGS_DB": tmp_path / "b.sqlite3",
                      "SECRET_KEY": "test"})
    renders = []
    render = briefing_exports.RENDERERS["docx"]
    monkeypatch.setitem(briefing_exports.RENDERERS, "docx", lambda *args: renders.append(1) or render(*args))
    return app, renders


def briefing_with_items(client, engine, n=2) -> dict:
    made = client.post("/api/briefings", json={"title": "导出"}).json
    for hit in engine.search("森林覆盖率", per_page=n)["hits"]:
        client.post(f"/api/briefings/{made['id']}/items", json={"passage_id": hit["id"], "note": "批注"},
                    headers={"X-Edit-Token": made["edit_token"]})
    return made


def word_text(response) -> str:
    assert response.status_code == 200, response.data[:300]
    return "\n".join(p.text for p in Document(io.BytesIO(response.data)).paragraphs)


def test_an_unchanged_briefing_is_rendered_once_and_a_changed_one_again(site, engine):
    app, renders = site
    client = app.test_client()
    made = briefing_with_items(client, engine)
    url = f"/b/{made['id']}.docx"
    first, second = client.get(url), client.get(url)
    assert first.data == second.data and len(renders) == 1
    item = client.get(f"/api/briefings/{made['id']}").json["items"][0]["item_id"]
    client.patch(f"/api/briefings/{made['id']}/items/{item}", json={"note": "改过的批注"},
                 headers={"X-Edit-Token": made["edit_token"]})
    assert "改过的批注" in word_text(client.get(url)) and len(renders) == 2
    assert "https://example.org/p/" in word_text(client.get(url, base_url="https://example.org"))  # its own links
    assert len(renders) == 3
    client.delete(f"/api/briefings/{made['id']}", headers={"X-Edit-Token": made["edit_token"]})
    assert client.get(url).status_code == 404  # cached or not, a deleted briefing is gone


def test_exports_beyond_the_limit_get_503_while_searches_and_cached_exports_go_on(site, engine):
    app, renders = site
    client = app.test_client()
    cached, slow = briefing_with_items(client, engine), briefing_with_items(client, engine, 3)
    client.get(f"/b/{cached['id']}.docx")
    started, release, answers = threading.Event(), threading.Event(), []
    render = briefing_exports.RENDERERS["docx"]

    def held_render(*args):
        started.set()
        release.wait(timeout=30)
        return render(*args)

    briefing_exports.RENDERERS["docx"] = held_render  # restored by the fixture's monkeypatch
    worker = threading.Thread(target=lambda: answers.append(app.test_client().get(f"/b/{slow['id']}.docx")))
    worker.start()
    try:
        assert started.wait(timeout=30)
        busy = client.get(f"/b/{slow['id']}.md")
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "2"
        assert parse_html(busy.data).find("h1").text == "正在导出的简报太多了"
        assert client.get("/api/search", query_string={"q": "森林覆盖率"}).status_code == 200
        assert client.get(f"/b/{cached['id']}.docx").status_code == 200  # from the cache: no slot needed
    finally:
        release.set()
        worker.join(timeout=30)
    assert word_text(answers[0]) and client.get(f"/b/{slow['id']}.md").status_code == 200


# Another worker process of the same site, making an export: it holds every slot until told to stop.
OTHER_WORKER = """
import sys
from pathlib import Path
from webui.briefings.exports import MachineSlots
slots = MachineSlots(Path(sys.argv[1]), int(sys.argv[2]))
held = slots.take()
print("held" if held is not None else "none", flush=True)
sys.stdin.read()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="slots are per process where there is no flock")
def test_the_limit_is_per_machine_not_per_worker_process(site, engine, tmp_path):
    app, renders = site
    client = app.test_client()
    made = briefing_with_items(client, engine)
    other = subprocess.Popen([sys.executable, "-c", OTHER_WORKER, str(tmp_path / "b.sqlite3.export-slots"), "1"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "held"
        busy = client.get(f"/b/{made['id']}.docx")
        assert busy.status_code == 503 and not renders  # the one slot of this machine is the other worker's
    finally:
        other.stdin.close()
        other.wait(timeout=30)
        other.stdout.close()
    assert word_text(client.get(f"/b/{made['id']}.docx")) and len(renders) == 1  # its slot was given back


def test_a_stored_control_character_does_not_break_the_word_export(site, engine, tmp_path):
    app, _ = site
    client = app.test_client()
    made = briefing_with_items(client, engine)
    with sqlite3.connect(tmp_path / "b.sqlite3") as db:  # as an older version stored it
        db.execute("UPDATE briefings SET title = '旧\x01标题', version = version + 1")
        db.execute("UPDATE items SET note = '旧\x0c批注\x1f'")
    db.close()
    text = word_text(client.get(f"/b/{made['id']}.docx"))
    assert text.startswith("旧标题\n") and "旧\n批注" in text
    assert "旧标题" in client.get(f"/b/{made['id']}.md").data.decode()
    assert BriefingStore(tmp_path / "b.sqlite3").summary(made["id"])["title"] == "旧\x01标题"  # nothing rewritten


def test_the_word_export_is_a4():
    # python-docx's template is US Letter (8.5 × 11 in); briefings are printed on A4 (210 × 297 mm).
    section = Document(io.BytesIO(to_docx(briefing_of(), BASE))).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.left_margin.mm) == round(section.right_margin.mm) == 25  # Word keeps twips
