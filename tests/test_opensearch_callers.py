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

