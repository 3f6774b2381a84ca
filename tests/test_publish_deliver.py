"""Publishing to HTTP channels against real local servers: the webhook (HMAC header,
delivery id), WeCom/Feishu/DingTalk bots (size limits, signatures), retries on 429/5xx
and time-outs, permanent failures, idempotent re-runs, and a publish killed with
SIGKILL between two channel deliveries."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dongtai import pipeline
from dongtai.config import ChannelSettings, Settings, load_settings
from dongtai.publish import approve
from dongtai.publish.channel import load_channel
from dongtai.publish.deliver import publish_issue
from dongtai.publish.issue import load_issue
from dongtai.store import open_store
from dongtai.store.publishing import Ledger
from tests import pubservers
from tests.conftest import DEMO_DATE, ingest_lines, sample_lines

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo issue built once (md, html, pdf, json), approved; copied per test."""
    home = tmp_path_factory.mktemp("published") / "home"
    s = load_settings(home=home)
    store = open_store(s.db_url)
    ingest_lines(s, store, sample_lines())
    pipeline.build(s, DEMO_DATE, store=store)
    approve(s, DEMO_DATE, by="editor-li")
    store.engine.dispose()
    return home


@pytest.fixture
def home(built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("DONGTAI_HOME", "DONGTAI_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    copy = tmp_path / "home"
    shutil.copytree(built_home, copy)
    return copy


@pytest.fixture
def servers() -> Iterator[list[pubservers.Recorder]]:
    started: list[pubservers.Recorder] = []
    yield started
    for server in started:
        server.stop()


def serve(
    servers: list[pubservers.Recorder], handler: pubservers.Script, **kw: Any
) -> pubservers.Recorder:
    server = pubservers.Recorder(handler, **kw).start()
    servers.append(server)
    return server


def configured(home: Path, channels: dict[str, dict[str, Any]], **publish: Any) -> Settings:
    s = load_settings(home=home)
    policy = s.publish.model_copy(update={"backoff": 0.01, "channels": list(channels), **publish})
    tables = {name: ChannelSettings(**opts) for name, opts in channels.items()}
    return s.model_copy(update={"publish": policy, "channels": tables})


def test_webhook_gets_the_signed_briefing_once(
    home: Path, servers: list[pubservers.Recorder]
) -> None:
    hook = serve(servers, pubservers.webhook("k3y"))
    s = configured(home, {"webhook": {"url": hook.url("/in"), "secret": "k3y"}})
    report = publish_issue(s, DEMO_DATE)
    assert report.ok and report.sent == 1
    [request] = hook.requests
    assert request.body == (s.briefings_dir / "2026-05-06" / "briefing.json").read_bytes()
    assert len(request.headers["X-Dongtai-Delivery"]) == 32
    assert (
        request.headers["X-Dongtai-Issue-Version"]
        == load_issue(s, open_store(s.db_url), DEMO_DATE).version
    )
    again = publish_issue(s, DEMO_DATE)
    assert len(hook.requests) == 1 and again.sent == 0 and again.already == 1
    [row] = Ledger(open_store(s.db_url)).deliveries(DEMO_DATE)
    assert row.as_json()["status"] == "delivered" and row.attempts == 1


def test_429_and_503_are_retried_until_accepted(
    home: Path, servers: list[pubservers.Recorder]
) -> None:
    hook = serve(servers, pubservers.webhook("k"), faults=[429, 503])
    s = configured(home, {"webhook": {"url": hook.url("/in"), "secret": "k"}})
    [delivery] = publish_issue(s, DEMO_DATE).deliveries
    assert delivery.status == "delivered" and delivery.attempts == 3
    assert len(hook.requests) == 3
    assert len({r.headers["X-Dongtai-Delivery"] for r in hook.requests}) == 1


def test_a_timeout_is_retried(home: Path, servers: list[pubservers.Recorder]) -> None:
    hook = serve(servers, pubservers.webhook("k"), faults=["slow"], delay=2.0)
    s = configured(home, {"webhook": {"url": hook.url("/in"), "secret": "k"}}, timeout=0.5)
    [delivery] = publish_issue(s, DEMO_DATE).deliveries
    assert delivery.status == "delivered" and delivery.attempts == 2


def test_transient_failures_give_up_after_the_retries(
    home: Path, servers: list[pubservers.Recorder]
) -> None:
    hook = serve(servers, pubservers.webhook("k"), faults=[503] * 10)
    s = configured(home, {"webhook": {"url": hook.url("/in"), "secret": "k"}}, retries=2)
    [delivery] = publish_issue(s, DEMO_DATE).deliveries
    assert delivery.status == "failed" and not delivery.permanent and delivery.attempts == 3
    assert "HTTP 503" in delivery.response
    [again] = publish_issue(s, DEMO_DATE).deliveries  # a later run tries again
    assert again.attempts == 6 and len(hook.requests) == 6


def test_rejected_signature_fails_alone_and_is_not_retried(
    home: Path, servers: list[pubservers.Recorder]
) -> None:
    hook = serve(servers, pubservers.webhook("right"))
    bot = serve(servers, pubservers.wecom)
    channels = {
        "webhook": {"url": hook.url("/in"), "secret": "wrong"},
        "wecom": {"webhook": bot.url("/cgi-bin/webhook/send?key=abc"), "interval": 0},
    }
    s = configured(home, channels)
    report = publish_issue(s, DEMO_DATE)
    by_channel = {d.channel: d for d in report.deliveries}
    assert by_channel["webhook"].status == "failed" and by_channel["webhook"].permanent
    assert "HTTP 401" in by_channel["webhook"].response and by_channel["webhook"].attempts == 1
    assert by_channel["wecom"].status == "delivered"
    publish_issue(s, DEMO_DATE)
    assert len(hook.requests) == 1  # a permanent failure is not retried by the next run
    notices = Ledger(open_store(s.db_url)).notices()
    assert [key.split(":")[0] for key, _, _ in notices] == ["delivery-failed"]


def test_wecom_splits_in_order_within_4096_bytes_then_sends_the_pdf(
    home: Path, servers: list[pubservers.Recorder]
) -> None:
    bot = serve(servers, pubservers.wecom)
    s = configured(
        home, {"wecom": {"webhook": bot.url("/cgi-bin/webhook/send?key=abc"), "interval": 0}}
    )
    [delivery] = publish_issue(s, DEMO_DATE).deliveries
    assert delivery.status == "delivered", delivery.response
    sends = [r.json() for r in bot.requests if r.path.endswith("/send")]
    markdown = [m["markdown"]["content"] for m in sends if m["msgtype"] == "markdown"]
    assert len(markdown) >= 2 and all(len(m.encode()) <= 4096 for m in markdown)
    assert markdown[0].split("\n", 1)[0].endswith(f"（1/{len(markdown)}）")
    assert sends[-1] == {"msgtype": "file", "file": {"media_id": "m-1"}}
    text = "\n".join(markdown)
    briefing = load_issue(s, open_store(s.db_url), DEMO_DATE).briefing
    paragraphs = [
        p.text for sec in briefing.sections for sub in sec.subsections for p in sub.paragraphs
    ]
    positions = [text.find(" ".join(p.split())) for p in paragraphs]
    assert -1 not in positions and positions == sorted(positions)
    assert delivery.parts_sent == delivery.parts_total == len(sends)


def test_an_overlong_paragraph_is_cut_at_sentence_ends(home: Path) -> None:
    s = configured(home, {"wecom": {"webhook": "http://127.0.0.1:9/send?key=a", "max_bytes": 700,
                                    "send_pdf": False}})  # fmt: skip
    issue = load_issue(s, open_store(s.db_url), DEMO_DATE)
    parts = load_channel(s, "wecom").parts(issue, "")
    contents = [p["markdown"]["content"] for p in parts]
    assert all(len(c.encode()) <= 700 for c in contents)
    longest = max((p.text for sec in issue.briefing.sections for sub in sec.subsections
                   for p in sub.paragraphs), key=len)  # fmt: skip
    assert len(longest.encode()) > 700  # the case under test: one paragraph over the limit
    first_sentence = longest.split("。")[0] + "。"
    holder = next(c for c in contents if first_sentence in c)
    assert holder.rstrip().endswith("。") or holder.rstrip().endswith("]")


@pytest.mark.parametrize("platform", ["feishu", "dingtalk"])
def test_signed_bots_accept_the_right_secret_only(
    platform: str, home: Path, servers: list[pubservers.Recorder]
) -> None:
    fake = pubservers.feishu("SECabc") if platform == "feishu" else pubservers.dingtalk("SECabc")
    bot = serve(servers, fake)
    url = (
        bot.url("/open-apis/bot/v2/hook/x")
        if platform == "feishu"
        else bot.url("/robot/send?access_token=t")
    )
    good = configured(home, {platform: {"webhook": url, "secret": "SECabc", "interval": 0}})
    [delivery] = publish_issue(good, DEMO_DATE).deliveries
    assert delivery.status == "delivered", delivery.response
    assert delivery.parts_total >= 1 and len(bot.accepted()) == delivery.parts_total
    bad = configured(
        home, {"other": {"type": platform, "webhook": url, "secret": "nope", "interval": 0}}
    )
    [refused] = publish_issue(bad, DEMO_DATE).deliveries
    assert refused.status == "failed" and refused.permanent and refused.attempts == 1
    assert "signature" in refused.response


def test_kill_9_between_two_channels_then_rerun_sends_the_rest_once(
    home: Path, servers: list[pubservers.Recorder]
) -> None:
    fast = serve(servers, pubservers.webhook("k"))
    stuck = serve(servers, pubservers.webhook("k"), faults=["slow"], delay=60)
    channels = {
        "fast": {"type": "webhook", "url": fast.url("/a"), "secret": "k"},
        "stuck": {"type": "webhook", "url": stuck.url("/b"), "secret": "k"},
    }
    (home / "dongtai.toml").write_text(_toml(channels), "utf-8")
    code = (
        "from datetime import date; from dongtai.config import load_settings; "
        "from dongtai.publish import publish; publish(load_settings(), date(2026, 5, 6))"
    )
    env = {**os.environ, "DONGTAI_HOME": str(home)}
    child = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT)
    s = load_settings(home=home)
    ledger = Ledger(open_store(s.db_url))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (
        {d.channel: d.status for d in ledger.deliveries()}.get("fast") == "delivered"
        and stuck.requests
    ):
        time.sleep(0.05)
    assert child.poll() is None, "the publish ended before it could be killed"
    child.send_signal(signal.SIGKILL)
    child.wait()
    states = {d.channel: d.status for d in ledger.deliveries()}
    assert states == {"fast": "delivered", "stuck": "pending"}
    report = publish_issue(s, DEMO_DATE)
    assert report.ok and report.already == 1 and report.sent == 1
    assert len(fast.requests) == 1  # nothing twice
    assert len(stuck.requests) == 2  # the unanswered one, sent again with the same id
    assert len({r.headers["X-Dongtai-Delivery"] for r in stuck.requests}) == 1


def _toml(channels: dict[str, dict[str, str]]) -> str:
    lines = ["[publish]", f"channels = {json.dumps(list(channels))}", "backoff = 0.01", ""]
    for name, options in channels.items():
        lines.append(f"[channels.{name}]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in options.items()]
        lines.append("")
    return "\n".join(lines)
