"""The commands that build, search, export, evaluate, serve and check an index."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import click

from .. import settings
from ..errors import UserError
from ..errors import escape_unprintable
from .options import cluster_options, index_option, index_path, on_cluster

_MARK_RE = re.compile(r'<mark class="([^"]+)">(.*?)</mark>')


# -- build and add -------------------------------------------------------------------------------


class _ProgressBar:
    """A bar on stderr per stage; quiet when stderr is not a terminal except for stage ends."""

    def __init__(self):
        self.stage = None
        self.tty = sys.stderr.isatty()

    def __call__(self, stage: str, done: int, total: int, label: str) -> None:
        names = {"read": "reading reports", "index": "indexing passages"}
        width = 30
        filled = int(width * done / max(total, 1))
        line = f"\r{names.get(stage, stage):<18} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label[:30]:<30}"
        if self.tty:
            click.echo(line, nl=done == total, err=True)
        elif done == total:
            click.echo(line.strip(), err=True)


SUMMARY_PLACES = 8  # places named in the one-line summary of a build or an add


# Exit status of a build or an add that went through but refused some files (listed above it): a
# script can tell "all read" (0) from "built, with files left out" (3) from "nothing changed" (1).
EXIT_SOME_REFUSED = 3


def _refused_exit(summary) -> None:
    if summary.refused:
        click.echo(f"{len(summary.refused)} 个文件没有收入索引（见上）；其余已收入。", err=True)
        sys.exit(EXIT_SOME_REFUSED)


def _print_summary(summary, verb: str) -> None:
    for message in summary.refused:
        click.secho(f"refused: {message}", fg="yellow", err=True)
    per_place = list(summary.per_county().items())
    counties = ", ".join(f"{c} {n}" for c, n in per_place[:SUMMARY_PLACES])
    if len(per_place) > SUMMARY_PLACES:  # a national collection: `policy-search reports` lists them all
        counties += f", … and {len(per_place) - SUMMARY_PLACES} more places"
    click.echo(f"{verb} {len(summary.reports)} reports, {summary.passages} passages "
               f"({counties}) in {summary.seconds:.1f} s → {summary.index_dir}")


@click.command()
@click.option("--source", type=click.Path(exists=True, path_type=Path), multiple=True,
              help="Folder of reports, searched recursively: .txt, .docx, .pdf, .html (default: seeds/); "
                   "repeat it to index several folders together.")
@index_option
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="清单（CSV，见 inspect --manifest）：按行指定文件的地区、类型、年份，或跳过文件；"
                   "不指定时使用文件夹顶层的 reports.csv（如有）。")
def build(source, index_dir, manifest):
    """Build the index from a folder of reports, replacing the served one only when complete."""
    from ..whoosh_index.indexing import build as build_index

    summary = build_index(list(source) or [settings.get("source_dir")], index_path(index_dir),
                          progress=_ProgressBar(), manifest=manifest)
    _print_summary(summary, "indexed")
    _refused_exit(summary)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@index_option
@cluster_options
@click.option("--place", default=None, help="发布报告的地区，在无法从文件开头识别时指定。")
@click.option("--year", type=int, default=None, help="报告的年份，在无法识别时指定。")
@click.option("--type", "rtype", default=None, help="报告类型，在无法识别时指定。")
def add(files, index_dir, opensearch_url, alias, place, year, rtype):
    """Add reports, or replace them (same place, type and year), without rebuilding the rest;
    with --opensearch, in the index the cluster's alias names."""
    from ..reading import Overrides

    overrides = Overrides(place=place, year=year, type=rtype)
    if opensearch_url:
        from ..opensearch.changes import add as add_to_cluster

        summary = on_cluster(opensearch_url, alias, lambda client, alias: add_to_cluster(
            list(files), client, alias, progress=_ProgressBar(), overrides=overrides))
        summary.index_dir = f"{opensearch_url} {summary.index_dir}"
    else:
        from ..adding import add_files

        summary = add_files(list(files), index_path(index_dir), progress=_ProgressBar(), overrides=overrides)
    for r in summary.replaced:  # the same place, type and year: the new file takes its place
        click.echo(f"replaced: {r.get('place') or r['county_full']} {r['year']} {r['type']} "
                   f"《{escape_unprintable(r['title'])}》 ({escape_unprintable(r['source'])}, "
                   f"{r['passage_count']} passages)")
    _print_summary(summary, "index now has")
    _refused_exit(summary)


# -- search --------------------------------------------------------------------------------------


def _terminal_marks(html: str) -> str:
    import html as html_lib

    def mark(m):
        kind, inner = m.group(1), m.group(2)
        style = {"fg": "blue", "bold": True} if kind == "figure" else {"fg": "black", "bg": "yellow"}
        return click.style(inner, **style)

    return html_lib.unescape(_MARK_RE.sub(mark, html))


@click.command()
@click.argument("query", nargs=-1)
@click.option("--place", multiple=True, help="Only this place (地区: 云阳, 云阳县, 重庆市云阳县, 全国); repeatable.")
# --place's old name, from when every place was a county: still accepted, no longer offered.
@click.option("--county", "old_county", multiple=True, hidden=True)
@click.option("--province", multiple=True, help="Only this province (重庆 or 重庆市); repeatable.")
@click.option("--level", multiple=True, help="Only this level (国家级, 省级, 地级, 县级); repeatable.")
@click.option("--year", multiple=True, help="Only this year; repeatable.")
@click.option("--section", multiple=True, help="Only this section (工作回顾, 目标安排, 重点任务, 其他); repeatable.")
@click.option("--report", default=None, help="Only within this report (its id, as in /reports/ID or `reports`).")
@click.option("--sort", default=None, help="relevance (default), year (newest first) or place; ties by relevance.")
@click.option("--page", default=1, show_default=True)
@click.option("--limit", "per_page", default=None, type=int, help="Hits per page (1-50, default 10).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--csv", "csv_file", is_flag=False, flag_value="-", default=None, metavar="[FILE]",
              type=click.Path(dir_okay=False, allow_dash=True),
              help="Write every hit (no paging) as CSV, UTF-8 with a BOM, to FILE or stdout: the site's /search.csv.")
@click.option("--base-url", default="", help="Prefix for the permalinks in --csv (e.g. http://host:8000).")
@index_option
def search(query, place, old_county, province, level, year, section, report, sort, page, per_page, as_json,
           csv_file, base_url, index_dir):
    """Search: terms are ANDed; "a phrase", a OR b, -excluded."""
    from ..engine import Engine

    engine = Engine(index_path(index_dir))
    if csv_file is not None:
        _write_hits_csv(engine.iter_hits(" ".join(query), place=(*place, *old_county), province=province, level=level,
                                         year=year, section=section, report=report, sort=sort), csv_file, base_url)
        return
    result = engine.search(" ".join(query), place=(*place, *old_county), province=province, level=level, year=year,
                           section=section, report=report, sort=sort, page=page, per_page=per_page)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    if result["also_searched"]:
        extra = "; ".join(f"{k} → {'、'.join(v)}" for k, v in result["also_searched"].items())
        click.echo(f"also searched: {extra}")
    if result["report"]:
        click.echo(f"within: {result['report']['place']}《{result['report']['title']}》")
    first = (result["page"] - 1) * result["per_page"]
    click.echo(f"{result['total']} passages; page {result['page']} of {result['pages']}\n")
    for n, hit in enumerate(result["hits"], first + 1):
        click.echo(f"{n:>3}. {_terminal_marks(hit['html'])}")
        click.secho(f"     {hit['county']} · {hit['report_title']} · {hit['heading'].split(' › ')[-1]} · "
                    f"{hit['year']}年  [{hit['id']}]", dim=True)
    if not result["hits"]:
        click.echo("Nothing found. Try fewer terms, or drop a filter.")


def _write_hits_csv(hits, csv_file: str, base_url: str) -> None:
    from ..downloads import HIT_COLUMNS, csv_chunks, hit_cells

    chunks = csv_chunks(HIT_COLUMNS, (hit_cells(hit, base_url) for hit in hits))
    # Bytes, so that the CSV's own line ends (CRLF) are written as they are on every system.
    with click.open_file(csv_file, "wb") as out:
        for chunk in chunks:
            out.write(chunk.encode("utf-8"))


# -- export and eval -----------------------------------------------------------------------------


@click.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "opensearch"]), default="jsonl", show_default=True,
              help="jsonl: every passage as JSON Lines on stdout; opensearch: a mapping and bulk files.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for --format opensearch (default: opensearch-export/).")
@index_option
def export(fmt, out_dir, index_dir):
    """Every passage with its metadata (JSON Lines), or OpenSearch/Elasticsearch bulk files."""
    from ..engine import Engine

    passages = Engine(index_path(index_dir)).export()
    if fmt == "opensearch":
        from ..opensearch.export import export as export_opensearch

        out_dir = out_dir or Path("opensearch-export")
        result = export_opensearch(passages, out_dir)
        click.echo(f"wrote {result['documents']} documents in {len(result['files'])} bulk files and "
                   f"{result['mapping']} to {out_dir}")
        return
    for passage in passages:
        click.echo(json.dumps(passage, ensure_ascii=False))


@click.command("eval")
@click.argument("cases_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@index_option
def eval_command(cases_file, index_dir):
    """Run relevance cases; exit 1 unless every case passes."""
    from ..engine import Engine
    from ..relevance import load_cases, run_cases

    report = run_cases(Engine(index_path(index_dir)), load_cases(cases_file))
    for case in report["cases"]:
        status = click.style("PASS", fg="green") if case["passed"] else click.style("FAIL", fg="red")
        ranks = ", ".join(str(r) if r else "-" for r in case["ranks"])
        click.echo(f"{status} {case['id']:<8} {case['query']} [{case.get('county') or '全部'}] ranks: {ranks}")
    click.echo(f"\n{report['passed']}/{report['total']} cases passed; recall@10 {report['recall']:.3f}; "
               f"MRR {report['mrr']:.3f}")
    if report["passed"] != report["total"]:
        sys.exit(1)


# -- serve ---------------------------------------------------------------------------------------


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: one per core); 1 serves from one process with waitress.")
@click.option("--backend", type=click.Choice(["whoosh", "opensearch"]), default=None,
              help="Which backend answers (default: the backend setting, whoosh).")
@click.option("--opensearch", "opensearch_url", default=None, help="The cluster's URL, for --backend opensearch.")
@index_option
def serve(host, port, workers, backend, opensearch_url, index_dir):
    """Serve the web site (building the index from seeds/ first when there is none)."""
    import os

    from ..whoosh_index import store

    # Through the environment, so that every worker process reads the same settings.
    if backend:
        os.environ["POLICY_SEARCH_BACKEND"] = backend
    if opensearch_url:
        os.environ["POLICY_SEARCH_OPENSEARCH_URL"] = opensearch_url
    index_dir = index_path(index_dir)
    if settings.get("backend") == "opensearch":
        from ..engine import Engine
        from webui.server import serve as serve_site

        try:
            Engine(index_dir).info()  # says now, not on the first request, that the cluster is missing
        except UserError as exc:
            click.echo(f"注意：{exc}（网站照常启动，页面会显示 503，直到集群可用）", err=True)
        serve_site(index_dir, host=host, port=port, workers=workers, announce=lambda line: click.echo(line, err=True))
        return
    if store.current_generation(index_dir) is None:
        from ..whoosh_index.indexing import build as build_index

        click.echo(f"no index in {index_dir} yet: building it from {settings.get('source_dir')}", err=True)
        started = time.perf_counter()
        summary = build_index(settings.get("source_dir"), index_dir, progress=_ProgressBar())
        _print_summary(summary, "indexed")
        click.echo(f"built in {time.perf_counter() - started:.1f} s", err=True)
    store.open_generation(index_dir)  # says "rebuild" now rather than on the first request
    from webui.server import serve as serve_site

    serve_site(index_dir, host=host, port=port, workers=workers, announce=lambda line: click.echo(line, err=True))


# -- check ---------------------------------------------------------------------------------------


@click.command()
@index_option
def check(index_dir):
    """Verify every file of the served index against the checksums recorded when it was written."""
    from ..whoosh_index import store

    index_dir = index_path(index_dir)
    generation = store.current_generation(index_dir)
    if generation is None:
        raise click.ClickException(f"{index_dir} 中没有索引；请运行 policy-search build --index {index_dir}")
    problems = store.verify(generation)
    for problem in problems:
        click.echo(f"{generation.name}：{problem}")
    if problems:
        click.echo(f"索引已损坏（{len(problems)} 处问题）；请运行 policy-search build --index {index_dir} 重建", err=True)
        sys.exit(1)
    files = store.read_meta(generation)["files"]
    size = sum(f["size"] for f in files.values())
    click.echo(f"索引完好：{generation.name}，{len(files)} 个文件，{size / 2**20:.1f} MB，校验和全部相符")

