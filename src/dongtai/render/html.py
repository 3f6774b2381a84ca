"""HTML rendering of a briefing: one self-contained HTML5 page.

The page has the structure of the Markdown rendering (title block, failed-verification
banner, 摘要, 目录 with anchor links, numbered sections, citation markers linking to
the reference list, 参考文献, about block). It carries its style inline and loads
nothing: no external stylesheet, font, image or script, so it can be mailed, archived
or opened offline as is.

The template ``templates/briefing.html.j2`` is rendered with autoescaping on: every
text of the briefing is data and appears literally, whatever markup it contains.
Links are emitted only for absolute http(s) URLs (:func:`dongtai.render.safe_url`).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from dongtai.config import Branding
from dongtai.models import Briefing, Reference, Section
from dongtai.render import anchor, issue_date_zh, reference_label, safe_url, toc, warning_lines

__all__ = ["HtmlRenderer"]

TEMPLATE = "briefing.html.j2"


class HtmlRenderer:
    """Renders ``briefing.html``."""

    name = "html"
    extension = "html"

    def render(self, briefing: Briefing, branding: Branding) -> bytes:
        """The HTML page, UTF-8, ending with one newline."""
        page = _environment().get_template(TEMPLATE).render(**_context(briefing, branding))
        return (page.rstrip("\n") + "\n").encode("utf-8")


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("dongtai", "render/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _context(briefing: Briefing, branding: Branding) -> dict[str, Any]:
    warning = warning_lines(briefing)
    return {
        "title": briefing.title or branding.title,
        "issuer": branding.issuer,
        "partners": " & ".join(branding.partners),
        "date_iso": briefing.date.isoformat(),
        "date_zh": issue_date_zh(briefing.date),
        "warning_head": warning[0] if warning else "",
        "warning_claims": warning[1:],
        "abstract": briefing.abstract,
        "toc": toc(briefing),
        "sections": [_section(s) for s in briefing.sections],
        "references": [_reference(r) for r in briefing.references],
        "about": branding.about,
        "site_url": safe_url(branding.site_url),
    }


def _section(section: Section) -> dict[str, Any]:
    return {
        "number": section.number,
        "title": section.title,
        "anchor": anchor(section.number),
        "subsections": [
            {
                "number": sub.number,
                "title": sub.title,
                "anchor": anchor(sub.number),
                "paragraphs": [{"text": p.text, "refs": list(p.refs)} for p in sub.paragraphs],
            }
            for sub in section.subsections
        ],
    }


def _reference(ref: Reference) -> dict[str, Any]:
    return {
        "n": ref.n,
        "label": reference_label(ref),
        "title": ref.title,
        "url": safe_url(ref.url),
    }
