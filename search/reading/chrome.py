"""Page furniture that is never part of a report: portal tools bars, bylines, page numbers.

Text copied from a web page brings the page's chrome with it (下载 打印 全屏 收藏 【字号：加大 还原
减小】, 来源：, 时间：, a photo caption), portals add 打印本页, 责任编辑：, 相关链接>>, an 索引号 block,
and PDFs add page numbers. Format readers drop what their format marks as furniture; this module
catches what is left in the text itself, for every format.
"""

from __future__ import annotations

import re

# A whole line that is nothing but a tool of the page.
_TOOL_WORDS = {
    "下载", "打印", "全屏", "收藏", "加大", "还原", "减小", "大", "中", "小", "】", "【", "分享", "分享到",
    "打印本页", "关闭窗口", "关闭", "返回顶部", "默认", "字体", "字号", "视力保护色", "扫一扫",
    "【打印本页】", "【关闭窗口】", "[打印本页]", "[关闭窗口]", "上一篇", "下一篇",
}
_CHROME_RES = [
    re.compile(r"^[【\[]?\s*字号\s*[：:]"),  # 【字号：大 中 小】
    re.compile(r"^(来源|时间|发布时间|发布日期|日期|作者|编辑|责任编辑|浏览次数|点击数|访问量|信息来源|稿源)\s*[：:]"),
    re.compile(r"^(索引号|主题分类|发文机关|发布机构|成文日期|文号|发文字号|有效性|主题词|体裁分类|组配分类)\s*[：:]"),
    # A breadcrumb: 首页 > 政务公开 > 政府工作报告, 当前位置：首页 » 要闻
    re.compile(r"^(当前位置|您现在的位置|您的位置|首页)\s*[：:>＞»›]"),
    re.compile(r"^相关(链接|文章|阅读|新闻)\s*[>＞》:：]*\s*$"),
    re.compile(r"(版权所有|ICP备|网站标识码|公网安备|主办单位[：:]|技术支持[：:])"),
    # Page numbers: — 1 —, -1-, 第1页, 第 1 页 共 28 页, a bare number.
    re.compile(r"^[—–\-－]+\s*\d{1,4}\s*[—–\-－]+$"),
    re.compile(r"^第\s*\d{1,4}\s*页(\s*(?:[/，,]\s*)?共\s*\d{1,4}\s*页)?$"),
    re.compile(r"^\d{1,4}$"),
    re.compile(r"^\d{1,4}\s*/\s*\d{1,4}$"),
]
# A reporter's photo caption: 殷勇同志作政府工作报告。本报记者 戴冰摄 / 新华社记者 张三 摄
_CAPTION_RE = re.compile(r"(记者|摄影)\s*\S{1,12}\s*摄\s*(?:[）)]\s*)?$|^[（(]?\s*\S{0,20}摄\s*[）)]?$")


def is_chrome(line: str) -> bool:
    """True for a line that is page furniture, not report text."""
    text = line.strip()
    if not text:
        return True
    if text in _TOOL_WORDS or re.sub(r"\s+", "", text) in _TOOL_WORDS:
        return True
    if len(text) <= 80 and any(r.search(text) for r in _CHROME_RES):
        return True
    if len(text) <= 60 and _CAPTION_RE.search(text):
        return True
    # A row of tools on one line: 打印本页 关闭窗口 【字号：大 中 小】
    words = [w for w in re.split(r"[\s|｜/]+", text) if w]
    if len(words) >= 2 and all(w in _TOOL_WORDS or w.startswith(("【字号", "[字号")) for w in words):
        return True
    return False
