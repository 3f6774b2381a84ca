"""Ingest follows the item JSON Lines contract: bad lines reported, good lines stored once."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dongtai.cli import app
from dongtai.config import Settings
from dongtai.ingest import Parsed, parse_lines
from dongtai.sources import load_registry
from dongtai.store import Store
from dongtai.zones import zone

from .conftest import ingest_lines, sample_lines

GOOD = {
    "url": "https://example.com/a",
    "source": "Reuters",
    "title": "Chip sales rise",
    "published": "2026-05-05T10:00:00+08:00",
    "text": "Global chip sales rose 25% in the first quarter.",
}


def parse(lines: list[str]) -> Parsed:
    return parse_lines(lines, load_registry(None), zone("Asia/Shanghai"), 0.4)


def line(**changes: object) -> str:
    record = {**GOOD, **changes}
    return json.dumps({k: v for k, v in record.items() if v is not None}, ensure_ascii=False)


def test_good_line_resolves_source_alias_and_detects_language() -> None:
    parsed = parse(
        [line(), line(url="https://example.com/b", text="全球芯片销售额增长25%。", title="芯片")]
    )
    assert not parsed.errors
    en, zh = parsed.items
    assert en.source == "reuters" and en.language == "en"
    assert zh.language == "zh"


def test_each_bad_line_is_reported_with_number_and_reason() -> None:
    lines = [
        line(),
        "{not json",
        "[1, 2]",
        line(url="https://example.com/c", title=None),
        line(url="ftp://example.com/x"),
        line(url="https://example.com/d", published="yesterday"),
        line(url="https://example.com/e", published="2026-05-05T10:00:00"),
        line(url="https://example.com/f", language="fr"),
        line(url="https://example.com/g", text="   "),
        line(url="https://example.com/h", authors="Ann"),
        "",
        line(url="https://example.com/i", published="2026-05-05"),
    ]
    parsed = parse(lines)
    reasons = {e.line: e.reason for e in parsed.errors}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert "not valid JSON" in reasons[2]
    assert "JSON object" in reasons[3]
    assert "missing required field title" in reasons[4]
    assert "absolute http(s) URL" in reasons[5]
    assert "ISO 8601" in reasons[6]
    assert "no UTC offset" in reasons[7]
    assert "'language'" in reasons[8]
    assert "'text' is empty" in reasons[9]
    assert "'authors'" in reasons[10]
    assert [i.url for i in parsed.items] == ["https://example.com/a", "https://example.com/i"]
    assert parsed.items[1].published.utcoffset() is not None


def test_unknown_outlet_is_accepted_with_default_weight() -> None:
    parsed = parse([line(source="Some Valley Newsletter")])
    assert parsed.items[0].source == "Some Valley Newsletter"
    source = parsed.new_sources["Some Valley Newsletter"]
    assert not source.known and source.weight == 0.4


def test_ingesting_twice_stores_nothing_twice(settings: Settings, store: Store) -> None:
    first = ingest_lines(settings, store, sample_lines())
    count = store.count_items()
    assert count == first.new == len([x for x in sample_lines() if x.strip()])
    second = ingest_lines(settings, store, sample_lines())
    assert second.new == 0 and second.already == count
    assert store.count_items() == count


def test_cli_reports_bad_line_by_number_and_stores_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join([line(), "{broken", line(url="https://example.com/z")]) + "\n")
    home = tmp_path / "home"
    runner = CliRunner()
    result = runner.invoke(app, ["--home", str(home), "ingest", str(path)])
    assert result.exit_code == 1
    assert f"{path}:2: not valid JSON" in result.stderr
    assert "2 new, 0 already stored, 1 rejected" in result.stdout
    again = runner.invoke(app, ["--home", str(home), "ingest", str(path)])
    assert "0 new, 2 already stored, 1 rejected" in again.stdout
