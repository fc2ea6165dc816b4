"""``search.scoring``, the evaluation both backends score with: what it shares with Whoosh's format."""

from __future__ import annotations

import numpy as np
import pytest
from whoosh.util.numeric import byte_to_length, length_to_byte

from search.scoring.lengths import LENGTH_OF_BYTE, length_bytes, quantized


def test_the_length_table_is_whooshs():
    assert LENGTH_OF_BYTE.tolist() == [byte_to_length(n) for n in range(256)]


@pytest.mark.parametrize("lengths", [range(0, 200), range(1000, 1200), range(106_000, 106_500), [10**7]])
def test_lengths_are_stored_as_whoosh_stores_them(lengths):
    lengths = np.array(list(lengths))
    assert length_bytes(lengths).tolist() == [length_to_byte(int(n)) for n in lengths]
    assert quantized(lengths).tolist() == [byte_to_length(length_to_byte(int(n))) for n in lengths]


def test_lengths_are_read_back_rounded_up_and_close():
    assert quantized(np.arange(11)).tolist() == list(range(11))
    assert quantized(np.array([11]))[0] == 12
    long = np.arange(100, 100_000)
    assert np.all((quantized(long) >= long) & (quantized(long) <= 1.04 * long))
