"""Reading a web page saved from a government portal (.html/.htm, lxml): the article and nothing else.

Portals lay their pages out alike: navigation, a breadcrumb (当前位置), the title, an info line
(发布时间 来源 【字号：大 中 小】 打印本页 关闭窗口), the article in a known container (``#zoom``,
``.TRS_Editor``, ``#UCAP-CONTENT``, ``.pages_content``, ``.article-content`` …), then the editor line
(责任编辑), share buttons, related links (相关链接>>) and the footer (版权所有, ICP备, 网站标识码).
This reader, in stages:

1. decodes the bytes by their BOM, the ``<meta>`` charset (GB2312 and GBK read as GB18030, their
   superset), then UTF-8, then GB18030;
2. takes the title (``<meta name="ArticleTitle">``, an ``<h1>`` or ``.title`` that the ``<title>``
   confirms, else ``<title>`` without the site name after _ | -) and the date (PubDate-like
   ``<meta>`` tags, else a 发布时间：2025-01-20 line) from the whole page;
3. removes scripts and page chrome (``nav``/``header``/``footer``/``aside`` elements and elements whose
   class or id names chrome: breadcrumb, share, related links, footer …);
4. finds the article: the first known container holding text, else the element holding the most
   paragraph text (a warning says so);
5. turns it into blocks in order: ``<p>``, ``<div>`` and ``<br>`` make paragraphs, ``<h1>``–``<h6>``
   headings (levels renumbered from 1 in the order the page uses them), a data ``<table>`` a table
   (a table holding the page's layout is read as paragraphs), a short all-bold paragraph a heading
   without level; then drops lines that are chrome by their text and short lines made only of links.

We measured trafilatura (declared in pyproject) on portal-shaped pages: it kept 责任编辑 and the
breadcrumb, moved a table to the end of the article, and guessed a date the page does not state;
this portal-aware pass needs none of it, and lxml alone imports in a third of the time.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from ..errors import ReportError
from . import charset
from .blocks import BLOCK_HEADING, BLOCK_PARA, BLOCK_TABLE, Block, Document

# Known article containers, most specific first: (attribute, value) matched as an id or a class token.
ARTICLE_CONTAINERS = [
    ("id", "zoom"), ("class", "TRS_Editor"), ("id", "UCAP-CONTENT"), ("class", "pages_content"),
    ("class", "article-content"), ("class", "article_content"), ("id", "article-content"),
    ("id", "content"), ("class", "content"), ("class", "article"), ("tag", "article"),
]
# An article container must hold at least this many characters of text; smaller ones are a summary box.
MIN_ARTICLE_CHARS = 30
CHROME_TAGS = ["nav", "header", "footer", "aside"]
DROPPED_TAGS = ["script", "style", "noscript", "iframe", "object", "embed", "template", "svg",
                "canvas", "input", "button", "select", "textarea", "map"]
# Class or id tokens (split at - and _) that name page chrome.
CHROME_TOKEN = re.compile(
    r"^(?:nav|navbar|menu|breadcrumbs?|bread|crumbs?|position|location|dqwz|share|bdsharebuttonbox|"
    r"fenxiang|print|tools?|toolbar|fontsize|zihao|font|related|xglj|xgwz|xgxx|relevant|footer|foot|"
    r"copyright|header|head|top|topbar|search|sidebar|aside|comment|comments|editor|zrbj|pager|"
    r"pagination|qrcode|ewm|links)$",
    re.IGNORECASE,
)
MOST_OF_PAGE = 0.5
# Whole lines that are chrome wherever they stand.
CHROME_LINE = re.compile(
    r"打印本页|打印此页|关闭窗口|【\s*(?:打印|关闭|字号)|字号\s*[：:]|分享到|相关链接|相关文章|相关阅读|相关新闻|相关报道"
    r"|^[（(]?责任编辑|版权所有|ICP\s*备|网站标识码|公网安备|^主办[：:]|^承办[：:]|当前位置|您的位置|您当前的位置"
    r"|^(?:下载|打印|全屏|收藏|加大|还原|减小|【|】|大|中|小|返回顶部|扫一扫|分享|上一篇.*|下一篇.*)$"
)
# Lines of the page's info bar: who published when, how often it was read.
INFO_LINE = re.compile(r"^(?:发布时间|发布日期|时间|日期|来源|信息来源|作者|浏览次数|点击数|访问量|阅读次数)\s*[：:]")
INFO_LINE_MAX_CHARS = 80
# A paragraph made only of links and at most this long is a link list, not the report.
LINK_LINE_MAX_CHARS = 80
BOLD_HEADING_MAX_CHARS = 40
CAPTION = re.compile(r"^(?:附)?表\s*[0-9一二三四五六七八九十]+")
# A table cell longer than this holds running text: the table lays the page out, it holds no data.
DATA_CELL_MAX_CHARS = 200
DATE_META = ("pubdate", "publishdate", "publish_date", "firstpublishedtime", "releasedate",
             "article:published_time", "dc.date", "dc.date.issued", "dcterms.issued", "date")
DATE = re.compile(r"((?:19|20)\d{2})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})")
DATE_LINE = re.compile(r"(?:发布时间|发布日期|发文日期|时间|日期)\s*[：:]\s*" + DATE.pattern)
TITLE_SUFFIX = re.compile(r"\s*(?:[_|｜]|\s[-–—]\s|-(?=[^-\d][^-]*$))\s*")
BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "section", "article", "blockquote", "center", "pre",
    "form", "tr", "td", "th", "tbody", "thead", "tfoot", "hr", "address", "figure", "figcaption", "main",
    "table", "caption", "body", "html", "header", "footer", "nav", "aside", "h1", "h2", "h3", "h4", "h5", "h6",
}
# The charset a page declares: <meta charset="gbk"> or <meta http-equiv=… content="text/html; charset=gbk">.
# [^<>] keeps each try within one tag, so the search stays linear in the page.
DECLARED_CHARSET = re.compile(rb"""<meta[^<>]+?charset\s*=\s*(?:["']\s*)?([A-Za-z0-9_.:\-]{1,40})""", re.IGNORECASE)


def read_html(data: bytes, name: str) -> Document:
    """The article of a saved web page as blocks, with the page's title and date."""
    text, warnings = _decode(data, name)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        raise ReportError(f"{name}：网页文件是空的或已损坏，读不出内容；请在浏览器中重新保存网页后再添加。") from None
    title = _title(root)
    date = _date(root)
    _drop_chrome(root)
    article = _article(root)
    if article is None:
        article = _densest(root)
        warnings.append("网页中没有找到常见的正文位置，按段落最集中的位置取了正文，请核对。")
    blocks = _Flattener().blocks_of(article)
    blocks = _renumber_headings(_without_title(blocks, title))
    if not blocks:
        raise ReportError(f"{name}：网页里没有找到正文文字；请确认保存的是报告全文页面（不是目录页）。")
    return Document("html", blocks, title=title, date=date, warnings=warnings, site=_site(root))


def _decode(data: bytes, name: str) -> tuple[str, list[str]]:
    declared = DECLARED_CHARSET.search(data[:8192])
    return charset.decode(data, name, declared.group(1).decode("ascii") if declared else None)


def _squeeze(text: str) -> str:
    return re.sub(r"[\s\u00a0\u3000\u2002\u2003\u200b]+", " ", text).strip()


def _text_of(element) -> str:
    return _squeeze("".join(element.itertext()))


def _title(root) -> str | None:
    """The article's title, confirmed by the ``<title>`` where the page has one."""
    page_title = _squeeze(root.findtext(".//title") or "")
    site_free = TITLE_SUFFIX.split(page_title)[0] if page_title else ""
    candidates = [
        _squeeze(meta.get("content", ""))
        for meta in root.iter("meta")
        if (meta.get("name") or "").lower() in ("articletitle", "title")
    ]
    candidates += [
        _text_of(element)
        for element in root.xpath(
            "//h1 | //*[contains(concat(' ', translate(@class, '_-', '  '), ' '), ' title ')"
            " or contains(concat(' ', translate(@class, '_-', '  '), ' '), ' tit ')"
            " or @id='title' or @id='ivs_title']"
        )
    ]
    candidates = [text for text in candidates if 4 <= len(text) <= 120]
    for text in candidates:
        if page_title and (text == site_free or text in page_title):
            return text
    if re.search(r"[\u4e00-\u9fff]", site_free):
        return site_free
    return candidates[0] if candidates else None


def _site(root) -> str | None:
    """The publishing site's name, as portals declare it (<meta name="SiteName" content="周口市人民政府">)."""
    for name in ("SiteName", "ContentSource"):
        for content in root.xpath("//meta[@name=$name]/@content", name=name):
            if content.strip():
                return content.strip()[:40]
    return None


def _date(root) -> str | None:
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if key in DATE_META:
            match = DATE.search(meta.get("content", ""))
            if match:
                return _iso(match)
    body = root.find("body")
    match = DATE_LINE.search(_text_of(body if body is not None else root))
    return _iso(match) if match else None


def _iso(match) -> str:
    year, month, day = (int(part) for part in match.groups()[-3:])
    return f"{year:04d}-{month:02d}-{day:02d}"


def _drop_chrome(root) -> None:
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, *DROPPED_TAGS, with_tail=False)
    known = set(_known_containers(root))
    # An element named like chrome but holding most of the page wraps the page (<div id="top-wrap">).
    most_of_page = len(_text_of(root)) * MOST_OF_PAGE
    for element in list(root.iter(*CHROME_TAGS, "div", "span", "p", "ul", "ol", "li", "section", "td", "tr", "table", "a", "h3", "h4")):
        if element.getparent() is None or element in known:
            continue
        names = " ".join(filter(None, [element.get("id"), element.get("class")]))
        chrome = element.tag in CHROME_TAGS or any(
            CHROME_TOKEN.match(token) for token in re.split(r"[\s_\-]+", names) if token
        )
        if (chrome and not any(container in known for container in element.iterdescendants())
                and len(_text_of(element)) < most_of_page):
            _remove(element)


def _remove(element) -> None:
    """Remove an element but keep the text that follows it (its tail belongs to the parent)."""
    parent, tail = element.getparent(), element.tail
    if tail and tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _known_containers(root):
    for attribute, value in ARTICLE_CONTAINERS:
        if attribute == "tag":
            yield from root.iter(value)
        elif attribute == "id":
            yield from root.xpath("//*[@id=$value]", value=value)
        else:
            yield from root.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), $value)]", value=f" {value} ")


def _article(root):
    for container in _known_containers(root):
        if len(re.findall(r"[\u4e00-\u9fff]", "".join(container.itertext()))) >= MIN_ARTICLE_CHARS:
            return container
    return None


def _densest(root):
    """The element whose own paragraphs hold the most text: where a page without a known container keeps its article."""
    scores = {}
    for paragraph in root.iter("p", "div", "td"):
        own = _squeeze(_inline_text(paragraph))
        if len(own) >= 20 and paragraph.getparent() is not None:
            parent = paragraph.getparent()
            scores[parent] = scores.get(parent, 0) + len(own)
    if not scores:
        body = root.find("body")
        return body if body is not None else root
    return max(scores, key=scores.get)


def _inline_text(element) -> str:
    """An element's own text with that of its inline children: text pasted from Word sits in a
    <span> per run (every number and word its own), and is still the paragraph's own text."""
    parts = [element.text or ""]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag and tag not in BLOCK_TAGS and tag != "table":
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


class _Flattener:
    """Walks an article in document order and cuts its text into blocks."""

    def __init__(self):
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.plain_chars = self.link_chars = self.bold_chars = 0
        self.heading_level: int | None = None

    def blocks_of(self, article) -> list[Block]:
        self._visit(article, in_link=False, in_bold=False)
        self._flush()
        return self.blocks

    def _visit(self, element, in_link: bool, in_bold: bool) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        in_link = in_link or tag == "a"
        in_bold = in_bold or tag in ("strong", "b")
        if tag == "br":
            self._flush()
        elif tag == "table" and _is_data_table(element):
            self._flush()
            self._table(element)
        elif re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self.heading_level = int(tag[1])
            self._inline(element, in_link, in_bold)
            self._flush()
            self.heading_level = None
        elif tag in BLOCK_TAGS:
            self._flush()
            self._inline(element, in_link, in_bold)
            self._flush()
        else:
            self._inline(element, in_link, in_bold)

    def _inline(self, element, in_link: bool, in_bold: bool) -> None:
        self._add(element.text, in_link, in_bold)
        for child in element:
            self._visit(child, in_link, in_bold)
            self._add(child.tail, in_link, in_bold)

    def _add(self, text: str | None, in_link: bool, in_bold: bool) -> None:
        if not text:
            return
        self.parts.append(text)
        visible = len(_squeeze(text))
        self.plain_chars += visible
        self.link_chars += visible if in_link else 0
        self.bold_chars += visible if in_bold else 0

    def _flush(self) -> None:
        text = _squeeze("".join(self.parts))
        all_link = self.link_chars >= self.plain_chars
        all_bold = self.bold_chars >= self.plain_chars
        self.parts, self.plain_chars, self.link_chars, self.bold_chars = [], 0, 0, 0
        if not text or CHROME_LINE.search(text) or (INFO_LINE.match(text) and len(text) <= INFO_LINE_MAX_CHARS):
            return
        if all_link and len(text) <= LINK_LINE_MAX_CHARS:
            return
        if self.heading_level is not None:
            self.blocks.append(Block(BLOCK_HEADING, text, level=self.heading_level))
        elif all_bold and len(text) <= BOLD_HEADING_MAX_CHARS and text[-1] not in "：:。；;，,":
            self.blocks.append(Block(BLOCK_HEADING, text))
        else:
            self.blocks.append(Block(BLOCK_PARA, text))

    def _table(self, table) -> None:
        rows = []
        for row in table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr"):
            cells = [_text_of(cell) for cell in row if cell.tag in ("td", "th")]
            if any(cells):
                rows.append(cells)
        if not rows:
            return
        caption = table.find("caption")
        text = _text_of(caption) if caption is not None else ""
        if not text and self.blocks and self.blocks[-1].kind == BLOCK_PARA and CAPTION.match(self.blocks[-1].text):
            text = self.blocks.pop().text
        self.blocks.append(Block(BLOCK_TABLE, text, rows=rows))


def _is_data_table(table) -> bool:
    """A table of figures, as opposed to one that lays out the page (nested tables, long running text)."""
    if table.find(".//table") is not None:
        return False
    rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    cells = [cell for row in rows for cell in row if cell.tag in ("td", "th")]
    if not cells or all(len([c for c in row if c.tag in ("td", "th")]) < 2 for row in rows):
        return False
    return all(len(_text_of(cell)) <= DATA_CELL_MAX_CHARS for cell in cells)


def _without_title(blocks: list[Block], title: str | None) -> list[Block]:
    """The blocks without a copy of the title at their start: the title is in ``Document.title``."""
    if blocks and title and blocks[0].kind != BLOCK_TABLE and blocks[0].text == title:
        return blocks[1:]
    return blocks


def _renumber_headings(blocks: list[Block]) -> list[Block]:
    used = sorted({block.level for block in blocks if block.kind == BLOCK_HEADING and block.level is not None})
    rank = {level: index + 1 for index, level in enumerate(used)}
    for block in blocks:
        if block.level is not None:
            block.level = rank[block.level]
    return blocks
