"""The newsroom: what the web app (``dongtai serve``) does, as a library.

:class:`Newsroom` holds what every part shares — settings, the store, the desk's tables
(:class:`~dongtai.store.desk.Desk`), and the workspace's registry, topics and time zone
read once through :class:`dongtai.pipeline.Run`. The parts:

* :mod:`~dongtai.newsroom.issues` — the issues readers see (latest publication, else a
  verified build) with their corrections;
* :mod:`~dongtai.newsroom.search` — the jieba-segmented full-text index and its queries;
* :mod:`~dongtai.newsroom.accounts` — users, password hashes, sessions, login limits;
* :mod:`~dongtai.newsroom.revise` — pure edits of a briefing (text, drop, reorder);
* :mod:`~dongtai.newsroom.editor` — the desk: revisions re-verified on save, approval,
  corrections, story labels; every change recorded;
* :mod:`~dongtai.newsroom.threads` — stories that continue over days;
* :mod:`~dongtai.newsroom.series` — verified figures over time, and their charts.

Threads and series are derived from the visible issues and kept until that list changes.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import date
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from dongtai.config import Settings
from dongtai.newsroom import series as figures
from dongtai.newsroom.issues import visible
from dongtai.newsroom.threads import Chronicle, chronicle
from dongtai.pipeline import Run
from dongtai.store import Store, open_store
from dongtai.store.desk import Desk

__all__ = ["Newsroom"]


class Newsroom:
    """Settings, store and workspace data shared by readers' pages and the desk."""

    SHOWN_TTL = 2.0  # seconds a list of reader-visible issues is reused

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store or open_store(settings.db_url)
        self.desk = Desk(self.store)
        self._shown: tuple[float, dict[date, str]] | None = None
        self._derived: dict[str, tuple[tuple[tuple[date, str], ...], Any]] = {}

    def shown(self) -> dict[date, str]:
        """The reader-visible issues (:func:`~dongtai.newsroom.issues.visible`), reused for
        ``SHOWN_TTL`` seconds: a build by another process shows within that time, the
        desk's own publications at once (:meth:`changed`)."""
        moment = time.monotonic()
        if self._shown is None or moment - self._shown[0] > self.SHOWN_TTL:
            self._shown = (moment, visible(self.desk))
        return self._shown[1]

    def _kept(self, name: str, compute: Any) -> Any:
        """``compute(desk, shown)``, reused while the visible issues stay the same."""
        shown = self.shown()
        signature = tuple(shown.items())
        kept = self._derived.get(name)
        if kept is None or kept[0] != signature:
            kept = (signature, compute(self.desk, shown))
            self._derived[name] = kept
        return kept[1]

    def chronicle(self) -> Chronicle:
        """The threads of the visible issues (:mod:`~dongtai.newsroom.threads`)."""
        found: Chronicle = self._kept("threads", chronicle)
        return found

    def series(self) -> list[figures.Series]:
        """The figure series of the visible issues (:mod:`~dongtai.newsroom.series`)."""
        ids = frozenset(o.id for o in self.run.registry.organisations)
        found: list[figures.Series] = self._kept(
            "series", lambda desk, shown: figures.collect(desk, shown, ids)
        )
        return found

    def changed(self) -> None:
        """Forget the cached list of visible issues (after a publication)."""
        self._shown = None

    @cached_property
    def run(self) -> Run:
        """A run context (registry, topics, sources, time zone); its date is irrelevant."""
        return Run(self.settings, self.store, date.today(), persist=False)

    @property
    def tz(self) -> ZoneInfo:
        return self.run.tz

    @cached_property
    def topic_names(self) -> dict[str, str]:
        return self.run.topics.names_zh()

    @cached_property
    def organisation_names(self) -> dict[str, str]:
        """Every organisation (and outlet) name → its id."""
        return self.run.registry.organisation_names()

    @cached_property
    def _names_by_key(self) -> dict[str, str]:
        return {name.casefold(): org for name, org in self.organisation_names.items()}

    def organisation_id(self, name: str) -> str | None:
        """The id of an organisation named by id or any alias (case-insensitive)."""
        key = name.strip().casefold()
        ids = set(self.organisation_names.values())
        return key if key in ids else self._names_by_key.get(key)

    @cached_property
    def organisation_labels(self) -> dict[str, str]:
        """Organisation id → the name a page heads with ("ITIF · 美国信息技术与创新基金会")."""
        labels: dict[str, str] = {}
        for org in self.run.registry.organisations:
            labels[org.id] = _label(org.names)
        for sid, source in self.run.registry.sources.items():
            labels.setdefault(sid, _label((source.short or source.name_en, source.name_zh)))
        return labels

    def sources(self) -> Mapping[str, Any]:
        return self.run.sources


def _label(names: tuple[str, ...]) -> str:
    latin = next((n for n in names if n.isascii()), "")
    chinese = next((n for n in names if not n.isascii()), "")
    return " · ".join(n for n in (latin, chinese) if n) or names[0]
