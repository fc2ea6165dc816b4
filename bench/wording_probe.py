"""Issue 10's wording and figure queries against an index: the rank of the passage each names.

    python -m bench.wording_probe INDEX_DIR

A query "hits" when a passage whose text matches its pattern is among the first 50 results; the
row says ``-`` where no passage of the index says it at all (the probe then proves nothing).
"""
import re
import sys

from search.engine import Engine

# (query, what the text says: a regex over the passage text)
PROBES = [
    ("零碳供电所", r"零碳”供电所"),
    ("两岸青山千里林带", r"两岸青山·千里林带"),
    ("一二三产业增加值", r"一、二、三产业增加值"),
    ("渝昆高铁渝宜段", r"渝昆高铁（渝宜段）"),
    ("城镇新增就业", r"城镇新就业"),
    ("抽水蓄能电站", r"抽水蓄能前期"),
    ("研发投入强度", r"研发经费投入强度"),
    ("GDP 增长", r"(全市|全省|全区|全县)生产总值增长"),
    ("200亿", r"(?<![\d.])200亿(?!元)"),
    ("200亿", r"(?<![\d.])200亿元"),
    ("突破200亿", r"突破200亿"),
    ("2万亿元", r"(?<![\d.])20000亿元"),
    ("20000亿元", r"(?<![\d.])2万亿元"),
    ("增长5.5%", r"增长[^，。；]{0,12}(?<![\d.])5\.5%"),
]


def main(index_dir: str) -> None:
    engine = Engine(index_dir)
    texts = [p["text"] for r in engine.reports() for p in engine.report(r["id"])["passages"]]
    hits = 0
    for query, pattern in PROBES:
        present = sum(1 for t in texts if re.search(pattern, t))
        result = engine.search(query, per_page=50)
        ranks = [i for i, h in enumerate(result["hits"], 1) if re.search(pattern, h["text"])]
        rank = ranks[0] if ranks else None
        hits += rank is not None
        shown = "-" if not present else (rank or "miss")
        print(f"{query:<14}\t{pattern:<34}\tin index {present:>3}\ttotal {result['total']:>5}\trank {shown}")
    print(f"hit {hits} of {len(PROBES)}")


if __name__ == "__main__":
    main(sys.argv[1])
