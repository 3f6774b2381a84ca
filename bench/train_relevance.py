"""Train the relevance model (``src/dongtai/data/relevance.json``) and measure it.

Training data (deterministic, seed 3):
- our hand labels of the *tuning* days of ``bench/realdays.py`` (cleaned title and lead
  of each labelled article; weight ``LABEL_WEIGHT``);
- NLPCC 2017 headlines, first half of a seeded shuffle: the categories that are never
  bulletin news (sports, entertainment, fashion, food, travel, baby, game, history,
  story, essay, regimen, society, military) as negatives, and the ``tech`` headlines
  that name a topic concept as positives;
- our sample corpus (``data/sample``) judged by the topic keywords, and the topic and
  off-topic example headlines of ``data/topics.yaml``.

The decision rule (the classify stage's): on topic when the item has keyword evidence
and probability ≥ ``threshold``, or some evidence short of that and probability ≥
``confident``. Both are chosen on the tuning days: the best F1 of *on topic* on
leave-one-day-out probabilities (each tuning day scored by a model trained without
it), among the rules under which the model fitted on all tuning days lets in none of
the articles we labelled off topic.

Measured, and printed: precision and recall of *on topic* on the tuning days
(cross-validated), on the held-out days (never trained on, never tuned on; model alone,
the rule, keywords alone), and precision/recall of *off topic* on the second half of
the NLPCC headlines (tech and finance counted as "may be on topic").

    python bench/train_relevance.py            # measure, then write the model
    python bench/train_relevance.py --dry-run  # measure only
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from importlib import resources
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common, editorial, realdays
from dongtai.stages import classify, relevance
from dongtai.text.clean import clean_text, clean_title
from dongtai.text.embedding import embed

OUT = Path(__file__).resolve().parents[1] / "src" / "dongtai" / "data" / relevance.MODEL_FILE
NEVER = {
    "sports", "entertainment", "fashion", "food", "travel", "baby", "game",
    "history", "story", "essay", "regimen", "society", "military",
}  # fmt: skip
NLPCC_PER_CATEGORY = 250
LABEL_WEIGHT = 6.0
SAMPLE_WEIGHT = 3.0
L2 = 1.0


def day_rows(days: list) -> tuple[list[str], list[str], list[int]]:  # type: ignore[type-arg]
    """(titles, bodies, labels) of the labelled articles of the given days."""
    articles = {a.id: a for a in realdays.chinese_articles() + realdays.english_articles()}
    built = realdays.build_days()
    titles, bodies, labels = [], [], []
    for day in days:
        for article_id in dict.fromkeys(i.article for i in built[day]):
            a = articles[article_id]
            titles.append(clean_title(a.title))
            bodies.append(clean_text(a.text, a.title))
            labels.append(int(editorial.labels()[article_id]))
    return titles, bodies, labels


def nlpcc_rows(half: int) -> tuple[list[str], list[str]]:
    """(headlines, categories) of one half of the seeded NLPCC sample."""
    rows = common.nlpcc()
    random.Random(3).shuffle(rows)
    by: dict[str, list[str]] = {}
    for label, headline in rows:
        by.setdefault(label, []).append(headline)
    chosen = []
    for label in sorted(by):
        picked = by[label][half * NLPCC_PER_CATEGORY : (half + 1) * NLPCC_PER_CATEGORY]
        chosen += [(h, label) for h in picked]
    return [h for h, _ in chosen], [c for _, c in chosen]


def training_set() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    """Features, labels, weights and the tuning day of each row (-1: not a day's row)."""
    topics = classify.load_topics()
    titles, bodies, labels, groups = [], [], [], []
    for k, day in enumerate(realdays.tuning_dates()):
        t, b, lab = day_rows([day])
        titles += t
        bodies += b
        labels += lab
        groups += [k] * len(t)
    weights = [LABEL_WEIGHT] * len(titles)
    extra: list[tuple[str, str, int, float]] = []
    headlines, categories = nlpcc_rows(0)
    for headline, category in zip(headlines, categories, strict=True):
        if category in NEVER:
            extra.append((headline, "", 0, 1.0))
        elif category == "tech" and _keyword_on(headline, topics):
            extra.append((headline, "", 1, 1.0))
    for item in _sample_items():
        on = classify.classify_item(item, topics).on_topic
        extra.append((item.title, item.text, int(on), SAMPLE_WEIGHT))
    for topic in topics.on + topics.off:
        for example in topic.examples:
            extra.append((example, "", int(topic in topics.on), SAMPLE_WEIGHT))
    for title, body, label, weight in extra:
        titles.append(title), bodies.append(body), labels.append(label)
        weights.append(weight), groups.append(-1)
    x = relevance.features(titles, bodies, embed)
    return x, np.array(labels, dtype=np.float64), np.array(weights), np.array(groups)


def cross_validated(x: np.ndarray, y: np.ndarray, w: np.ndarray, groups: np.ndarray) -> np.ndarray:  # type: ignore[type-arg]
    """Probabilities of the tuning-day rows, each from a model trained without its day."""
    prob = np.zeros(len(y))
    for day in sorted(set(groups[groups >= 0].tolist())):
        held = groups == day
        coef, bias = train(x[~held], y[~held], w[~held])
        prob[held] = 1.0 / (1.0 + np.exp(-(x[held] @ coef + bias)))
    return prob[groups >= 0]


def _keyword_on(headline: str, topics: classify.Topics) -> bool:
    item = common.entry(0, headline, headline, "zh").item
    return classify.classify_item(item, topics).on_topic


def _sample_items() -> list:  # type: ignore[type-arg]
    from dongtai.ingest import parse_lines
    from dongtai.pipeline import zone
    from dongtai.sources import load_registry

    folder = resources.files("dongtai").joinpath("data/sample")
    lines = [
        line
        for path in sorted(folder.iterdir(), key=lambda p: p.name)
        if path.name.endswith(".jsonl")
        for line in path.read_text("utf-8").splitlines()
    ]
    return parse_lines(lines, load_registry(), zone("Asia/Shanghai"), 0.4).items


def train(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, float]:  # type: ignore[type-arg]
    """L2-regularised weighted logistic regression (L-BFGS, deterministic)."""
    n, d = x.shape

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:  # type: ignore[type-arg]
        coef, bias = theta[:d], theta[d]
        z = x @ coef + bias
        p = 1.0 / (1.0 + np.exp(-z))
        eps = 1e-12
        value = -np.sum(w * (y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))) / n
        value += L2 * 0.5 * float(coef @ coef) / n
        g = w * (p - y) / n
        grad = np.concatenate([x.T @ g + L2 * coef / n, [g.sum()]])
        return float(value), grad

    result = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return result.x[:d], float(result.x[d])


def pr(predicted: list[bool], truth: list[bool]) -> tuple[float, float, int, int]:
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    pp, tt = sum(predicted), sum(truth)
    return (tp / pp if pp else 1.0), (tp / tt if tt else 1.0), pp, tt


def keyword_verdicts(days: list) -> list[tuple[bool, bool]]:  # type: ignore[type-arg]
    """(on topic by keywords, some evidence short of on topic) per labelled article."""
    topics = classify.load_topics()
    titles, bodies, _ = day_rows(days)
    found = []
    for n, (title, body) in enumerate(zip(titles, bodies, strict=True)):
        entry = classify.classify_item(common.entry(n, title, body, "zh").item, topics)
        found.append((entry.on_topic, classify.borderline(entry)))
    return found


def decide(
    prob: np.ndarray, keywords: list[tuple[bool, bool]], t: float, confident: float
) -> list[bool]:  # type: ignore[type-arg]
    """The classify stage's rule: keyword evidence and p ≥ t, or some evidence and p ≥ confident."""
    return [
        bool(p >= t and (on or (weak and p >= confident)))
        for p, (on, weak) in zip(prob, keywords, strict=True)
    ]


def best_rule(
    cv: np.ndarray,  # type: ignore[type-arg]
    fitted: np.ndarray,  # type: ignore[type-arg]
    truth: list[bool],
    keywords: list[tuple[bool, bool]],
) -> tuple[float, float]:
    """(threshold, confident) with the best F1 of on-topic on the cross-validated
    probabilities, among the rules under which the model fitted on all tuning days lets
    in none of the articles we labelled off topic (the editor's own labels are never
    contradicted); ties go to the higher thresholds (fewer items let in)."""
    best = (-1.0, 0.5, 1.0)
    for t in np.arange(0.1, 0.95, 0.05):
        for c in np.arange(t, 1.0, 0.05):
            let_in = decide(fitted, keywords, t, c)
            if any(on and not true for on, true in zip(let_in, truth, strict=True)):
                continue
            p, r, _, _ = pr(decide(cv, keywords, t, c), truth)
            f = 2 * p * r / (p + r) if p + r else 0.0
            best = max(best, (round(f, 6), round(float(t), 2), round(float(c), 2)))
    return best[1], best[2]


def report(name: str, predicted: list[bool], truth: list[bool]) -> None:
    p, r, pp, tt = pr(predicted, truth)
    print(f"{name}: on-topic precision {p:.3f} recall {r:.3f} ({pp} predicted, {tt} true)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    x, y, w, groups = training_set()
    print(f"training rows: {len(y)} ({int(y.sum())} on topic)")
    tuning_truth = [bool(v) for v in y[groups >= 0]]
    tuning_keywords = keyword_verdicts(realdays.tuning_dates())
    cv = cross_validated(x, y, w, groups)
    coef, bias = train(x, y, w)
    fitted = relevance.Model(weights=coef, bias=bias, threshold=0.5).probability(x[groups >= 0])
    threshold, confident = best_rule(cv, fitted, tuning_truth, tuning_keywords)
    print(f"rule chosen on the tuning days: threshold {threshold}, confident {confident}")
    report(
        "tuning days, model alone (cross-validated)",
        [bool(v >= threshold) for v in cv],
        tuning_truth,
    )
    report(
        "tuning days, rule (cross-validated)",
        decide(cv, tuning_keywords, threshold, confident),
        tuning_truth,
    )
    model = relevance.Model(weights=coef, bias=bias, threshold=threshold, confident=confident)
    titles, bodies, labels = day_rows(realdays.held_out_dates())
    prob = model.probability(relevance.features(titles, bodies, embed))
    truth = [bool(v) for v in labels]
    report("held-out days, model alone", [bool(v >= threshold) for v in prob], truth)
    held_keywords = keyword_verdicts(realdays.held_out_dates())
    report("held-out days, rule", decide(prob, held_keywords, threshold, confident), truth)
    report("held-out days, keywords alone", [on for on, _ in held_keywords], truth)
    headlines, categories = nlpcc_rows(1)
    prob = model.probability(relevance.features(headlines, [""] * len(headlines), embed))
    off_pred = [bool(v < threshold) for v in prob]
    off_true = [c in NEVER for c in categories]
    p, r, pp, tt = pr(off_pred, off_true)
    print(f"NLPCC second half: off-topic precision {p:.3f} recall {r:.3f} ({pp} / {tt})")
    kept = {c: 0 for c in sorted(set(categories))}
    for c, off in zip(categories, off_pred, strict=True):
        kept[c] += not off
    print("  kept per category: " + ", ".join(f"{c} {k}" for c, k in kept.items()))
    if not args.dry_run:
        note = "bench/train_relevance.py: tuning-day labels, NLPCC 2017 half 0, sample, examples"
        relevance.save_model(model, str(OUT), note)
        print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB)")
    print(json.dumps({"threshold": threshold, "confident": confident}))


if __name__ == "__main__":
    main()
