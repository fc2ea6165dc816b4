"""Duplicates among the reports of one build, found by content rather than by metadata alone.

Two files hold one report when they got the same place, type and year and most of their sentences
are the same (a Word file and its PDF, a page and its text, one report saved under two names, a
text mislabelled by its file name but not by its own words): the fuller one is kept and the other refused
with a line saying so. Two files that got the same place, type and year but hold different text
(a 摘要 beside the full report, two reports mislabelled alike) are both kept, with a warning, and
the second gets an id of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..documents import KIND_SENTENCE, Report, short_hash

SAME_REPORT = 0.8  # the share of the smaller report's sentences the other must hold


def _sentences(report: Report) -> set[int]:
    """The report's sentences, each as a hash (a build of millions of passages keeps them all)."""
    return {hash("".join(p.text.split())) for p in report.passages if p.kind == KIND_SENTENCE}


@dataclass
class _Written:
    """What is kept of a report once it is written (``Deduplicator.flush``): enough to compare."""

    id: str
    source: str
    place: str
    type: str
    year: int
    passages: range  # only its length is used


class Deduplicator:
    """Reports read for one build or addition, duplicates dropped as they come. A large build
    writes them in batches (``flush``); a later report that is the same as, and fuller than, one
    already written replaces it, and the written one's id is listed in ``replaced``."""

    def __init__(self):
        self.reports: dict[str, Report | _Written] = {}
        self.sentences: dict[str, set[int]] = {}
        self.owner: dict[int, list[str]] = {}  # sentence → ids of the reports holding it
        self.messages: list[str] = []
        self.replaced: list[str] = []  # ids of written reports a fuller copy replaced

    def add(self, report: Report) -> None:
        mine = _sentences(report)
        twin = self._same_content(mine)
        if twin is not None and _label(self.reports[twin]) != _label(report):
            # The same text read as another place or year (a template filled in twice): both kept.
            report.warnings.append(f"内容与 {self.reports[twin].source} 几乎相同，但地区、类型或年份不同；请核对。")
            twin = None
        if twin is not None:
            other = self.reports[twin]
            kept, dropped = (report, other) if len(report.passages) > len(other.passages) else (other, report)
            self.messages.append(f"{dropped.source}：与 {kept.source} 是同一份报告（内容相同：{report.county} "
                                 f"{report.year}年 {report.type}），保留了段落更多的 {kept.source}。")
            if kept is report:
                if isinstance(other, _Written):
                    self.replaced.append(twin)
                self._forget(twin)
                self._keep(report, mine)
            return
        if report.id in self.reports:
            other = self.reports[report.id]
            _give_own_id(report)
            warning = (f"与 {other.source} 的地区、类型和年份相同（{report.county} {report.year}年 {report.type}），"
                       "但内容不同；两份都保留了，请核对。")
            report.warnings.append(warning)
        self._keep(report, mine)

    def kept(self) -> list[Report]:
        """The reports kept since the last ``flush`` (all of them without one), in reading order."""
        return [r for r in self.reports.values() if isinstance(r, Report)]

    def flush(self) -> list[Report]:
        """The reports kept since the last flush, which the caller writes now; only what telling
        duplicates apart needs is kept of them."""
        out = self.kept()
        for r in out:
            self.reports[r.id] = _Written(r.id, r.source, r.place, r.type, r.year, range(len(r.passages)))
        return out

    def _same_content(self, mine: set[str]) -> str | None:
        counts: dict[str, int] = {}
        for sentence in mine:
            for rid in self.owner.get(sentence, ()):
                counts[rid] = counts.get(rid, 0) + 1
        for rid, shared in sorted(counts.items(), key=lambda kv: -kv[1]):
            smaller = min(len(mine), len(self.sentences[rid])) or 1
            if shared / smaller >= SAME_REPORT:
                return rid
        return None

    def _keep(self, report: Report, mine: set[str]) -> None:
        self.reports[report.id] = report
        self.sentences[report.id] = mine
        for sentence in mine:
            self.owner.setdefault(sentence, []).append(report.id)

    def _forget(self, rid: str) -> None:
        self.reports.pop(rid)
        for sentence in self.sentences.pop(rid):
            self.owner[sentence].remove(rid)


def _label(report: Report) -> tuple:
    return report.place, report.type, report.year


def _give_own_id(report: Report) -> None:
    """A report of the same metadata as another but different text: an id from its content too."""
    report.id = short_hash(f"{report.id}|{report.sha256}", 5)
    for passage in report.passages:
        passage.report_id = report.id
        passage.id = short_hash(f"{report.id}|{passage.id}", 6)
