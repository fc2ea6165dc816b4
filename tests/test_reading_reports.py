"""Reading real reports of every level and format: place, type, year, title, chapters, passages.

The corpus in tests/fixtures/corpus/ holds real reports no one here wrote (its README gives the
sources): provincial Word files and the PDFs printed from two of them, provincial web-page texts
with their page chrome, and national reports copied from a wiki, many without a title or date line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from search.documents import TYPE_BUDGET, TYPE_PLAN, TYPE_WORK
from search.errors import ReportError
from search.reading import Overrides, parse_text, read_report

CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
WORK = TYPE_WORK


@pytest.fixture(scope="module")
def corpus():
    """Every corpus file read once, by its path under the corpus folder."""
    cache: dict[str, object] = {}

    def read(name: str):
        if name not in cache:
            cache[name] = read_report(CORPUS / name)
        return cache[name]
    return read


# The place and year are never taken from the file name: the names below only say which file.
@pytest.mark.parametrize("name, place, level, year, title", [
    ("docx-2025/2025年内蒙古自治区政府工作报告.docx", "内蒙古自治区", "省级", 2025, "2025年内蒙古自治区政府工作报告"),
    ("docx-2025/2025年北京市政府工作报告.docx", "北京市", "省级", 2025, "2025年北京市政府工作报告"),
    ("docx-2025/2025年吉林省政府工作报告.docx", "吉林省", "省级", 2025, "2025年吉林省政府工作报告"),
    ("docx-2025/2025年天津市政府工作报告.docx", "天津市", "省级", 2025, "2025年天津市政府工作报告"),
    ("docx-2025/2025年安徽省政府工作报告.docx", "安徽省", "省级", 2025, "2025年安徽省政府工作报告"),
    ("docx-2025/2025年山西省政府工作报告.docx", "山西省", "省级", 2025, "2025年山西省政府工作报告"),
    ("docx-2025/2025年江苏省政府工作报告.docx", "江苏省", "省级", 2025, "2025年江苏省政府工作报告"),
    ("docx-2025/2025年江西省政府工作报告.docx", "江西省", "省级", 2025, "2025年江西省政府工作报告"),
    ("docx-2025/2025年河北省政府工作报告.docx", "河北省", "省级", 2025, "2025年河北省政府工作报告"),
    ("docx-2025/2025年河南省政府工作报告.docx", "河南省", "省级", 2025, "2025年河南省政府工作报告"),
    ("docx-2025/2025年湖北省政府工作报告.docx", "湖北省", "省级", 2025, "2025年湖北省政府工作报告"),
    # 湖南's file repeats a bare 政府工作报告 line after the title: the first title wins.
    ("docx-2025/2025年湖南省政府工作报告.docx", "湖南省", "省级", 2025, "2025年湖南省政府工作报告"),
    ("pdf-2025/2025年北京市政府工作报告.pdf", "北京市", "省级", 2025, "2025年北京市政府工作报告"),
    ("pdf-2025/2025年江苏省政府工作报告.pdf", "江苏省", "省级", 2025, "2025年江苏省政府工作报告"),
    # Web-page texts: 下载 打印 全屏 收藏 【字号…】, 来源：, 时间：, a photo caption before the title.
    ("web-2026/2026年北京市政府工作报告.txt", "北京市", "省级", 2026, "2026年北京市政府工作报告"),
    ("web-2026/2026年江苏省政府工作报告.txt", "江苏省", "省级", 2026, "2026年江苏省政府工作报告"),
    ("web-2026/2026年河南省政府工作报告.txt", "河南省", "省级", 2026, "2026年河南省政府工作报告"),
    ("web-2026/2026年湖北省政府工作报告.txt", "湖北省", "省级", 2026, "2026年湖北省政府工作报告"),
    # National: the place from 我代表国务院; the year from the date line or the chapter headings.
    *[(f"national/{y}年国务院政府工作报告.txt", "全国", "国家级", y, "政府工作报告")
      for y in (2010, 2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019, 2021, 2022, 2023, 2024, 2025)],
])
def test_corpus_metadata(corpus, name, place, level, year, title):
    r = corpus(name)
    assert (r.place, r.level, r.type, r.year, r.plan_year, r.review_year, r.title) == (
        place, level, WORK, year, year, year - 1, title)
    assert r.province == ("" if place == "全国" else place)


@pytest.mark.parametrize("name, chapters", [
    # 2013 and 2018 name no year in two chapters: 过去五年 looks back, 今年 is the report's year.
    ("national/2013年国务院政府工作报告.txt", [("工作回顾", 2012), ("目标安排", 2013), ("重点任务", 2013)]),
    ("national/2018年国务院政府工作报告.txt", [("工作回顾", 2017), ("目标安排", 2018), ("重点任务", 2018)]),
    # 2015: chapters three to six have no keyword; after the year's plan they are its tasks.
    ("national/2015年国务院政府工作报告.txt", [("工作回顾", 2014), ("目标安排", 2015)] + [("重点任务", 2015)] * 4),
    ("web-2026/2026年江苏省政府工作报告.txt", [("工作回顾", 2025), ("目标安排", 2026), ("重点任务", 2026)]),
    ("web-2026/2026年湖北省政府工作报告.txt",
     [("工作回顾", 2025), ("目标安排", 2026), ("重点任务", 2026), ("重点任务", 2026)]),
    ("docx-2025/2025年河南省政府工作报告.docx", [("工作回顾", 2024), ("目标安排", 2025), ("重点任务", 2025)]),
])
def test_corpus_chapter_labels(corpus, name, chapters):
    found = []
    for p in corpus(name).passages:
        if p.kind == "heading" and p.heading == p.text:  # a chapter heading is its own path
            found.append((p.section, p.year))
    assert found == chapters


@pytest.mark.parametrize("name", [
    "web-2026/2026年北京市政府工作报告.txt", "pdf-2025/2025年北京市政府工作报告.pdf",
    "docx-2025/2025年江西省政府工作报告.docx",
])
def test_page_chrome_never_becomes_a_passage(corpus, name):
    texts = [p.text for p in corpus(name).passages]
    for chrome in ("下载", "打印", "收藏", "加大", "来源：", "时间：", "【字号", "记者", "— 1 —", "北京市人民政府"):
        assert chrome not in texts, chrome
    assert not any(t.startswith(("来源：", "时间：")) or t.endswith("摄") for t in texts)


def test_pdf_line_wraps_do_not_cut_sentences(corpus):
    """The PDF and the Word file of one report give about the same sentences."""
    pdf = corpus("pdf-2025/2025年北京市政府工作报告.pdf")
    word = corpus("docx-2025/2025年北京市政府工作报告.docx")
    assert abs(len(pdf.passages) - len(word.passages)) <= len(word.passages) * 0.05
    word_texts = {p.text for p in word.passages}
    same = sum(p.text in word_texts for p in pdf.passages)
    assert same >= len(pdf.passages) * 0.9
    assert any("5.2%左右" in p.text and "地区生产总值" in p.text for p in pdf.passages)


# -- shapes of header and body, each the way a real report writes it --------------------------------

BODY = """各位代表：
现在，我代表市人民政府向大会报告工作，请予审议。
一、2024年工作回顾
过去一年，全市地区生产总值增长5.5%。
二、2025年工作安排
今年主要预期目标是：地区生产总值增长5%左右。
"""


@pytest.mark.parametrize("text, place, year", [
    # The place is the government that issued the report, read from the header, never the body.
    ("2025年重庆市政府工作报告\n——2025年1月13日在重庆市第六届人民代表大会第四次会议上\n"
     + BODY.replace("过去一年，", "过去一年，北碚区等区县协同发展，"), "重庆市", 2025),
    # A date line broken over two lines.
    ("重庆市涪陵区政府工作报告\n——2025年1月8日在重庆市涪陵区第六届\n人民代表大会第五次会议上\n" + BODY, "重庆市涪陵区", 2025),
    # The year only in the title.
    ("2025年重庆市万州区政府工作报告\n" + BODY, "重庆市万州区", 2025),
    # No title and no date line: the year from the chapter headings.
    ("政府工作报告\n重庆市巫山县人民政府县长　某某\n" + BODY, "重庆市巫山县", 2025),
])
def test_header_shapes(text, place, year):
    r = parse_text(text, "r.txt")
    assert (r.place, r.year, r.type) == (place, year, WORK)


def test_report_on_one_line_is_split_into_headings_and_sentences():
    one_line = ("2025年重庆市政府工作报告——2025年1月13日在重庆市第六届人民代表大会第四次会议上"
                + BODY.replace("\n", "") + "（一）扩大有效投资。" + "推进重大项目建设，" * 300 + "取得成效。")
    r = parse_text(one_line, "one-line.txt")
    assert (r.place, r.year, r.title) == ("重庆市", 2025, "2025年重庆市政府工作报告")
    assert [p.text for p in r.passages if p.kind == "heading"][1:] == [
        "一、2024年工作回顾", "二、2025年工作安排", "（一）扩大有效投资"]


@pytest.mark.parametrize("headings, labels", [
    # Chapters without numbers.
    (["2024年工作回顾", "2025年工作任务", "加强政府自身建设"], ["工作回顾", "重点任务", "重点任务"]),
    # A chapter about an earlier year looks back, whatever else it says.
    (["一、2024年主要工作和“十四五”发展成就", "二、2025年主要工作"], ["工作回顾", "重点任务"]),
    (["第一部分 2024年工作回顾", "第二部分 2025年目标任务"], ["工作回顾", "目标安排"]),
])
def test_chapter_headings_in_many_styles(headings, labels):
    body = "".join(f"{h}\n这一部分的第一句。\n" for h in headings)
    r = parse_text("2025年重庆市政府工作报告\n各位代表：\n" + body, "r.txt")
    chapters = [(p.text, p.section) for p in r.passages if p.kind == "heading" and p.heading == p.text]
    assert chapters == list(zip(headings, labels))


def test_half_width_sub_headings_and_ordinal_paragraphs():
    r = parse_text("2025年重庆市政府工作报告\n各位代表：\n一、2024年工作回顾\n(一)经济运行稳中向好。全年增长5%。\n"
                   "一是稳投资。二是促消费。\n", "r.txt")
    sub = next(p for p in r.passages if p.text == "(一)经济运行稳中向好")
    assert sub.kind == "heading"
    growth = next(p for p in r.passages if p.text == "全年增长5%。")
    assert growth.heading == "一、2024年工作回顾 › (一)经济运行稳中向好"
    assert [p.kind for p in r.passages if p.text in ("一是稳投资。", "二是促消费。")] == ["sentence", "sentence"]


def test_chrome_in_a_text_copied_from_a_portal():
    text = ("首页 > 政务公开 > 政府工作报告\n打印本页 关闭窗口\n【字号：大 中 小】\n2025年重庆市政府工作报告\n"
            "来源：重庆日报\n发布时间：2025-01-20\n" + BODY + "责任编辑：张三\n相关链接>>\n— 3 —\n第2页\n12\n")
    texts = [p.text for p in parse_text(text, "r.txt").passages]
    assert texts[0] == "2025年重庆市政府工作报告"
    for chrome in ("打印本页 关闭窗口", "【字号：大 中 小】", "来源：重庆日报", "责任编辑：张三", "相关链接>>", "— 3 —", "第2页", "12"):
        assert chrome not in texts


@pytest.mark.parametrize("title, rtype, review, plan", [
    ("关于重庆市北碚区2024年预算执行情况和2025年预算草案的报告", TYPE_BUDGET, 2024, 2025),
    ("关于重庆市北碚区2024年国民经济和社会发展计划执行情况与2025年计划草案的报告", TYPE_PLAN, 2024, 2025),
])
def test_report_types(title, rtype, review, plan):
    r = parse_text(f"{title}\n各位代表：\n一、{review}年执行情况\n收入增长5%。\n二、{plan}年草案\n预计增长6%。\n", "r.txt")
    assert (r.type, r.review_year, r.plan_year, r.place) == (rtype, review, plan, "重庆市北碚区")
    assert r.title.startswith(f"{review}年")  # 关于 and the place are not part of the title


def test_overrides_settle_what_the_header_does_not_say():
    text = "各位代表：\n一、工作回顾\n增长5%。\n二、今后的工作\n推进建设。\n"
    with pytest.raises(ReportError, match="--place"):
        parse_text(text, "bare.txt")
    r = parse_text(text, "bare.txt", Overrides(place="涪陵", year=2024, type=TYPE_WORK))
    assert (r.place, r.year, r.type) == ("重庆市涪陵区", 2024, TYPE_WORK)


def test_ids_survive_a_sentence_inserted_earlier():
    """A later version of a report often adds a sentence: every other passage keeps its id."""
    base = "2025年重庆市政府工作报告\n" + BODY
    edited = base.replace("过去一年，全市地区生产总值增长5.5%。", "新增的一句话。过去一年，全市地区生产总值增长5.5%。")
    before = {p.text: p.id for p in parse_text(base, "a.txt").passages}
    after = {p.text: p.id for p in parse_text(edited, "b.txt").passages}
    assert set(after) - set(before) == {"新增的一句话。"}
    assert all(after[t] == i for t, i in before.items())
    removed = {p.text: p.id for p in parse_text(base.replace("请予审议。", ""), "c.txt").passages}
    assert all(before[t] == i for t, i in removed.items() if t in before)


@pytest.mark.parametrize("nbytes", [5, 6])
@pytest.mark.parametrize("text", ["重庆市云阳县|政府工作报告|2023|2023", "abc|森林覆盖率|2", ""])
def test_ids_are_the_base32_digests_they_always_were(text, nbytes):
    # Report and passage ids are links users keep: a faster encoding must give the same strings.
    import base64
    import hashlib

    from search.documents import short_hash

    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=nbytes).digest()
    assert short_hash(text, nbytes) == base64.b32encode(digest).decode("ascii").rstrip("=").lower()
