"""Shared by the fetch/extraction benchmarks and quality gates: the feed and extraction
data sets of ``../shared/data`` (never copied into the repository) and their scores.

Scores:
- article extraction (``extraction/aeb``), as that benchmark scores: per page, token
  4-gram shingle multisets of the gold ``articleBody`` and of the output give TP/FP/FN,
  normalised to sum to 1; precision and recall are averaged over pages, F1 is their
  harmonic mean;
- Chinese extraction (``extraction/zh-web``): the same with character bigrams (white
  space removed) against ``cleaned/``;
- feeds (``feeds/feed-rs``): per file with a ``*.serde.json`` expected parse, whether the
  count of entries found agrees (usable ones, plus those dropped for want of a link or
  title, which cannot become items), how many are usable, and per usable entry whether
  the title, the link and the date (published, else updated) agree, in document order.
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dongtai.errors import ParseError
from dongtai.fetch.charset import decode
from dongtai.fetch.feeds import Entry, Parsed, iso_datetime, parse_feed

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
AEB = DATA / "extraction" / "aeb"
ZH = DATA / "extraction" / "zh-web"
FEED_DIRS = (
    DATA / "feeds" / "feedjira" / "spec" / "sample_feeds",
    DATA / "feeds" / "feed-rs" / "feed-rs" / "fixture",
    DATA / "feeds" / "feedparser" / "tests" / "illformed",
    DATA / "feeds" / "feedparser" / "tests" / "encoding",
)
Scores = tuple[float, float, float]
_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens)


def bigrams(text: str) -> Counter[str]:
    chars = re.sub(r"\s+", "", text or "")
    return Counter(chars[i : i + 2] for i in range(len(chars) - 1))


def page_counts(gold: Counter[object], pred: Counter[object]) -> Scores:
    tp = sum((gold & pred).values())
    fp = sum((pred - gold).values())
    fn = sum((gold - pred).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def prf(rows: list[Scores]) -> Scores:
    """Precision, recall and F1 as the AEB benchmark computes them from per-page counts."""

    def precision(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)

    def recall(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)

    p = statistics.mean(precision(*r) for r in rows if r[0] + r[1] > 0)
    r = statistics.mean(recall(*r) for r in rows if r[0] + r[2] > 0)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


# article extraction ---------------------------------------------------------------------


def aeb_pages() -> Iterator[tuple[str, str, str]]:
    """(id, html, gold article body) of every AEB page."""
    gold = json.loads((AEB / "ground-truth.json").read_text("utf-8"))
    for key in sorted(gold):
        html = gzip.decompress((AEB / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8")
        yield key, html, gold[key].get("articleBody") or ""


def aeb_peers() -> dict[str, dict[str, str]]:
    """Every peer extractor's AEB output: name → page id → text."""
    peers = {}
    for path in sorted((AEB / "output").glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        output = data.get("output", data)
        peers[path.stem] = {k: (v or {}).get("articleBody") or "" for k, v in output.items()}
    return peers


def score_aeb(outputs: dict[str, str], gold: dict[str, str]) -> Scores:
    return prf([page_counts(shingles(gold[k]), shingles(outputs.get(k, ""))) for k in gold])


def zh_pages() -> Iterator[tuple[str, bytes, str]]:
    """(id, raw HTML bytes, gold cleaned text) of every zh-web page."""
    for path in sorted((ZH / "original").glob("*.html")):
        gold = (ZH / "cleaned" / f"{path.stem}.txt").read_bytes().decode("utf-8", "replace")
        yield path.stem, path.read_bytes(), gold


def score_zh(outputs: dict[str, str], gold: dict[str, str]) -> Scores:
    return prf([page_counts(bigrams(gold[k]), bigrams(outputs.get(k, ""))) for k in gold])


def run_zh(extract: Callable[[str], str]) -> Scores:
    """An extractor (decoded HTML → text) scored on zh-web, pages decoded by our rules."""
    outputs, gold = {}, {}
    for key, raw, text in zh_pages():
        outputs[key] = extract(decode(raw)[0])
        gold[key] = text
    return score_zh(outputs, gold)


# feeds ------------------------------------------------------------------------------------


def feed_files() -> list[Path]:
    """Every feed file of the three collections (expected parses and licences excluded)."""
    files = []
    for folder in FEED_DIRS:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.endswith(".serde.json") and path.suffix:
                files.append(path)
    return files


@dataclass
class FeedAgreement:
    files: int = 0
    count_agrees: int = 0
    expected: int = 0
    usable: int = 0
    entries: int = 0
    titles: int = 0
    links: int = 0
    dated: int = 0
    dates: int = 0


def feed_rs_agreement() -> tuple[FeedAgreement, list[str]]:
    """Our parse of every feed-rs fixture against its expected parse; and the mismatches."""
    agreement, report = FeedAgreement(), []
    for expected_path in sorted(FEED_DIRS[1].rglob("*.serde.json")):
        source = _fixture(expected_path)
        if source is None:
            continue
        expected = json.loads(expected_path.read_text("utf-8"))["entries"]
        try:
            parsed = parse_feed(source.read_bytes(), "http://feeds.example/")
        except ParseError as exc:
            parsed, reason = Parsed(), str(exc)
        else:
            reason = "; ".join(parsed.dropped[:2])
        ours = parsed.entries
        found = len(ours) + len(parsed.dropped)
        agreement.files += 1
        agreement.count_agrees += found == len(expected)
        agreement.usable += len(ours)
        agreement.expected += len(expected)
        if len(ours) != len(expected):
            report.append(f"{source.name}: {len(ours)} usable of {found} found, expected"
                          f" {len(expected)} {reason}")  # fmt: skip
        for theirs, mine in zip(expected, ours, strict=False):
            _compare(agreement, theirs, mine)
    return agreement, report


def _fixture(expected: Path) -> Path | None:
    stem = expected.name.removesuffix(".serde.json")
    for suffix in (".xml", ".json"):
        if (candidate := expected.with_name(stem + suffix)).is_file():
            return candidate
    return None


def _compare(agreement: FeedAgreement, theirs: dict[str, object], mine: Entry) -> None:
    agreement.entries += 1
    title = theirs.get("title") or {}
    expected_title = (
        " ".join(str(title.get("content", "")).split()) if isinstance(title, dict) else ""
    )
    agreement.titles += not expected_title or expected_title == mine.title
    links = theirs.get("links") or []
    hrefs = {str(link.get("href")) for link in links if isinstance(link, dict)}
    agreement.links += (
        not hrefs or mine.url in hrefs or any(h.endswith(mine.url[-40:]) for h in hrefs)
    )
    when = _expected_date(theirs)
    if when is not None:
        agreement.dated += 1
        agreement.dates += mine.published == when


def _expected_date(theirs: dict[str, object]) -> datetime | None:
    value = theirs.get("published") or theirs.get("updated")
    return iso_datetime(str(value)) if value else None
