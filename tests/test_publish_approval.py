"""Approval: who, when, which version; a failed issue only with override; migration 0003."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect

from dongtai import pipeline
from dongtai.config import Settings
from dongtai.publish import PublishError, approve, latest_approval
from dongtai.publish.approval import publishable
from dongtai.publish.issue import load_issue
from dongtai.store import Store
from dongtai.store.publishing import Ledger
from tests.conftest import DEMO_DATE, ingest_lines, sample_lines


@pytest.fixture
def built(settings: Settings, store: Store) -> Settings:
    ingest_lines(settings, store, sample_lines())
    pipeline.build(settings.model_copy(update={"formats": ["json"]}), DEMO_DATE, store=store)
    return settings


def test_migration_creates_the_publishing_tables(store: Store) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert {"publish_runs", "approvals", "deliveries", "notices"} <= tables


def test_approval_records_who_when_and_the_version(built: Settings, store: Store) -> None:
    approval = approve(built, DEMO_DATE, by="editor-li")
    issue = load_issue(built, store, DEMO_DATE)
    assert approval.version == issue.version and approval.by == "editor-li"
    assert not approval.override and approval.status == "passed"
    assert latest_approval(built, DEMO_DATE) == approval
    assert publishable(built, store, issue) == (True, "approved")


def test_no_issue_and_no_name_are_refused(built: Settings) -> None:
    with pytest.raises(PublishError, match="no issue for 2026-05-07"):
        approve(built, date(2026, 5, 7), by="editor-li")
    with pytest.raises(PublishError, match="name of the approver"):
        approve(built, DEMO_DATE, by="  ")


def test_failed_issue_needs_override_which_is_recorded(built: Settings, store: Store) -> None:
    briefing, _ = store.load_briefing(DEMO_DATE) or pytest.fail("no briefing")
    store.save_briefing(briefing, "failed", "extractive", _cited(store))
    with pytest.raises(PublishError, match="failed verification"):
        approve(built, DEMO_DATE, by="editor-li")
    assert Ledger(store).approvals(DEMO_DATE) == []
    approval = approve(built, DEMO_DATE, by="chief-wang", override=True)
    assert approval.override and approval.status == "failed"


def test_an_issue_changed_after_approval_is_not_publishable(built: Settings, store: Store) -> None:
    approve(built, DEMO_DATE, by="editor-li")
    briefing, status = store.load_briefing(DEMO_DATE) or pytest.fail("no briefing")
    edited = briefing.model_copy(update={"abstract": briefing.abstract + "（更正）"})
    store.save_briefing(edited, status, "extractive", _cited(store))
    ok, why = publishable(built, store, load_issue(built, store, DEMO_DATE))
    assert not ok and "changed since it was approved" in why


def test_auto_mode_publishes_a_verified_issue_without_approval(
    built: Settings, store: Store
) -> None:
    issue = load_issue(built, store, DEMO_DATE)
    assert publishable(built, store, issue)[0] is False  # approve mode by default
    auto = built.model_copy(update={"publish": built.publish.model_copy(update={"mode": "auto"})})
    assert publishable(auto, store, issue) == (True, "verification passed")


def _cited(store: Store) -> dict[int, str]:
    from sqlalchemy import select

    from dongtai.store.schema import ReferenceRow

    with store._session() as session:
        rows = session.execute(select(ReferenceRow.n, ReferenceRow.item_url)).all()
        return {n: url for n, url in rows}
