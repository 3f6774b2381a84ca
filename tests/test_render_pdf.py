"""The PDF renderer: layout checked on the PDF itself (pypdf text per page, fonts,
bookmarks) and the QR codes decoded from the rendered page (zxing-cpp)."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from dongtai.config import Branding, QrTarget
from dongtai.errors import RenderError
from dongtai.models import Briefing
from dongtai.render import toc
from dongtai.render.pdf import PdfRenderer, prepare

from . import render_samples
from .conftest import Demo
from .render_samples import HOSTILE, TYPST_MARKUP


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def render(briefing: Briefing, branding: Branding | None = None) -> bytes:
    return PdfRenderer.from_settings(branding or Branding()).render(briefing)


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def body_text(pages: list[str]) -> str:
    """All pages without running header (pages 2+) and footer, whitespace removed."""
    kept = []
    for i, text in enumerate(pages):
        lines = text.splitlines()
        kept.extend(lines[1 if i else 0 : -1])
    return squash("".join(kept))


def expected_entries(briefing: Briefing) -> list[str]:
    entries = [squash(f"{e.number} {e.title}") for e in toc(briefing)]
    return [*entries, "参考文献"]


def printed_toc(pages: list[str], entries: list[str]) -> tuple[dict[str, int], int]:
    """Entry → page number printed in the contents, and the index of its last page."""
    first = next(i for i, text in enumerate(pages) if "目录" in text)
    last = first
    while last + 1 < len(pages) and re.search(r"\.\s*\d+\s*$", pages[last + 1], re.M):
        last += 1
    text = squash("".join(pages[first : last + 1]))
    starts, pos = [], text.index("目录")
    for entry in entries:
        pos = text.index(entry, pos)
        starts.append(pos)
    printed = {}
    for i, entry in enumerate(entries):  # leaders and number lie between two entries
        gap = text[starts[i] + len(entry) : starts[i + 1] if i + 1 < len(entries) else None]
        match = re.match(r"\.*(\d+)(?!\d)", gap)
        assert match, f"no page number after {entry!r}"
        printed[entry] = int(match.group(1))
    return printed, last


def heading_pages(pages: list[str], entries: list[str], after: int) -> dict[str, int]:
    """Entry → the (1-based) page where its heading is, searching after the contents."""
    found, page = {}, after + 1
    for entry in entries:
        while entry not in squash(pages[page]):
            page += 1
        found[entry] = page + 1
    return found


def bookmarks(reader: PdfReader) -> dict[str, int]:
    def walk(items: list[Any]) -> Iterator[tuple[str, int]]:
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield squash(item.title), reader.get_destination_page_number(item) + 1

    return dict(walk(reader.outline))


@pytest.fixture(scope="module")
def demo_pdf(demo: Demo) -> bytes:
    settings, result = demo
    path = settings.home / "briefings" / "2026-05-06" / "briefing.pdf"
    assert path in result.paths
    return path.read_bytes()


# ---------------------------------------------------------------- demo issue


def test_demo_pdf_page_count_and_running_footer(demo_pdf: bytes) -> None:
    pages = page_texts(demo_pdf)
    assert 3 <= len(pages) <= 8
    for number, text in enumerate(pages, 1):
        assert squash(text).endswith(f"第{number}页/共{len(pages)}页")
    assert all(squash(t).startswith("新质生产力每日动态2026年5月6日") for t in pages[1:])


def test_demo_pdf_title_block(demo_pdf: bytes) -> None:
    first = squash(page_texts(demo_pdf)[0])
    order = ["新质生产力每日动态", "中国高技术产业发展促进会", "博雅云创&中科创新驱动"]
    order += ["2026年5月6日第126期", "摘要", "目录"]
    positions = [first.index(part) for part in order]
    assert positions == sorted(positions)


def test_demo_toc_page_numbers_are_where_the_headings_are(demo: Demo, demo_pdf: bytes) -> None:
    briefing = demo[1].briefing
    pages = page_texts(demo_pdf)
    entries = expected_entries(briefing)
    printed, last_toc_page = printed_toc(pages, entries)
    assert printed == heading_pages(pages, entries, last_toc_page)
    marks = bookmarks(PdfReader(io.BytesIO(demo_pdf)))
    assert {entry: marks[entry] for entry in entries} == printed


def test_demo_pdf_text_is_all_extractable(demo: Demo, demo_pdf: bytes) -> None:
    briefing = demo[1].briefing
    text = body_text(page_texts(demo_pdf))
    assert squash(briefing.abstract) in text
    for section in briefing.sections:
        for sub in section.subsections:
            for paragraph in sub.paragraphs:
                markers = "".join(f"[{n}]" for n in paragraph.refs)
                assert squash(paragraph.text) + markers in text
    for ref in briefing.references:
        assert squash(f"{ref.n}.{ref.source} ({ref.date}): {ref.title}") in text


def test_demo_pdf_embeds_every_font(demo_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(demo_pdf))
    names = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            assert "/ToUnicode" in font  # text can be copied and searched
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor)
            names.add(str(font["/BaseFont"]).split("+")[-1])
    assert any(name.startswith("NotoSerifSC") for name in names), names


def test_demo_pdf_has_no_missing_glyph_nor_font_warning(
    demo: Demo, caplog: pytest.LogCaptureFixture
) -> None:
    briefing = demo[1].briefing
    job = prepare(briefing, Branding())
    assert job.replaced == ()
    with caplog.at_level(logging.WARNING):
        _, warnings = job.run()
        PdfRenderer.from_settings(Branding()).render(briefing)
    assert warnings == [] and caplog.records == []


def test_pdf_is_deterministic() -> None:
    briefing = render_samples.small()
    assert render(briefing) == render(briefing)


# ---------------------------------------------------------------- unusual issues


def test_twelve_long_sections_keep_the_toc_right() -> None:
    briefing = render_samples.many_sections(12)
    data = render(briefing)
    pages = page_texts(data)
    assert 6 <= len(pages) <= 24
    entries = expected_entries(briefing)
    printed, last_toc_page = printed_toc(pages, entries)
    assert printed == heading_pages(pages, entries, last_toc_page)
    assert bookmarks(PdfReader(io.BytesIO(data)))["参考文献"] == printed["参考文献"]


def test_no_news_gives_a_short_complete_issue() -> None:
    briefing = render_samples.no_news()
    pages = page_texts(render(briefing))
    assert len(pages) == 1
    text = squash(pages[0])
    assert squash(briefing.abstract) in text
    assert "目录" not in text and "参考文献" not in text
    assert "联系我们" in text and "关于本刊" in text and text.endswith("第1页/共1页")


def test_markup_in_sources_prints_literally() -> None:
    texts = [*HOSTILE, *TYPST_MARKUP]
    data = render(render_samples.hostile(texts))
    reader = PdfReader(io.BytesIO(data))
    assert all(round(float(p.mediabox.width)) == 595 for p in reader.pages)  # A4 kept
    text = body_text([p.extract_text() for p in reader.pages])
    for literal in texts:
        squashed = squash(literal)
        assert squashed in text or squashed.replace("𠀀", "[U+20000]") in text, literal
    assert "🚀" in text and "䶮" in text and "𫖯" in text and "𬌗" in text


def test_character_no_font_has_prints_as_its_code_point(caplog: pytest.LogCaptureFixture) -> None:
    base = render_samples.small()
    briefing = base.model_copy(update={"abstract": "私用区字符\U000f0000在此。"})
    with caplog.at_level(logging.WARNING, logger="dongtai.render.pdf"):
        data = render(briefing)
    assert "私用区字符[U+F0000]在此。" in squash(page_texts(data)[0])
    assert "U+F0000" in caplog.text


def test_control_characters_and_line_breaks_are_cleaned() -> None:
    base = render_samples.small()
    briefing = base.model_copy(update={"abstract": "第一行\n\n第二行\x00\x1b结束"})
    assert "第一行 第二行结束" in page_texts(render(briefing))[0]


# ---------------------------------------------------------------- branding


def test_qr_codes_encode_the_configured_urls() -> None:
    targets = [
        QrTarget(label="官方公众号", url="https://mp.weixin.qq.com/s/committee-test"),
        QrTarget(label="网站\nexample.org", url="https://example.org/briefing?id=42"),
    ]
    branding = Branding(qr_codes=targets)
    job = prepare(render_samples.no_news(), branding)
    images, _ = job.pages_png(ppi=150)
    decoded = {code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(images[0])))}
    assert decoded == {t.url for t in targets}
    text = squash(page_texts(job.run()[0])[0])
    assert "官方公众号" in text and "网站example.org" in text


def test_branding_reaches_the_pdf(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (80, 40), "#004488").save(logo)
    branding = Branding(
        title="量子科技周报",
        issuer="某某研究院",
        partners=[],
        footer="内部资料 注意保存",
        logo=logo,
        issue_first=None,
        about="关于某某研究院的介绍。",
    )
    briefing = render_samples.small().model_copy(update={"title": "量子科技周报"})
    reader = PdfReader(io.BytesIO(render(briefing, branding)))
    first = reader.pages[0]
    text = squash(first.extract_text())
    assert text.startswith("量子科技周报某某研究院2026年5月6日")
    assert "期" not in text.split("摘要")[0]
    assert "内部资料注意保存第1页" in text
    images = [x.get_object() for x in first["/Resources"]["/XObject"].values()]
    assert [(x["/Subtype"], x["/Width"]) for x in images] == [("/Image", 80)]  # the logo
    assert "关于某某研究院的介绍。" in squash(reader.pages[-1].extract_text())


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.png", None, "does not exist"),
        ("logo.txt", "hello", "must be one of"),
        ("broken.png", "not a png", "PDF typesetting failed"),
    ],
)
def test_bad_logo_is_a_clear_error(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    logo = tmp_path / name
    if content is not None:
        logo.write_text(content, encoding="utf-8")
    with pytest.raises(RenderError, match=message):
        render(render_samples.small(), Branding(logo=logo))


def test_installed_fonts_named_by_the_branding_are_preferred() -> None:
    briefing = render_samples.small()
    chosen = prepare(briefing, Branding(body_fonts=["Noto Sans SC"]))
    assert chosen.data["fonts"]["body"][0] == "Noto Sans SC"
    absent = prepare(briefing, Branding(body_fonts=["No Such Font SC"], heading_fonts=[]))
    assert absent.data["fonts"]["body"][0] == "Noto Serif SC"
    assert absent.data["fonts"]["heading"][0] == "Noto Sans SC"
    assert "No Such Font SC" not in str(absent.data["fonts"])
    assert absent.run()[1] == []  # no "unknown font family" warning
