"""The daily run: fetch (a local folder source) → brief → approval or publish; resumed,
never published twice, one at a time; operator notices once per problem; the
``deliveries --json`` contract."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dongtai.cli import app
from dongtai.config import Settings, load_settings
from dongtai.publish import approve
from dongtai.publish.lock import LockedError, day_lock
from dongtai.publish.run import run_day
from dongtai.store import open_store
from dongtai.store.publishing import Ledger
from tests import pubservers
from tests.conftest import DEMO_DATE, SAMPLE


@pytest.fixture
def hooks() -> Iterator[tuple[pubservers.Recorder, pubservers.Recorder]]:
    hook = pubservers.Recorder(pubservers.webhook("k")).start()
    ops = pubservers.Recorder(pubservers.webhook("k")).start()
    yield hook, ops
    hook.stop()
    ops.stop()


@pytest.fixture
def workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hooks: tuple[pubservers.Recorder, ...]
) -> Path:
    """A home whose registry adds a folder source holding the demo corpus, publishing to
    a webhook, operator notices to another."""
    for name in ("DONGTAI_HOME", "DONGTAI_CONFIG", "DONGTAI_WRITER"):
        monkeypatch.delenv(name, raising=False)
    home, inbox = tmp_path / "home", tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "items.jsonl").write_text(SAMPLE.read_text("utf-8"), "utf-8")
    home.mkdir()
    gone = {"id": "gone", "name_en": "Gone", "name_zh": "失联", "kind": "folder",
            "url": str(tmp_path / "missing")}  # fmt: skip
    pubservers.folder_registry(home, inbox, SAMPLE.read_text("utf-8").splitlines(), (gone,))
    hook, ops = hooks
    (home / "dongtai.toml").write_text(
        'formats = ["md", "html", "json"]\n'
        '[publish]\nmode = "auto"\nchannels = ["hook"]\noperator = "ops"\nbackoff = 0.01\n'
        "source_down_runs = 1\n"
        f'[channels.hook]\ntype = "webhook"\nurl = "{hook.url("/issue")}"\nsecret = "k"\n'
        f'[channels.ops]\ntype = "webhook"\nurl = "{ops.url("/ops")}"\nsecret = "k"\n',
        "utf-8",
    )
    return home


def settings_of(home: Path, **changes: Any) -> Settings:
    s = load_settings(home=home)
    publish = s.publish.model_copy(update=changes.pop("publish", {}))
    return s.model_copy(update={"publish": publish, **changes})


def notices_sent(ops: pubservers.Recorder) -> list[str]:
    return [r.json()["subject"] for r in ops.requests]


def test_auto_mode_runs_the_day_and_never_publishes_twice(
    workspace: Path, hooks: tuple[pubservers.Recorder, ...]
) -> None:
    hook, ops = hooks
    s = settings_of(workspace)
    result = run_day(s, DEMO_DATE, fetch_only=["local", "gone"])
    assert result.status == "published", result.message
    assert set(result.seconds) == {"fetch", "brief", "publish"}
    assert len(hook.requests) == 1
    again = run_day(s, DEMO_DATE, fetch_only=["local", "gone"])
    assert again.status == "published" and again.seconds == {} and len(hook.requests) == 1
    store = open_store(s.db_url)
    assert len(store.fetch_history("local")) == 1
    assert notices_sent(ops) == ["信息源 gone 连续失败"]  # source down: told once


def test_approve_mode_waits_then_continues_without_redoing_steps(
    workspace: Path, hooks: tuple[pubservers.Recorder, ...]
) -> None:
    hook, _ = hooks
    s = settings_of(workspace, publish={"mode": "approve"})
    first = run_day(s, DEMO_DATE, fetch_only=["local"])
    assert first.status == "awaiting-approval" and not hook.requests
    steps = Ledger(open_store(s.db_url)).run(DEMO_DATE)
    approve(s, DEMO_DATE, by="editor-li")
    second = run_day(s, DEMO_DATE, fetch_only=["local"])
    assert second.status == "published" and set(second.seconds) == {"publish"}
    after = Ledger(open_store(s.db_url)).run(DEMO_DATE)
    assert steps is not None and after is not None
    assert (
        after.steps["fetch"] == steps.steps["fetch"]
        and after.steps["brief"] == steps.steps["brief"]
    )
    assert len(hook.requests) == 1


def test_a_second_run_of_the_same_date_stops_with_one_line(workspace: Path) -> None:
    s = settings_of(workspace)
    with day_lock(s, DEMO_DATE), pytest.raises(LockedError) as caught:
        run_day(s, DEMO_DATE, fetch_only=["local"])
    assert f"already in progress (process {os.getpid()})" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_failed_verification_blocks_and_is_told_once(
    workspace: Path, hooks: tuple[pubservers.Recorder, ...], tampering_writer: str
) -> None:
    hook, ops = hooks
    s = settings_of(workspace, writer=tampering_writer)
    for _ in range(2):
        result = run_day(s, DEMO_DATE, fetch_only=["local"])
        assert result.status == "blocked"
    assert not hook.requests
    assert notices_sent(ops) == ["2026-05-06 期核验未通过"]
    approve(s, DEMO_DATE, by="chief-wang", override=True)
    assert run_day(s, DEMO_DATE, fetch_only=["local"]).status == "published"


def test_a_failing_run_is_told_to_the_operator_once(
    workspace: Path, hooks: tuple[pubservers.Recorder, ...]
) -> None:
    _, ops = hooks
    s = settings_of(workspace, formats=["md", "nosuchformat"])
    for _ in range(2):
        with pytest.raises(Exception, match="nosuchformat"):
            run_day(s, DEMO_DATE, fetch_only=["local"])
    assert notices_sent(ops) == ["2026-05-06 期运行失败"]
    assert Ledger(open_store(s.db_url)).run(DEMO_DATE).status == "failed"  # type: ignore[union-attr]


def test_cli_run_approve_publish_and_deliveries_json(workspace: Path) -> None:
    runner = CliRunner()
    home = ["--home", str(workspace)]
    toml = (
        (workspace / "dongtai.toml").read_text("utf-8").replace('mode = "auto"', 'mode = "approve"')
    )
    (workspace / "dongtai.toml").write_text(toml.replace('"gone"', '"local"'), "utf-8")
    done = runner.invoke(app, [*home, "run", "--date", "2026-05-06", "--no-fetch"])
    assert done.exit_code == 0 and "awaiting-approval" in done.stdout
    refused = runner.invoke(app, [*home, "publish", "2026-05-06"])
    assert refused.exit_code != 0
    assert runner.invoke(app, [*home, "approve", "2026-05-06", "--by", "li"]).exit_code == 0
    assert runner.invoke(app, [*home, "publish", "2026-05-06"]).exit_code == 0
    listed = runner.invoke(app, [*home, "deliveries", "--date", "2026-05-06", "--json"])
    [row] = json.loads(listed.stdout)
    assert list(row)[:4] == ["channel", "status", "attempts", "at"]
    assert (row["channel"], row["status"], row["attempts"]) == ("hook", "delivered", 1)
