"""PDF rendering of a briefing, typeset by Typst (the PyPI ``typst`` compiler, in process).

Layout (``templates/briefing.typ``), after the reference bulletin: title block (logo,
bulletin name, issuer, partners, date and issue number, double rule), the
failed-verification banner, 摘要, 目录 with dot leaders and page numbers (Typst's
``outline``, so the numbers are the pages the headings land on), numbered sections
``1`` / ``1.1`` with citation markers, 参考文献, the contact block with one QR code per
configured target, the about block; running header (name, date) from page 2 and a
footer with ``第 x 页 / 共 y 页`` on every page. A day without qualifying news gives a
one-page issue: title block, the abstract that says so, contact and about blocks.

Rules
-----
- **One document.** The template receives one JSON document built here from the
  :class:`~dongtai.models.Briefing` and the branding, and reads it with ``json()``:
  every text is a Typst *string value*, never parsed as markup, so ``#``, ``$``, ``*``,
  ``<script>``, ``\\`` and Typst syntax in a source print literally.
- **Text.** Line breaks inside a text fold into one space (as in the Markdown
  rendering), control characters are dropped, and a character that no installed font
  can draw is printed as its code point (``[U+20000]``) with a logged warning, never as
  an empty box (:mod:`dongtai.render.fonts`).
- **Fonts** come from the font wheels dongtai depends on, system fonts first when the
  branding names installed ones; fonts are embedded (subset) in the PDF.
- **Deterministic.** The PDF's creation date is the issue date (00:00 UTC), so the same
  briefing and branding give the same bytes.
- **Errors.** A logo that is missing or not SVG/PNG/JPEG/GIF/WebP, and any Typst error,
  raise :class:`~dongtai.errors.RenderError`; Typst warnings are logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import typst

from dongtai import render as common
from dongtai.config import Branding
from dongtai.errors import RenderError
from dongtai.models import Briefing, Reference, Section
from dongtai.render import BrandedRenderer
from dongtai.render.fonts import (
    BUNDLED_BODY,
    BUNDLED_HEADING,
    FontBook,
    font_book,
)
from dongtai.render.qr import svg as qr_svg

__all__ = ["PdfRenderer", "TypstJob", "prepare"]

log = logging.getLogger(__name__)

TEMPLATE = "render/templates/briefing.typ"
LOGO_TYPES = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp")
LABELS = {
    "abstract": "摘要",
    "toc": "目录",
    "references": "参考文献",
    "about": "关于本刊",
    "site": "网站地址：",
}
_VERBATIM = frozenset({"svg", "url", "site", "logo"})  # link targets and drawings


class PdfRenderer(BrandedRenderer):
    """Renders ``briefing.pdf``."""

    name = "pdf"
    extension = "pdf"

    def render(self, briefing: Briefing) -> bytes:
        """The PDF file; Typst warnings and undrawable characters are logged."""
        branding = self.branding
        job = prepare(briefing, branding)
        if job.replaced:
            names = " ".join(f"{c} (U+{ord(c):04X})" for c in job.replaced)
            log.warning("PDF: no installed font has %s; printed as code points", names)
        data, warnings = job.run()
        for message in warnings:
            log.warning("PDF: %s", message)
        return data


@dataclass(frozen=True)
class TypstJob:
    """One compilation: the template, its JSON input and what Typst may read."""

    data: dict[str, Any]
    root: Path | None
    fonts: FontBook
    timestamp: datetime
    replaced: tuple[str, ...]

    def run(self) -> tuple[bytes, list[str]]:
        """The PDF and Typst's warnings."""
        output, warnings = self._compile("pdf")
        return output[0], warnings

    def pages_png(self, ppi: float) -> tuple[list[bytes], list[str]]:
        """Every page as a PNG image (previews, QR checks) and Typst's warnings."""
        return self._compile("png", ppi)

    def _compile(
        self, fmt: Literal["pdf", "png"], ppi: float | None = None
    ) -> tuple[list[bytes], list[str]]:
        payload = json.dumps(self.data, ensure_ascii=False)
        try:
            compiler = typst.Compiler(
                _template(),
                root=str(self.root) if self.root else None,
                font_paths=self.fonts.fonts,
                sys_inputs={"data": payload},
            )
            output, warnings = compiler.compile_with_warnings(
                format=fmt, ppi=ppi, timestamp=self.timestamp
            )
        except typst.TypstError as exc:
            raise RenderError(f"PDF typesetting failed: {exc.message}") from exc
        if output is None:
            raise RenderError(f"Typst produced no {fmt} output")
        pages = output if isinstance(output, list) else [output]
        return pages, [w.message for w in warnings]


def prepare(briefing: Briefing, branding: Branding) -> TypstJob:
    """The Typst compilation of ``briefing`` with ``branding``, ready to run."""
    book = font_book(tuple(branding.font_dirs))
    fonts = _fonts(book, branding)
    data = _map_text(_document(briefing, branding), common.one_line)
    wanted = {char for text in _texts(data) for char in text}
    replaced = book.uncovered(wanted, [*fonts["body"], *fonts["heading"]])
    if replaced:
        table = {ord(c): f"[U+{ord(c):04X}]" for c in replaced}
        data = _map_text(data, lambda text: text.translate(table))
    root, data["logo"] = _logo(branding.logo)
    data["fonts"] = fonts
    midnight = datetime.combine(briefing.date, time(0), tzinfo=UTC)
    return TypstJob(data, root, book, midnight, tuple(replaced))


@cache
def _template() -> bytes:
    return files("dongtai").joinpath(TEMPLATE).read_bytes()


def _fonts(book: FontBook, branding: Branding) -> dict[str, Any]:
    body = book.first_installed(branding.body_fonts, BUNDLED_BODY)
    heading = book.first_installed(branding.heading_fonts, BUNDLED_HEADING)
    return {
        "body": book.stack(body, BUNDLED_BODY),
        "heading": book.stack(heading, BUNDLED_HEADING),
        "heading-bold": book.has_bold(heading),
    }


def _document(briefing: Briefing, branding: Branding) -> dict[str, Any]:
    return {
        "title": briefing.title or branding.title,
        "issuer": branding.issuer,
        "partners": " & ".join(branding.partners),
        "date": briefing.date.isoformat(),
        "dateline": common.dateline(briefing.date, branding),
        "footer": common.footer_text(branding),
        "colors": branding.colors.model_dump(),
        "warning": common.warning_lines(briefing),
        "abstract": briefing.abstract,
        "sections": [_section(s) for s in briefing.sections],
        "references": [_reference(r) for r in briefing.references],
        "contact-title": branding.contact_title,
        "qr": [
            {"label": q.label.splitlines(), "svg": qr_svg(q.url, branding.colors.text)}
            for q in branding.qr_codes
        ],
        "about": branding.about,
        "site": common.safe_url(branding.site_url),
        "labels": LABELS,
    }


def _section(section: Section) -> dict[str, Any]:
    return {
        "number": section.number,
        "title": section.title,
        "subsections": [
            {
                "number": sub.number,
                "title": sub.title,
                "paragraphs": [
                    {"text": p.text, "refs": "".join(f"[{n}]" for n in p.refs)}
                    for p in sub.paragraphs
                ],
            }
            for sub in section.subsections
        ],
    }


def _reference(ref: Reference) -> dict[str, Any]:
    return {
        "n": ref.n,
        "label": common.reference_label(ref),
        "title": ref.title,
        "url": common.safe_url(ref.url),
    }


def _logo(logo: Path | None) -> tuple[Path | None, str | None]:
    """Typst's root folder and the logo's path inside it."""
    if logo is None:
        return None, None
    if logo.suffix.lower() not in LOGO_TYPES:
        raise RenderError(f"logo {logo} must be one of {', '.join(LOGO_TYPES)}")
    if not logo.is_file():
        raise RenderError(f"logo {logo} does not exist or is not a file")
    return logo.resolve().parent, "/" + logo.name


def _map_text(value: Any, fn: Callable[[str], str], key: str = "") -> Any:
    """``value`` with ``fn`` applied to every text, link targets and drawings excepted."""
    if key in _VERBATIM or key == "colors":
        return value
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_map_text(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _map_text(v, fn, k) for k, v in value.items()}
    return value


def _texts(value: Any, key: str = "") -> Iterator[str]:
    if key in _VERBATIM or key == "colors":
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _texts(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _texts(v, k)
