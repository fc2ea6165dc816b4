"""Slow clients do not stop the site: ``bench/slow_clients.py``, shortened, on both servers.

20 connections held by clients sending headers a byte at a time, a body a byte at a time, or
nothing; meanwhile every ordinary search must be answered in under a second. Before the worker of
``webui.gunicorn_worker``, gunicorn's 2 workers × 4 threads answered 3 searches in 12 s.
"""

from __future__ import annotations

import sys

import pytest

from bench.slow_clients import measure


@pytest.mark.parametrize("server", [
    pytest.param("gunicorn", marks=pytest.mark.skipif(sys.platform == "win32", reason="gunicorn runs on POSIX only")),
    "waitress",  # --workers 1
])
def test_ordinary_searches_are_answered_within_a_second_while_20_slow_clients_hold_connections(seed_index, server):
    result = measure(seed_index, server, slow=20, seconds=4)
    assert result["requests"] >= 20, result
    assert result["over_1s"] == 0, result
