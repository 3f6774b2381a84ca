"""The verification gate: every claim must be supported by an item the same text cites."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from dongtai.cli import app
from dongtai.config import Settings
from dongtai.models import (
    Briefing,
    Item,
    Paragraph,
    Reference,
    Section,
    Subsection,
    Verification,
)
from dongtai.store import Store, open_store
from dongtai.verify.gate import verify
from dongtai.verify.recheck import recheck

from .conftest import Demo

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 5, 5, 10, tzinfo=SHANGHAI)


def item(n: int, text: str, source: str = "reuters", title: str = "", lang: str = "zh") -> Item:
    return Item(
        url=f"https://example.test/{n}",
        source=source,
        title=title or f"报道 {n}",
        published=DAY,
        text=text,
        language=lang,  # type: ignore[arg-type]
    )


def ref(n: int, it: Item) -> Reference:
    return Reference(n=n, source=it.source, date=DAY.date(), title=it.title, url=it.url)


def gate(
    paragraphs: list[tuple[str, tuple[int, ...]]], items: list[Item], abstract: str = ""
) -> Verification:
    """Verify one section whose paragraphs cite items by number (1-based)."""
    sub = Subsection(
        number="1.1",
        title="报道要点",
        paragraphs=tuple(Paragraph(text=t, refs=r) for t, r in paragraphs),
    )
    section = Section(number="1", title="要闻", topic="policy", subsections=(sub,))
    refs = tuple(ref(n, it) for n, it in enumerate(items, start=1))
    return verify(abstract, (section,), refs, {it.url: it for it in items}, issue_year=2026)


def failing(paragraph: str, evidence: str, lang: str = "zh") -> list[str]:
    """Texts of the claims that fail in a paragraph citing one item."""
    result = gate([(paragraph, (1,))], [item(1, evidence, lang=lang)])
    return [c.text for c in result.unsupported if c.kind != "citation"]


# --------------------------------------------------------------- support rules
@pytest.mark.parametrize(
    ("claim", "evidence", "lang", "ok"),
    [
        ("出货 120 万片。", "Shipments reached 1.2 million wafers.", "en", True),
        ("出货 12 万片。", "Shipments reached 1.2 million wafers.", "en", False),
        ("规模达 1 万亿美元。", "The market hit $1 trillion.", "en", True),
        ("规模达 1 万亿元。", "The market hit $1 trillion.", "en", False),
        ("规模达 1 亿美元。", "The market hit $1 trillion.", "en", False),
        ("占比约 40%。", "占比为40.2%。", "zh", True),
        ("占比约 40%。", "占比为46%。", "zh", False),
        ("超过 1250 种新药。", "more than 1,250 drugs", "en", True),
        ("占比百分之二十五。", "a 25% share", "en", True),
        ("占比两成。", "占比20%。", "zh", True),
        ("增长 70 percent。", "增长70%。", "zh", True),
        ("销售额同比增长 25%。", "Sales rose 25% from a year earlier.", "en", True),
        ("销售额同比下降 25%。", "Sales rose 25% from a year earlier.", "en", False),
        ("超过 100 个场景。", "它长达1,002公里。", "zh", False),
        ("欧洲增长 6%，日本增长 6%。", "欧洲增长6%，日本增长4%。", "zh", False),
        (
            "2025 年第四季度为 32.34 亿平方英寸。",
            "3,234 MSI in the fourth quarter of 2025",
            "en",
            True,
        ),
        (
            "2026 年第一季度为 32.34 亿平方英寸。",
            "3,234 MSI in the fourth quarter of 2025",
            "en",
            False,
        ),
        ("3 月销售额为 690 亿美元。", "March sales were $69.0 billion.", "en", True),
        ("4 月销售额为 690 亿美元。", "March sales were $69.0 billion.", "en", False),
        (
            "美国半导体行业协会发布数据。",
            "The Semiconductor Industry Association said.",
            "en",
            True,
        ),
        (
            "国际半导体产业协会发布数据。",
            "The Semiconductor Industry Association said.",
            "en",
            False,
        ),
        ("报告称之为“战略监听站”。", "中国市场是一个“战略监听站”。", "zh", True),
        ("报告称之为“战略观察站”。", "中国市场是一个“战略监听站”。", "zh", False),
    ],
)
def test_support_rules(claim: str, evidence: str, lang: str, ok: bool) -> None:
    assert (failing(claim, evidence, lang) == []) is ok, failing(claim, evidence, lang)


def test_a_day_is_supported_by_the_publication_date_and_ranges_must_run_forward() -> None:
    assert failing("据路透社 5 月 5 日报道。", "无关日期的正文。") == []
    assert failing("据路透社 5 月 6 日报道。", "无关日期的正文。") == ["5 月 6 日"]
    result = gate([("据路透社 5 月 5 日至 4 日报道。", (1,))], [item(1, "5月4日的消息。")])
    assert [(c.text, c.reason) for c in result.unsupported] == [
        ("4 日", "the date range ends before it starts")
    ]


def test_only_an_item_the_same_paragraph_cites_supports_it() -> None:
    items = [item(1, "营收增长13%。"), item(2, "利润增长25%。")]
    result = gate([("营收增长 13%。", (1,)), ("营收增长 25%。", (1,))], items)
    assert [(c.text, c.where) for c in result.unsupported if c.kind == "figure"] == [
        ("25%", "1.1 第 2 段")
    ]


def test_failures_are_structured_for_repair() -> None:
    result = gate([("据路透社报道，营收达 777 亿元。", (1,))], [item(1, "营收达到666亿元。")])
    (claim,) = [c for c in result.unsupported if c.kind == "figure"]
    assert claim.pointer == "/sections/0/subsections/0/paragraphs/0/text"
    assert "据路透社报道，营收达 777 亿元。"[claim.start : claim.end] == "777 亿元"
    assert claim.reason.startswith("no cited item states this figure (closest: “666亿元”")
    assert claim.sentence == "据路透社报道，营收达 777 亿元。"


def test_citations_must_exist_and_contribute() -> None:
    items = [item(1, "营收增长13%。"), item(2, "天气晴朗，气温适宜。", source="xinhua")]
    result = gate([("营收增长 13%。", (1, 2, 9)), ("天气晴朗，气温适宜。", (2,))], items)
    assert sorted((c.text, c.reason) for c in result.unsupported) == [
        ("[2]", "reference [2] supports nothing in this paragraph"),
        ("[9]", "there is no reference [9]"),
    ]


def test_references_must_match_their_items_and_be_cited() -> None:
    a, b = item(1, "营收增长13%。"), item(2, "利润增长25%。")
    sub = Subsection(
        number="1.1", title="要点", paragraphs=(Paragraph(text="营收增长 13%。", refs=(1,)),)
    )
    section = Section(number="1", title="要闻", topic="policy", subsections=(sub,))
    refs = (ref(1, a).model_copy(update={"date": date(2026, 5, 1), "title": "改过的"}), ref(2, b))
    result = verify("", (section,), refs, {a.url: a, b.url: b})
    assert [c.reason for c in result.unsupported] == [
        "the item's title is “报道 1”",
        "no paragraph cites this reference",
    ]
    missing = verify("", (section,), (*refs[1:2], ref(1, a)), {b.url: b})
    assert "the item of this reference is not in the store" in [
        c.reason for c in missing.unsupported
    ]


def test_an_abstract_sentence_is_checked_against_one_story() -> None:
    first = Subsection(
        number="1.1",
        title="A",
        paragraphs=(Paragraph(text="据路透社报道，营收增长 13%。", refs=(1,)),),
    )
    second = Subsection(
        number="1.2",
        title="B",
        paragraphs=(Paragraph(text="据新华社报道，利润增长 25%。", refs=(2,)),),
    )
    section = Section(number="1", title="要闻", topic="policy", subsections=(first, second))
    a, b = item(1, "营收增长13%。"), item(2, "利润增长25%。", source="xinhua")
    refs, items = (ref(1, a), ref(2, b)), {a.url: a, b.url: b}
    assert verify("路透社称营收增长 13%。", (section,), refs, items).passed
    mixed = verify("路透社称营收增长 25%。", (section,), refs, items)
    assert [c.text for c in mixed.unsupported] == ["25%"]


# --------------------------------------------------------------- the demo issue
def test_the_demo_issue_passes_and_every_claim_has_its_evidence(demo: Demo) -> None:
    settings, result = demo
    v = result.briefing.verification
    assert v.passed and result.status == "passed" and v.checked == len(v.claims)
    counts = {k: sum(c.kind == k for c in v.claims) for k in ("figure", "date", "organisation")}
    assert counts["figure"] >= 30 and counts["date"] >= 10 and counts["organisation"] >= 30
    items = open_store(settings.db_url).items_by_url(r.url for r in result.briefing.references)
    urls = {r.n: r.url for r in result.briefing.references}
    for claim in v.claims:
        if claim.kind in ("citation", "reference"):
            continue
        assert claim.evidence_url == urls[claim.evidence_ref]
        field = claim.evidence_field
        if field in ("title", "summary", "text"):
            body = getattr(items[claim.evidence_url], field)
            assert body[claim.evidence_start : claim.evidence_end] == claim.evidence
            assert claim.evidence in claim.evidence_sentence


def test_recheck_from_the_store_agrees_with_the_pipeline(demo: Demo) -> None:
    settings, result = demo
    again = recheck(settings, result.briefing)
    assert again.passed and again.checked == result.briefing.verification.checked


def _edited(demo: Demo, tmp_path: Path, old: str, new: str) -> Path:
    settings, _result = demo
    path = settings.briefings_dir / "2026-05-06" / "briefing.json"
    text = path.read_text("utf-8")
    assert old in text
    edited = tmp_path / "edited.json"
    edited.write_text(text.replace(old, new), "utf-8")
    return edited


def test_cli_verify_reports_on_a_date_and_on_an_edited_file(demo: Demo, tmp_path: Path) -> None:
    settings, _ = demo
    runner = CliRunner()
    done = runner.invoke(app, ["--home", str(settings.home), "verify", "2026-05-06"])
    assert done.exit_code == 0, done.output
    assert "verification passed" in done.stdout
    edited = _edited(demo, tmp_path, "120 万片", "12 万片")
    done = runner.invoke(app, ["--home", str(settings.home), "verify", str(edited)])
    assert done.exit_code == 1
    assert "figure 「12 万片」: no cited item states this figure" in done.stdout
    assert "a different value" in done.stdout and "      closest: [" in done.stdout
    done = runner.invoke(app, ["--home", str(settings.home), "verify", str(edited), "--json"])
    report = json.loads(done.stdout)
    assert done.exit_code == 1 and report["passed"] is False
    assert {c["text"] for c in report["unsupported"]} == {"12 万片"}
    assert all(c["pointer"] and c["reason"] for c in report["unsupported"])
    claim = report["unsupported"][0]
    assert claim["mismatch"] == "value" and "120" in claim["closest"]
    assert claim["closest"] in claim["closest_sentence"] and claim["closest_ref"] > 0


def test_cli_verify_says_what_is_wrong_with_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"date": "2026-05-06"}', "utf-8")
    done = CliRunner().invoke(app, ["--home", str(tmp_path), "verify", str(bad)])
    assert done.exit_code != 0
    assert "is not a briefing" in str(done.exception) or "is not a briefing" in done.output


def test_brief_allow_unverified_publishes_and_records_it(
    settings: Settings, store: Store, tampering_writer: str
) -> None:
    from .conftest import ingest_lines, sample_lines

    ingest_lines(settings, store, sample_lines())
    args = ["--home", str(settings.home), "brief", "--date", "2026-05-06", "--writer", "tampering"]
    done = CliRunner().invoke(app, [*args, "--allow-unverified", "--format", "json,html"])
    assert done.exit_code == 0, done.output
    assert "1.1 第 1 段: 777 亿元 (figure: no cited item states this figure" in done.stderr
    out = settings.home / "briefings" / "2026-05-06"
    document = json.loads((out / "briefing.json").read_text("utf-8"))
    assert document["verification"]["passed"] is False
    assert document["verification"]["allow_unverified"] is True
    stored = store.load_briefing(date(2026, 5, 6))
    assert stored is not None and stored[1] == "overridden"
    page = (out / "briefing.html").read_text("utf-8")
    assert 'class="claim unsupported" title="未找到依据：no cited item states this figure' in page


def test_the_html_shows_the_evidence_of_each_claim_on_hover(demo: Demo) -> None:
    settings, _ = demo
    page = (settings.briefings_dir / "2026-05-06" / "briefing.html").read_text("utf-8")
    assert '<span class="claim" title="依据 [' in page
    assert 'class="claim unsupported"' not in page


def test_the_briefing_json_carries_every_claim(demo: Demo) -> None:
    settings, result = demo
    path = settings.briefings_dir / "2026-05-06" / "briefing.json"
    data = json.loads(path.read_text("utf-8"))
    assert len(data["verification"]["claims"]) == result.briefing.verification.checked
    assert Briefing.model_validate(data) == result.briefing


def test_people_named_by_the_items_are_claims() -> None:
    by_her = item(1, "Julia Ferrand reports on the campus.", lang="en").model_copy(
        update={"authors": ("Julia Ferrand",)}
    )
    other = item(2, "营收增长13%。")
    result = gate(
        [("Julia Ferrand 称营收增长 13%。", (2,)), ("Julia Ferrand 报道。", (1,))], [by_her, other]
    )
    assert [(c.kind, c.where) for c in result.unsupported if c.kind == "person"] == [
        ("person", "1.1 第 1 段")
    ]


def test_hostile_text_does_not_crash_the_gate() -> None:
    hostile = "\u202e２５％\u202c" + "9" * 5000 + "亿美元" + "“" * 300 + "一" * 2000 + "万" * 500
    result = gate([(hostile + "。", (1,))], [item(1, hostile)])
    assert result.checked > 0
    assert all(c.where == "1.1 第 1 段" for c in result.unsupported)
