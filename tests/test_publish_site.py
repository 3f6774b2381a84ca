"""The static site export: issue pages, downloads, index, topic pages, Atom feed and
search index, written atomically to a folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import feedparser
import pytest

from dongtai.config import ChannelSettings, load_settings
from dongtai.publish.deliver import publish_issue
from tests.conftest import DEMO_DATE
from tests.test_publish_deliver import built_home  # noqa: F401  (module fixture)


@pytest.fixture
def home(built_home: Path, tmp_path: Path) -> Path:  # noqa: F811
    copy = tmp_path / "home"
    shutil.copytree(built_home, copy)
    return copy


def test_the_archive_is_exported_to_a_folder(home: Path, tmp_path: Path) -> None:
    s = load_settings(home=home)
    site = tmp_path / "www"
    policy = s.publish.model_copy(
        update={"channels": ["site"], "public_url": "https://brief.example.org"}
    )
    s = s.model_copy(
        update={"publish": policy, "channels": {"site": ChannelSettings(folder=str(site))}}
    )
    (site / "stale.html").parent.mkdir()
    (site / "stale.html").write_text("old", "utf-8")
    [delivery] = publish_issue(s, DEMO_DATE).deliveries
    assert delivery.status == "delivered", delivery.response
    issue_dir = site / "issues" / "2026-05-06"
    assert (issue_dir / "index.html").read_bytes() == (
        s.briefings_dir / "2026-05-06" / "briefing.html"
    ).read_bytes()
    assert (issue_dir / "briefing.pdf").read_bytes()[:5] == b"%PDF-"
    assert json.loads((issue_dir / "briefing.json").read_text("utf-8"))["date"] == "2026-05-06"
    index = (site / "index.html").read_text("utf-8")
    assert 'href="issues/2026-05-06/index.html"' in index and "摘要" not in index.split("<ul>")[0]
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo and len(feed.entries) == 1
    assert feed.entries[0].link == "https://brief.example.org/issues/2026-05-06/index.html"
    [document] = json.loads((site / "search.json").read_text("utf-8"))
    assert document["date"] == "2026-05-06" and len(document["text"]) > 500
    for topic in document["topics"]:
        assert "2026-05-06" in (site / "topics" / f"{topic}.html").read_text("utf-8")
    assert not (site / "stale.html").exists()  # the folder is replaced as a whole
    assert sorted(p.name for p in site.parent.iterdir()) == ["home", "www"]  # no leftovers
