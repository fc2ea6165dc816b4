"""A saved search's Atom 1.0 feed (RFC 4287): the passages it matches, newest report first.

Each entry is one passage: its id a tag URI (RFC 4151) made of the site's host and the passage id,
so a reader that has seen it never shows it again, whatever feed or rebuild it comes from; its
``updated`` the time its report came into the index; its title the place, year and report; its
alternate link the passage's permalink. The feed's own ``updated`` is its newest entry's (or the
saved search's creation when nothing matches yet), so it changes only when something new comes in.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"
TAG_DATE = "2026"  # the tag URIs' date: when this naming was adopted; it must never change
GENERATOR = "policy-search"

ET.register_namespace("", ATOM)


def tag_uri(host: str, specific: str) -> str:
    """``tag:example.org,2026:specific`` for the host the site is reached by (a request's Host:
    a name, an IPv4 address or a bracketed IPv6 one, any port dropped: a tag's authority has none)."""
    if host.startswith("["):
        authority = host[1:host.find("]")] if "]" in host else host[1:]
    else:
        authority = host.partition(":")[0]
    return f"tag:{authority.lower() or 'localhost'},{TAG_DATE}:{specific}"


def entry_title(passage: dict) -> str:
    """Place, year and report: 重庆市云阳县 2024年《政府工作报告》· 工作回顾."""
    section = f" · {passage['section']}" if passage.get("section") else ""
    return f"{passage['place']} {passage['year']}年《{passage['report_title']}》{section}"


def _text(parent: ET.Element, tag: str, text: str, **attrs) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = text
    return element


def _link(parent: ET.Element, href: str, rel: str, kind: str | None = None) -> None:
    attrs = {"rel": rel, "href": href}
    if kind:
        attrs["type"] = kind
    ET.SubElement(parent, f"{{{ATOM}}}link", attrs)


def to_atom(saved: dict, title: str, passages: list[dict], *, host: str, base_url: str,
            feed_url: str, page_url: str) -> bytes:
    """The feed as UTF-8 XML. ``passages`` are ``Engine.arrivals``'s, newest first; ``base_url``
    makes their permalinks absolute; ``feed_url`` and ``page_url`` are the feed's and the saved
    search page's own absolute addresses."""
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "zh-CN"})
    _text(feed, "id", tag_uri(host, f"saved-search/{saved['id']}"))
    _text(feed, "title", f"保存的检索：{title}")
    _text(feed, "subtitle", "新收录的报告中与这次检索相符的段落，最新的在前")
    _text(feed, "updated", max((p["added_at"] for p in passages), default=saved["created_at"]))
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "政策报告检索")
    _text(feed, "generator", GENERATOR)
    _link(feed, feed_url, "self", "application/atom+xml")
    _link(feed, page_url, "alternate", "text/html")
    for passage in passages:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", tag_uri(host, f"passage/{passage['id']}"))
        _text(entry, "title", entry_title(passage))
        _text(entry, "updated", passage["added_at"])
        _link(entry, base_url.rstrip("/") + passage["url"], "alternate", "text/html")
        ET.SubElement(entry, f"{{{ATOM}}}category", {"term": passage["place"], "label": passage["place"]})
        _text(entry, "summary", f"{passage['text']}\n——{passage['citation']}", type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
