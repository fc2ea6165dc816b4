"""What every benchmark script shares: the fixed query set and how a percentile is taken."""

from __future__ import annotations

QUERIES = [
    {"q": "森林覆盖率"}, {"q": "乡村振兴"}, {"q": "发展"}, {"q": "GDP"}, {"q": "5G基站"},
    {"q": "地区生产总值 增长"}, {"q": "固定资产投资 增长 亿元"}, {"q": '"群众说事、干部答题"'},
    {"q": '"两岸青山·千里林带"'}, {"q": "旅游 OR 文旅"}, {"q": "污染 -锰"},
    {"q": "森林覆盖率", "year": ["2022"]}, {"q": "发展", "section": ["重点任务"]},
    {"q": "", "section": ["目标安排"]}, {"q": "", "year": ["2023"], "section": ["工作回顾"]},
]

def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)
