"""Reading the site's HTML in tests the way a browser would see its structure, without a browser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None
    children: list[Element] = field(default_factory=list)
    content: list = field(default_factory=list)  # text and child elements, in document order

    @property
    def text(self) -> str:
        """All text inside, as a reader sees it (tags removed, entities decoded)."""
        return "".join(item if isinstance(item, str) else item.text for item in self.content)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def find_all(self, tag: str | None = None, cls: str | None = None):
        for child in self.children:
            if (tag is None or child.tag == tag) and (cls is None or cls in child.classes):
                yield child
            yield from child.find_all(tag, cls)

    def find(self, tag: str | None = None, cls: str | None = None) -> Element | None:
        return next(self.find_all(tag, cls), None)


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.current = self.root
        self.by_id: dict[str, Element] = {}
        self.duplicate_ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v if v is not None else "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        self.current.content.append(element)
        if "id" in element.attrs:
            if element.attrs["id"] in self.by_id:
                self.duplicate_ids.append(element.attrs["id"])
            self.by_id[element.attrs["id"]] = element
        if tag not in VOID_TAGS:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.current = self.current.parent

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.content.append(data)


@dataclass
class Page:
    root: Element
    by_id: dict[str, Element]
    duplicate_ids: list[str]

    def find_all(self, tag=None, cls=None):
        return list(self.root.find_all(tag, cls))

    def find(self, tag=None, cls=None):
        return self.root.find(tag, cls)

    def links(self, text: str | None = None) -> list[str]:
        return [a.attrs.get("href", "") for a in self.root.find_all("a") if text is None or a.text.strip() == text]


def parse_html(html: str | bytes) -> Page:
    builder = _TreeBuilder()
    builder.feed(html.decode("utf-8") if isinstance(html, bytes) else html)
    builder.close()
    return Page(builder.root, builder.by_id, builder.duplicate_ids)


def form_fields(form: Element) -> dict[str, str]:
    """What a form would send as it stands: its inputs' names and values, and each select's first
    (or selected) option."""
    fields = {i.attrs["name"]: i.attrs.get("value", "") for i in form.find_all("input") if "name" in i.attrs}
    for select in form.find_all("select"):
        options = list(select.find_all("option"))
        chosen = next((o for o in options if "selected" in o.attrs), options[0] if options else None)
        fields[select.attrs["name"]] = chosen.attrs.get("value", chosen.text) if chosen else ""
    return fields
