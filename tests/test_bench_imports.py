"""Every benchmark module imports: the benchmark is not run in CI, so a name moved in the library
(YEAR_TERM_RE left search.query.parse for search.query.plan) would otherwise break it unseen."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import bench

MODULES = sorted(m.name for m in pkgutil.iter_modules(bench.__path__))


@pytest.mark.parametrize("name", MODULES)
def test_the_benchmark_module_imports(name):
    importlib.import_module(f"bench.{name}")
