"""HTML rendering of a briefing: one self-contained HTML5 page.

The page has the structure of the PDF and Markdown renderings (title block with the
issue number, failed-verification banner, 摘要, 目录 with anchor links, numbered
sections, citation markers linking to the reference list, 参考文献, contact block with
the QR codes drawn as inline SVG, about block). It carries its style inline, in the
branding's colours, and loads nothing: no external stylesheet, font, image or script,
so it can be mailed, archived or opened offline as is.

:func:`page_context` is the one view of a briefing that the HTML and WeChat templates
share.

The template ``templates/briefing.html.j2`` is rendered with autoescaping on: every
text of the briefing is data and appears literally, whatever markup it contains.
Links are emitted only for absolute http(s) URLs (:func:`dongtai.render.safe_url`).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from dongtai.config import Branding
from dongtai.models import Briefing, Reference, Section
from dongtai.render import (
    BrandedRenderer,
    anchor,
    dateline,
    issue_date_zh,
    reference_label,
    safe_url,
    toc,
    warning_lines,
)
from dongtai.render.qr import svg as qr_svg
from dongtai.verify.marks import note, segments

__all__ = ["HtmlRenderer", "environment", "page_context"]


class HtmlRenderer(BrandedRenderer):
    """Renders ``briefing.html``; subclasses change the template and the extension."""

    name = "html"
    extension = "html"
    template = "briefing.html.j2"

    def render(self, briefing: Briefing) -> bytes:
        """The page, UTF-8, ending with one newline."""
        context = page_context(briefing, self.branding)
        page = environment().get_template(self.template).render(**context)
        return (page.strip("\n") + "\n").encode("utf-8")


@cache
def environment() -> jinja2.Environment:
    """The Jinja environment of the HTML templates: autoescaping, strict variables."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("dongtai", "render/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def page_context(briefing: Briefing, branding: Branding) -> dict[str, Any]:
    """What the HTML templates print, every text still raw (the templates escape it)."""
    warning = warning_lines(briefing)
    return {
        "title": briefing.title or branding.title,
        "issuer": branding.issuer,
        "partners": " & ".join(branding.partners),
        "date_iso": briefing.date.isoformat(),
        "date_zh": issue_date_zh(briefing.date),
        "dateline": dateline(briefing.date, branding),
        "colors": branding.colors,
        "warning_head": warning[0] if warning else "",
        "warning_claims": warning[1:],
        "abstract": briefing.abstract,
        "abstract_marks": _marks(briefing.abstract, "/abstract", briefing),
        "toc": toc(briefing),
        "sections": [_section(s, i, briefing) for i, s in enumerate(briefing.sections)],
        "references": [_reference(r) for r in briefing.references],
        "contact_title": branding.contact_title,
        "qr_codes": [
            {
                "lines": q.label.splitlines(),
                "url": q.url,
                "svg": Markup(qr_svg(q.url, branding.colors.text)),
            }
            for q in branding.qr_codes
        ],
        "about": branding.about,
        "site_url": safe_url(branding.site_url),
    }


def _marks(text: str, pointer: str, briefing: Briefing) -> list[dict[str, Any]]:
    """The text in runs; a claim run carries the note shown on hover (its evidence)."""
    return [
        {
            "text": seg.text,
            "note": note(seg.claim) if seg.claim else "",
            "ok": seg.claim is None or seg.claim.supported,
        }
        for seg in segments(text, pointer, briefing.verification)
    ]


def _section(section: Section, i: int, briefing: Briefing) -> dict[str, Any]:
    base = f"/sections/{i}/subsections"
    return {
        "number": section.number,
        "title": section.title,
        "anchor": anchor(section.number),
        "subsections": [
            {
                "number": sub.number,
                "title": sub.title,
                "anchor": anchor(sub.number),
                "paragraphs": [
                    {
                        "text": p.text,
                        "refs": list(p.refs),
                        "marks": _marks(p.text, f"{base}/{j}/paragraphs/{k}/text", briefing),
                    }
                    for k, p in enumerate(sub.paragraphs)
                ],
            }
            for j, sub in enumerate(section.subsections)
        ],
    }


def _reference(ref: Reference) -> dict[str, Any]:
    return {
        "n": ref.n,
        "label": reference_label(ref),
        "title": ref.title,
        "url": safe_url(ref.url),
    }
