"""The benchmark's corpus and queries, made from every real report at hand.

The corpus is the seeds plus the real reports of the project's fixtures (national, provincial;
Word, PDF, web texts), each read once by ``search.reading`` and written back as plain text under a
made-up place per copy, so that N copies are N times the places, as a national collection would be.

The queries are several hundred distinct ones drawn from the corpus itself (its words, pairs of
words, quoted phrases, figures, with and without filters), so that the query cache cannot answer
them: every one is a cold query the first time.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
REAL = ROOT / "tests" / "fixtures" / "corpus"
DEFAULT_PLACES = ROOT / "search" / "data" / "places_extra.tsv"

_FIRST = "东西南北中上下前后左右青白金银"
_SECOND = "山川河湖林泉溪岭峰原坪坝塘桥"
_THIRD = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
# Third characters for the names after the first 4,950, so that a scale past about 2,200x (4 million
# passages) has a place per copy while smaller scales keep the names they always had. Still three
# characters: no name is a part of another (a four-character 东山甲川 would hold 东山甲).
_THIRD_MORE = "春夏秋冬梅兰竹菊松柏桃李杏枫桂荷琴棋书画诗茶莲竺"
MAX_PLACES = len(_FIRST) * len(_SECOND) * (len(_THIRD) + len(_THIRD_MORE))


def synthetic_names(n: int) -> list[tuple[str, str]]:
    """n made-up (short, full) county names that no report mentions; the first n of a larger n."""
    if n > MAX_PLACES:
        raise SystemExit(f"at most {MAX_PLACES} made-up places")
    names = []
    for thirds in (_THIRD, _THIRD_MORE):
        for a in _FIRST:
            for b in _SECOND:
                for c in thirds:
                    names.append((f"{a}{b}{c}", f"{a}{b}{c}县"))
    return names[:n]


def source_reports() -> list:
    """Every distinct real report: the seeds and the fixtures' corpus (a PDF of a Word file is one)."""
    from search.reading import read_report

    files = sorted(SEEDS.glob("*.txt")) + sorted(p for p in REAL.rglob("*") if p.suffix in (".txt", ".docx", ".pdf"))
    reports = {}
    for path in files:
        report = read_report(path)
        reports.setdefault(report.id, report)
    return list(reports.values())


def as_text(report, place_full: str) -> str:
    """The report as a plain-text file issued by ``place_full``: a title, 各位代表, then its
    paragraphs in order (headings on their own lines, table rows as lines)."""
    # The report's own title, which names its years (2022年…计划执行情况及2023年计划草案); a title of
    # the year and type alone (2023年计划执行情况报告) reads as the execution of 2023's plan.
    title = report.title if re.search(r"\d{4}年", report.title) else f"{report.year}年{report.title}"
    lines = [f"{place_full}{title}", "各位代表："]
    para = None
    for p in report.passages[1:]:
        if p.para != para:
            lines.append(p.text)
            para = p.para
        else:
            lines[-1] += p.text
    text = "\n".join(lines) + "\n"
    # Other places named in the text stay; the issuing place's own name becomes the made-up one. A
    # national report speaks as 国务院 (我代表国务院): the copy speaks as its made-up county's
    # government, or the reader rightly takes every copy for the same national report.
    if report.place == "全国":
        return text.replace("国务院", f"{place_full}人民政府")
    name = report.place.removeprefix(report.province) if report.province else ""
    return text.replace(name, place_full) if name else text


# A scale of 1 is the seeds' size, so that scales compare with earlier runs: 200x is 441,000 passages.
PASSAGES_PER_SCALE = 2205


def make_corpus(scale: int, folder: Path) -> tuple[Path, Path]:
    """Write copies of every real report (seeds first, then the fixtures' corpus, again and again),
    each copy under its own made-up place, until there are ``scale`` × 2,205 passages; return the
    source folder and the places file that makes those places known."""
    reports = source_reports()
    src = folder / f"corpus-{scale}x"
    src.mkdir(parents=True)
    lines = [DEFAULT_PLACES.read_text(encoding="utf-8")]
    names = iter(synthetic_names(MAX_PLACES))
    written, n = 0, 0
    while written < scale * PASSAGES_PER_SCALE:
        if n >= MAX_PLACES:
            raise SystemExit("not enough made-up places for this scale")
        report = reports[n % len(reports)]
        _, full = next(names)
        lines.append(f"{full}\t重庆市\t县级")
        (src / f"{n // len(reports):04d}-{n % len(reports):03d}.txt").write_text(as_text(report, full), encoding="utf-8")
        written += len(report.passages)
        n += 1
    places = folder / f"places-{scale}x.tsv"
    places.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return src, places


_WORD_RE = re.compile(r"^[\u4e00-\u9fff]{2,6}$")
_FIGURE_RE = re.compile(r"\d+(?:\.\d+)?(?:%|亿元|万元|万人|个百分点)")


def sample_queries(n: int, seed: int = 7) -> list[dict]:
    """``n`` distinct queries drawn from the corpus's own words and figures, reproducibly."""
    from search.text.streams import fold, word_list

    rng = random.Random(seed)
    reports = source_reports()
    sentences = [p.text for r in reports for p in r.passages if p.kind == "sentence"]
    words: dict[str, int] = {}
    for sentence in rng.sample(sentences, min(3000, len(sentences))):
        for word in word_list(fold(sentence)):
            if _WORD_RE.match(word):
                words[word] = words.get(word, 0) + 1
    vocabulary = sorted(w for w, c in words.items() if c >= 2)
    figures = sorted({m for s in sentences for m in _FIGURE_RE.findall(s)})
    years = sorted({str(p.year) for r in reports for p in r.passages})
    queries: dict[str, dict] = {}
    shapes = ["word", "word", "word", "two", "two", "phrase", "figure", "or", "not", "filtered"]
    while len(queries) < n:
        shape = rng.choice(shapes)
        if shape == "word":
            spec = {"q": rng.choice(vocabulary)}
        elif shape == "two":
            spec = {"q": " ".join(rng.sample(vocabulary, 2))}
        elif shape == "phrase":
            sentence = rng.choice(sentences)
            start = rng.randrange(max(1, len(sentence) - 8))
            fragment = sentence[start:start + rng.randint(4, 8)]
            if any(c in fragment for c in '"“”「」'):
                continue
            spec = {"q": f'"{fragment}"'}
        elif shape == "figure":
            spec = {"q": rng.choice(figures)}
        elif shape == "or":
            a, b = rng.sample(vocabulary, 2)
            spec = {"q": f"{a} OR {b}"}
        elif shape == "not":
            a, b = rng.sample(vocabulary, 2)
            spec = {"q": f"{a} -{b}"}
        else:
            spec = {"q": rng.choice(vocabulary), "year": [rng.choice(years)]}
        queries.setdefault(repr(sorted(spec.items())), spec)
    return list(queries.values())
