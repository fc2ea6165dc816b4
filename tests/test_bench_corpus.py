"""The benchmark's made-up places: enough for a 4-million-passage corpus, each copy its own county."""

import pytest

from bench.corpus import MAX_PLACES, PASSAGES_PER_SCALE, source_reports, synthetic_names


def test_enough_places_for_four_million_passages():
    reports = source_reports()
    per_copy = sum(len(r.passages) for r in reports) / len(reports)
    assert MAX_PLACES * per_copy >= 1800 * PASSAGES_PER_SCALE  # the 1800x crossover run


def test_smaller_scales_keep_their_names():
    assert synthetic_names(MAX_PLACES)[:4950] == synthetic_names(4950)


@pytest.mark.parametrize("n", [4950, MAX_PLACES])
def test_names_are_distinct_and_none_is_part_of_another(n):
    names = synthetic_names(n)
    shorts = [short for short, _ in names]
    assert len(set(shorts)) == n
    assert {len(short) for short in shorts} == {3}  # same length: no name holds another
    assert all(full == short + "县" for short, full in names)


def test_no_made_up_name_is_in_a_real_report():
    text = "".join(p.text for r in source_reports() for p in r.passages)
    assert [short for short, _ in synthetic_names(MAX_PLACES) if short in text] == []


def test_past_the_last_name_the_run_stops_with_a_reason():
    with pytest.raises(SystemExit, match="at most"):
        synthetic_names(MAX_PLACES + 1)
