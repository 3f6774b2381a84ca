"""Editorial quality on real text: the eight days of ``bench/realdays.py`` built into
issues by the whole pipeline (extractive writer), scored against our hand labels
(``bench/editorial_labels.yaml``) and the planted same-event groups.

Figures, per issue and in total (tuning days and held-out days apart):

- ``off_topic``: cited stories (planted events with an item cited) labelled off topic,
  and ``cited`` the stories cited;
- ``junk``: boilerplate strings in reader text (``JUNK``: literal ``\\n``, ▼, ●,
  follow/share prompts, 摘要：, editor and reporter credits, datelines, site suffixes);
- ``english``: sentences of reader text with a run of five or more English words;
- ``long_titles``: section and subsection titles longer than the limit (30);
- ``no_subject``: abstract sentences that open with a connective, pronoun or hearsay
  opener ("但", "该", "据介绍", "全市"…) or name no organisation, place or person in their
  first clause (jieba part-of-speech nr/ns/nt/nz, Latin names, registry names);
- ``repeated``: reader sentences (10+ characters) printed twice;
- ``strong_left_out``: on-topic planted events reported by two or more outlets with
  texts of their own (not syndicated copies) that the issue neither cites nor lists in
  ``left_out`` (``strong_listed``: those listed with a reason);
- ``unsupported``: claims the verification gate refused.

Reader text is the abstract, the titles and the paragraphs (not the reference list);
junk is not looked for in the writer's own attribution clause ("据网易新闻及新浪财经
5 月 4 日报道，"), which names outlets on purpose.

    python bench/editorial.py                 # figures now, next to bench/editorial_before.json
    python bench/editorial.py --save FILE     # also store the figures as JSON
    python bench/editorial.py --show 2026-05-12   # print that issue's text
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import realdays
from dongtai.config import load_settings
from dongtai.ingest import parse_lines
from dongtai.models import Briefing
from dongtai.pipeline import build, zone
from dongtai.sources import load_registry
from dongtai.store import open_store
from dongtai.text.matching import Matcher

LABELS = Path(__file__).with_name("editorial_labels.yaml")
BEFORE = Path(__file__).with_name("editorial_before.json")
TITLE_LIMIT = 30
FIGURES = (
    "cited",
    "off_topic",
    "junk",
    "english",
    "long_titles",
    "no_subject",
    "repeated",
    "strong",
    "strong_left_out",
    "strong_listed",
    "unsupported",
)
JUNK = re.compile(
    r"\\n|\\t|▼|▲|●|◆|■|★|☆|→|点击(上方|蓝字|关注|下方)|关注我们|置顶公众号|长按(识别)?二维码|"
    r"扫码|转发|分享到|摘要[:：]|原标题|责任编辑|编辑[:：]|记者\s*[\u4e00-\u9fff]{2,3}|"
    r"通讯员|来源[:：]|日讯|日电|本报讯|【[^】]{0,12}】|_[^_\s]{1,12}(网|频道|资讯)|"
    r"搜狐|网易|新浪|凤凰网|\?\s*\?|本帖最后|声明[:：]|免责"
)
ENGLISH = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[\s,]+[A-Za-z][A-Za-z'’-]*){4,}")
BAD_OPENER = re.compile(
    r"^(但|而|并|且|又|该|其|他|她|它|这|此|那|上述|对此|同时|此外|另外|因此|所以|然而|"
    r"据介绍|据了解|据悉|据称|据报道|他表示|她表示|全市|全省|全县|全区|全镇|本市|本报|记者|"
    r"“|\"|「|目前|近日|日前|今年|去年|昨天|今天|同年)"
)
SENTENCE = re.compile(r"[^。！？!?；\n]+[。！？!?；]?")
ATTRIBUTION = re.compile(r"^据[^，。]{1,160}?报道(（[^）]{1,80}转载）)?，")


@dataclass
class Figures:
    """The figures of one issue (or a sum of issues)."""

    values: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def add(self, other: Figures) -> None:
        self.values.update(other.values)


@cache
def labels() -> dict[str, bool]:
    """Article id → on topic (hand labels)."""
    data: Any = yaml.safe_load(LABELS.read_text("utf-8"))
    found: dict[str, bool] = {}
    for day in data.values():
        found.update(dict.fromkeys(map(str, day.get("topic") or []), True))
        found.update(dict.fromkeys(map(str, day.get("other") or []), False))
    return found


def reader_texts(briefing: Briefing) -> list[tuple[str, str]]:
    """(where, text) of every text a reader sees, references excluded."""
    texts = [("abstract", briefing.abstract)]
    for section in briefing.sections:
        texts.append((f"title {section.number}", section.title))
        for sub in section.subsections:
            texts.append((f"title {sub.number}", sub.title))
            texts += [(f"para {sub.number}", p.text) for p in sub.paragraphs]
    return texts


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.findall(text) if s.strip()]


@cache
def _names() -> Matcher:
    return Matcher(load_registry().organisation_names())


def has_subject(sentence: str) -> bool:
    """Whether the sentence opens without a dangling opener and names an organisation,
    place or person in its first clause."""
    import jieba.posseg

    if BAD_OPENER.match(sentence):
        return False
    head = re.split(r"[，,：:]", sentence, maxsplit=1)[0]
    if _names().find(head) or re.search(r"[A-Z][A-Za-z]+", head):
        return True
    return any(flag in ("nr", "ns", "nt", "nz") for _, flag in jieba.posseg.cut(head))


def score_issue(briefing: Briefing, items: list[realdays.RealItem]) -> Figures:
    figures = Figures()
    v = figures.values
    event_of = {i.record["url"]: i.event for i in items}
    article_of = {i.record["url"]: i.article for i in items}
    cited_urls = {r.url for r in briefing.references}
    cited_events = {event_of[u] for u in cited_urls if u in event_of}
    on = labels()
    for event in sorted(cited_events):
        members = [article_of[u] for u in cited_urls if event_of.get(u) == event]
        v["cited"] += 1
        if sum(on[a] for a in members) * 2 <= len(members):
            v["off_topic"] += 1
            figures.notes.append(f"off-topic story cited: {event}")
    texts = reader_texts(briefing)
    for where, text in texts:
        for match in JUNK.finditer(ATTRIBUTION.sub("", text, count=1)):
            v["junk"] += 1
            figures.notes.append(f"junk {match.group(0)!r} in {where}")
        for match in ENGLISH.finditer(text):
            v["english"] += 1
            figures.notes.append(f"English in {where}: {match.group(0)[:60]!r}")
        if where.startswith("title") and len(text) > TITLE_LIMIT:
            v["long_titles"] += 1
            figures.notes.append(f"{len(text)}-character {where}: {text}")
    for sentence in sentences(briefing.abstract):
        if not has_subject(sentence):
            v["no_subject"] += 1
            figures.notes.append(f"abstract sentence without a subject: {sentence[:50]}")
    seen: Counter[str] = Counter(s for _, text in texts for s in sentences(text) if len(s) >= 10)
    for sentence, count in seen.items():
        if count > 1:
            v["repeated"] += count - 1
            figures.notes.append(f"repeated sentence: {sentence[:40]}")
    _coverage(briefing, items, cited_events, figures)
    v["unsupported"] += len(briefing.verification.unsupported)
    return figures


def _coverage(
    briefing: Briefing, items: list[realdays.RealItem], cited: set[str], figures: Figures
) -> None:
    """Strong stories: on topic, two or more outlets with texts of their own."""
    listed = _left_out_urls(briefing)
    by_event: dict[str, list[realdays.RealItem]] = {}
    for item in items:
        by_event.setdefault(item.event, []).append(item)
    for event, members in sorted(by_event.items()):
        if not labels()[members[0].article]:
            continue
        own = {(m.record["source"], m.record["text"]) for m in members}
        texts = {text for _, text in own}
        if len({source for source, _ in own}) < 2 or len(texts) < 2:
            continue
        figures.values["strong"] += 1
        if event in cited:
            continue
        if any(m.record["url"] in listed for m in members):
            figures.values["strong_listed"] += 1
        else:
            figures.values["strong_left_out"] += 1
            figures.notes.append(f"strong story left out without a reason: {event}")


def _left_out_urls(briefing: Briefing) -> set[str]:
    entries = getattr(briefing, "left_out", ()) or ()
    return {url for entry in entries for url in getattr(entry, "urls", ())}


def build_issues(window_hours: int = 24) -> dict[date, Briefing]:
    """Ingest every day into one fresh workspace and build the issues in order."""
    home = Path(tempfile.mkdtemp(prefix="dongtai-editorial-"))
    settings = load_settings(home=home, window_hours=window_hours, formats=["json"])
    store = open_store(settings.db_url)
    registry = load_registry()
    records = realdays.days_as_records()
    lines = [json.dumps(r, ensure_ascii=False) for day in records.values() for r in day]
    parsed = parse_lines(lines, registry, zone(settings.timezone), settings.default_weight)
    store.save_sources([*registry.sources.values(), *parsed.new_sources.values()])
    store.add_items(parsed.items)
    return {day: build(settings, day, store=store).briefing for day in records}


def evaluate() -> dict[str, dict[str, int]]:
    """Figures per issue date, plus 'tuning', 'held-out' and 'total'."""
    days = realdays.build_days()
    briefings = build_issues()
    result: dict[str, dict[str, int]] = {}
    sums = {"tuning": Figures(), "held-out": Figures(), "total": Figures()}
    held = set(realdays.held_out_dates())
    for day, briefing in briefings.items():
        figures = score_issue(briefing, days[day])
        result[day.isoformat()] = {k: figures.values[k] for k in FIGURES}
        sums["held-out" if day in held else "tuning"].add(figures)
        sums["total"].add(figures)
        evaluate.notes[day.isoformat()] = figures.notes  # type: ignore[attr-defined]
        evaluate.briefings[day.isoformat()] = briefing  # type: ignore[attr-defined]
    for name, figures in sums.items():
        result[name] = {k: figures.values[k] for k in FIGURES}
    return result


evaluate.notes = {}  # type: ignore[attr-defined]
evaluate.briefings = {}  # type: ignore[attr-defined]


def off_topic_share(figures: dict[str, int]) -> float:
    return figures["off_topic"] / figures["cited"] if figures["cited"] else 0.0


def print_table(title: str, result: dict[str, dict[str, int]]) -> None:
    print(f"\n{title}")
    print("  " + "issue".ljust(11) + "".join(k[:12].rjust(13) for k in FIGURES) + "   off%")
    for name, figures in result.items():
        row = "".join(str(figures.get(k, 0)).rjust(13) for k in FIGURES)
        print(f"  {name:11s}{row}  {100 * off_topic_share(figures):5.1f}")


def show(day: str) -> None:
    briefing = evaluate.briefings[day]  # type: ignore[attr-defined]
    print(f"\n===== {day}\n摘要：{briefing.abstract}")
    for section in briefing.sections:
        print(f"{section.number} {section.title}")
        for sub in section.subsections:
            print(f"  {sub.number} {sub.title}")
            for p in sub.paragraphs:
                print(f"    {p.text} {list(p.refs)}")
    for ref in briefing.references:
        print(f"  [{ref.n}] {ref.source} ({ref.date}): {ref.title}  {ref.url}")
    for entry in getattr(briefing, "left_out", ()) or ():
        print(f"  left out: {entry}")
    for note in evaluate.notes[day]:  # type: ignore[attr-defined]
        print(f"  ! {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path, help="store the figures as JSON")
    parser.add_argument("--show", nargs="*", default=[], help="issue dates to print")
    args = parser.parse_args()
    if not realdays.DATA.exists():
        sys.exit(f"{realdays.DATA} is absent: the English texts of the days live there")
    if BEFORE.is_file():
        print_table(
            "before (bench/editorial_before.json, the engine before issue 12)",
            json.loads(BEFORE.read_text("utf-8")),
        )
    result = evaluate()
    print_table("now", result)
    total = result["total"]
    print(
        f"\noff-topic share of cited stories: {100 * off_topic_share(total):.1f}% "
        f"(tuning {100 * off_topic_share(result['tuning']):.1f}%, held-out "
        f"{100 * off_topic_share(result['held-out']):.1f}%)"
    )
    for day in args.show:
        show(day)
    if args.save:
        args.save.write_text(json.dumps(result, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
