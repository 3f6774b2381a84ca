"""The editor's desk: today's draft as revisions, re-verified on every save, approved
and published, corrected by new versions. A thin layer over the store and the gate.

Rules it applies:

* the draft of a date is its latest revision; the first is the pipeline's build (a
  later build of an unpublished date becomes a new revision, authored "pipeline");
* every edit (a text; a section dropped, moved, paired or unpaired; a left-out story
  added, written by the configured writer as the pipeline writes one, its sentence of
  the abstract appended) is saved as a new revision after the whole briefing is
  verified again by the same gate as the pipeline (:func:`dongtai.verify.check` on an
  :class:`~dongtai.verify.Index` of the items read from the store with their
  syndicated copies, as :func:`dongtai.verify.verify` builds it); the revision keeps
  the new verification;
* approval needs a passing verification or an override with a stated reason, and —
  once a date is published — a correction note; approving the revision already
  published is refused. It renders every format into ``HOME/briefings/D/v{n}/`` (kept
  for ever), copies them to ``HOME/briefings/D/`` (what readers download), then records
  the publication;
* every action is logged in ``desk_changes``: who, when, what, the text before and
  after (a section's title for drops, moves, pairs; the new title for an added story).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import TypeAdapter
from sqlalchemy import select

from dongtai import publish as publishing
from dongtai.errors import DongtaiError, InputError
from dongtai.models import Briefing, Reference, SectionPlan, Story, Verification
from dongtai.newsroom import Newsroom, revise
from dongtai.pipeline import Run
from dongtai.plugins import load_writer
from dongtai.render import render_all
from dongtai.store.desk import Publication, Revision
from dongtai.store.schema import BriefingRow
from dongtai.stories import PairReport, merge_reasons
from dongtai.verify import Index, check, status
from dongtai.verify.recheck import cited_items
from dongtai.writers import assemble

__all__ = ["DOWNLOADS", "Draft", "Editor", "StoryView"]

DOWNLOADS = ("html", "pdf", "docx", "json")
INDEX_TTL = 300.0
PIPELINE = "pipeline"
STORIES = TypeAdapter(list[Story])


@dataclass(frozen=True)
class Draft:
    revision: Revision
    briefing: Briefing
    publications: tuple[Publication, ...]

    @property
    def published_revision(self) -> int | None:
        return self.publications[-1].revision_id if self.publications else None


@dataclass(frozen=True)
class StoryView:
    """A ranked story of the day: whether the draft carries it, and why its items were
    put together (:func:`dongtai.stories.merge_reasons`)."""

    story: Story
    selected: bool
    pairs: tuple[PairReport, ...]

    @property
    def title(self) -> str:
        return self.story.items[0].title

    @property
    def item_urls(self) -> tuple[str, ...]:
        return tuple(item.url for item in self.story.items)


class Editor:
    """The desk's actions on the newsroom's store (module rules)."""

    def __init__(self, newsroom: Newsroom) -> None:
        self.newsroom = newsroom
        self.desk = newsroom.desk
        self._cache: dict[tuple[date, tuple[Reference, ...]], tuple[float, Index]] = {}

    # reading -----------------------------------------------------------------------
    def draft(self, day: date) -> Draft:
        """The current draft of ``day`` (seeded from the pipeline's build)."""
        latest = self.desk.latest_revision(day)
        publications = tuple(self.desk.publications(day))
        built = self._built_at(day)
        if latest is None or (built is not None and not publications and built > latest.created_at):
            latest = self._seed(day)
        return Draft(latest, Briefing.model_validate(latest.document), publications)

    def _built_at(self, day: date) -> datetime | None:
        query = select(BriefingRow.created_at).where(BriefingRow.issue_date == day)
        with self.desk.store._session() as session:
            created = session.scalar(query)
        if created is None:
            return None
        return created if created.tzinfo else created.replace(tzinfo=UTC)

    def _seed(self, day: date) -> Revision:
        """The pipeline's build of ``day`` as a new revision."""
        stored = self.newsroom.store.load_briefing(day)
        if stored is None:
            raise InputError(f"no briefing for {day}: build it first (dongtai brief)")
        document = stored[0].model_dump(mode="json")
        return self.desk.add_revision(day, document, stored[1], PIPELINE, "built by the pipeline")

    def ranked(self, day: date) -> list[Story]:
        """The day's ranked stories, best first (the pipeline's ``rank`` output)."""
        stored = self.newsroom.store.load_stage(day, "rank")
        if stored is None:
            raise InputError(f"no stories stored for {day}: build it first (dongtai brief)")
        return STORIES.validate_python(stored)

    def stories(self, day: date, briefing: Briefing) -> list[StoryView]:
        """Every ranked story of the window, best first, whether the issue has it, and
        the merge reasons of its items."""
        cited = {ref.url for ref in briefing.references}
        reasons = merge_reasons(self.newsroom.settings, day, self.newsroom.store)
        return [
            StoryView(s, bool(cited.intersection(i.url for i in s.items)), reasons.get(s.id, ()))
            for s in self.ranked(day)
        ]

    # editing -----------------------------------------------------------------------
    def edit_text(self, day: date, pointer: str, text: str, user: str) -> Revision:
        draft = self.draft(day)
        before = revise.text_at(draft.briefing, pointer)
        if text.strip() == before:
            return draft.revision
        edited = revise.with_text(draft.briefing, pointer, text)
        return self._save(edited, user, "edit", pointer, before, text.strip())

    def drop_section(self, day: date, index: int, user: str) -> Revision:
        briefing = self.draft(day).briefing
        edited = revise.drop_section(briefing, index)
        return self._save(edited, user, "drop", f"/sections/{index}", _title(briefing, index), "")

    def move_section(self, day: date, index: int, to: int, user: str) -> Revision:
        briefing = self.draft(day).briefing
        edited = revise.move_section(briefing, index, to)
        title = _title(briefing, index)
        return self._save(edited, user, "move", f"/sections/{index}", title, f"→ {to + 1}")

    def pair_sections(self, day: date, index: int, other: int, user: str) -> Revision:
        briefing = self.draft(day).briefing
        edited = revise.pair_sections(briefing, index, other)
        titles = f"{_title(briefing, index)} + {_title(briefing, other)}"
        return self._save(edited, user, "pair", f"/sections/{index}", titles, "")

    def unpair_section(self, day: date, index: int, user: str) -> Revision:
        briefing = self.draft(day).briefing
        edited = revise.unpair_section(briefing, index)
        return self._save(edited, user, "unpair", f"/sections/{index}", _title(briefing, index), "")

    def add_story(self, day: date, story_id: str, user: str) -> Revision:
        """A story of the day the draft leaves out, written by the configured writer as
        a last section, verified with the whole issue and saved as a revision."""
        briefing = self.draft(day).briefing
        story = next((s for s in self.ranked(day) if s.id == story_id), None)
        if story is None:
            raise InputError(f"no story {story_id!r} on {day}")
        if {ref.url for ref in briefing.references} & {i.url for i in story.items}:
            raise InputError("the issue already carries this story")
        n = self.newsroom
        run = Run(n.settings, n.store, day, persist=False)
        plan = SectionPlan(number=len(briefing.sections) + 1, topic=story.topic, stories=(story,))
        writer = load_writer(n.settings.writer).from_settings(n.settings)
        draft = writer.write([plan], run.context())
        written = assemble(draft, {i.url: i for i in story.items}, run.context())
        if not written.sections:
            raise InputError(f"the writer {n.settings.writer} wrote nothing for this story")
        abstract = f"{briefing.abstract}{written.abstract}"
        edited = revise.add_section(
            briefing.model_copy(update={"abstract": abstract}),
            written.sections[0],
            written.references,
        )
        title = written.sections[0].title
        return self._save(edited, user, "add", f"/sections/{len(briefing.sections)}", "", title)

    def _save(
        self, briefing: Briefing, user: str, action: str, target: str, before: str, after: str
    ) -> Revision:
        checked = briefing.model_copy(update={"verification": self.reverify(briefing)})
        day = briefing.date
        revision = self.desk.add_revision(
            day, checked.model_dump(mode="json"), status(checked.verification), user, action
        )
        self.desk.record(day, user, action, target, before, after)
        return revision

    def reverify(self, briefing: Briefing) -> Verification:
        """The gate's verdict on ``briefing``, against the items of the store."""
        index = self._index(briefing)
        return check(
            briefing.abstract,
            briefing.sections,
            briefing.references,
            index,
            briefing.date.year,
        )

    def _index(self, briefing: Briefing) -> Index:
        """The gate's index of the cited items (with their syndicated copies), reused
        while the references stay the same: an editor saves many times in a row, items
        never change once stored, and the index only caches what the items state."""
        key = (briefing.date, tuple(briefing.references))
        cached = self._cache.get(key)
        if cached and time.monotonic() - cached[0] < INDEX_TTL:
            return cached[1]
        n = self.newsroom
        items = cited_items(n.store, briefing)
        index = Index.build(
            briefing.references, items, n.organisation_names, n.sources().values(), n.tz
        )
        self._cache = {key: (time.monotonic(), index)}
        return index

    def label_stories(self, day: date, item_a: str, item_b: str, label: str, user: str) -> None:
        """Record that two items report the same event (``same``) or not (``different``)."""
        if label not in ("same", "different"):
            raise InputError(f"a story label is 'same' or 'different', not {label!r}")
        if item_a == item_b:
            raise InputError("a label needs two different items")
        self.desk.add_story_label(day, item_a, item_b, label, user)
        self.desk.record(day, user, f"label-{label}", "stories", item_a, item_b)

    # approving ---------------------------------------------------------------------
    def approve(
        self, day: date, user: str, override_reason: str = "", correction: str = ""
    ) -> Publication:
        """Publish the draft of ``day`` (module rules)."""
        draft = self.draft(day)
        briefing = draft.briefing
        override_reason, correction = override_reason.strip(), correction.strip()
        if not briefing.verification.passed:
            if not override_reason:
                raise InputError(
                    f"{len(briefing.verification.unsupported)} claim(s) failed verification: "
                    "fix them, or approve with an override and its reason"
                )
            check = briefing.verification.model_copy(update={"allow_unverified": True})
            briefing = briefing.model_copy(update={"verification": check})
        if draft.publications:
            if draft.published_revision == draft.revision.id:
                raise InputError("this revision is already published: edit it first")
            if not correction:
                raise InputError("a published issue changes only by a correction: say what")
        version = len(draft.publications) + 1
        self._render(briefing, version)
        publication = self.desk.add_publication(draft.revision, user, correction, override_reason)
        self.newsroom.changed()
        after = f"v{publication.version} (revision {draft.revision.number})"
        self.desk.record(day, user, "approve", "issue", correction or override_reason, after)
        self._hand_over(briefing, user, bool(override_reason))
        return publication

    def _hand_over(self, briefing: Briefing, user: str, override: bool) -> None:
        """The approved briefing becomes the stored issue, approved for publishing
        (:func:`dongtai.publish.approve`) and sent to the configured channels
        (:func:`dongtai.publish.publish`); a channel's failure is recorded in the change
        log and in the delivery log (``dongtai publish D`` retries), never undoes the
        approval."""
        n, day = self.newsroom, briefing.date
        writer = briefing.writer.name if briefing.writer else n.settings.writer
        cited = {ref.n: ref.url for ref in briefing.references}
        n.store.save_briefing(briefing, status(briefing.verification), writer, cited)
        publishing.approve(n.settings, day, by=user, override=override, store=n.store)
        if not n.settings.publish.channels:
            return
        try:
            report = publishing.publish(n.settings, day)
        except DongtaiError as exc:
            self.desk.record(day, user, "publish", "channels", "", f"failed: {exc}")
            return
        sent = ", ".join(f"{d.channel}: {d.status}" for d in report.deliveries)
        self.desk.record(day, user, "publish", "channels", "", sent)

    def _render(self, briefing: Briefing, version: int) -> None:
        settings = self.newsroom.settings
        formats = list(dict.fromkeys([*settings.formats, *DOWNLOADS]))
        issue_dir = settings.briefings_dir / briefing.date.isoformat()
        kept = issue_dir / f"v{version}"
        paths = render_all(briefing, settings.branding_in_home(), formats, kept)
        for path in paths:
            _copy_atomically(path, issue_dir / path.name)


def _title(briefing: Briefing, index: int) -> str:
    """A section's title for the change log (the edit itself checks the index)."""
    return briefing.sections[index].title if 0 <= index < len(briefing.sections) else ""


def _copy_atomically(source: Path, target: Path) -> None:
    temp = target.with_name(f".{target.name}.tmp")
    try:
        shutil.copyfile(source, temp)
        os.replace(temp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
