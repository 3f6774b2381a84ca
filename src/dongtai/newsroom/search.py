"""Full-text search over the issues readers see, in Chinese and English.

Rules it applies:

* one index row per section of an issue (and one for its abstract), holding the
  section's titles and paragraphs, its topic and the organisations its verified claims
  name; the text is segmented by jieba (search mode: words and their sub-words), lower
  case, punctuation left out;
* the index follows the reader-visible issues (:func:`dongtai.newsroom.issues.visible`):
  :func:`sync` re-indexes a date whose signature changed and empties one no longer
  visible, so a correction is searchable as soon as it is published;
* a query is segmented by jieba (accurate mode) and matches the rows holding every
  word (FTS5 on SQLite, ``to_tsvector('simple', …)`` on PostgreSQL), best first;
* a hit shows a snippet of the original text around the first match, every query word
  in it marked; the snippet is escaped text with ``<mark>`` tags only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import jieba
from markupsafe import Markup, escape

from dongtai.models import Briefing
from dongtai.newsroom.issues import load_issue, visible
from dongtai.render import anchor
from dongtai.store.desk import Desk, SearchDoc

__all__ = ["Hit", "documents", "highlight", "query_words", "search", "sync", "words"]

jieba.setLogLevel(60)
SNIPPET = 120
LIMIT = 50


@dataclass(frozen=True)
class Hit:
    issue_date: date
    anchor: str
    title: str
    snippet: Markup


def words(text: str) -> list[str]:
    """The index words of a text (jieba search mode, lower case, no punctuation)."""
    return [w.lower() for w in jieba.cut_for_search(text) if _wordlike(w)]


def query_words(query: str) -> list[str]:
    """The words a query must match, once each."""
    return list(dict.fromkeys(w.lower() for w in jieba.cut(query) if _wordlike(w)))


def _wordlike(word: str) -> bool:
    return any(c.isalnum() for c in word)


def documents(briefing: Briefing) -> list[SearchDoc]:
    """The index rows of an issue: its abstract, then one per section."""
    day = briefing.date
    docs = [
        SearchDoc(
            day,
            "abstract",
            "",
            _orgs(briefing, "/abstract"),
            "摘要",
            briefing.abstract,
            " ".join(words(briefing.abstract)),
        )
    ]
    for i, section in enumerate(briefing.sections):
        parts = [section.title]
        for sub in section.subsections:
            parts.append(sub.title)
            parts.extend(p.text for p in sub.paragraphs)
        body = "\n".join(parts)
        docs.append(
            SearchDoc(
                day,
                anchor(section.number),
                section.topic,
                _orgs(briefing, f"/sections/{i}/"),
                section.title,
                body,
                " ".join(words(body)),
            )
        )
    return docs


def _orgs(briefing: Briefing, prefix: str) -> str:
    found = dict.fromkeys(
        c.normalised
        for c in briefing.verification.claims
        if c.kind == "organisation"
        and c.supported
        and c.normalised
        and (c.pointer == prefix or c.pointer.startswith(prefix))
    )
    return f" {' '.join(found)} " if found else ""


def sync(desk: Desk, shown: dict[date, str] | None = None) -> int:
    """Bring the index up to date with the issues readers see (``shown``: their
    signatures, default :func:`visible`); how many dates changed."""
    shown = visible(desk) if shown is None else shown
    indexed = desk.search_signatures()
    changed = 0
    for day, signature in shown.items():
        if indexed.get(day) == signature:
            continue
        issue = load_issue(desk, day)
        docs = documents(issue.briefing) if issue else []
        desk.replace_search_docs(day, signature, docs)
        changed += 1
    for day, signature in indexed.items():
        if day not in shown and signature:
            desk.replace_search_docs(day, "", [])
            changed += 1
    return changed


def search(desk: Desk, query: str, limit: int = LIMIT) -> list[Hit]:
    """Index rows matching every word of ``query``, with highlighted snippets."""
    terms = query_words(query)
    rows = desk.search(" ".join(terms), limit) if terms else []
    return [Hit(r.issue_date, r.anchor, r.title, highlight(r.text, terms)) for r in rows]


def highlight(text: str, terms: Iterable[str], width: int = SNIPPET) -> Markup:
    """A snippet of ``text`` around the first match, each match in ``<mark>``."""
    ordered = sorted(set(terms), key=len, reverse=True)
    if not ordered:
        return Markup(escape(text[:width]))
    pattern = re.compile("|".join(re.escape(t) for t in ordered), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, first.start() - width // 3) if first else 0
    window = text[start : start + width]
    out, at = [Markup("…") if start else Markup("")], 0
    for m in pattern.finditer(window):
        out.append(escape(window[at : m.start()]))
        out.append(Markup("<mark>%s</mark>") % m.group())
        at = m.end()
    out.append(escape(window[at:]))
    if start + width < len(text):
        out.append(Markup("…"))
    return Markup("").join(out)
