"""The desk's stories view and the section edits it leads to, on the demo issue: merge
reasons of every story, a left-out story written by the configured writer and verified
into a new revision, and sections paired and unpaired."""

from __future__ import annotations

import re

import pytest

from dongtai import pipeline
from dongtai.config import Settings, load_settings
from dongtai.newsroom import Newsroom
from dongtai.newsroom.editor import Editor
from tests.conftest import DEMO_DATE
from tests.websupport import csrf_of, logged_in

DAY = DEMO_DATE.isoformat()


@pytest.fixture
def six_stories(sqlite_workspace: Settings) -> Settings:
    """The demo workspace briefed again with a budget of six stories: strong stories the
    demo carries are left out, for the desk to add back."""
    (sqlite_workspace.home / "dongtai.toml").write_text("max_stories = 6\n", "utf-8")
    settings = load_settings(home=sqlite_workspace.home)
    pipeline.build(settings, DEMO_DATE)
    return settings


def test_stories_view_shows_why_items_merged_and_adds_a_left_out_story(
    six_stories: Settings,
) -> None:
    web = logged_in(six_stories)
    page = web.get(f"/desk/{DAY}/stories").text
    editor = Editor(Newsroom(six_stories))
    before = editor.draft(DEMO_DATE)
    views = editor.stories(DEMO_DATE, before.briefing)
    merged = [v for v in views if len(v.item_urls) > 1]
    assert merged and all(v.pairs for v in merged)  # every merge has its reasons
    wafer = next(v for v in merged if any("Eswin" in t for t in (i.title for i in v.story.items)))
    assert any("70%" in p.figures for p in wafer.pairs)
    assert page.count("为何合为一篇") == len(merged)
    assert f"{wafer.pairs[0].similarity:.2f}" in page
    # a left-out story reported by two outlets or more, added from its button
    left = next(v for v in views if not v.selected and len(v.story.outlets()) >= 2)
    action = f"/desk/{DAY}/stories/{left.story.id}/add"
    assert f'action="{action}"' in page
    reasons = {o.story: o.reason for o in before.briefing.left_out}  # the plan's reasons
    assert reasons and all(f"未入选：{r}" in page for r in reasons.values())
    done = web.post(action, data={"csrf": csrf_of(page)}, follow_redirects=False)
    assert done.status_code == 303
    after = Editor(Newsroom(six_stories)).draft(DEMO_DATE)
    added = after.briefing
    assert after.revision.number == before.revision.number + 1
    assert len(added.sections) == len(before.briefing.sections) + 1
    last = added.sections[-1]
    cited = {
        added.references[n - 1].url for s in last.subsections for p in s.paragraphs for n in p.refs
    }
    assert cited and cited <= set(left.item_urls)
    assert [r.n for r in added.references] == list(range(1, len(added.references) + 1))
    # verified by the same gate: the revision's verdict is a fresh verification's
    assert added.verification == Editor(Newsroom(six_stories)).reverify(added)
    assert any(
        c.pointer.startswith(f"/sections/{len(added.sections) - 1}/")
        for c in added.verification.claims
    )
    change = Newsroom(six_stories).desk.changes(DEMO_DATE)[-1]
    assert (change.action, change.after) == ("add", last.title)
    again = web.post(action, data={"csrf": csrf_of(page)})
    assert 'role="alert"' in again.text and "already carries" in again.text


def test_sections_are_paired_and_unpaired(sqlite_workspace: Settings) -> None:
    web = logged_in(sqlite_workspace)
    page = web.get(f"/desk/{DAY}").text
    before = Editor(Newsroom(sqlite_workspace)).draft(DEMO_DATE).briefing
    first, second = before.sections[0], before.sections[1]
    web.post(f"/desk/{DAY}/sections/0/pair", data={"other": "1", "csrf": csrf_of(page)})
    paired = Editor(Newsroom(sqlite_workspace)).draft(DEMO_DATE).briefing
    assert len(paired.sections) == len(before.sections) - 1
    top = paired.sections[0]
    assert top.title == f"{first.title}；{second.title}"
    assert [s.title for s in top.subsections] == [first.title, second.title]
    assert [s.number for s in top.subsections] == ["1.1", "1.2"]
    assert [s.title for s in paired.sections[1:]] == [s.title for s in before.sections[2:]]
    texts = [p.text for s in top.subsections for p in s.paragraphs]
    assert texts == [
        p.text for s in (first, second) for sub in s.subsections for p in sub.paragraphs
    ]
    page = web.get(f"/desk/{DAY}").text
    assert re.search(rf'action="/desk/{DAY}/sections/0/unpair"', page)
    web.post(f"/desk/{DAY}/sections/0/unpair", data={"csrf": csrf_of(page)})
    unpaired = Editor(Newsroom(sqlite_workspace)).draft(DEMO_DATE).briefing
    assert [s.title for s in unpaired.sections] == [s.title for s in before.sections]
    assert {r.url for r in unpaired.references} == {r.url for r in before.references}
    actions = [c.action for c in Newsroom(sqlite_workspace).desk.changes(DEMO_DATE)]
    assert actions == ["pair", "unpair"]
    bad = web.post(f"/desk/{DAY}/sections/0/pair", data={"other": "0", "csrf": csrf_of(page)})
    assert 'role="alert"' in bad.text
