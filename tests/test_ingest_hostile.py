"""Ingest never crashes and never loses a good line: hostile bytes, values and races."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dongtai.cli import app
from dongtai.config import IngestSettings, Settings
from dongtai.errors import InputError
from dongtai.ingest import Parsed, parse_lines, split_lines
from dongtai.sources import load_registry
from dongtai.store import Store, open_store
from dongtai.text.sanitize import one_line_text, reader_text, url_problem
from dongtai.zones import zone

GOOD = {
    "url": "https://example.com/a",
    "source": "Reuters",
    "title": "Chip sales rise",
    "published": "2026-05-05T10:00:00+08:00",
    "text": "Global chip sales rose 25% in the first quarter.",
}


def record(**changes: object) -> str:
    return json.dumps({**GOOD, **changes}, ensure_ascii=False)


def parse(lines: list[str | bytes], limits: IngestSettings | None = None) -> Parsed:
    return parse_lines(lines, load_registry(None), zone("Asia/Shanghai"), 0.4, limits)


def reasons(parsed: Parsed) -> dict[int, str]:
    return {error.line: error.reason for error in parsed.errors}


def test_bad_bytes_reject_their_line_only_and_a_bom_is_accepted() -> None:
    data = (
        b"\xef\xbb\xbf" + record().encode() + b"\n"
        + record(url="https://example.com/b", title="caf\xc3\xa9").encode()[:-2] + b"\xff\"}\n"
        + record(url="https://example.com/c").encode() + b"\r\n"
    )  # fmt: skip
    parsed = parse(list(split_lines(data)))
    assert [item.url for item in parsed.items] == ["https://example.com/a", "https://example.com/c"]
    column = data.split(b"\n")[1].index(b"\xff") + 1
    assert reasons(parsed) == {2: f"not UTF-8: byte 0xff at column {column}"}


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085", "\x1c"])
def test_only_newline_splits_lines(separator: str) -> None:
    first = json.dumps({**GOOD, "text": f"one{separator}two"}, ensure_ascii=False)
    data = (first + "\n" + record(url="https://example.com/b", title="x\ny")).encode()
    parsed = parse(list(split_lines(data)))
    assert len(parsed.items) == 2 and not parsed.errors
    assert parsed.items[1].title == "x y"


@pytest.mark.parametrize(
    ("published", "reason"),
    [
        ("0001-01-01T00:00:00+05:00", "outside 1970–2100"),
        ("9999-12-31T23:59:59-05:00", "outside 1970–2100"),
        ("0001-01-01", "outside 1970–2100"),
        ("1969-12-31T23:59:59+00:00", "outside 1970–2100"),
        ("2101-01-01T00:00:00Z", "outside 1970–2100"),
        ("2026-05-05T10:00:00", "no UTC offset"),
    ],
)
def test_dates_out_of_range_are_rejected_with_a_reason(published: str, reason: str) -> None:
    parsed = parse([record(), record(url="https://example.com/b", published=published)])
    assert len(parsed.items) == 1
    assert reason in reasons(parsed)[2]


def test_hostile_values_reject_their_line_with_a_reason() -> None:
    lines = [
        record(),
        '{"url": "https://example.com/n", "n": ' + "9" * 5000 + "}",
        "[" * 100_000,
        record(url="https://example.com/\x07bell"),
        record(url="https://exa mple.com/"),
        record(url="https://example.com/\u202egnp.exe"),
        record(url="https://example.com/" + "a" * 3000),
        record(url="https://example.com:99999/"),
        record(source="\x00\x01"),
        record(title="\u202e\u200b"),
        record(summary_only="yes"),
        record(url="https://example.com/ok"),
    ]
    parsed = parse(lines)
    got = reasons(parsed)
    assert [item.url for item in parsed.items] == [
        "https://example.com/a",
        "https://example.com/ok",
    ]
    assert "a number of 5000 digits" in got[2]
    assert "nested too deeply" in got[3] or "not valid JSON" in got[3]
    assert got[4] == "'url' contains U+0007 at position 20"
    assert "U+0020" in got[5]
    assert "U+202E" in got[6]
    assert "longer than 2000" in got[7]
    assert "absolute http(s) URL" in got[8] or "not a valid URL" in got[8]
    assert "'source'" in got[9]
    assert "'title' is empty" in got[10]
    assert "summary_only" in got[11]


def test_reader_text_is_sanitised_and_capped_at_ingest() -> None:
    limits = IngestSettings(max_title_chars=40, max_text_chars=1000, max_summary_chars=100)
    hostile = json.dumps(
        {
            **GOOD,
            "title": "gnp.\u202eexe\x1b[31m red\x00 " + "长" * 120_000,
            "text": "line\x07 one\r\nline\ud800 two\ufffe" + "x" * 5000,
            "summary": "s\u2066ummary\u2069" * 100,
            "authors": ["A\u200bnna", "\x1b"],
        }
    )
    parsed = parse([hostile], limits)
    assert not parsed.errors
    item = parsed.items[0]
    assert item.title.startswith("gnp.exe[31m red 长") and len(item.title) == 40
    assert item.title.endswith("…")
    assert item.text.startswith("line one\nline\ufffd two\ufffd") and len(item.text) == 1000
    assert item.summary.startswith("summarysummary") and len(item.summary) == 100
    assert item.authors == ("Anna",)
    for text in (item.title, item.text, item.summary):
        assert not any(ord(c) < 32 and c != "\n" for c in text)


def test_sanitiser_rules() -> None:
    assert reader_text("a\x85b\x9fc\u00add\ufeffe\u2067f") == "abcdef"
    assert reader_text("👨\u200d👩 \u200c") == "👨\u200d👩 \u200c"  # joiners kept
    assert reader_text("\U0010ffff\ufdd0") == "\ufffd\ufffd"
    assert one_line_text(" a \n\t b ") == "a b"
    assert url_problem("https://example.com/a?b=c#d") is None


def test_summary_only_fields_round_trip(store: Store, settings: Settings) -> None:
    from dongtai.ingest import store_lines

    line = record(summary_only=True, page_error="HTTP 403 Forbidden")
    stored = store_lines(store, [line], load_registry(None), zone("Asia/Shanghai"), 0.4)
    assert stored.new == 1
    item = store.items_by_url(["https://example.com/a"])["https://example.com/a"]
    assert item.summary_only and item.page_error == "HTTP 403 Forbidden"


def test_cli_lists_every_bad_line_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_bytes(
        b"\xef\xbb\xbf" + record().encode() + b"\n\xff\n"
        + record(url="https://example.com/b", published="0001-01-01T00:00:00+05:00").encode()
        + b"\n" + record(url="https://example.com/c").encode()
    )  # fmt: skip
    result = CliRunner().invoke(app, ["--home", str(tmp_path / "home"), "ingest", str(path)])
    assert result.exit_code == 1, result.output
    assert f"{path}:2: not UTF-8" in result.stderr
    assert f"{path}:3: 'published' is outside 1970–2100" in result.stderr
    assert "2 new, 0 already stored, 2 rejected" in result.stdout


def test_cli_refuses_an_input_larger_than_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_bytes(record().encode() * 200)
    env = {"DONGTAI_INGEST__MAX_FILE_BYTES": "2048"}
    result = CliRunner().invoke(
        app, ["--home", str(tmp_path / "home"), "ingest", str(path)], env=env
    )
    assert isinstance(result.exception, InputError)
    assert str(result.exception) == f"{path} is larger than the 2,048-byte input limit"


CONCURRENT = """
import sys
from pathlib import Path
from dongtai.config import load_settings
from dongtai.ingest import split_lines, store_lines
from dongtai.sources import load_registry
from dongtai.store import open_store
from dongtai.zones import zone
s = load_settings(home=Path(sys.argv[1]))
store = open_store(s.db_url)
lines = split_lines(Path(sys.argv[2]).read_bytes())
done = store_lines(store, lines, load_registry(s.home), zone(s.timezone), 0.4)
print(done.new, done.already, len(done.errors))
"""


def _items_file(path: Path, numbers: range) -> Path:
    path.write_text(
        "".join(record(url=f"https://example.com/{n}") + "\n" for n in numbers), "utf-8"
    )
    return path


def test_concurrent_ingests_of_overlapping_files_and_first_opens_are_safe(tmp_path: Path) -> None:
    home = tmp_path / "home"
    files = [
        _items_file(tmp_path / "a.jsonl", range(0, 3000)),
        _items_file(tmp_path / "b.jsonl", range(1500, 4500)),
        _items_file(tmp_path / "c.jsonl", range(2000, 5000)),
    ]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT, str(home), str(f)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    results = [p.communicate(timeout=300) for p in procs]
    for (_, stderr), proc in zip(results, procs, strict=True):
        assert proc.returncode == 0, stderr
    counts = [tuple(map(int, stdout.split())) for stdout, _ in results]
    assert sum(new for new, _, _ in counts) == 5000
    assert all(new + already == 3000 and errors == 0 for new, already, errors in counts)
    assert open_store(f"sqlite:///{home / 'dongtai.db'}").count_items() == 5000
