"""Dedupe: syndicated copies collapse into one item; every outlet is kept.

Rules, in order:
1. same canonical URL (scheme, ``www.``, fragment, tracking parameters such as
   ``utm_*``, trailing slash ignored) → the same item;
2. near-identical body: items in the same language whose body shingles (5 characters
   for Chinese, 3 words for English) have Jaccard similarity ≥ ``NEAR_DUPLICATE`` → the
   same item.

The kept item is the one from the outlet with the highest authority weight (the
earliest published on a tie): it is the original more often than not. The others are
recorded on it as :class:`~dongtai.models.Copy` (outlet and URL), so attribution keeps
every outlet while coverage counts the report once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from dongtai.models import Copy, Item

NEAR_DUPLICATE = 0.7
TRACKING = re.compile(r"^(utm_\w+|spm|from|share|ref|fbclid|gclid|mc_cid|mc_eid)$", re.I)
WORD = re.compile(r"[a-z0-9]+")


def canonical_url(url: str) -> str:
    """The URL with the parts that do not change the page removed."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not TRACKING.match(k)))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, query, ""))


def shingles(item: Item) -> frozenset[str]:
    """Body shingles: 5-character for Chinese, 3-word for English."""
    if item.language == "zh":
        text = re.sub(r"\s+", "", item.text)
        return frozenset(text[i : i + 5] for i in range(max(len(text) - 4, 1)))
    words = WORD.findall(item.text.lower())
    return frozenset(" ".join(words[i : i + 3]) for i in range(max(len(words) - 2, 1)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def dedupe(items: Sequence[Item], weights: Mapping[str, float]) -> list[Item]:
    """One item per report; copies recorded on the kept item. Order: first kept first."""
    groups = _groups(items)
    kept: list[Item] = []
    for members in groups:
        ranked = sorted(members, key=lambda i: (-weights.get(items[i].source, 0.0), i))
        lead = items[ranked[0]]
        copies = tuple(
            Copy(source=items[i].source, url=items[i].url)
            for i in sorted(ranked[1:])
            if items[i].url != lead.url
        )
        kept.append(lead.model_copy(update={"copies": lead.copies + copies}))
    return kept


def _groups(items: Sequence[Item]) -> list[list[int]]:
    """Indices of items that are one report, by union-find over the two rules."""
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(j)] = find(i)

    by_url: dict[str, int] = {}
    for i, item in enumerate(items):
        first = by_url.setdefault(canonical_url(item.url), i)
        if first != i:
            union(first, i)
    bodies = [shingles(item) for item in items]
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            same_language = items[i].language == items[j].language
            if (
                same_language
                and find(i) != find(j)
                and jaccard(bodies[i], bodies[j]) >= NEAR_DUPLICATE
            ):
                union(i, j)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: (items[g[0]].published, g[0]))
