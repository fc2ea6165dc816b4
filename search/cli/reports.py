"""The commands that manage which reports an index holds: ``inspect``, ``reports``, ``remove``.

Registered on ``search.cli.cli``; like the rest of the CLI they only parse, call the library and print.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .options import cluster_options, index_option, index_path, on_cluster
from ..errors import escape_unprintable


def _overrides(place, year, rtype):
    from ..reading import Overrides

    return Overrides(place=place or None, year=year, type=rtype or None)


def overrides_options(f):
    """--place, --year and --type: what to use where detection from the file's header fails."""
    f = click.option("--type", "rtype", default=None,
                     help="报告类型：政府工作报告、计划执行情况报告、预算执行情况报告、决算报告 或 统计公报。")(f)
    f = click.option("--year", type=int, default=None, help="报告的年份（作报告的那一年）。")(f)
    f = click.option("--place", default=None, help="发布报告的地区：简称、全称或区划代码（如 涪陵、重庆市涪陵区、500102）。")(f)
    return f


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@overrides_options
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
@click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="把一个文件夹的清单写成 CSV（每个文件一行：地区、层级、类型、年份、标题、依据、状态），"
                   "改正后交给 build --manifest。")
def inspect(files, place, year, rtype, as_json, manifest):
    """Show what would be indexed from report files or folders, without indexing (exit 1 if one is refused)."""
    from ..adding import inspect_files

    if manifest is not None:
        _write_manifest(files, manifest)
        return
    files = [f for path in files for f in _files_of(path)]
    refused = 0
    results = []
    # Each file is inspected in a bounded worker process (search.reading.isolation), as a build
    # reads it: a file that would crash, exhaust memory or hang gets its one line like any other.
    for path, info in zip(files, inspect_files(files, _overrides(place, year, rtype))):
        if "refused" in info:
            refused += 1
            results.append({"file": escape_unprintable(str(path)), "refused": info["refused"]})
            if not as_json:
                click.secho(f"{escape_unprintable(str(path))}: 不能索引：{info['refused']}", fg="red")
            continue
        results.append(info)
        if not as_json:
            _print_inspection(info)
    if as_json:
        click.echo(json.dumps(results if len(results) > 1 else results[0], ensure_ascii=False, indent=2))
    if refused:
        sys.exit(1)


def _files_of(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    from ..whoosh_index.indexing import report_files

    return report_files(path)


def _write_manifest(paths, manifest: Path) -> None:
    from ..reading import manifest as manifests

    if len(paths) != 1 or not paths[0].is_dir():
        raise click.UsageError("--manifest 要跟一个文件夹：policy-search inspect 文件夹 --manifest reports.csv")
    folder = paths[0]
    files = [f for f in _files_of(folder) if f.resolve() != manifest.resolve()]
    rows = manifests.survey(folder, files)
    manifests.write(manifest, rows)
    counts = {status: sum(1 for r in rows if r["status"] == status) for status in ("ok", "warning", "refused")}
    click.echo(f"已写出清单 {manifest}：{len(rows)} 个文件，可以读入 {counts['ok']}，需要核对 {counts['warning']}，"
               f"不能读入 {counts['refused']}。改正后运行 policy-search build --source {folder} --manifest {manifest}")


def _print_inspection(info: dict) -> None:
    r = info["report"]
    click.secho(f"{info['file']}", bold=True)
    click.echo(f"  格式　{r['format']}")
    place = f"{r['place']}（{r['level']}" + (f"，{r['province']}" if r["province"] and r["province"] != r["place"] else "") + "）"
    evidence = r.get("evidence") or {}

    def because(key: str) -> str:
        return f"（{'，'.join(evidence[key])}）" if evidence.get(key) else ""

    click.echo(f"  地区　{place}  区划代码 {r['adcode']}{because('place')}")
    click.echo(f"  层级　{r['level']}{because('level')}")
    click.echo(f"  类型　{r['type']}{because('type')}")
    click.echo(f"  年份　{r['year']}（回顾 {r['review_year']}，计划 {r['plan_year']}）" + (f"  日期 {r['delivered']}" if r["delivered"] else "")
               + because("year"))
    click.echo(f"  标题　{r['title']}{because('title')}")
    click.echo("  章节")
    for c in info["chapters"]:
        click.echo(f"    {c['section']} {c['year']}  {c['heading']}")
    kinds = info["kinds"]
    click.echo(f"  段落　{info['passages']}（标题 {kinds['heading']}，句子 {kinds['sentence']}，表格行 {kinds['row']}）")
    for text in info["first_passages"]:
        click.echo(f"    · {text[:70]}")
    for warning in info["warnings"]:
        click.secho(f"  注意　{warning}", fg="yellow")


@click.command()
@index_option
@cluster_options
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
def reports(index_dir, opensearch_url, alias, as_json):
    """List the reports the index holds, with their ids."""
    from ..engine import Engine

    if opensearch_url:
        from ..opensearch.backend import OpenSearchBackend

        rows = on_cluster(opensearch_url, alias, lambda client, alias: Engine(
            index_path(index_dir), backend=OpenSearchBackend(url=opensearch_url, alias=alias, client=client)).reports())
    else:
        rows = Engine(index_path(index_dir)).reports()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in sorted(rows, key=lambda r: (r.get("province", ""), r.get("place", ""), r["year"])):
        # Titles come from the files' text and sources are file names: either may hold a control
        # character that would forge lines or drive the terminal.
        click.echo(f"{r['id']}  {r.get('place') or r['county_full']}  {r['year']}  {r['type']}  "
                   f"{r['passage_count']} 段  《{escape_unprintable(r['title'])}》  "
                   f"{escape_unprintable(r['source'])}")


@click.command()
@click.argument("report_ids", nargs=-1, required=True)
@index_option
@cluster_options
def remove(report_ids, index_dir, opensearch_url, alias):
    """Drop reports by id (see `reports`) without a rebuild; with --opensearch, from the index the
    cluster's alias names."""
    if opensearch_url:
        from ..opensearch.changes import remove as remove_from_cluster

        summary = on_cluster(opensearch_url, alias,
                             lambda client, alias: remove_from_cluster(list(report_ids), client, alias))
    else:
        from ..whoosh_index.indexing import remove as remove_reports

        summary = remove_reports(list(report_ids), index_path(index_dir))
    click.echo(f"已删除 {len(report_ids)} 份报告；索引现有 {len(summary.reports)} 份报告、{summary.passages} 个段落。")
