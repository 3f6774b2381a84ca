"""Dedupe: syndicated copies collapse into one item; every outlet is kept.

Layers, in order, each deterministic:
1. exact URL;
2. canonical URL (scheme, ``www.``, fragment, tracking parameters such as ``utm_*``,
   trailing slash ignored);
3. near-identical body: items in the same language whose body shingles (5 characters
   for Chinese, 3 words for English) have Jaccard similarity ≥ ``NEAR_DUPLICATE``.
   Candidates come from MinHash LSH (``datasketch``), so the cost stays near-linear;
   every candidate is confirmed with the exact Jaccard similarity (many candidates: on
   every core, :func:`dongtai.parallel.map_parts`). A body that an earlier item has
   already (the same shingles: a verbatim copy) joins it at once, unsearched. An item's MinHash
   signature depends on its body only: the store keeps it (the enrichment) and passes
   it in, so only items without one are hashed.
(Reports of one event in different words are merged later, by :mod:`dongtai.stages.cluster`.)

The kept item is the one from the outlet with the highest authority weight (the
earliest published on a tie): it is the original more often than not. The others are
recorded on it as :class:`~dongtai.models.Copy` with the reason they were merged, so
attribution keeps every outlet while coverage counts the report once.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Mapping, Sequence
from functools import cache, partial
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import numpy.typing as npt
from datasketch import LeanMinHash, MinHash, MinHashLSH

from dongtai import parallel
from dongtai.models import Copy, Item

NEAR_DUPLICATE = 0.7
PARALLEL_PAIRS = 2000  # candidate pairs: below, they are confirmed in process
PERMUTATIONS = 64
TRACKING = re.compile(r"^(utm_\w+|spm|from|share|ref|fbclid|gclid|mc_cid|mc_eid)$", re.I)
WORD = re.compile(r"[a-z0-9]+")
SEED = 1
SCHEME = "affine32"  # datasketch's permutation scheme: 32-bit hash values
Signature = npt.NDArray[np.uint32]


def canonical_url(url: str) -> str:
    """The URL with the parts that do not change the page removed."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not TRACKING.match(k)))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, query, ""))


def shingles(item: Item) -> frozenset[bytes]:
    """Body shingles, as bytes ready to hash: 5-character for Chinese (windows of the
    UTF-32 encoding, 4 bytes a character), 3-word for English."""
    if item.language == "zh":
        raw = re.sub(r"\s+", "", item.text).encode("utf-32-le")
        width = 5 * 4
        return frozenset(raw[i : i + width] for i in range(0, max(len(raw) - width, 0) + 1, 4))
    words = WORD.findall(item.text.lower())
    return frozenset(" ".join(words[i : i + 3]).encode() for i in range(max(len(words) - 2, 1)))


def signatures(items: Sequence[Item]) -> list[Signature]:
    """The MinHash signature of each item's body shingles."""
    hashes = MinHash.bulk(
        (list(shingles(item)) for item in items),
        num_perm=PERMUTATIONS,
        seed=SEED,
        scheme=SCHEME,
        hashfunc=zlib.crc32,  # deterministic and fast; candidates are confirmed exactly
    )
    return [np.asarray(h.hashvalues, dtype=np.uint32) for h in hashes]


def jaccard(a: frozenset[bytes], b: frozenset[bytes]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


class _Groups:
    """Union-find over item indices, remembering why each merge happened."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.reason: dict[int, str] = {}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, first: int, later: int, reason: str) -> None:
        a, b = self.find(first), self.find(later)
        if a != b:
            self.parent[max(a, b)] = min(a, b)
            self.reason.setdefault(later, reason)

    def why(self, i: int, lead: int) -> str:
        """Why ``i`` was merged (the lead's reason when ``i`` came first)."""
        return self.reason.get(i) or self.reason.get(lead, "")


def dedupe(
    items: Sequence[Item],
    weights: Mapping[str, float],
    known: Mapping[str, Signature] | None = None,
) -> list[Item]:
    """One item per report; copies recorded on the kept item. Order: as first published.
    ``known``: signatures already computed, by item URL."""
    groups = _Groups(len(items))
    _by_url(items, groups)
    _near_duplicates(items, groups, known or {})
    members: dict[int, list[int]] = {}
    for i in range(len(items)):
        members.setdefault(groups.find(i), []).append(i)
    kept = []
    for indices in sorted(members.values(), key=lambda g: (items[g[0]].published, g[0])):
        ranked = sorted(indices, key=lambda i: (-weights.get(items[i].source, 0.0), i))
        lead = items[ranked[0]]
        copies = tuple(
            Copy(source=items[i].source, url=items[i].url, reason=groups.why(i, ranked[0]))
            for i in sorted(ranked[1:])
        )
        kept.append(lead.model_copy(update={"copies": lead.copies + copies}))
    return kept


def _by_url(items: Sequence[Item], groups: _Groups) -> None:
    first_by_url: dict[str, int] = {}
    for i, item in enumerate(items):
        exact = first_by_url.setdefault(item.url, i)
        if exact != i:
            groups.union(exact, i, "same URL")
            continue
        canonical = first_by_url.setdefault(canonical_url(item.url), i)
        if canonical != i:
            groups.union(canonical, i, "same canonical URL")


def _near_duplicates(
    items: Sequence[Item], groups: _Groups, known: Mapping[str, Signature]
) -> None:
    missing = [item for item in items if item.url not in known]
    computed = dict(zip((item.url for item in missing), signatures(missing), strict=True))
    hashes = [
        LeanMinHash(
            seed=SEED, scheme=SCHEME, hashvalues=known.get(item.url, computed.get(item.url))
        )
        for item in items
    ]
    index = MinHashLSH(threshold=NEAR_DUPLICATE, num_perm=PERMUTATIONS)
    pairs: list[tuple[int, int]] = []  # (earlier, later) candidates of the same language
    first_with: dict[str, int] = {}
    for i, item in enumerate(items):
        key = _body_key(item)
        twin = first_with.setdefault(key, i) if key else i
        if twin != i:  # the same body as an earlier item: its shingles are the twin's
            groups.union(twin, i, "near-identical text (Jaccard 1.00)")
            continue
        found = sorted(int(k) for k in index.query(hashes[i]))
        pairs += [(j, i) for j in found if items[j].language == item.language]
        index.insert(str(i), hashes[i])
    confirmed = parallel.map_parts(partial(_jaccards, items), pairs, PARALLEL_PAIRS)
    for (j, i), similarity in zip(pairs, confirmed, strict=True):
        if similarity >= NEAR_DUPLICATE:
            groups.union(j, i, f"near-identical text (Jaccard {similarity:.2f})")


def _body_key(item: Item) -> str:
    """A digest of the body as :func:`shingles` reads it ("" for an empty body): two
    items with the same key have the same shingles."""
    if item.language == "zh":
        body = re.sub(r"\s+", "", item.text)
    else:
        body = " ".join(WORD.findall(item.text.lower()))
    return hashlib.sha1(f"{item.language}\n{body}".encode()).hexdigest() if body else ""


def _jaccards(items: Sequence[Item], pairs: Sequence[tuple[int, int]]) -> list[float]:
    """The exact Jaccard similarity of each candidate pair's body shingles."""
    body = cache(lambda i: shingles(items[i]))  # only candidates need their shingles
    return [jaccard(body(j), body(i)) for j, i in pairs]
