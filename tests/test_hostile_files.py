"""Files a user could be sent, made to hurt the reader: each is refused with one Chinese line.

Nothing here may raise anything but ReportError, take the test process down, or hang it. The files
are made in temporary folders (tests/hostile.py); limits are lowered through the settings'
environment variables where a file at the real limit would make the test slow.
"""

from __future__ import annotations

import os
import re
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.errors import ReportError
from search.reading import Overrides, parse_document, read_report
from search.reading.isolation import ReaderPool
from search.reading.sniff import read_document_bytes

from . import hostile, hostile_workers
from .conftest import ROOT

HAN = re.compile(r"[\u4e00-\u9fff]")
PAGE = ('<html><head><meta charset="{charset}"><title>北京市政府工作报告</title></head><body><div id="zoom">'
        + "".join(f"<p>{line}</p>" for line in hostile.REPORT_LINES) + "</div></body></html>")


def refusal(path: Path, root: Path | None = None) -> str:
    with pytest.raises(ReportError) as caught:
        read_report(path, root=root)
    message = str(caught.value)
    assert "\n" not in message and HAN.search(message) and message.startswith(path.name), message
    return message


def _truncated_docx() -> bytes:
    data = hostile.docx(hostile.docx_body(hostile.REPORT_LINES))
    return data[: len(data) * 2 // 3]


def _lying_zip() -> bytes:
    """A .docx whose document.xml states 100 bytes but inflates to 5 MB: stated sizes are not trusted."""
    data = bytearray(hostile.docx_bomb(5 * 1024 * 1024))
    entry = data.find(b"PK\x01\x02")  # each central directory entry: its uncompressed size is at +24
    while entry >= 0:
        name_length = int.from_bytes(data[entry + 28:entry + 30], "little")
        if data[entry + 46:entry + 46 + name_length] == b"word/document.xml":
            data[entry + 24:entry + 28] = (100).to_bytes(4, "little")
        entry = data.find(b"PK\x01\x02", entry + 4)
    return bytes(data)


# (file name, bytes, words the refusal must contain)
HOSTILE = [
    # A page tree whose node is its own kid: pdfium fails to load page 1 (PdfiumError before).
    ("loop.pdf", hostile.looping_pages_pdf(), ["页"]),
    # charset=undefined names Python's codec that always raises (UnicodeError before): the page is
    # read as UTF-8 and refused for what it says, here no report at all.
    ("undefined.html", b'<html><head><meta charset="undefined"></head><body><p>x</p></body></html>', []),
    # Chinese in UTF-16 without a byte-order mark: every byte pair is some GB18030 character, so
    # it read as mojibake and was refused for having no place; now the charset is not recognized.
    ("utf16.txt", "政府工作报告".encode("utf-16-le") * 200, ["字符编码"]),
    # Declared Latin-1, written in GB18030 bytes that do not decode: cannot tell the charset.
    ("latin1-gbk.html", PAGE.format(charset="iso-8859-1").encode("utf-8").replace(
        "北京".encode("utf-8"), b"\x81\x20"), ["字符编码"]),
    # A Flate stream inflating to 8 MB (one of 1 GB took 2.1 GB of memory in pdfium before).
    ("flate-bomb.pdf", hostile.flate_bomb_pdf(8 * 1024 * 1024), ["max_part_bytes"]),
    # document.xml inflating past max_part_bytes (one of 20 MB was accepted as 300,004 passages before).
    ("bomb.docx", hostile.docx_bomb(6 * 1024 * 1024), ["max_part_bytes"]),
    # A zip that states a small size for a member that inflates to 5 MB: counted, not trusted.
    ("lying.docx", _lying_zip(), []),
    # Truncated packages and documents.
    ("truncated.docx", _truncated_docx(), ["损坏"]),
    ("truncated.pdf", hostile.text_pdf(hostile.lines_content(["Hello"] * 5))[:300], []),
    ("pdf-header-only.pdf", b"%PDF-1.7\n" + b"\x00" * 100, []),
    # A zip with tens of thousands of empty members: listing them is the cost.
    ("members.docx", None, ["部件"]),
    # Bytes that are no charset at all.
    ("noise.txt", bytes(range(128, 256)) * 20, ["字符编码"]),
    # An MHTML head of many header lines without multipart/related (exponential backtracking before).
    ("headers.mht", b"X-A: b\n" * 600 + b"\xff\xfe\x00", []),
    # Thousands of comments before no tag (exponential in the comments before).
    ("comments.html", b"<!---->" * 600 + b"x" * 10, []),
]


def _many_members() -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", hostile.docx_body(hostile.REPORT_LINES))
        for n in range(10_001):
            archive.writestr(f"x/{n}", b"")
    return buffer.getvalue()


@pytest.fixture
def small_limits(monkeypatch):
    """Limits low enough that the bombs here meet them quickly."""
    monkeypatch.setenv("POLICY_SEARCH_MAX_PART_BYTES", str(4 * 1024 * 1024))
    monkeypatch.setenv("POLICY_SEARCH_MAX_UNZIPPED_BYTES", str(8 * 1024 * 1024))


@pytest.mark.parametrize("name, data, words", HOSTILE, ids=[case[0] for case in HOSTILE])
def test_a_hostile_file_is_refused_in_one_line(tmp_path, small_limits, name, data, words):
    path = tmp_path / name
    path.write_bytes(data if data is not None else _many_members())
    message = refusal(path)
    for word in words:
        assert word in message


def test_a_pdf_text_layer_with_lone_surrogates_is_cleaned():
    # The font maps letters to surrogate halves, one of them alone (UnicodeEncodeError in _digest before).
    document = read_document_bytes(hostile.surrogate_pdf(), "surrogates.pdf")
    text = "".join(block.text for block in document.blocks)
    assert not re.search(r"[\ud800-\udfff]", text) and "\ufffd" in text and document.warnings
    with pytest.raises(ReportError):  # no Chinese report in it, but no UnicodeError either
        parse_document(document, "surrogates.pdf", Overrides(place="北京市", year=2025, type="政府工作报告"))


@pytest.mark.parametrize("setting, value, data, name", [
    # Pages, counted before any page is loaded.
    ("MAX_PDF_PAGES", 1, hostile.pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"]), "pages.pdf"),
    # Characters on one page.
    ("MAX_PAGE_CHARS", 100, hostile.text_pdf(hostile.lines_content(["Growth was 5.2 percent."] * 20)), "page.pdf"),
    # Characters of a whole report, whatever the format.
    ("MAX_REPORT_CHARS", 1000, "\n".join(hostile.REPORT_LINES * 100).encode("utf-8"), "long.txt"),
    # Passages, counted as they are cut.
    ("MAX_REPORT_PASSAGES", 50, "\n".join(hostile.REPORT_LINES * 100).encode("utf-8"), "many.txt"),
    # The whole package, by the sizes the zip states.
    ("MAX_UNZIPPED_BYTES", 10_000, hostile.docx_bomb(100_000), "package.docx"),
])
def test_each_limit_refuses_with_its_setting(tmp_path, monkeypatch, setting, value, data, name):
    monkeypatch.setenv(f"POLICY_SEARCH_{setting}", str(value))
    path = tmp_path / name
    path.write_bytes(data)
    message = refusal(path)
    assert setting.lower() in message and f"POLICY_SEARCH_{setting}" in message


def test_the_limits_leave_every_real_report_alone():
    corpus = ROOT.parent / "shared" / "corpus"
    if not corpus.is_dir():
        pytest.skip("the shared corpus of real reports is not on this machine")
    for path in sorted(corpus.rglob("*")):
        if path.is_file() and path.suffix != ".md":
            try:
                read_report(path, root=corpus)
            except ReportError as err:
                assert "上限" not in str(err) and "设置 max_" not in str(err), err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "report.txt")
    assert "命名管道" in refusal(tmp_path / "report.txt")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_is_refused_without_reading_it(tmp_path):
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    assert "设备" in refusal(tmp_path / "zero.txt")


def test_a_link_out_of_the_folder_is_refused(tmp_path):
    outside, folder = tmp_path / "secret.txt", tmp_path / "reports"
    outside.write_text("\n".join(hostile.REPORT_LINES), encoding="utf-8")
    folder.mkdir()
    (folder / "report.txt").symlink_to(outside)
    assert "之外" in refusal(folder / "report.txt", root=folder)
    assert read_report(folder / "report.txt").county  # without a folder to stay in, the link is followed


def test_a_file_growing_while_read_is_read_as_it_was(tmp_path, monkeypatch):
    from search.reading import files

    path = tmp_path / "report.txt"
    path.write_text("\n".join(hostile.REPORT_LINES), encoding="utf-8")
    size = path.stat().st_size
    real_read = os.read

    def read_then_grow(fd, n):
        with open(path, "ab") as grow:
            grow.write(b"x" * 1000)
        return real_read(fd, n)

    monkeypatch.setattr(files.os, "read", read_then_grow)
    assert len(files.read_file(path)) == size


@pytest.mark.parametrize("charset, encoding", [
    ("gb2312", "gbk"),  # the usual portal page: declared and true
    ("iso-8859-1", "utf-8"),  # declared Latin-1, written in UTF-8: UTF-8 wins, no mojibake
    ("iso-8859-1", "gb18030"),  # declared Latin-1, written in GBK
    ("iso-8859-1", "utf-16-le"),  # declared Latin-1, written in UTF-16 without a mark: its NULs tell
    ("utf-8", "gb18030"),  # declared UTF-8, written in GBK: the declaration does not decode
    ("undefined", "utf-8"),  # a codec name that always raises
    ("rot13", "utf-8"),  # a transform, not a charset
])
def test_a_page_is_decoded_by_what_decodes_it_cleanly(tmp_path, charset, encoding):
    path = tmp_path / "page.html"
    path.write_bytes(PAGE.format(charset=charset).encode(encoding))
    assert read_report(path).county == "北京"


# Property: any bytes, and any prefix of a real file of each format, are read or refused, never more.
SEEDS = {
    "report.docx": hostile.docx(hostile.docx_body(hostile.REPORT_LINES)),
    "report.pdf": hostile.text_pdf(hostile.lines_content(["Growth was 5.2 percent."] * 10)),
    "report.html": PAGE.format(charset="utf-8").encode("utf-8"),
    "report.txt": "\n".join(hostile.REPORT_LINES).encode("gb18030"),
}


def _read_or_refuse(data: bytes, name: str) -> None:
    try:
        parse_document(read_document_bytes(data, name), name)
    except ReportError as err:
        assert "\n" not in str(err) and HAN.search(str(err))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(SEEDS)), cut=st.floats(0, 1), noise=st.binary(max_size=64),
       at=st.floats(0, 1))
def test_any_damage_to_a_file_is_read_or_refused(name, cut, noise, at):
    data = SEEDS[name][: int(len(SEEDS[name]) * cut)]
    position = int(len(data) * at)
    _read_or_refuse(data[:position] + noise + data[position + len(noise):], name)


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=2048), name=st.sampled_from(sorted(SEEDS)))
def test_any_bytes_under_any_name_are_read_or_refused(data, name):
    _read_or_refuse(data, name)


# Isolation: a reader that hangs, aborts or exhausts memory costs one file, not the process.
@pytest.mark.skipif(sys.platform == "win32", reason="abort and address-space limits are POSIX")
@pytest.mark.parametrize("reader, words", [
    (hostile_workers.hang, ["读取超时", "read_timeout"]),  # a loop pdfium never leaves
    (hostile_workers.abort, ["进程异常退出", "SIGABRT"]),  # pdfium's abort() on a huge page stream
    (hostile_workers.exhaust_memory, ["内存", "read_memory_mb"]),  # an allocation past RLIMIT_AS
])
def test_a_worker_that_fails_costs_its_file_only(tmp_path, reader, words):
    good = tmp_path / "good.txt"
    good.write_text("\n".join(hostile.REPORT_LINES), encoding="utf-8")
    with ReaderPool(processes=1, timeout=0.5, memory_mb=512, reader=reader) as pool:
        outcomes = list(pool.read_many([tmp_path / "bad.pdf", good, tmp_path / "bad2.pdf"]))
    assert [report is None for report, _ in outcomes] == [True, False, True]
    for report, message in (outcomes[0], outcomes[2]):
        assert message.startswith("bad") and "\n" not in message and all(word in message for word in words)


def test_the_pool_reads_in_order_and_passes_the_settings(tmp_path, monkeypatch):
    paths = []
    for n in range(6):
        paths.append(tmp_path / f"{n}.txt")
        paths[-1].write_text("\n".join(hostile.REPORT_LINES * (n + 1)), encoding="utf-8")
    with ReaderPool(processes=2) as pool:
        counts = [len(report.passages) for report, _ in pool.read_many(paths)]
        assert counts == sorted(counts) and len(set(counts)) == 6
        # A setting changed after the workers started reaches them with the next file.
        monkeypatch.setenv("POLICY_SEARCH_MAX_REPORT_PASSAGES", "5")
        with pytest.raises(ReportError, match="max_report_passages"):
            pool.read(paths[0])


# Regular expressions: none in search/reading may take more than linear time on what a file holds.
# Timing them would be flaky, so the shapes that backtrack are ruled out by reading each pattern's
# parse tree: a repeat inside an unbounded repeat ((a+)*, (?:x:.*\n)*: exponential), an alternation
# inside one ((?:<!--.*?-->)*: exponential when the branches overlap), and two unbounded repeats of
# the same thing with only optional items between (\s*[,]?\s*: quadratic in a run of spaces).
def _reading_patterns() -> list[tuple[str, str, int]]:
    import ast
    import importlib
    import pkgutil

    import search.reading

    found = {}
    for module in pkgutil.iter_modules(search.reading.__path__):
        loaded = importlib.import_module(f"search.reading.{module.name}")
        for value in vars(loaded).values():
            items = list(value) if isinstance(value, (list, tuple)) else [value]
            items += [part for item in items if isinstance(item, tuple) for part in item]  # [(pattern, type)]
            for item in items:
                if isinstance(item, re.Pattern):
                    found[item.pattern] = (module.name, item.flags)
        source = Path(loaded.__file__).read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.setdefault(node.args[0].value, (f"{module.name}:{node.lineno}", 0))
    return [(where, pattern, flags) for pattern, (where, flags) in sorted(found.items(), key=str)]


def _backtracking_shapes(pattern, flags) -> list[str]:
    from re import _constants as c
    from re import _parser

    problems = []

    def unbounded(item):
        return item[0] in (c.MAX_REPEAT, c.MIN_REPEAT) and item[1][1] == c.MAXREPEAT

    def optional(item):
        return (item[0] in (c.MAX_REPEAT, c.MIN_REPEAT) and item[1][0] == 0) or item[0] in (c.AT, c.ASSERT, c.ASSERT_NOT)

    def inside(items) -> bool:
        """Whether these items hold a repeat of more than one or an alternation, at any depth."""
        for op, av in items:
            if op in (c.MAX_REPEAT, c.MIN_REPEAT) and (av[1] > 1 or inside(av[2])):
                return True
            if op == c.BRANCH:
                return True
            if op == c.SUBPATTERN and inside(av[-1]):
                return True
        return False

    def walk(items):
        previous = None
        for item in items:
            op, av = item
            if op in (c.MAX_REPEAT, c.MIN_REPEAT):
                if av[1] == c.MAXREPEAT and inside(av[2]):
                    problems.append(f"nested repeat {av[2]}")
                walk(av[2])
            elif op == c.SUBPATTERN:
                walk(av[-1])
            elif op == c.BRANCH:
                for branch in av[1]:
                    walk(branch)
            elif op in (c.ASSERT, c.ASSERT_NOT):
                walk(av[1])
            if unbounded(item):
                if previous is not None and list(previous[1][2]) == list(av[2]):
                    problems.append(f"adjacent repeats of {av[2]}")
                previous = item
            elif not optional(item):
                previous = None

    walk(_parser.parse(pattern, flags))
    return problems


@pytest.mark.parametrize("where, pattern, flags", _reading_patterns())
def test_no_reading_pattern_can_backtrack_more_than_linearly(where, pattern, flags):
    assert _backtracking_shapes(pattern, flags) == [], (where, pattern)


@pytest.mark.parametrize("pattern, problem", [
    (r"(?:a+)*b", "nested"),
    (rb"^(?:(?:[\x21-\x7e]+:|[ \t])[^\n]*\r?\n)*?(?:MIME-Version):", "nested"),  # the old MHTML_START
    (r"(?:<!--.*?-->\s*)*<html", "nested"),  # the old HTML_START's comments
    (r"第\s*\d页(?:\s*[,，/]?\s*共)?", "adjacent"),  # the old page-number pattern
])
def test_the_check_finds_the_shapes_that_backtracked(pattern, problem):
    assert any(problem in found for found in _backtracking_shapes(pattern, 0))


@pytest.mark.parametrize("name, data", [
    # 4 KB of MIME header lines that never say multipart/related: each line multiplied the time by 5.
    ("headers.mht", b"MIME-Version: 1.0\n" + b"X-A:b:c: d\n" * 400),
    ("headers2.mht", b"X-A:b:c: d\n" * 400),
    # 4 KB of empty comments and no tag.
    ("comments.html", b"<!---->" * 600),
    # A long run of spaces after a page number, at the end of a PDF-like line of text.
    ("spaces.txt", ("一、总体要求\n第1页" + " " * 50_000 + "x\n" + "\n".join(hostile.REPORT_LINES)).encode("utf-8")),
])
def test_adversarial_text_for_the_patterns_is_read_or_refused(name, data):
    # The shapes above are linear now; these inputs hung the reader (or took minutes) before.
    _read_or_refuse(data, name)
