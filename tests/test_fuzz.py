"""Fuzzing the query language: any text gets an answer or a clear error, within its work budget."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.errors import UserError
from search.query.budget import metered

# Characters that matter to the parser and analyzer, mixed with anything at all.
SPECIAL = st.sampled_from(list('"“”「」-OR|*?~/\\()[]{}:^+!&、，。；·%.0123456789 \t\n') + ["OR", "地区生产总值", "GDP"])
QUERIES = st.lists(st.one_of(SPECIAL, st.text(max_size=8)), max_size=30).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=QUERIES, page=st.integers(-5, 2000) | st.text(max_size=4), per_page=st.integers(-5, 200))
def test_any_query_is_answered_or_refused_clearly(engine, q, page, per_page):
    with metered() as work:
        try:
            result = engine.search(q, page=page, per_page=per_page)
        except UserError as exc:
            assert str(exc) and exc.code
        else:
            assert result["total"] >= 0 and len(result["hits"]) <= result["per_page"]
    # The query and its suggestions, each within a budget (tests/test_query_cost.py looks for the worst).
    gen = engine.generation()
    assert work.cost <= 2 * (gen.evaluator.budget().limit + gen.facets.size), q
