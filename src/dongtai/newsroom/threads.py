"""Threads: stories that continue over days, as sections of the issues readers see.

Rules it applies:

* a node is a section of a reader-visible issue, as the search index holds it (title,
  topic, the organisations its verified claims name); the index is brought up to date
  first;
* a follow-up ("续报": a story of day D that ``recall`` linked to the issue of day E,
  :mod:`dongtai.store.threads`) links the section of D citing the story's items to the
  section of E's issue most like it;
* two sections of the same topic at most ``THREAD_DAYS`` apart are linked when their
  likeness is at least ``LIKENESS``; a section links to its most alike earlier section
  only. Likeness is the cosine of their sets of title words (jieba, digits left out)
  and organisation ids;
* a thread is a connected group of sections on at least two dates; its id is the date
  and anchor of its first section ("2026-06-02-sec-1"), so a thread keeps its id as it
  grows; its entries run oldest first; its title is its latest section's, without
  "续报：".
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from dongtai.newsroom.issues import load_issue
from dongtai.newsroom.search import sync, words
from dongtai.render import anchor
from dongtai.store.desk import Desk, SearchDoc
from dongtai.store.threads import FollowUp, follow_ups

__all__ = ["LIKENESS", "THREAD_DAYS", "Chronicle", "Entry", "Thread", "chronicle", "likeness"]

THREAD_DAYS = 14
LIKENESS = 0.5
FOLLOW_UP = "续报："  # how the writers title a follow-up
Key = tuple[date, str]  # (issue date, section anchor)


@dataclass(frozen=True)
class Entry:
    """One section of a thread."""

    day: date
    anchor: str
    title: str
    follow_up: bool


@dataclass(frozen=True)
class Thread:
    id: str
    entries: tuple[Entry, ...]

    @property
    def title(self) -> str:
        """The latest section's title, without the follow-up mark."""
        return self.entries[-1].title.removeprefix(FOLLOW_UP)

    def keys(self) -> set[Key]:
        return {(e.day, e.anchor) for e in self.entries}


@dataclass(frozen=True)
class Chronicle:
    """The threads of the visible issues, and the thread of each section in one."""

    threads: dict[str, Thread]
    of_section: dict[Key, str]


def likeness(a: frozenset[str], b: frozenset[str]) -> float:
    """Cosine of two sets of words."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def _features(doc: SearchDoc) -> frozenset[str]:
    title = {w for w in words(doc.title) if not any(c.isdigit() for c in w)}
    return frozenset(title | {f"org:{o}" for o in doc.orgs.split()})


def chronicle(desk: Desk, shown: Mapping[date, str]) -> Chronicle:
    """The threads of the issues of ``shown`` (date → signature; module rules)."""
    sync(desk, dict(shown))
    visible = set(shown)
    sections = _Sections([d for d in desk.section_docs() if d.issue_date in visible])
    links = sections.alike()
    later = [link for f in follow_ups(desk.store) for link in sections.follow_up(desk, f)]
    return _threads(sections.docs, links + later, {a for a, _ in later})


class _Sections:
    """The visible sections, by date, with the features likeness compares."""

    def __init__(self, docs: list[SearchDoc]) -> None:
        self.docs = docs
        self.features = {(d.issue_date, d.anchor): _features(d) for d in docs}
        self.by_day: dict[date, list[SearchDoc]] = defaultdict(list)
        for doc in docs:
            self.by_day[doc.issue_date].append(doc)

    def likeness(self, key: Key, doc: SearchDoc) -> float:
        return likeness(self.features[key], self.features[(doc.issue_date, doc.anchor)])

    def alike(self) -> list[tuple[Key, Key]]:
        """(section, its most alike earlier section of the same topic) when alike enough."""
        links = []
        for doc in self.docs:
            key = (doc.issue_date, doc.anchor)
            earlier = [
                other
                for back in range(1, THREAD_DAYS + 1)
                for other in self.by_day.get(doc.issue_date - timedelta(days=back), ())
                if other.topic == doc.topic
            ]
            scored = [(self.likeness(key, o), (o.issue_date, o.anchor)) for o in earlier]
            best = max(scored, default=None)
            if best and best[0] >= LIKENESS:
                links.append((key, best[1]))
        return links

    def follow_up(self, desk: Desk, follow: FollowUp) -> list[tuple[Key, Key]]:
        """(section of the follow-up, section of the earlier issue most like it)."""
        earlier = self.by_day.get(follow.earlier)
        if follow.issue_date not in self.by_day or not earlier:
            return []
        links = []
        for place in _citing(desk, follow):
            key = (follow.issue_date, place)
            best = max(earlier, key=lambda d: self.likeness(key, d))
            links.append((key, (best.issue_date, best.anchor)))
        return links


def _citing(desk: Desk, follow: FollowUp) -> list[str]:
    """Anchors of the sections of the follow-up's issue that cite its items."""
    issue = load_issue(desk, follow.issue_date)
    if issue is None:
        return []
    briefing = issue.briefing
    urls = {ref.n: ref.url for ref in briefing.references}
    wanted = set(follow.item_urls)
    anchors = []
    for section in briefing.sections:
        cited = {urls.get(n) for sub in section.subsections for p in sub.paragraphs for n in p.refs}
        if cited & wanted:
            anchors.append(anchor(section.number))
    return anchors


def _threads(docs: list[SearchDoc], links: list[tuple[Key, Key]], follow: set[Key]) -> Chronicle:
    parent: dict[Key, Key] = {}

    def root(key: Key) -> Key:
        while parent.get(key, key) != key:
            key = parent[key]
        return key

    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[Key, list[SearchDoc]] = defaultdict(list)
    for doc in docs:
        groups[root((doc.issue_date, doc.anchor))].append(doc)
    threads: dict[str, Thread] = {}
    of_section: dict[Key, str] = {}
    for first, members in groups.items():
        if len({d.issue_date for d in members}) < 2:
            continue
        thread_id = f"{first[0].isoformat()}-{first[1]}"
        entries = tuple(
            Entry(d.issue_date, d.anchor, d.title, (d.issue_date, d.anchor) in follow)
            for d in members
        )
        threads[thread_id] = Thread(thread_id, entries)
        of_section.update(dict.fromkeys(threads[thread_id].keys(), thread_id))
    return Chronicle(threads, of_section)
