"""The WeChat HTML and DOCX renderers: structure, literal text, what each medium forbids."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import zxingcpp
from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from PIL import Image

from dongtai.config import Branding
from dongtai.models import Briefing, Claim, Verification
from dongtai.render.docx import DocxRenderer
from dongtai.render.wechat import WechatRenderer

from . import render_samples
from .render_samples import HOSTILE, TYPST_MARKUP
from .test_render import _Tags


def wechat(briefing: Briefing, branding: Branding | None = None) -> str:
    return WechatRenderer.from_settings(branding or Branding()).render(briefing).decode("utf-8")


def parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


def failed() -> Briefing:
    claim = Claim(text="120 万片", where="2.1", supported=False)
    verification = Verification(passed=False, checked=5, unsupported=(claim,))
    return render_samples.small().model_copy(update={"verification": verification})


# ---------------------------------------------------------------- wechat


def test_wechat_has_inline_styles_only_and_loads_nothing() -> None:
    page = wechat(render_samples.small())
    tags = parse(page).tags
    assert {t for t, _ in tags} <= {"section", "h1", "h2", "h3", "p", "span", "sup", "br"}
    assert all(attrs.get("style") for tag, attrs in tags if tag != "br")
    assert {name for _, attrs in tags for name in attrs} <= {"style"}
    for forbidden in ("<style", "<script", "<img", "<svg", "<a ", "url(", "@import", "<head"):
        assert forbidden not in page


def test_wechat_structure_follows_the_pdf() -> None:
    page = wechat(render_samples.small())
    text = "".join(parse(page).text)
    order = ["新质生产力每日动态", "2026 年 5 月 6 日　第 126 期", "摘要", "目录", "1.2影响分析"]
    order += ["2中国硅片国产化 70% 目标", "外部压力加大。[1]", "参考文献"]
    order += ["[3] Nikkei Asia (2026-05-05): Wafers 70%", "https://www.nikkei.com/c"]
    order += ["联系我们，请扫描二维码", "工业智能算网 gyznsw.cn：https://gyznsw.cn", "关于本刊"]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    assert "word-break: break-all" in page  # long URLs wrap on a phone
    assert "核验未通过" not in page


def test_wechat_hostile_text_prints_literally() -> None:
    texts = [*HOSTILE, *TYPST_MARKUP]
    page = wechat(render_samples.hostile(texts))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    text = "".join(parse(page).text)
    for literal in texts:
        assert literal in text


def test_wechat_warning_and_no_news() -> None:
    page = wechat(failed())
    assert page.index("⚠ 核验未通过") < page.index(">摘要<")
    assert "• 「120 万片」（2.1）" in page
    empty = wechat(render_samples.no_news())
    assert "目录" not in empty and "参考文献" not in empty and "关于本刊" in empty


# ---------------------------------------------------------------- docx


def docx(briefing: Briefing, branding: Branding | None = None) -> DocumentObject:
    data = DocxRenderer.from_settings(branding or Branding()).render(briefing)
    return Document(io.BytesIO(data))


def styled(doc: DocumentObject, style: str) -> list[str]:
    return [re.sub(r"\s+", " ", p.text) for p in doc.paragraphs if p.style.name == style]


def instructions(element: object) -> list[str]:
    found = element.iter(qn("w:instrText"))  # type: ignore[attr-defined]
    return [node.text.strip() for node in found]


def test_docx_has_real_headings_toc_field_and_references() -> None:
    briefing = render_samples.small()
    doc = docx(briefing)
    assert styled(doc, "Heading 1") == [
        "1 智库报告：美国科技公司应继续在华运营",
        "2 中国硅片国产化 70% 目标",
        "参考文献",
    ]
    assert styled(doc, "Heading 2") == [
        "1.1 报告要点",
        "1.2 影响分析",
        "2.1 目标与产能",
        "2.2 产业生态",
    ]
    assert instructions(doc.element.body) == ['TOC \\o "1-2" \\h \\z \\u']
    assert doc.settings.element.find(qn("w:updateFields")) is not None
    texts = [p.text for p in doc.paragraphs]
    assert "1.\tITIF (2026-05-04): Keep Operating\nhttps://itif.org/a" in texts
    assert "据 ITIF 报道。[1][2]" in texts
    links = {r.target_ref for r in doc.part.rels.values() if r.is_external}
    assert set(render_samples.REF_URLS) <= links
    footer = doc.sections[0].footer.paragraphs[0]
    assert instructions(footer._p) == ["PAGE", "NUMPAGES"]
    assert footer.text.startswith("中国高技术产业发展促进会新质生产力工作委员会")
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "宋体"


def test_docx_title_block_and_contact_qr_codes() -> None:
    doc = docx(render_samples.small())
    assert [p.text for p in doc.paragraphs[:4]] == [
        "新质生产力每日动态",
        "中国高技术产业发展促进会新质生产力工作委员会",
        "博雅云创 & 中科创新驱动",
        "2026 年 5 月 6 日　第 126 期",
    ]
    pictures = [rel.target_part.blob for rel in doc.part.rels.values() if "image" in rel.reltype]
    decoded = {
        code.text
        for blob in pictures
        for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(blob)))
    }
    assert decoded == {q.url for q in Branding().qr_codes}
    captions = [p.text for cell in doc.tables[0].rows[0].cells for p in cell.paragraphs]
    assert captions == ["", "新质生产力工作委员会", "官方公众号", "", "工业智能算网", "gyznsw.cn"]


def test_docx_is_deterministic() -> None:
    briefing = render_samples.small()
    first = DocxRenderer.from_settings(Branding()).render(briefing)
    assert DocxRenderer.from_settings(Branding()).render(briefing) == first
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        assert {m.date_time for m in package.infolist()} == {(2026, 5, 6, 0, 0, 0)}


def test_docx_hostile_text_is_literal() -> None:
    texts = [*HOSTILE, *TYPST_MARKUP]
    doc = docx(render_samples.hostile(texts))
    full = "\n".join(p.text for p in doc.paragraphs)
    for literal in texts:
        assert literal in full


def test_docx_warning_and_no_news() -> None:
    texts = [p.text for p in docx(failed()).paragraphs]
    assert texts[4].startswith("⚠ 核验未通过：1 处") and texts[5] == "• 「120 万片」（2.1）"
    empty = docx(render_samples.no_news())
    assert styled(empty, "Heading 1") == [] and instructions(empty.element.body) == []
    assert "关于本刊" in [p.text for p in empty.paragraphs]


@pytest.mark.parametrize(
    ("text", "printed"),
    [("控制符\x00\x08\x1f结束", "控制符结束"), ("换行\r\n\r\n之后", "换行 之后")],
)
def test_docx_survives_characters_xml_forbids(text: str, printed: str) -> None:
    doc = docx(render_samples.small().model_copy(update={"abstract": text}))
    assert doc.paragraphs[5].text == printed
