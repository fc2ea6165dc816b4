"""Format readers: Word, PDF and saved web pages become paragraphs, headings and tables in reading
order, without page chrome; files we cannot read are refused with one line saying what to do.

Fixtures: tests/fixtures/formats/ holds portal-shaped pages written from real report text, the
2025 Beijing report as Word and as PDF (printed with a running header and — n — page numbers) and
a password-protected PDF; Word files and broken files are built in tmp_path. Tests over the whole
corpus in ../shared/corpus skip when it is absent.
"""

from __future__ import annotations

import difflib
import io
import re
import zipfile
from pathlib import Path

import docx
import pypdfium2 as pdfium
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from search.errors import ReportError
from search.reading.blocks import BLOCK_HEADING, BLOCK_PARA, BLOCK_TABLE
from search.reading import pdf_reader
from search.reading.pdf_reader import Line, drop_page_furniture, paragraphs_from_lines
from search.reading.sniff import read_document

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus"  # the real reports, copied from ../shared/corpus

CHROME = ["打印本页", "关闭窗口", "责任编辑", "相关链接", "字号", "版权所有", "ICP备", "网站标识码", "当前位置",
          "分享到", "政务服务", "网站地图"]
PAGE_NUMBER = re.compile(r"^[-—\s]*\d+[-—\s]*$|^第\d+页")


def texts(document) -> list[str]:
    """Every string a reader produced: paragraphs, headings, captions and table cells."""
    out = []
    for block in document.blocks:
        out.append(block.text)
        out += [cell for row in block.rows or [] for cell in row]
    return out


def refusal(path: Path) -> str:
    with pytest.raises(ReportError) as caught:
        read_document(path)
    return str(caught.value)


# --- detecting the format from the content -----------------------------------------------------

@pytest.mark.parametrize("fixture, saved_as, expected", [
    ("beijing_2025.docx", "report.docx", "docx"),
    ("beijing_2025.docx", "report.txt", "docx"),  # a Word file given the wrong name
    ("beijing_2025.pdf", "report.doc", "pdf"),
    ("jiangsu_zoom.html", "page.txt", "html"),  # a saved page renamed
    ("beijing_ucap_gbk.htm", "page.htm", "html"),
])
def test_format_comes_from_the_content(tmp_path, fixture, saved_as, expected):
    path = tmp_path / saved_as
    path.write_bytes((FIXTURES / fixture).read_bytes())
    assert read_document(path).format == expected


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return buffer.getvalue()


def _ole2(*streams: str) -> bytes:
    entries = b"".join(s.encode("utf-16-le").ljust(64, b"\0") + (len(s) * 2 + 2).to_bytes(2, "little") + b"\0" * 62
                       for s in ("Root Entry",) + streams)
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + entries


def _pdf_without_text(pages: int = 2) -> bytes:
    pdf = pdfium.PdfDocument.new()
    for _ in range(pages):
        pdf.new_page(595, 842)
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


BROKEN_DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document"})


@pytest.mark.parametrize("name, content, expected", [
    ("reports.zip", _zip({"a.txt": "报告".encode()}), ["压缩包（zip）", "请先解压"]),
    ("report.doc", _ole2("WordDocument", "1Table"), ["旧版 Word/WPS", "另存为 .docx"]),
    ("report.wps", _ole2("WordDocument"), ["旧版 Word/WPS", "另存为 .docx"]),
    ("report.docx", _ole2("EncryptionInfo", "EncryptedPackage"), ["密码"]),  # an encrypted .docx is an OLE2 file
    ("figures.xls", _ole2("Workbook"), ["Excel"]),
    ("figures.xlsx", _zip({"xl/workbook.xml": b"<workbook/>"}), ["Excel"]),
    ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, ["图片（PNG）", "OCR"]),
    ("scan.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 64, ["图片（JPEG）", "OCR"]),
    ("reports.rar", b"Rar!\x1a\x07\x00" + b"\0" * 32, ["压缩包（RAR）"]),
    ("empty.txt", b"", ["空的"]),
    ("blank.docx", b"  \n\t ", ["空的"]),
    ("scan.pdf", _pdf_without_text(), ["扫描版 PDF", "没有文字层", "OCR"]),
    ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", ["PDF", "损坏"]),
    ("truncated.docx", b"PK\x03\x04" + b"\x14\0" * 40, ["Word 文件已损坏"]),
    ("broken.docx", BROKEN_DOCX, ["Word 文件已损坏"]),
    ("program.bin", bytes(range(256)) * 8, ["二进制"]),
])
def test_unreadable_files_are_refused_with_what_to_do(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    message = refusal(path)
    assert message.startswith(f"{name}："), message
    assert "\n" not in message and "Traceback" not in message
    for fragment in expected:
        assert fragment in message


def test_password_protected_pdf_is_refused():
    assert "密码" in refusal(FIXTURES / "password.pdf")


def test_file_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICY_SEARCH_MAX_REPORT_BYTES", "1000")
    path = tmp_path / "big.pdf"
    path.write_bytes((FIXTURES / "beijing_2025.pdf").read_bytes())
    assert "上限" in refusal(path)


# --- Word ---------------------------------------------------------------------------------------

def _save(document, tmp_path: Path, name: str = "report.docx") -> Path:
    path = tmp_path / name
    document.save(path)
    return path


def test_docx_keeps_paragraphs_and_tables_in_body_order(tmp_path):
    document = docx.Document()
    document.add_paragraph("\u3000\u3000一年来，主要做了以下工作。")
    document.add_paragraph("")  # empty paragraphs are dropped
    document.add_paragraph("表1 主要指标")
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(table.rows, [["指标", " 2024年 ", "2025年"], ["地区生产总值（亿元）", "100", "105"],
                                        ["备注", "", ""]]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    table.cell(2, 1).merge(table.cell(2, 2)).text = "预计数"
    paragraph = document.add_paragraph("第一段。")
    paragraph.add_run().add_break()  # a soft line break ends a paragraph too
    paragraph.add_run("第二段。")
    blocks = read_document(_save(document, tmp_path)).blocks
    assert [b.kind for b in blocks] == [BLOCK_PARA, BLOCK_TABLE, BLOCK_PARA, BLOCK_PARA]
    assert blocks[0].text == "一年来，主要做了以下工作。"
    assert blocks[1].text == "表1 主要指标"  # the caption joins its table
    assert blocks[1].rows == [["指标", "2024年", "2025年"], ["地区生产总值（亿元）", "100", "105"], ["备注", "预计数"]]
    assert [b.text for b in blocks[2:]] == ["第一段。", "第二段。"]


def _heading_docx(tmp_path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("一、2024年工作回顾", style="Heading 1")
    document.add_paragraph("（一）经济运行", style="Heading 2")
    chinese = document.styles.add_style("标题 1", WD_STYLE_TYPE.PARAGRAPH)  # how WPS names its heading styles
    document.add_paragraph("二、2025年工作安排", style=chinese)
    derived = document.styles.add_style("报告小标题", WD_STYLE_TYPE.PARAGRAPH)
    derived.base_style = document.styles["Heading 2"]
    document.add_paragraph("（二）扩大内需", style=derived)
    outlined = document.add_paragraph("三、全面加强政府自身建设")
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "0")
    outlined._p.get_or_add_pPr().append(outline)
    document.add_paragraph().add_run("2024年工作回顾").bold = True  # set bold by hand, no style
    document.add_paragraph().add_run("这是一句加粗的正文，讲的是全年经济运行总体平稳、稳中有进、稳中向好的情况。").bold = True
    document.add_paragraph("各位代表：")
    document.core_properties.title = "2025年某县政府工作报告"
    return _save(document, tmp_path)


def test_docx_headings_come_from_styles_outline_levels_and_bold(tmp_path):
    result = read_document(_heading_docx(tmp_path))
    assert [(b.kind, b.level, b.text) for b in result.blocks] == [
        (BLOCK_HEADING, 1, "一、2024年工作回顾"),
        (BLOCK_HEADING, 2, "（一）经济运行"),
        (BLOCK_HEADING, 1, "二、2025年工作安排"),
        (BLOCK_HEADING, 2, "（二）扩大内需"),
        (BLOCK_HEADING, 1, "三、全面加强政府自身建设"),
        (BLOCK_HEADING, None, "2024年工作回顾"),  # bold by hand: a heading, level unknown
        (BLOCK_PARA, None, "这是一句加粗的正文，讲的是全年经济运行总体平稳、稳中有进、稳中向好的情况。"),
        (BLOCK_PARA, None, "各位代表："),
    ]
    assert result.title == "2025年某县政府工作报告"


@pytest.mark.parametrize("core_title, expected", [
    ("2025年某县政府工作报告", "2025年某县政府工作报告"),
    ("文档1", None),  # Word's placeholder
    ("", None),
    ("Report", None),
])
def test_docx_title_property_only_when_meaningful(tmp_path, core_title, expected):
    document = docx.Document()
    document.add_paragraph("各位代表：")
    document.core_properties.title = core_title
    assert read_document(_save(document, tmp_path)).title == expected


# --- PDF ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def beijing_pdf():
    return read_document(FIXTURES / "beijing_2025.pdf")


def test_pdf_drops_running_header_and_page_numbers(beijing_pdf):
    for text in texts(beijing_pdf):
        assert not text.startswith("北京市人民政府"), text
        assert not PAGE_NUMBER.match(text), text
        assert "— " not in text and " —" not in text, text


@pytest.mark.parametrize("figure", [
    "认真落实国务院工作安排，以新时代首都发展为统领",  # a paragraph that runs over a page break
    "预计全市地区生产总值增长5.2%左右",  # 增长 | 5.2%左右 at a line break
    "城镇调查失业率4.1%左右",  # 4.1% | 左右 at a line break
    "新中国成立75周年",  # pdfium's space between Chinese and digits removed
    "北京市市长 殷勇同志",  # a space the report has is kept
])
def test_pdf_joins_line_wraps_without_cutting_figures(beijing_pdf, figure):
    assert sum(figure in text for text in texts(beijing_pdf)) == 1


def test_pdf_and_docx_of_one_report_give_the_same_paragraphs(beijing_pdf):
    from_word = [b.text.replace(" ", "") for b in read_document(FIXTURES / "beijing_2025.docx").blocks]
    from_pdf = [b.text.replace(" ", "") for b in beijing_pdf.blocks]
    assert abs(len(from_word) - len(from_pdf)) <= 2
    assert difflib.SequenceMatcher(None, from_word, from_pdf, autojunk=False).ratio() > 0.95


def test_pdf_with_some_pages_scanned_reads_the_rest_and_warns(tmp_path):
    pdf = pdfium.PdfDocument.new()
    pdf.import_pages(pdfium.PdfDocument(FIXTURES / "beijing_2025.pdf"), [0, 1])
    pdf.new_page(595, 842)
    path = tmp_path / "mixed.pdf"
    pdf.save(path)
    result = read_document(path)
    assert result.blocks[0].text == "2025年北京市政府工作报告"
    assert result.warnings == ["第3页没有文字层（可能是扫描页），这些页的内容未读入。"]


def line(text, left=90.0, right=504.0, indented=False, first_word=14.0):
    return Line(text, indented, left, right, first_word)


FULL = "这一行排满了整个版面的宽度所以它不会是一个段落的最后一行了吧"
# A paragraph before each case, so that the margins are those of a page of body text.
BEFORE = [line(FULL), line(FULL), line("上一段的末尾。", right=200)]


@pytest.mark.parametrize("lines, expected", [
    ([line(FULL), line("续行。", right=140)], [FULL + "续行。"]),
    ([line(FULL), line("另起一段。", indented=True)], [FULL, "另起一段。"]),  # indented with 　　
    ([line(FULL), line("另起一段。", left=118)], [FULL, "另起一段。"]),  # indented by the margin
    ([line("各位代表：", right=160), line(FULL)], ["各位代表：", FULL]),  # stops short: the paragraph ended
    ([line("预计增长", right=470), line("13.75%左右。", first_word=60)], ["预计增长13.75%左右。"]),  # the figure did not fit
    ([line(FULL), line("（一）扩大内需")], [FULL, "（一）扩大内需"]),  # a heading at the margin
    ([line(FULL), line("一、二产业融合发展。", right=240)], [FULL + "一、二产业融合发展。"]),  # 一、二 is no heading
    ([line("关于2024年国民经济和社会发展计划执行情况与", left=150, right=444),  # a title centred on two lines
      line("2025年计划草案的报告", left=230, right=364)], ["关于2024年国民经济和社会发展计划执行情况与2025年计划草案的报告"]),
    ([line("increased by 5 percent in the", right=503), line("first quarter.", right=200)],
     ["increased by 5 percent in the first quarter."]),
    ([line("增长 3.1%，达到 2025 年目标", right=300)], ["增长3.1%，达到2025年目标"]),  # pdfium's spaces around digits
])
def test_pdf_lines_become_paragraphs(lines, expected):
    assert paragraphs_from_lines(BEFORE + lines)[1:] == expected


@pytest.mark.parametrize("footer", ["— 2 —", "-2-", "第2页", "第2页 共9页", "2/9", "2", "Page 2 of 9"])
def test_pdf_page_numbers_of_every_style_are_dropped(footer):
    body = [[line(f"{part}页的正文{row}") for row in "甲乙丙丁"] for part in "一二三四"]
    pages = [[line("某县人民政府")] + lines + [line(footer.replace("2", str(n)))] for n, lines in enumerate(body, 1)]
    pages[-1].append(line("某县人民政府"))  # the signature at the end of the report is not the header
    assert [l.text for l in drop_page_furniture(pages)] == [l.text for lines in body for l in lines] + ["某县人民政府"]


@pytest.mark.parametrize("garbled, refused, warnings", [
    (50, True, None),  # a font without a Unicode map: the text is garbage
    (5, False, ["有 5% 的字符无法识别（PDF 字体缺少文字编码），显示为 �，请核对。"]),
    (0, False, []),
])
def test_pdf_with_unmapped_fonts_is_refused_or_warned(tmp_path, monkeypatch, garbled, refused, warnings):
    lines = [line("\ue001" * garbled + "正" * (100 - garbled), right=300)]
    monkeypatch.setattr(pdf_reader, "_page_lines", lambda page, *limits: lines)
    path = tmp_path / "fonts.pdf"
    path.write_bytes(_pdf_without_text(1))
    if refused:
        assert "乱码" in refusal(path)
    else:
        assert read_document(path).warnings == warnings


# --- saved web pages ----------------------------------------------------------------------------

HTML_CASES = {
    "beijing_ucap_gbk.htm": dict(  # GBK declared as gb2312, article in #UCAP-CONTENT, date only in the info line
        title="2026年北京市政府工作报告", date="2026-02-02",
        first=["——2026年1月25日在北京市第十六届人民代表大会第四次会议上", "北京市市长 殷勇", "各位代表："],
        headings=[(None, "一、2025年工作回顾")], rows=None, last="一是首都功能持续优化提升"),
    "jiangsu_zoom.html": dict(  # UTF-8, #zoom, title and date in <meta>, paragraphs indented with 　　
        title="2026年江苏省政府工作报告", date="2026-02-09",
        first=["——2026年2月3日在江苏省第十四届人民代表大会第五次会议上", "各位代表："], headings=[], rows=None, last="（二）坚持创新驱动发展"),
    "henan_trs_table.html": dict(  # page laid out in a <table>, .TRS_Editor holding a data table
        title="2026年河南省政府工作报告", date="2026-02-03",
        first=["各位代表：", "现在，我代表省人民政府，向大会报告工作，请予审议，并请省政协委员和其他列席人员提出意见。"],
        headings=[(None, "一、“十四五”时期和2025年工作回顾")],
        rows=[["指标", "“十三五”末", "“十四五”末"], ["生产总值（万亿元）", "5.5", "6.66"],
              ["进出口总值（亿元）", "6654.8", "9356.7"], ["常住人口城镇化率（%）", "60"]], last="综合实力稳步提升"),
    "hubei_h2.html": dict(  # <h2> chapters and <h3> sub-headings, <br> between paragraphs
        title="2026年湖北省政府工作报告", date="2026-02-05",
        first=["——2026年1月27日在湖北省第十四届人民代表大会第四次会议上", "各位代表："],
        headings=[(1, "一、“十四五”时期和2025年工作回顾"), (1, "三、2026年的重点工作"),
                  (2, "（一）坚持供需两端协同发力，努力推动经济稳定均衡可持续增长。")], rows=None, last="坚持以新需求引领新供给"),
    "unknown_layout.html": dict(  # no known container: the densest paragraphs are the article
        title="2026年北京市政府工作报告", date=None,
        first=["现在，我代表北京市人民政府，向大会报告政府工作，请予审议，并请市政协委员提出意见。", "一、2025年工作回顾"],
        headings=[], rows=None, last="一年来，主要做了以下工作。"),
}


@pytest.mark.parametrize("fixture", sorted(HTML_CASES))
def test_saved_page_gives_the_article_with_title_and_date(fixture):
    case, result = HTML_CASES[fixture], read_document(FIXTURES / fixture)
    assert (result.format, result.title, result.date) == ("html", case["title"], case["date"])
    assert [b.text for b in result.blocks[:len(case["first"])]] == case["first"]
    assert [(b.level, b.text) for b in result.blocks if b.kind == BLOCK_HEADING] == case["headings"]
    tables = [b for b in result.blocks if b.kind == BLOCK_TABLE]
    assert [t.rows for t in tables] == ([case["rows"]] if case["rows"] else [])
    assert result.blocks[-1].text.startswith(case["last"])  # the article to its end, and nothing after it


@pytest.mark.parametrize("fixture", sorted(HTML_CASES))
def test_saved_page_chrome_never_becomes_text(fixture):
    result = read_document(FIXTURES / fixture)
    for text in texts(result):
        assert not any(word in text for word in CHROME), text
        assert not text.startswith(("发布时间", "来源：", "时间：")), text
    assert "2024年北京市政府工作报告" not in texts(result)  # a related link
    assert result.title not in texts(result)  # the title is Document.title, not repeated as a block


def test_saved_page_table_keeps_its_place_and_caption():
    blocks = read_document(FIXTURES / "henan_trs_table.html").blocks
    index = next(i for i, b in enumerate(blocks) if b.kind == BLOCK_TABLE)
    assert blocks[index].text == "表1 “十四五”时期主要指标完成情况"
    assert blocks[index - 1].text.startswith("过去的五年极不寻常")
    assert blocks[index + 1].text.startswith("综合实力稳步提升")


ARTICLE = "<p>\u3000\u3000推动中华老字号焕新发展，支持“字号”老店进商圈。</p><p>全年新增就业12万人。</p>"
PAGE = f"<html><head>{{meta}}<title>某县政府工作报告_某县人民政府</title></head><body><div id='zoom'>{ARTICLE}</div></body></html>"
MHTML = (
    "From: <Saved by Blink>\r\nSubject: =?utf-8?Q?report?=\r\nMIME-Version: 1.0\r\n"
    'Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="----B"\r\n\r\n'
    "------B\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{page}\r\n------B--\r\n"
)


def _quoted_printable(text: str) -> str:
    import quopri
    return quopri.encodestring(text.encode("utf-8")).decode("ascii")


def test_saved_page_wrapped_in_an_element_named_like_chrome_keeps_its_article(tmp_path):
    path = tmp_path / "wrapped.html"
    path.write_text(f"<html><body><div id='top-wrap'><div class='nav'>首页 政务公开</div>{ARTICLE}"
                    "<div class='footer'>版权所有</div></div></body></html>", encoding="utf-8")
    assert [b.text for b in read_document(path).blocks] == ["推动中华老字号焕新发展，支持“字号”老店进商圈。", "全年新增就业12万人。"]


@pytest.mark.parametrize("name, content", [
    ("gbk-no-charset.htm", PAGE.format(meta="").encode("gbk")),  # no declaration: not UTF-8, so GB18030
    ("declared-gb2312.htm", PAGE.format(meta='<meta charset="gb2312">').encode("gb18030")),
    ("utf16.htm", PAGE.format(meta="").encode("utf-16")),  # with its BOM
    ("saved.mhtml", MHTML.format(page=_quoted_printable(PAGE.format(meta='<meta charset="utf-8">'))).encode("ascii")),
])
def test_saved_page_in_any_encoding_or_single_file(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    result = read_document(path)
    assert result.format == "html" and result.title == "某县政府工作报告"
    # a paragraph about 老字号 is the report, not the 【字号】 of a tools bar
    assert [b.text for b in result.blocks] == ["推动中华老字号焕新发展，支持“字号”老店进商圈。", "全年新增就业12万人。"]


# --- the whole corpus ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(CORPUS.glob("docx-2025/*.docx")), ids=lambda p: p.stem)
def test_every_corpus_word_file_reads_from_its_title(path):
    result = read_document(path)
    assert result.blocks[0].text == path.stem
    assert sum(b.kind == BLOCK_PARA for b in result.blocks) >= 40


@pytest.mark.parametrize("path", sorted(CORPUS.glob("pdf-2025/*.pdf")), ids=lambda p: p.stem)
def test_every_corpus_pdf_matches_its_word_file(path):
    from_pdf = [b.text.replace(" ", "") for b in read_document(path).blocks]
    word_file = CORPUS / "docx-2025" / f"{path.stem}.docx"
    from_word = [b.text.replace(" ", "") for b in read_document(word_file).blocks]
    assert difflib.SequenceMatcher(None, from_word, from_pdf, autojunk=False).ratio() > 0.95
