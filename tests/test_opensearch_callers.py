"""Compare and the targets ledger (``search.figures``) pass their own tests with the OpenSearch
backend: the same test functions, collected again here with ``engine`` served by a real node (the
ledger's over the seeds' 计划执行情况 tables)."""

from __future__ import annotations

import pytest

from .test_compare import *  # noqa: F401,F403 - collected again against OpenSearch
from .test_ledger_sources import (  # noqa: F401
    test_a_table_row_gives_the_target_and_the_result,
    test_a_table_row_of_falls_is_signed_and_the_report_word_is_kept,
)


@pytest.fixture(scope="session")
def engine(opensearch_engine):
    return opensearch_engine


@pytest.fixture(autouse=True)
def _named_differences(request):
    if request.node.originalname == "test_zero_results_suggest_a_query_that_finds_something":
        pytest.xfail("the OpenSearch backend offers no suggestions for a query that found nothing yet (README)")
