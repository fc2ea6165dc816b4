"""Compare and targets (``search.figures``) pass their own tests with the OpenSearch backend: the
same test functions, collected again here with ``engine`` served by a real node."""

from __future__ import annotations

import pytest

from .test_compare import *  # noqa: F401,F403 - collected again against OpenSearch
from .test_targets import *  # noqa: F401,F403


@pytest.fixture(scope="session")
def engine(opensearch_engine):
    return opensearch_engine

