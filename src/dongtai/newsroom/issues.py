"""The issues readers see, and what a reader's page needs to know about one.

Rules it applies:

* a date's issue is its latest publication (the approved revision, immutable); a date
  never approved shows the pipeline's build when its verification passed (or was
  overridden, ``--allow-unverified``); a failed build is never shown to readers;
* a publication after the first is a correction: readers see its date and note
  ("更正") above the issue;
* an override recorded at approval marks the published briefing ``allow_unverified``,
  so every format keeps the verification warning;
* each issue has a signature that changes whenever what readers see changes (caches
  and the search index key on it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from dongtai.models import Briefing
from dongtai.store.desk import Desk, Publication
from dongtai.store.schema import BriefingRow

__all__ = ["SHOWN_BUILDS", "Correction", "Issue", "load_issue", "published_briefing", "visible"]

SHOWN_BUILDS = ("passed", "overridden")


@dataclass(frozen=True)
class Correction:
    version: int
    at: datetime
    note: str


@dataclass(frozen=True)
class Issue:
    briefing: Briefing
    version: int  # 0: a verified build, not approved yet
    published_at: datetime | None
    corrections: tuple[Correction, ...]
    signature: str


def visible(desk: Desk) -> dict[date, str]:
    """Every date readers can open → its signature, newest date first."""
    out = {d: f"v{v}" for d, v in desk.latest_versions().items()}
    query = select(BriefingRow.issue_date, BriefingRow.created_at).where(
        BriefingRow.status.in_(SHOWN_BUILDS)
    )
    with desk.store._session() as session:
        for day, created in session.execute(query):
            out.setdefault(day, f"b{created.isoformat()}")
    return dict(sorted(out.items(), reverse=True))


def load_issue(desk: Desk, day: date) -> Issue | None:
    """The issue of ``day`` as readers see it (module rules), or ``None``."""
    publications = desk.publications(day)
    if publications:
        latest = publications[-1]
        return Issue(
            briefing=published_briefing(desk, latest),
            version=latest.version,
            published_at=latest.published_at,
            corrections=tuple(
                Correction(p.version, p.published_at, p.correction) for p in publications[1:]
            ),
            signature=f"v{latest.version}",
        )
    with desk.store._session() as session:
        row = session.get(BriefingRow, day)
        if row is None or row.status not in SHOWN_BUILDS:
            return None
        document, created = row.document, row.created_at
    return Issue(Briefing.model_validate(document), 0, None, (), f"b{created.isoformat()}")


def published_briefing(desk: Desk, publication: Publication) -> Briefing:
    """The briefing a publication made public (override recorded in its verification)."""
    revision = desk.revision(publication.revision_id)
    if revision is None:  # the foreign key forbids it
        raise LookupError(f"publication {publication} lost its revision")
    briefing = Briefing.model_validate(revision.document)
    if publication.override_reason and not briefing.verification.passed:
        check = briefing.verification.model_copy(update={"allow_unverified": True})
        briefing = briefing.model_copy(update={"verification": check})
    return briefing
