"""What one report file may cost to read, checked while it is read.

A file a user is sent can be small on disk and huge once read: a .docx or a PDF stream that
inflates a thousandfold, a page of a million characters, a text that cuts into a million passages.
Each reader counts what it has expanded or produced so far against a setting
(``search/settings.py``) and stops at the first excess, with a refusal that names the limit and the
setting that raises it. The defaults are far above every real report we have (the settings' help
says by how much), so only a hostile or broken file meets them.
"""

from __future__ import annotations

from .. import settings
from ..errors import ReportError

MB = 1024 * 1024


def limit(setting: str) -> int:
    return settings.get(setting)


def over_limit(name: str, what: str, setting: str, value: str | None = None) -> ReportError:
    """The refusal of a file that exceeds ``setting``: what was too big, how big, how to raise the limit."""
    cap = limit(setting)
    shown = f"{cap / MB:.0f} MB" if setting.endswith("_bytes") else f"{cap:,}"
    size = f"（{value}）" if value else ""
    return ReportError(
        f"{name}：{what}{size}超过了上限 {shown}（设置 {setting}）；这不像一份报告，文件可能已损坏或是恶意构造的。"
        f"如确是报告，请拆分后再添加，或调高环境变量 POLICY_SEARCH_{setting.upper()}。"
    )


class Budget:
    """A running count against one setting: ``add`` refuses the file once the count exceeds it."""

    def __init__(self, name: str, setting: str, what: str):
        self.name, self.setting, self.what = name, setting, what
        self.cap = limit(setting)
        self.used = 0

    def add(self, amount: int) -> None:
        self.used += amount
        if self.used > self.cap:
            raise over_limit(self.name, self.what, self.setting)
