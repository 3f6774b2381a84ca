"""DOCX rendering of a briefing (python-docx), for editors who work in Word or WPS.

Structure, as in the PDF: title block (name, issuer, partners, date and issue number),
the failed-verification banner, 摘要, 目录 as a real Word TOC field (``TOC \\o "1-2"
\\h \\z \\u``; the file asks Word to update fields on opening, so page numbers appear
there), sections as ``Heading 1`` (``1 标题``) and subsections as ``Heading 2``
(``1.1 标题``) with citation markers in superscript, 参考文献 (``Heading 1``, in the
TOC) with one numbered paragraph per reference and its URL as a hyperlink, the contact
block with the QR codes as PNG pictures and their captions, the about block. The
header repeats name and date; the footer carries the footer text and
``第 {PAGE} 页 / 共 {NUMPAGES} 页`` fields. A4, Chinese fonts by name (宋体 for text, 黑体
for headings; Word substitutes when they are missing), colours from the branding.

The same briefing gives the same bytes (the package's members are dated with the
issue date). Text is data: python-docx writes it as XML text, so markup of any kind stays literal;
line breaks fold into spaces and control characters (invalid in XML) are dropped
(:func:`dongtai.render.one_line`).
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, time

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from dongtai.config import Branding
from dongtai.models import Briefing, Reference, Section
from dongtai.render import (
    BrandedRenderer,
    dateline,
    footer_text,
    one_line,
    reference_label,
    safe_url,
    warning_lines,
)
from dongtai.render.qr import png as qr_png

__all__ = ["DocxRenderer"]

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
TOC_HINT = "右键单击此处并选择“更新域”，生成带页码的目录。"
RED = RGBColor(0xB0, 0x00, 0x20)


class DocxRenderer(BrandedRenderer):
    """Renders ``briefing.docx``."""

    name = "docx"
    extension = "docx"

    def render(self, briefing: Briefing) -> bytes:
        """The Word document."""
        branding = self.branding
        doc = Document()
        _setup(doc, briefing, branding)
        _title_block(doc, briefing, branding)
        _warning(doc, briefing)
        _block_title(doc, "摘要", branding)
        _text_paragraph(doc, briefing.abstract)
        if briefing.sections:
            _block_title(doc, "目录", branding)
            _field(doc.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u', TOC_HINT)
            for section in briefing.sections:
                _section(doc, section, branding)
            _heading(doc, 1, "", "参考文献", branding)
            for ref in briefing.references:
                _reference(doc, ref, branding)
        _contact(doc, branding)
        _block_title(doc, "关于本刊", branding)
        _text_paragraph(doc, branding.about)
        site = safe_url(branding.site_url)
        if site:
            _hyperlink(doc.add_paragraph("网站地址："), site, site, branding)
        buffer = io.BytesIO()
        doc.save(buffer)
        return _dated_zip(buffer.getvalue(), briefing.date)


def _dated_zip(data: bytes, day: date) -> bytes:
    """The package with every member dated ``day`` (python-docx stamps the clock), so the
    same briefing always gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, (day.year, day.month, day.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(member))
    return out.getvalue()


def _color(hex_color: str) -> RGBColor:
    return RGBColor.from_string(hex_color.lstrip("#").upper())


def _east_asian(rpr: BaseOxmlElement, font: str) -> None:
    """Name the East Asian font of a run or style (python-docx names only the Latin one)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), font)


def _setup(doc: DocumentObject, briefing: Briefing, branding: Branding) -> None:
    """Page, styles, metadata, running header and footer."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(21)
    section.top_margin, section.bottom_margin = Mm(25), Mm(24)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.font.color.rgb = _color(branding.colors.text)
    _east_asian(normal.element.get_or_add_rPr(), BODY_FONT)
    for level, size in ((1, 14), (2, 12)):
        style = doc.styles[f"Heading {level}"]
        style.font.size, style.font.bold = Pt(size), True
        style.font.color.rgb = _color(branding.colors.text)
        _east_asian(style.element.get_or_add_rPr(), HEADING_FONT)
    props = doc.core_properties
    props.title = f"{briefing.title or branding.title} {dateline(briefing.date, branding)}"
    props.author = branding.issuer
    props.created = props.modified = datetime.combine(briefing.date, time(0), tzinfo=UTC)
    header = section.header.paragraphs[0]
    header.text = (
        f"{one_line(briefing.title or branding.title)}\t\t{dateline(briefing.date, branding)}"
    )
    footer = section.footer.paragraphs[0]
    footer.add_run(f"{one_line(footer_text(branding))}\t\t第 ")
    _field(footer, "PAGE", "1")
    footer.add_run(" 页 / 共 ")
    _field(footer, "NUMPAGES", "1")
    footer.add_run(" 页")
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    doc.settings.element.append(update)


def _title_block(doc: DocumentObject, briefing: Briefing, branding: Branding) -> None:
    lines = [
        (briefing.title or branding.title, 24, branding.colors.primary),
        (branding.issuer, 12, branding.colors.text),
        (" & ".join(branding.partners), 10.5, branding.colors.muted),
        (dateline(briefing.date, branding), 10.5, branding.colors.muted),
    ]
    for text, size, color in lines:
        if not text:
            continue
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(one_line(text))
        run.font.size, run.font.color.rgb = Pt(size), _color(color)
        run.font.bold = size > 20
        _east_asian(run._r.get_or_add_rPr(), HEADING_FONT if size > 20 else BODY_FONT)


def _warning(doc: DocumentObject, briefing: Briefing) -> None:
    for i, line in enumerate(warning_lines(briefing)):
        run = doc.add_paragraph().add_run(one_line(line if i == 0 else f"• {line}"))
        run.font.color.rgb, run.font.bold = RED, i == 0


def _block_title(doc: DocumentObject, text: str, branding: Branding) -> None:
    """A heading that stays out of the TOC (摘要, 目录, contact, 关于本刊)."""
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(14)
    run = paragraph.add_run(one_line(text))
    run.font.size, run.font.bold = Pt(14), True
    run.font.color.rgb = _color(branding.colors.text)
    _east_asian(run._r.get_or_add_rPr(), HEADING_FONT)


def _heading(doc: DocumentObject, level: int, number: str, title: str, branding: Branding) -> None:
    paragraph = doc.add_heading(level=level)
    if number:
        num = paragraph.add_run(f"{one_line(number)}  ")
        num.font.color.rgb = _color(branding.colors.primary)
    paragraph.add_run(one_line(title))


def _text_paragraph(doc: DocumentObject, text: str) -> Paragraph:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Pt(21)
    paragraph.add_run(one_line(text))
    return paragraph


def _section(doc: DocumentObject, section: Section, branding: Branding) -> None:
    _heading(doc, 1, section.number, section.title, branding)
    for sub in section.subsections:
        _heading(doc, 2, sub.number, sub.title, branding)
        for p in sub.paragraphs:
            marker = _text_paragraph(doc, p.text).add_run("".join(f"[{n}]" for n in p.refs))
            marker.font.superscript = True
            marker.font.color.rgb = _color(branding.colors.accent)


def _reference(doc: DocumentObject, ref: Reference, branding: Branding) -> None:
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.left_indent = Pt(24)
    paragraph.paragraph_format.first_line_indent = Pt(-24)
    paragraph.add_run(f"{ref.n}.\t").font.color.rgb = _color(branding.colors.primary)
    paragraph.add_run(one_line(f"{reference_label(ref)}: {ref.title}"))
    url = safe_url(ref.url)
    if url:
        paragraph.add_run().add_break()
        _hyperlink(paragraph, url, url, branding).font.size = Pt(8)


def _contact(doc: DocumentObject, branding: Branding) -> None:
    if not branding.qr_codes:
        return
    _block_title(doc, branding.contact_title, branding)
    table = doc.add_table(rows=1, cols=len(branding.qr_codes))
    for cell, target in zip(table.rows[0].cells, branding.qr_codes, strict=True):
        picture = cell.paragraphs[0]
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.add_run().add_picture(io.BytesIO(qr_png(target.url)), width=Mm(30))
        for line in target.label.splitlines():
            caption = cell.add_paragraph(one_line(line))
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    """A Word field (TOC, PAGE, NUMPAGES) showing ``placeholder`` until Word updates it."""
    parts: list[tuple[str, str]] = [
        ("begin", ""),
        ("instr", f" {instruction} "),
        ("separate", ""),
        ("text", placeholder),
        ("end", ""),
    ]
    for kind, text in parts:
        run = paragraph.add_run()
        if kind == "text":
            run.text = text
        elif kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)


def _hyperlink(paragraph: Paragraph, url: str, text: str, branding: Branding) -> Run:
    """An external hyperlink; the run holding its text."""
    rel_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = Run(OxmlElement("w:r"), paragraph)
    run.text = text
    run.font.color.rgb = _color(branding.colors.accent)
    link.append(run._r)
    paragraph._p.append(link)
    return run
