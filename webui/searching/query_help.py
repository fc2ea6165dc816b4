"""The help page for the query language (``/help``, 检索语法): what each kind of query does, with
examples that run the search when clicked.

The examples are data (``SECTIONS``) so that a test can run every one of them on the bundled seed
reports and fail when one stops finding anything (tests/test_web_help.py). What the page says
follows ``search.query`` (the parser) and README's "Query syntax"; change them together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, render_template

from search.ordering import SORTS

from ..site.parameters import accepts
from .params import SearchArgs


@dataclass(frozen=True)
class Example:
    """One query to try: ``q`` and filters as the search takes them, and what it shows."""
    q: str
    says: str
    filters: dict[str, list[str]] = field(default_factory=dict)
    finds_nothing: bool = False  # an example of a refused query: it shows a message, not hits
    sort: str | None = None  # an order other than relevance (``search.ordering.SORTS``)

    def url(self) -> str:
        return SearchArgs(q=self.q, filters=self.filters, sort=self.sort).url()


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    text: str
    examples: tuple[Example, ...]


SECTIONS = (
    Section("words", "词语", "输入一个或几个词，用空格分开。几个词时，段落要包含每一个词；几个词在原文中挨在一起的排在前面。"
            "词可以出现在更长的词里：“总值”也能找到“地区生产总值”，完整匹配的排在前面。", (
                Example("森林覆盖率", "包含“森林覆盖率”的段落"),
                Example("地区生产总值 增长", "同时包含两个词的段落"),
            )),
    Section("phrases", "短语（引号）", "用引号（\"…\" 或 “…”）括起来的是一个完整短语：按原文逐字查找，标点也算在内，"
            "不扩展同义词。", (
                Example("“X波段天气雷达”", "原文中完整出现这个短语的段落"),
                Example('"群众说事、干部答题"', "带顿号的短语，按原样查找"),
            )),
    Section("or", "OR：任选其一", "两个词之间写大写的 OR，段落包含其中任何一个即可。", (
                Example("乡村振兴 OR 农村", "包含“乡村振兴”或“农村”的段落"),
            )),
    Section("exclude", "减号：排除", "词前加减号（-，前面留空格），排除包含这个词的段落。", (
                Example("招商引资 -疫情", "说到招商引资、但没有提到疫情的段落"),
            )),
    Section("synonyms", "同义词", "常见的简称和同义词会一并检索，结果页顶部列出“同时检索了”哪些词；"
            "给词加上引号，就只搜这个词本身。字母不分大小写，并与紧跟的数字连在一起（GDP、5G）。", (
                Example("GDP", "也找“地区生产总值”“国内生产总值”等"),
                Example("“GDP”", "只找字面上的 GDP"),
            )),
    Section("figures", "数字", "数字按原样查找，而且是完整的数：5.5% 不会找到 15.5%。带单位或万、亿的数字是一个数值，"
            "不同写法都能找到（如 200亿 也找到 200亿元）。词后紧跟数字，找的是这个词后面不远处出现这个数字的段落，"
            "如“同比增长了8%”“分别增长4.1%、8%”。", (
                Example("增长8%", "“增长”后面不远处出现 8% 的段落"),
                Example("200亿", "200亿、200亿元等"),
                Example("3个百分点", "3个百分点"),
            )),
    Section("near", "近似匹配", "四个字及以上的中文词，在所有完整匹配之后，还会列出意思相近、写法略有不同的段落"
            "（如“抽水蓄能电站”找到“抽水蓄能”），标为“近似匹配”。引号里的短语、数字和字母不做近似匹配。", (
                Example("抽水蓄能电站", "先列完整匹配，再列“抽水蓄能”等近似匹配"),
                Example("研发投入强度", "找到“研发经费投入强度”"),
            )),
    Section("filters", "筛选条件", "结果页左侧可以按地区、省份、层级（国家级、省级、地级、县级）、年份和部分"
            "（工作回顾、目标安排、重点任务、其他）筛选。地区可以写简称（云阳）、全称（云阳县）或带上级的名称"
            "（重庆市云阳县）。同一项勾选几个值是“或”，不同项之间是“且”。年份是段落所说的年份："
            "工作回顾说的是上一年，目标安排和重点任务说的是当年。", (
                Example("森林覆盖率", "只看云阳", {"place": ["云阳"]}),
                Example("森林覆盖率", "云阳或奉节", {"place": ["云阳", "奉节"]}),
                Example("城镇新增就业", "只看说 2024 年的段落", {"year": ["2024"]}),
                Example("地区生产总值", "只看目标安排部分", {"section": ["目标安排"]}),
                Example("森林覆盖率", "重庆市的县级报告", {"province": ["重庆"], "level": ["县级"]}),
            )),
    Section("order", "排序、报告内检索、下载和订阅", "结果默认按相关度排列；结果页上方可以改为“最新年份在前”或按地区排列，"
            "翻页时保持这个顺序。报告阅读页顶部的检索框只在这一份报告中检索。结果页的“下载全部结果”给出 CSV 和 "
            "Excel 文件，列出每条结果的地区、层级、年份、部分、出处和永久链接；“保存此搜索”得到一个私人链接和"
            "订阅源（Atom），以后新收录的报告中的相符段落会出现在那里。", (
                Example("森林覆盖率", "最新年份在前", sort="year"),
                Example("城镇新增就业", "按地区排列（全国、各省、各市、各县）", sort="place"),
            )),
    Section("punctuation", "只有标点或运算符", "只有标点、引号或运算符（如 ，。！？、-、OR、\"\"）的查询里没有可检索的词："
            "不会列出任何段落，而是提示输入要找的词。要浏览全部段落，请清空检索框再搜索。", (
                Example("，。！？", "提示“没有可检索的词”", finds_nothing=True),
            )),
)

# Not an example: said once at the end, so that no one looks for wildcards.
LIMITS = ("没有通配符、正则表达式或模糊匹配。一个查询最多 200 个字、16 个词。"
          "太宽泛的查询（例如几个常见单字）不会执行，页面会说明要把哪些单字换成词语。")

bp = Blueprint("help", __name__)


@bp.get("/help")
@accepts()
def page():
    return render_template("help.html", sections=SECTIONS, limits=LIMITS, SORT_LABELS=SORTS)
