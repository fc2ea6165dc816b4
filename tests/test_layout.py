"""Layout rules the codebase keeps: files small enough to read in one sitting."""

from __future__ import annotations

import pytest

from .conftest import ROOT

MAX_LINES = 400


@pytest.mark.parametrize("folder", [
    "search/reading",  # the readers: a new format or kind of evidence is a new module, not a longer one
])
def test_no_module_is_longer_than_the_limit(folder):
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / folder).rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"split these files (at most {MAX_LINES} lines each): {long}"
