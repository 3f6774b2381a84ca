"""Stories over days: follow-ups, listing every story with reasons, explaining merges."""

from __future__ import annotations

import json
from datetime import date

from typer.testing import CliRunner

from dongtai import pipeline
from dongtai.cli import app
from dongtai.config import Settings
from dongtai.models import Story
from dongtai.stages.recall import recall
from dongtai.store import Store, open_store
from dongtai.store.desk import Desk
from dongtai.stories import explain, list_stories

from .conftest import DEMO_DATE, Demo, ingest_lines, sample_lines
from .test_stages import item

NEXT_DAY = date(2026, 5, 7)


def test_recall_drops_repeats_and_keeps_follow_ups_with_new_facts() -> None:
    old = item("https://a/1", "yicai", "目标70%", "硅片国产化率目标70%，月产120万片。", "zh")
    same = item("https://b/2", "jiwei", "目标70%", "国产化率目标达到70%。", "zh", 20)
    fresh = item("https://c/3", "cls", "新厂", "第三工厂投资125亿元，目标70%不变。", "zh", 30)
    repeat = Story(id="r", topic="semiconductors", items=(old, same))
    follow = Story(id="f", topic="semiconductors", items=(old, fresh))
    new = Story(id="n", topic="ai", items=(item("https://d/4", "x", "t", "text"),))
    result = recall([repeat, follow, new], {"https://a/1": DEMO_DATE})
    assert [s.id for s in result.stories] == ["f", "n"]
    kept = result.stories[0]
    assert kept.follow_up_of == DEMO_DATE and kept.new_facts == ("125亿元",)
    assert [i.url for i in kept.items] == ["https://c/3"]
    assert result.notes == ("r: already reported on 2026-05-06, nothing new",)


def test_next_day_links_follow_ups_and_never_recites(settings: Settings, store: Store) -> None:
    ingest_lines(settings, store, sample_lines())
    first = pipeline.build(settings, DEMO_DATE, store=store)
    wide = settings.model_copy(update={"window_hours": 72})
    pipeline.build(wide, NEXT_DAY, store=store)
    recalled = store.load_stage(NEXT_DAY, "recall")
    follow_ups = [s for s in recalled["stories"] if s["follow_up_of"]]
    assert follow_ups and all(s["follow_up_of"] == "2026-05-06" for s in follow_ups)
    wafer = next(s for s in follow_ups if "125亿元" in s["new_facts"])
    cited = {r.url for r in first.briefing.references}
    assert not cited & {i["url"] for s in recalled["stories"] for i in s["items"]}
    assert any("奕斯伟" in i["title"] for i in wafer["items"])
    assert recalled["notes"]


def test_stories_lists_every_story_and_off_topic_item(demo: Demo) -> None:
    settings, result = demo
    listing = list_stories(settings, DEMO_DATE)
    assert len(listing.stories) > len(result.briefing.sections) + 10
    assert all(s.reasons and s.score > 0 for s in listing.stories)
    scores = [s.score for s in listing.stories]
    assert scores == sorted(scores, reverse=True)
    assert any("sports" in o.reason for o in listing.off_topic)
    everything = list_stories(settings, DEMO_DATE, include_off_topic=True)
    clustered = {i.url for s in everything.stories for i in s.items}
    assert {o.url for o in listing.off_topic} <= clustered


def test_stories_lists_what_the_issue_leaves_out_with_the_reason(demo: Demo) -> None:
    settings, _ = demo
    tight = settings.model_copy(update={"max_stories": 6})
    listing = list_stories(tight, DEMO_DATE)
    left = {entry.title: entry.reason for entry in listing.not_carried}
    assert set(left) == {
        "朱雀三号遥二运载火箭发射成功",
        "索辰科技发布新一代多物理场仿真平台，求解效率提升3倍",
    }
    assert all(reason.startswith("over the budget of 6 stories") for reason in left.values())
    done = CliRunner().invoke(
        app, ["--home", str(settings.home), "stories", "--date", "2026-05-06"]
    )
    assert "0 story(ies) of two or more outlets not in the issue" in done.output


def test_stories_json_from_the_command_line(demo: Demo) -> None:
    settings, _ = demo
    done = CliRunner().invoke(
        app, ["--home", str(settings.home), "stories", "--date", "2026-05-06", "--json"]
    )
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    first = data["stories"][0]
    assert set(first) >= {"id", "title", "topic", "score", "reasons", "urls", "outlets"}
    assert {"itif", "scmp"} <= set(first["outlets"])
    assert data["off_topic"] and all(o["reason"] for o in data["off_topic"])


def test_explain_shows_why_items_merged(demo: Demo) -> None:
    settings, _ = demo
    listing = list_stories(settings, DEMO_DATE)
    wafer = next(s for s in listing.stories if any("Eswin" in i.title for i in s.items))
    result = explain(settings, DEMO_DATE, wafer.id[:8])
    n = len(result.story.items)
    assert len(result.pairs) == n * (n - 1) // 2
    assert any("70%" in p.figures for p in result.pairs)
    assert any("eswin" in p.organisations for p in result.pairs)
    mean = sum(p.similarity for p in result.pairs) / len(result.pairs)
    assert mean >= result.threshold


def test_hand_merges_and_splits_hold_when_the_day_is_clustered_again(
    sqlite_workspace: Settings,
) -> None:
    settings = sqlite_workspace
    before = list_stories(settings, DEMO_DATE).stories
    wafer = next(s for s in before if any("Eswin" in i.title for i in s.items))
    sia = next(s for s in before if any("SIA" in i.title for i in s.items) and s is not wafer)
    split_a, split_b = wafer.items[0].url, wafer.items[-1].url
    merge_a, merge_b = wafer.items[0].url, sia.items[0].url
    desk = Desk(open_store(settings.db_url))
    desk.add_story_label(DEMO_DATE, split_a, split_b, "different", "alice")
    desk.add_story_label(DEMO_DATE, merge_a, sia.items[0].url, "same", "alice")
    after = list_stories(settings, DEMO_DATE).stories

    def story_of(url: str) -> str:
        return next(s.id for s in after if url in {i.url for i in s.items})

    assert story_of(split_a) != story_of(split_b)  # split by hand
    assert story_of(merge_a) == story_of(merge_b)  # merged by hand
    assert story_of(split_b) != story_of(merge_b)  # the split holds against the merge
    desk.add_story_label(DEMO_DATE, split_a, split_b, "same", "alice")  # the latest counts
    again = list_stories(settings, DEMO_DATE).stories
    assert any({split_a, split_b, merge_b} <= {i.url for i in s.items} for s in again)
