"""The gate on what real text does (issue 11): figures glued to Latin words, model names,
bounds and qualifiers, a title binding a person to an organisation, dates in the body
against publication dates, and failures that name the closest candidate and the reason."""

from __future__ import annotations

import pytest

from dongtai.models import Claim

from .test_verify import DAY, gate, item


def failures(paragraph: str, evidence: str, lang: str = "zh", title: str = "") -> list[Claim]:
    """The failing claims (citations aside) of a paragraph citing one item."""
    cited = item(1, evidence, lang=lang, title=title)
    result = gate([(paragraph, (1,))], [cited])
    return [c for c in result.unsupported if c.kind != "citation"]


@pytest.mark.parametrize(
    ("paragraph", "evidence"),
    [
        ("全村共 246 户 1062 人参与。", "全村共246户1062人参与。"),
        ("平台已上架 46 款 app。", "平台已上架46款app。"),
        ("全市改造 3 亿个 led 路灯。", "全市改造3亿个led路灯。"),
        ("双方投资 380 亿美金。", "双方投资380亿美金7、其他。"),
        ("每人多 40 元，2018 年起实行。", "每人多40元2018年起实行。"),
        ("年内交付 1000 台 YX-H2 人形机器人。", "年内交付1000台YX-H2人形机器人。"),
        ("搭载 RTX 4090 与 A100，另有 H20。", "搭载RTX4090与A100，另有H20。"),
    ],
)
def test_a_figure_copied_from_an_item_verifies_with_or_without_spaces(
    paragraph: str, evidence: str
) -> None:
    assert failures(paragraph, evidence) == []


@pytest.mark.parametrize(
    ("paragraph", "evidence", "mismatch"),
    [
        ("用户超 1.0 亿。", "用户超1.7亿。", "value"),
        ("用户超 1.7 万。", "用户超1.7亿。", "value"),
        ("年发电 100 万度。", "年发电超过100亿度。", "value"),
        ("成本降幅超 63%。", "成本降幅超70%。", "value"),
        ("误差控制在 13% 以内。", "误差控制在8%以内。", "value"),
        ("误差不到 8%。", "误差在8%以上。", "qualifier"),
        ("共有 1250 种新药。", "共有超过1250种新药。", "qualifier"),
    ],
)
def test_a_weakened_bound_or_another_qualifier_fails_with_its_reason(
    paragraph: str, evidence: str, mismatch: str
) -> None:
    (claim,) = failures(paragraph, evidence)
    assert claim.kind == "figure"
    assert claim.mismatch == mismatch
    assert claim.closest_ref == 1 and claim.closest_sentence == evidence
    assert evidence[claim.closest_start : claim.closest_end] == claim.closest


def test_a_bound_restated_as_the_source_states_it_verifies() -> None:
    assert failures("用户超 1.7 亿，误差控制在 8% 以内。", "用户超1.7亿，误差控制在8%以内。") == []
    assert failures("超过 1250 种新药。", "more than 1,250 drugs", lang="en") == []


ROLE_ITEM = "工业和信息化部副部长尚冰15日表示，将推动5G应用。中国移动等企业参会。"


@pytest.mark.parametrize(
    ("paragraph", "ok"),
    [
        ("工信部副部长尚冰表示，将推动 5G 应用。", True),
        ("中国移动副部长尚冰表示，将推动 5G 应用。", False),
    ],
)
def test_a_title_binds_the_person_to_the_organisation(paragraph: str, ok: bool) -> None:
    failed = [c for c in failures(paragraph, ROLE_ITEM) if c.kind == "role"]
    assert (failed == []) is ok
    if not ok:
        (claim,) = failed
        assert claim.mismatch == "unbound"
        assert claim.closest == "工业和信息化部副部长尚冰"
        assert "not bound to the person" in claim.reason


def test_an_english_appositive_binds_the_person_too() -> None:
    evidence = "Jensen Huang, chief executive of Nvidia, said demand was strong."
    assert failures("英伟达首席执行官 Jensen Huang 表示需求强劲。", evidence, lang="en") == []
    wrong = failures(
        "AMD 首席执行官 Jensen Huang 表示需求强劲。", evidence + " AMD also spoke.", "en"
    )
    assert [c.kind for c in wrong] == ["role"]


def test_a_publication_date_supports_only_the_writers_attribution() -> None:
    evidence = "尚冰表示，将推动5G应用。"  # published on 5 May, no date in its text
    assert failures("据路透社 5 月 5 日报道，尚冰表示，将推动 5G 应用。", evidence) == []
    (claim,) = failures("尚冰 5 日表示，将推动 5G 应用。", evidence)
    assert claim.kind == "date" and claim.mismatch == "metadata"
    assert claim.closest_field == "published"


@pytest.mark.parametrize(
    "evidence",
    ["尚冰4日表示，将推动5G应用。", "尚冰昨天表示，将推动5G应用。", "尚冰周一表示，将推动5G应用。"],
)
def test_a_body_date_is_read_from_the_items_text_against_its_publication_day(
    evidence: str,
) -> None:
    assert DAY.date().isoweekday() == 2  # published on Tuesday 5 May 2026
    assert failures("尚冰 5 月 4 日表示，将推动 5G 应用。", evidence) == []
    (claim,) = failures("尚冰 5 月 3 日表示，将推动 5G 应用。", evidence)
    assert claim.mismatch == "date" and claim.closest_ref == 1
