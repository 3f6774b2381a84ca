"""The verification gate: figures must be stated by an item the same paragraph cites."""

from __future__ import annotations

from datetime import date

from dongtai.models import Briefing, Paragraph, Section, Subsection
from dongtai.verify import verify


def rebuilt(briefing: Briefing, old: str, new: str) -> tuple[tuple[Section, ...], str]:
    """The briefing's sections with the first paragraph containing ``old`` changed."""
    done = False
    sections = []
    for section in briefing.sections:
        subs = []
        for sub in section.subsections:
            paragraphs = []
            for p in sub.paragraphs:
                if not done and old in p.text:
                    p = Paragraph(text=p.text.replace(old, new, 1), refs=p.refs)
                    done = True
                paragraphs.append(p)
            subs.append(
                Subsection(number=sub.number, title=sub.title, paragraphs=tuple(paragraphs))
            )
        sections.append(section.model_copy(update={"subsections": tuple(subs)}))
    assert done, old
    return tuple(sections), briefing.abstract


def check(demo, sections, abstract):  # type: ignore[no-untyped-def]
    settings, result = demo
    from dongtai.store import open_store

    briefing = result.briefing
    items = open_store(settings.db_url).items_by_url(r.url for r in briefing.references)
    return verify(abstract, sections, briefing.references, items)


def test_the_demo_issue_passes_with_evidence_for_each_claim(demo) -> None:  # type: ignore[no-untyped-def]
    briefing = demo[1].briefing
    result = check(demo, briefing.sections, briefing.abstract)
    assert result.passed and result.checked == briefing.verification.checked


def test_a_changed_figure_is_caught_and_named(demo) -> None:  # type: ignore[no-untyped-def]
    sections, abstract = rebuilt(demo[1].briefing, "120 万片", "12 万片")
    result = check(demo, sections, abstract)
    assert not result.passed
    assert [c.text for c in result.unsupported] == ["12 万片"]
    assert result.unsupported[0].where.startswith("3.1")


def test_a_scale_swap_and_a_percentage_change_are_caught(demo) -> None:  # type: ignore[no-untyped-def]
    for old, new in (
        ("1 万亿美元", "1 万亿元"),
        ("1 万亿美元", "1 亿美元"),
        ("增长 25%", "增长 35%"),
    ):
        sections, abstract = rebuilt(demo[1].briefing, old, new)
        result = check(demo, sections, abstract)
        assert not result.passed, (old, new)


def test_a_figure_is_not_supported_by_an_item_the_paragraph_does_not_cite(demo) -> None:  # type: ignore[no-untyped-def]
    briefing = demo[1].briefing
    first = briefing.sections[0].subsections[0].paragraphs[0]
    moved = Paragraph(text=first.text + "全球硅片出货面积同比增长 13%。", refs=first.refs)
    sub = briefing.sections[0].subsections[0].model_copy(update={"paragraphs": (moved,)})
    section = briefing.sections[0].model_copy(
        update={"subsections": (sub, *briefing.sections[0].subsections[1:])}
    )
    result = check(demo, (section, *briefing.sections[1:]), briefing.abstract)
    assert [c.text for c in result.unsupported] == ["13%"]


def test_an_invented_figure_in_the_abstract_is_caught(demo) -> None:  # type: ignore[no-untyped-def]
    briefing = demo[1].briefing
    result = check(demo, briefing.sections, briefing.abstract + "全年投资达 9999 亿元。")
    assert [(c.text, c.where) for c in result.unsupported] == [("9999 亿元", "摘要")]
    assert date(2026, 5, 6) == briefing.date
