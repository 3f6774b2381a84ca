"""The issue as publishing sees it: a stored briefing, its version and its files.

Rules:
- the *version* of an issue is the SHA-256 (first 16 hex digits) of its briefing
  document as stored, keys sorted: any change of text, references or verification makes
  a new version; rebuilding an unchanged issue keeps it;
- the files are ``HOME/briefings/D/briefing.<ext>``; a format a channel needs that is
  missing (or older than the stored briefing) is rendered from the stored briefing
  before sending, never from anything else;
- links for readers (``page_url``, ``pdf_url``) exist only when ``publish.public_url``
  is set.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dongtai.config import Branding, Settings
from dongtai.errors import DongtaiError
from dongtai.models import Briefing
from dongtai.render import render_all
from dongtai.store import Store

EXTENSIONS = {"md": "md", "html": "html", "pdf": "pdf", "json": "json", "wechat": "wechat.html",
              "docx": "docx"}  # fmt: skip


class PublishError(DongtaiError):
    """An issue cannot be approved or published (missing, unapproved, failed check)."""


@dataclass(frozen=True)
class Issue:
    """One issue ready to send: the briefing, its version, status and rendered files."""

    date: date
    version: str
    briefing: Briefing
    status: str
    folder: Path
    branding: Branding
    public_url: str = ""

    def file(self, fmt: str) -> Path:
        return self.folder / f"briefing.{EXTENSIONS.get(fmt, fmt)}"

    def read(self, fmt: str) -> bytes:
        return self.file(fmt).read_bytes()

    def text(self, fmt: str) -> str:
        return self.read(fmt).decode("utf-8")

    @property
    def page_url(self) -> str:
        return f"{self.public_url}/issues/{self.date.isoformat()}" if self.public_url else ""

    @property
    def pdf_url(self) -> str:
        return f"{self.page_url}/briefing.pdf" if self.public_url else ""

    @property
    def title(self) -> str:
        return f"{self.briefing.title or self.branding.title} · {self.date.isoformat()}"


def version_of(briefing: Briefing) -> str:
    document = json.dumps(briefing.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(document.encode("utf-8")).hexdigest()[:16]


def load_issue(settings: Settings, store: Store, issue_date: date) -> Issue:
    """The stored issue of ``issue_date``; :class:`PublishError` when none was built."""
    stored = store.load_briefing(issue_date)
    if stored is None:
        raise PublishError(
            f"no issue for {issue_date}: build it first (dongtai brief --date {issue_date})"
        )
    briefing, status = stored
    return Issue(
        date=issue_date,
        version=version_of(briefing),
        briefing=briefing,
        status=status,
        folder=settings.briefings_dir / issue_date.isoformat(),
        branding=settings.branding_in_home(),
        public_url=settings.publish.public_url,
    )


def ensure_files(issue: Issue, formats: Iterable[str]) -> None:
    """Render the formats that are missing or that an earlier version left behind."""
    wanted = list(dict.fromkeys(formats))
    stale = [fmt for fmt in wanted if not _current(issue, fmt)]
    if stale:
        render_all(issue.briefing, issue.branding, stale, issue.folder)
    markers = issue.folder / ".versions"
    markers.mkdir(parents=True, exist_ok=True)
    for fmt in wanted:
        (markers / fmt).write_text(issue.version, "utf-8")


def _current(issue: Issue, fmt: str) -> bool:
    """The file exists and was rendered from this version (marker written by
    :func:`ensure_files`, else ``briefing.json`` written beside it by ``brief``)."""
    if not issue.file(fmt).is_file():
        return False
    marker = issue.folder / ".versions" / fmt
    if marker.is_file():
        return marker.read_text("utf-8") == issue.version
    if not issue.file("json").is_file():
        return False
    try:
        return version_of(Briefing.model_validate_json(issue.read("json"))) == issue.version
    except ValueError:
        return False
