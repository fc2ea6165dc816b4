"""What the site's error pages say and offer on a briefing's pages (``webui.site.errors.add_help``)."""

from __future__ import annotations

from flask import request, url_for

from search.briefings.model import INTRO_MAX, NOTE_MAX, TITLE_MAX
from search.errors import BadParameter, NotFound, UserError

from .store import get_store


def briefing_explanations() -> dict[type, tuple[str, str]]:
    """On briefing pages the same errors mean something else: a wrong id, a text too long."""
    return {
        NotFound: ("找不到这份简报或其中的段落", "请检查链接是否完整（简报编号区分大小写）；如果索引重建过，段落编号可能已经不存在。"),
        BadParameter: ("无法保存这些内容", f"简报标题最多 {TITLE_MAX} 字，导语最多 {INTRO_MAX} 字，每条批注最多 {NOTE_MAX} 字。"),
    }


def briefing_links(error: UserError) -> list[tuple[str, str]]:
    """"My briefings", and the briefing's read-only view when it exists."""
    links = [("我的简报", url_for("briefings.mine"))]
    briefing_id = (request.view_args or {}).get("briefing_id")
    # Not on the read-only page itself (it is what failed); on an edit link with a wrong token, yes.
    if briefing_id and (request.endpoint != "briefings.view" or "token" in request.args):
        try:
            get_store().get(briefing_id)
        except UserError:
            return links
        links.insert(0, ("回到这份简报（只读）", url_for("briefings.view", briefing_id=briefing_id)))
    return links
