"""How the targets ledger reads a target's wording and judges a result against it.

A target as written (5%左右, 6.5%－7%, 1100万人以上, 控制在5.5%以内, 确保…, 力争6%) becomes a band
``target_low``–``target_high`` (either end open: None) and a ``qualifier``. Values of a growth
indicator are signed: a fall is negative (能耗降低3% → −3), so that one comparison serves every
indicator: for a ``higher`` indicator the result must reach the band's low end, for a ``lower`` one
(a ceiling: prices, unemployment, energy intensity) it must stay under the band's high end.

The rules (``RULES``), which a researcher picks:

- ``strict``: the result is at least the target (a point, or the low end of a range), or at most
  it for a ceiling;
- ``tolerance``: as strict, but a 左右 target is met within ``targets_tolerance`` points (0.5);
- ``midpoint``: as strict, but a range is judged against its midpoint.

A result that is itself a bound (超过3%, 2.5%以内) is an interval: met when all of it meets the
target, not met when none of it does, and None (cannot tell) otherwise.
"""

from __future__ import annotations

import re

from .. import settings
from ..errors import BadParameter

RULES = {"strict": "严格：达到目标值（区间取下限）", "tolerance": "容差：“左右”目标差距在容差以内也算达到",
         "midpoint": "中点：区间目标以中点衡量"}
QUALIFIERS = ("左右", "以上", "确保", "力争", "以内", "range", "none")
_ASPIRING = re.compile(r"(?:力争|争取|努力)[^，,；;。]{0,14}$")
_ENSURING = re.compile(r"确保[^，,；;。]{0,14}$")
_ABOVE_AFTER = re.compile(r"^\s*之上")
_ESTIMATED = re.compile(r"预计")
# A result's own bound: 超过3% is an interval; 控制在3.3%, 5.2%左右 and 约4.4 state the value.
_RESULT_BOUNDS = {"≥": "≥", ">": "≥", "≤": "≤", "<": "≤"}


def check_rule(rule: str | None) -> str:
    rule = rule or settings.get("targets_rule")
    if rule not in RULES:
        raise BadParameter(f"判断规则只能是 {'、'.join(RULES)} 之一（{'；'.join(RULES.values())}），不能是“{rule}”")
    return rule


def signed(value: float, figure: dict, measure: str) -> float:
    """The value with a fall negative, for a growth indicator (能耗降低3% → −3); a rate that fell to
    a value (涨幅回落到2.6%) is that value."""
    falls = figure.get("change") == "下降" and not figure.get("fell_to")
    return -value if measure == "growth" and falls else value


def mark_fell_to(text: str, figure: dict) -> None:
    """Note a figure a rate fell *to* (回落到2.6%, 降至3%), whose value is not a fall."""
    if re.search(r"(?:到|至)\s*$", text[:figure.get("start", 0)]):
        figure["fell_to"] = True


def aspiring(text: str, figure: dict) -> bool:
    """Whether the figure is an aspiration: 力争 or 争取 just before it in its clause."""
    return bool(_ASPIRING.search(text[:figure["start"]]))


def estimated(text: str, figure: dict) -> bool:
    """Whether the report gives the result as an estimate (预计…, a table cell 预计1.1)."""
    clause = re.split(r"[；;。]", text[:figure["start"]])[-1]
    return bool(figure.get("estimate") or _ESTIMATED.search(clause))


def target_band(text: str, figure: dict, measure: str, factor: float = 1) -> dict:
    """{"target_low", "target_high", "qualifier", "hard"} for a target figure in its passage's text."""
    value = signed(figure["value"] * factor, figure, measure)
    before = text[:figure.get("start", 0)]
    above = figure.get("qualifier") in ("≥", ">") or bool(_ABOVE_AFTER.match(text[figure.get("end", 0):]))
    below = figure.get("qualifier") in ("≤", "<")
    ensured = bool(_ENSURING.search(before))
    if figure.get("high") is not None:
        high = signed(figure["high"] * factor, figure, measure)
        low, high = sorted((value, high))
        qualifier = "range"
    elif above or below:
        # A bound on a fall turns over: 能耗下降3.4%以上 is a signed value of at most −3.4.
        floor = above != (value < 0 and measure == "growth" and figure.get("change") == "下降")
        low, high = (value, None) if floor else (None, value)
        qualifier = "以上" if above else "以内"
    else:
        low = high = value
        qualifier = "左右" if figure.get("qualifier") == "≈" else "none"
    if ensured:
        qualifier = "确保"
    elif qualifier == "none" and aspiring(text, figure):
        qualifier = "力争"
    return {"target_low": _round(low), "target_high": _round(high), "qualifier": qualifier,
            "hard": above or ensured}


def result_bound(figure: dict, measure: str) -> str:
    """≥ or ≤ when the result is itself a bound (超过3%), in signed terms; "" when it is a value."""
    if figure.get("bound") == "控制在":
        return ""  # 涨幅控制在3.3%: what it was held at
    bound = _RESULT_BOUNDS.get(figure.get("qualifier") or "", "")
    if bound and measure == "growth" and figure.get("change") == "下降":
        bound = {"≥": "≤", "≤": "≥"}[bound]  # 降幅超过3%: a signed value of at most −3
    return bound


def reference(row: dict, rule: str) -> float | None:
    """The value the rule judges against: the band's binding end, or a range's midpoint."""
    low, high = row["target_low"], row["target_high"]
    if low is None and high is None:
        return None
    if rule == "midpoint" and row["qualifier"] == "range":
        return (low + high) / 2
    if row["direction"] == "lower":
        return high if high is not None else low
    return low if low is not None else high


def judge(row: dict, rule: str) -> tuple[float | None, bool | None]:
    """(gap, met) of a ledger row under the rule: gap is the result minus the rule's reference
    value (before any tolerance); met is None when there is no result, no target, or the result is
    a bound that cannot decide."""
    ref, actual = reference(row, rule), row["actual"]
    if ref is None or actual is None:
        return None, None
    threshold = ref
    if rule == "tolerance" and row["qualifier"] == "左右":
        tolerance = settings.get("targets_tolerance")
        threshold = ref + tolerance if row["direction"] == "lower" else ref - tolerance
    bound = row.get("actual_bound") or ""
    sign = -1 if row["direction"] == "lower" else 1  # from here on, bigger is better
    value, goal = sign * actual, sign * threshold
    reaches = value >= goal - 1e-9
    # The result is an interval from the value: upwards (≥) or downwards (≤), in better-is-bigger terms.
    open_up = (bound == "≥") == (sign == 1) if bound else None
    if open_up is None or (open_up and reaches) or (not open_up and not reaches):
        met = reaches
    else:
        met = None
    return _round(actual - ref), met


def amplification_base(row: dict) -> float | None:
    """The value compared with the level above: the target's binding end (as ``strict`` reads it)."""
    return reference(row, "strict")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
