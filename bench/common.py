"""Shared by the benchmarks and the quality gates: the evaluation data sets of
``../shared/data`` (never copied into the repository) and the clustering scores.

Scores: adjusted Rand index and normalised mutual information (arithmetic mean
normalisation, as scikit-learn's default) over the contingency table, and B-cubed
precision/recall/F1 (per item: the share of its predicted cluster that shares its gold
label, and the share of its gold class that shares its predicted cluster).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Hashable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dongtai.models import Classified, Item

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
T0 = datetime(2026, 5, 5, tzinfo=UTC)


def available(*parts: str) -> bool:
    return DATA.joinpath(*parts).exists()


def entry(n: int, title: str, text: str, language: str = "en", source: str = "") -> Classified:
    """An item wrapped as classified (on topic), for clustering data sets."""
    item = Item(
        url=f"https://eval.example/{n}",
        source=source or f"outlet-{n}",
        title=title or text[:80],
        published=T0 + timedelta(minutes=n),
        text=text,
        language=language,  # type: ignore[arg-type]
    )
    return Classified(item=item, topic="eval", relevance=1.0, on_topic=True, reason="eval")


def wikiref() -> tuple[list[Classified], list[str]]:
    """WikiRef220: 220 English news texts; the label is the file name's prefix."""
    folder = DATA / "clustering" / "wikiref" / "WikiRef220"
    entries, labels = [], []
    for n, path in enumerate(sorted(folder.glob("*.txt"))):
        label = re.sub(r"( \(\d+\))?(\.\d+)?\.txt$", "", path.name)
        lines = [line.strip() for line in path.read_text("utf-8", "replace").splitlines()]
        lines = [line for line in lines if line]
        entries.append(entry(n, lines[0] if lines else "", "\n".join(lines[1:])))
        labels.append(label)
    return entries, labels


def multiling() -> tuple[list[Classified], list[str]]:
    """MultiLing 2011: 3 events × 10 English WikiNews articles."""
    entries, labels = [], []
    path = DATA / "clustering" / "multiling2011" / "documents.jsonl"
    for line in path.read_text("utf-8").splitlines():
        record = json.loads(line)
        for doc in record["documents"]:
            text = [t for t in doc["text"] if t.strip()]
            entries.append(entry(len(entries), text[0], "\n".join(text[1:])))
            labels.append(record["instance_id"])
    return entries, labels


def wmt21() -> list[tuple[list[str], list[str], str]]:
    """Aligned sentence pairs (source lines, reference lines, direction)."""
    root = DATA / "crosslingual" / "wmt21" / "txt"
    pairs = []
    for direction, src, ref in (
        ("zh→en", "newstest2021.zh-en.src.zh", "newstest2021.zh-en.ref.A.en"),
        ("en→zh", "newstest2021.en-zh.src.en", "newstest2021.en-zh.ref.A.zh"),
    ):
        source = (root / "sources" / src).read_text("utf-8").splitlines()
        reference = (root / "references" / ref).read_text("utf-8").splitlines()
        pairs.append((source, reference, direction))
    return pairs


def nlpcc() -> list[tuple[str, str]]:
    """(label, headline) pairs of the NLPCC 2017 headline test set."""
    path = DATA / "classification" / "nlpcc2017-headlines" / "test.full" / "test.char"
    rows = []
    for line in path.read_text("utf-8").splitlines():
        label, _, chars = line.partition("\t")
        rows.append((label, chars.replace(" ", "")))
    return rows


def _comb2(n: int) -> float:
    return n * (n - 1) / 2


def contingency(
    gold: Sequence[Hashable], pred: Sequence[Hashable]
) -> Counter[tuple[Hashable, Hashable]]:
    return Counter(zip(gold, pred, strict=True))


def ari(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    table = contingency(gold, pred)
    index = sum(_comb2(v) for v in table.values())
    rows = sum(_comb2(v) for v in Counter(gold).values())
    cols = sum(_comb2(v) for v in Counter(pred).values())
    expected = rows * cols / _comb2(len(gold))
    maximum = (rows + cols) / 2
    return 1.0 if maximum == expected else (index - expected) / (maximum - expected)


def nmi(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    n = len(gold)
    table = contingency(gold, pred)
    g, p = Counter(gold), Counter(pred)
    mutual = sum(v / n * math.log(v * n / (g[a] * p[b])) for (a, b), v in table.items())
    hg = -sum(v / n * math.log(v / n) for v in g.values())
    hp = -sum(v / n * math.log(v / n) for v in p.values())
    return 1.0 if hg + hp == 0 else 2 * mutual / (hg + hp)


def bcubed(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> tuple[float, float, float]:
    table = contingency(gold, pred)
    g, p = Counter(gold), Counter(pred)
    n = len(gold)
    precision = sum(table[(a, b)] / p[b] for a, b in zip(gold, pred, strict=True)) / n
    recall = sum(table[(a, b)] / g[a] for a, b in zip(gold, pred, strict=True)) / n
    return precision, recall, 2 * precision * recall / (precision + recall)
