"""Mutation testing of the gate: realistic single errors put into verified briefings must be
caught (minimum pinned), and the unmutated issues must raise no false alarm.

Two corpora: the bundled demo day (2026-05-06) and a second sample day written for these
tests (``tests/data/sample-2026-05-13.jsonl``, fictional items in our own words).
``bench/verify.py`` runs the same engine with more mutants and prints the rates.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from bench import mutations

from dongtai import pipeline
from dongtai.config import Settings, load_settings
from dongtai.store import open_store
from dongtai.verify.recheck import index_for, recheck

from .conftest import Demo, ingest_lines

SECOND = Path(__file__).resolve().parent / "data" / "sample-2026-05-13.jsonl"
SECOND_DATE = date(2026, 5, 13)
MIN_CATCH = 0.99
MIN_KIND = 0.97
MUTANTS = 280


@pytest.fixture(scope="module")
def second(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, pipeline.Result]]:
    """The second sample day's issue, built through the library."""
    s = load_settings(home=tmp_path_factory.mktemp("second"), formats=["json"])
    store = open_store(s.db_url)
    ingest_lines(s, store, SECOND.read_text("utf-8").splitlines())
    yield s, pipeline.build(s, SECOND_DATE, store=store)


def test_the_second_sample_day_builds_a_verified_issue(second: Demo) -> None:
    settings, result = second
    assert len(result.briefing.sections) >= 3
    assert result.briefing.verification.passed, result.briefing.verification.unsupported
    assert recheck(settings, result.briefing).passed


def test_mutants_are_caught(request: pytest.FixtureRequest) -> None:
    """At least 99% of each corpus's mutants, and 97% of each kind over both."""
    kinds: dict[str, list[int]] = {}
    missed: dict[str, list[str]] = {}
    for corpus in ("demo", "second"):
        settings, result = request.getfixturevalue(corpus)
        index = index_for(settings, result.briefing)
        tallies = mutations.run(result.briefing, index, MUTANTS, seed=11)
        assert sum(t.total for t in tallies.values()) == MUTANTS
        assert {"digit", "scale", "percent", "direction", "org_swap", "date_shift"} <= set(tallies)
        assert {"wrong_ref", "drop_item", "bound", "qualifier"} <= set(tallies)
        if corpus == "demo":  # its body states days outside the attribution
            assert "body_date" in tallies
        if corpus == "second":  # its items bind people to organisations and glue figures
            assert {"role_swap", "glued"} <= set(tallies)
        for kind, t in tallies.items():
            row = kinds.setdefault(kind, [0, 0])
            row[0], row[1] = row[0] + t.total, row[1] + t.caught
            missed.setdefault(kind, []).extend(t.missed)
        assert mutations.overall(tallies) >= MIN_CATCH, missed
    rates = {kind: caught / total for kind, (total, caught) in kinds.items()}
    assert min(rates.values()) >= MIN_KIND, (rates, missed)


def test_mutation_testing_needs_a_verified_briefing(demo: Demo) -> None:
    settings, result = demo
    text = result.briefing.abstract + "全年投资达 9999 亿元。"
    broken = result.briefing.model_copy(update={"abstract": text})
    with pytest.raises(ValueError, match="passes verification"):
        mutations.mutants(broken, index_for(settings, result.briefing), 10)


def test_mutants_change_one_thing_and_are_repeatable(demo: Demo) -> None:
    settings, result = demo
    index = index_for(settings, result.briefing)
    first = mutations.mutants(result.briefing, index, 20, seed=3)
    again = mutations.mutants(result.briefing, index, 20, seed=3)
    assert [m.description for m in first] == [m.description for m in again]
    for mutant in first:
        assert mutant.briefing != result.briefing
        assert mutant.briefing.references == result.briefing.references
