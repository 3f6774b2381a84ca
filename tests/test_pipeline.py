"""The pipeline end to end: persistence between stages, re-runs, failure policy, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dongtai import pipeline
from dongtai.cli import app
from dongtai.config import Settings, load_settings
from dongtai.errors import StageError
from dongtai.models import Story
from dongtai.store import Store

from .conftest import DEMO_DATE, ingest_lines, sample_lines


def test_stories_persist_and_cross_language_reports_merge(demo) -> None:  # type: ignore[no-untyped-def]
    settings, _ = demo
    from dongtai.store import open_store

    ranked = [
        Story.model_validate(s) for s in open_store(settings.db_url).load_stage(DEMO_DATE, "rank")
    ]
    by_url = {i.url: s for s in ranked for i in s.items}
    report = by_url[
        "https://itif.org/publications/2026/05/04/us-technology-companies-should-keep-operating-in-china/"
    ]
    assert {"itif", "scmp", "guancha"} <= set(report.outlets())
    assert {i.language for i in report.items} == {"en", "zh"}
    panel = by_url[
        "https://itif.org/events/2026/05/05/countering-chinas-techno-economic-offensive/"
    ]
    assert panel.id != report.id
    assert all(len(s.reasons) == 5 for s in ranked)


def test_any_stage_reruns_alone_from_stored_input(demo) -> None:  # type: ignore[no-untyped-def]
    settings, _ = demo
    json_path = settings.home / "briefings" / "2026-05-06" / "briefing.json"
    before = json_path.read_text("utf-8")
    json_path.unlink()
    plans = pipeline.run_stage(settings, DEMO_DATE, "plan")
    assert [p.number for p in plans] == [1, 2, 3, 4, 5, 6]
    for stage in ("write", "verify"):
        pipeline.run_stage(settings, DEMO_DATE, stage)
    assert not json_path.exists()
    paths = pipeline.run_stage(settings, DEMO_DATE, "render")
    assert str(json_path) in paths
    assert json_path.read_text("utf-8") == before


def test_a_stage_without_stored_input_says_what_to_run(settings: Settings) -> None:
    with pytest.raises(StageError, match="run the stages up to 'rank' first"):
        pipeline.run_stage(settings, DEMO_DATE, "plan")


def test_rebuilding_gives_the_same_briefing(settings: Settings, store: Store) -> None:
    ingest_lines(settings, store, sample_lines())
    first = pipeline.build(settings, DEMO_DATE, store=store)
    second = pipeline.build(settings, DEMO_DATE, store=store)
    assert first.briefing == second.briefing
    assert store.count_items() == len([x for x in sample_lines() if x.strip()])


def test_a_later_issue_does_not_repeat_what_an_earlier_one_cited(
    settings: Settings, store: Store
) -> None:
    ingest_lines(settings, store, sample_lines())
    first = pipeline.build(settings, DEMO_DATE, store=store)
    wide = settings.model_copy(update={"window_hours": 72})
    later = pipeline.build(wide, DEMO_DATE.replace(day=7), store=store)
    assert not {r.url for r in first.briefing.references} & {
        r.url for r in later.briefing.references
    }


def test_failed_verification_still_writes_marked_files_and_exits_non_zero(
    settings: Settings, store: Store, tampering_writer: str
) -> None:
    ingest_lines(settings, store, sample_lines())
    result = CliRunner().invoke(
        app,
        ["--home", str(settings.home), "brief", "--date", "2026-05-06", "--writer", "tampering"],
    )
    assert result.exit_code == 1
    assert "verification FAILED: 1 of" in result.stderr
    assert "1.1 第 1 段: 777 亿元" in result.stderr
    out = settings.home / "briefings" / "2026-05-06"
    document = json.loads((out / "briefing.json").read_text("utf-8"))
    assert document["verification"]["passed"] is False
    assert "核验未通过" in (out / "briefing.md").read_text("utf-8")
    stored = store.load_briefing(DEMO_DATE)
    assert stored is not None and stored[1] == "failed"


def test_demo_command_builds_into_the_chosen_home_and_rebuilds(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DONGTAI_")}
    command = [sys.executable, "-m", "dongtai", "demo"]
    for _ in range(2):
        done = subprocess.run(
            command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
    out = tmp_path / "dongtai-demo" / "briefings" / "2026-05-06"
    assert {p.name for p in out.iterdir()} == {
        "briefing.md", "briefing.html", "briefing.pdf", "briefing.json"
    }  # fmt: skip
    assert "0 new, 97 already stored, 0 rejected" in done.stdout
    assert "verification passed" in done.stdout


def test_errors_become_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "DONGTAI_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "dongtai", "brief", "--date", "2026-05-06", "--format", "pdfx"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: unknown renderer 'pdfx' (available: docx, html, json, md, pdf, wechat)"
    )


def test_settings_precedence_defaults_file_env_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DONGTAI_WINDOW_HOURS", raising=False)
    monkeypatch.delenv("DONGTAI_CONFIG", raising=False)
    assert load_settings(home=tmp_path).window_hours == 48
    (tmp_path / "dongtai.toml").write_text("window_hours = 24\n[branding]\ntitle = 'X 日报'\n")
    assert load_settings(home=tmp_path).window_hours == 24
    assert load_settings(home=tmp_path).branding.title == "X 日报"
    monkeypatch.setenv("DONGTAI_WINDOW_HOURS", "36")
    assert load_settings(home=tmp_path).window_hours == 36
    assert load_settings(home=tmp_path, window_hours=12).window_hours == 12
    monkeypatch.setenv("DONGTAI_HOME", str(tmp_path))
    assert load_settings().window_hours == 36


def test_a_source_failing_for_n_runs_is_an_operator_note_not_reader_text(
    settings: Settings, store: Store
) -> None:
    from datetime import UTC, datetime

    from dongtai.models import FetchRun

    ingest_lines(settings, store, sample_lines())
    now = datetime(2026, 5, 5, tzinfo=UTC)
    for n in range(settings.fetch.failing_after):
        store.record_fetch(
            FetchRun(
                source="semi", status="failed", error=f"HTTP 503 ({n})", started=now, finished=now
            )
        )
    store.record_fetch(
        FetchRun(source="sia", status="failed", error="timeout", started=now, finished=now)
    )
    result = pipeline.build(settings, DEMO_DATE, store=store)
    notes = result.briefing.operator_notes
    assert len(notes) == 1 and notes[0].startswith("source semi failed 3 runs in a row: HTTP 503")
    out = settings.home / "briefings" / "2026-05-06"
    assert "source semi failed" not in (out / "briefing.md").read_text("utf-8")
    assert "source semi failed" not in (out / "briefing.html").read_text("utf-8")
    document = json.loads((out / "briefing.json").read_text("utf-8"))
    assert document["operator_notes"] == list(notes)
