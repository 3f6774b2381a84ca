"""Editors' approval of an issue before it is published.

Rules:
- an approval is of one *version* of an issue (:func:`dongtai.publish.issue.version_of`):
  publishing checks that the current version is the approved one, so an issue edited
  after approval is not sent until approved again;
- an issue whose verification failed is refused unless ``override`` is given; the
  override, who approved and when are recorded with the approval (and kept: every
  approval is history, the last one counts);
- an issue built with ``allow_unverified`` (status ``overridden``) was already
  overridden by whoever built it and is approved like a passed one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from dongtai.config import Settings
from dongtai.publish.issue import Issue, PublishError, load_issue
from dongtai.store import Store, open_store
from dongtai.store.publishing import Approval, Ledger


def approve(
    settings: Settings,
    issue_date: date,
    by: str,
    override: bool = False,
    store: Store | None = None,
) -> Approval:
    """Approve the current version of the issue of ``issue_date`` for publishing.

    Raises :class:`~dongtai.publish.issue.PublishError` when there is no issue, when
    ``by`` is empty, or when its verification failed and ``override`` is false."""
    if not by.strip():
        raise PublishError("an approval needs the name of the approver")
    store = store or open_store(settings.db_url)
    issue = load_issue(settings, store, issue_date)
    if issue.status == "failed" and not override:
        unsupported = len(issue.briefing.verification.unsupported)
        raise PublishError(
            f"the issue of {issue_date} failed verification ({unsupported} unsupported "
            "claim(s)); correct it, or approve with override to publish it anyway"
        )
    approval = Approval(
        issue_date=issue_date,
        version=issue.version,
        by=by.strip(),
        at=datetime.now(UTC),
        override=override and issue.status == "failed",
        status=issue.status,
    )
    Ledger(store).add_approval(approval)
    return approval


def current_approval(store: Store, issue: Issue) -> Approval | None:
    """The last approval, if it approves the issue's current version."""
    approvals = Ledger(store).approvals(issue.date)
    if approvals and approvals[-1].version == issue.version:
        return approvals[-1]
    return None


def latest_approval(settings: Settings, issue_date: date) -> Approval | None:
    """The last approval recorded for a date, whatever version it approved."""
    approvals = Ledger(open_store(settings.db_url)).approvals(issue_date)
    return approvals[-1] if approvals else None


def publishable(settings: Settings, store: Store, issue: Issue) -> tuple[bool, str]:
    """Whether the issue may be sent now, and why not: approved in this version, or
    (``publish.mode = "auto"``) verification passed."""
    if current_approval(store, issue) is not None:
        return True, "approved"
    if Ledger(store).approvals(issue.date):
        return False, "the issue changed since it was approved: approve it again"
    if settings.publish.mode == "auto":
        if issue.status in ("passed", "overridden"):
            return True, "verification passed"
        return False, "verification failed: an editor must correct or approve it (override)"
    return False, f"awaiting approval (dongtai approve {issue.date})"
