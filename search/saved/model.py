"""What a saved search holds: a query and filters, as a client sends them and as they are kept.

A request names the query ``q`` and any of the search's filters (``place``, with ``county`` its old
name, ``province``, ``level``, ``year``, ``section``), each a list of values or one value. Anything
else, and values that are not text (a year may be a number), is refused with a Chinese message;
whether the values name something in the index is the engine's to say, when the site runs it.
"""

from __future__ import annotations

from ..errors import BadParameter

FILTER_NAMES = ("place", "province", "level", "year", "section")
FILTER_LABELS = {"place": "地区", "province": "省份", "level": "层级", "year": "年份", "section": "部分"}
FIELDS = ("q", *FILTER_NAMES, "county")
VALUES_MAX = 50  # values per filter: more than the places of one province's counties at once
QUERY_MAX = 500  # characters; the engine's own limit on queries is lower and says so
FEED_ENTRIES = 100  # a feed lists this many newest passages; readers keep what they have seen


def check_request(body: dict) -> tuple[str, dict[str, list[str]]]:
    """The query and the filters of a request body (a JSON object), or ``BadParameter``."""
    if unknown := sorted(set(body) - set(FIELDS)):
        raise BadParameter(f"不认识的字段：{'、'.join(unknown)}；可用的字段：{'、'.join(FIELDS)}")
    q = body.get("q", "")
    if not isinstance(q, str):
        raise BadParameter("q（检索词）须是文字")
    if len(q) > QUERY_MAX:
        raise BadParameter(f"检索词有 {len(q)} 个字符，最多 {QUERY_MAX} 个")
    filters: dict[str, list[str]] = {}
    for name in (*FILTER_NAMES, "county"):
        if name not in body:
            continue
        values = body[name] if isinstance(body[name], list) else [body[name]]
        label = FILTER_LABELS.get(name, "地区")
        if len(values) > VALUES_MAX:
            raise BadParameter(f"{name}（{label}）最多 {VALUES_MAX} 个值，这里有 {len(values)} 个")
        for value in values:
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                raise BadParameter(f"{name}（{label}）的值须是文字，如 {{\"{name}\": [\"…\"]}}，不能是 {_shown(value)}")
        key = "place" if name == "county" else name
        filters[key] = [*filters.get(key, []), *(str(v).strip() for v in values)]
    filters = {name: values for name, values in filters.items() if values}
    if not q.strip() and not filters:
        raise BadParameter("要保存的检索须有检索词（q）或至少一个筛选条件（如 place、year）")
    return q.strip(), filters


def describe(q: str, filters: dict[str, list[str]]) -> str:
    """The saved search in one line: “森林覆盖率” · 地区：重庆市云阳县 · 年份：2024."""
    parts = [f"“{q}”"] if q else []
    parts += [f"{FILTER_LABELS[name]}：{'、'.join(filters[name])}" for name in FILTER_NAMES if filters.get(name)]
    return " · ".join(parts)


def _shown(value) -> str:
    return {dict: "对象", list: "列表", type(None): "null", bool: "true/false", float: "小数"}.get(type(value), "其他类型")
