"""``policy-search targets``: the targets ledger as a table in the terminal, or as CSV for a regression.

Only parses, calls ``search.figures.ledger`` and prints; ``--csv`` writes every row with every column
(``search.figures.ledger_columns``), citations and permalinks included.
"""

from __future__ import annotations

import io

import click

from .options import index_option, index_path

_VERDICT = {True: "达到", False: "未达到", None: ""}


@click.command()
@click.argument("indicator", nargs=-1)
@click.option("--place", multiple=True, help="Only this place, any level (全国, 江苏, 南京市); repeatable.")
@click.option("--level", multiple=True, help="Only this level (国家级, 省级, 地级, 县级); repeatable.")
@click.option("--province", multiple=True, help="Only places of this province; repeatable.")
@click.option("--year", multiple=True, help="A year or a span (2010-2025); repeatable.")
@click.option("--rule", default=None, help="strict, tolerance or midpoint (default: the setting targets_rule).")
@click.option("--csv", "as_csv", is_flag=True, help="Print every row and column as CSV (UTF-8, with a BOM).")
@click.option("--base-url", default="", help="Prefix for the permalinks in --csv (e.g. http://host:8000).")
@click.option("--unsure", is_flag=True, help="List the figures left out as unsure, with the reason.")
@index_option
def targets(indicator, place, level, province, year, rule, as_csv, base_url, unsure, index_dir):
    """The targets ledger: each place's target for each indicator and year, against its result."""
    from ..engine import Engine
    from ..figures.ledger import ledger
    from ..figures.ledger_columns import write_csv

    result = ledger(Engine(index_path(index_dir)), q=" ".join(indicator), place=place, level=level,
                    province=province, year=year, rule=rule)
    if as_csv:
        out = io.StringIO()
        write_csv(result["rows"], out, base_url=base_url)
        click.echo(out.getvalue(), nl=False)
        return
    if unsure:
        for item in result["unsure"]:
            click.echo(f"{item['place']} {item['year']} {item['indicator']} {item['shown']}：{item['reason']}"
                       f"（{item['citation']}）")
        return
    click.echo(f"rule: {result['rule']} ({result['rule_label']}); {len(result['rows'])} rows, "
               f"{len(result['unsure'])} unsure figures left out (--unsure lists them)")
    for row in result["rows"]:
        target = "未设目标" if row["no_target"] else row["target_text"] or "—"
        actual = row["actual_text"] or "—"
        extra = f" 加码{row['amplification']:+g}" if row.get("amplification") else ""
        click.echo(f"{row['place']}\t{row['year']}\t{row['indicator']}\t目标 {target}\t实绩 {actual}"
                   f"\t{_VERDICT[row['met']]}{extra}")
