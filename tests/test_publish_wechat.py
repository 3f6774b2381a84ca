"""The WeChat official-account channel against a local server implementing the token,
material, uploadimg and draft endpoints with their documented error codes."""

from __future__ import annotations

import base64
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dongtai.config import ChannelSettings, Settings, load_settings
from dongtai.publish.channel import load_channel
from dongtai.publish.channels.wechat_mp import WechatMpChannel
from dongtai.publish.deliver import publish_issue
from dongtai.render import qr
from tests.conftest import DEMO_DATE
from tests.pubservers import Recorder
from tests.test_publish_deliver import built_home  # noqa: F401  (module fixture)
from tests.wechat_fake import WechatFake, start


@pytest.fixture
def home(built_home: Path, tmp_path: Path) -> Path:  # noqa: F811
    copy = tmp_path / "home"
    shutil.copytree(built_home, copy)
    return copy


@pytest.fixture
def fake() -> Iterator[tuple[WechatFake, Recorder]]:
    api = WechatFake()
    server = start(api)
    yield api, server
    server.stop()


def configured(home: Path, server: Recorder, **options: Any) -> Settings:
    s = load_settings(home=home)
    table = {"appid": "wx123", "secret": "app-secret", "api_base": server.url(""), **options}
    policy = s.publish.model_copy(update={"backoff": 0.01, "channels": ["wechat_mp"]})
    return s.model_copy(
        update={"publish": policy, "channels": {"wechat_mp": ChannelSettings(**table)}}
    )


def test_the_issue_becomes_a_draft_with_an_uploaded_cover(
    home: Path, fake: tuple[WechatFake, Recorder]
) -> None:
    api, server = fake
    s = configured(home, server, author="编辑部")
    [delivery] = publish_issue(s, DEMO_DATE).deliveries
    assert delivery.status == "delivered", delivery.response
    [draft] = api.drafts
    wechat_html = (s.briefings_dir / "2026-05-06" / "briefing.wechat.html").read_text("utf-8")
    assert draft["content"] == wechat_html
    assert draft["thumb_media_id"] in api.materials and draft["author"] == "编辑部"
    assert str(draft["title"]).startswith("新质生产力每日动态 · 2026-05-06")
    assert len(str(draft["digest"])) <= 120
    paths = [r.path for r in server.requests]
    assert paths == ["/cgi-bin/token", "/cgi-bin/material/add_material", "/cgi-bin/draft/add"]
    assert delivery.response == "draft media_id draft-1"
    assert publish_issue(s, DEMO_DATE).already == 1 and len(api.drafts) == 1


def test_an_expired_token_is_renewed_once(home: Path, fake: tuple[WechatFake, Recorder]) -> None:
    api, server = fake
    api.expire_next = 1
    [delivery] = publish_issue(configured(home, server), DEMO_DATE).deliveries
    assert delivery.status == "delivered" and delivery.attempts == 1
    assert [r.path for r in server.requests].count("/cgi-bin/token") == 2


def test_a_token_refused_again_after_renewal_fails_without_looping(
    home: Path, fake: tuple[WechatFake, Recorder]
) -> None:
    api, server = fake
    api.expire_next = 100
    [delivery] = publish_issue(configured(home, server), DEMO_DATE).deliveries
    assert delivery.status == "failed" and delivery.permanent and "42001" in delivery.response
    assert [r.path for r in server.requests].count("/cgi-bin/token") == 2


def test_an_ip_off_the_whitelist_is_reported_as_such(
    home: Path, fake: tuple[WechatFake, Recorder]
) -> None:
    api, server = fake
    api.whitelist = False
    [delivery] = publish_issue(configured(home, server), DEMO_DATE).deliveries
    assert delivery.status == "failed" and delivery.permanent and delivery.attempts == 1
    assert "not on the official account's IP whitelist" in delivery.response
    assert "203.0.113.9" in delivery.response


def test_inline_images_are_uploaded_and_replaced(
    home: Path, fake: tuple[WechatFake, Recorder]
) -> None:
    _, server = fake
    channel = load_channel(configured(home, server), "wechat_mp")
    assert isinstance(channel, WechatMpChannel)
    image = base64.b64encode(qr.png("https://example.org")).decode()
    html = f'<section><img src="data:image/png;base64,{image}"><p>正文</p></section>'
    replaced = channel._inline_images(html)
    assert replaced.startswith('<section><img src="http://mmbiz.qpic.cn/inline-')
    assert "data:" not in replaced and replaced.endswith("<p>正文</p></section>")
