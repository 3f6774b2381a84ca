"""Markdown rendering of a briefing (CommonMark, readable as plain text too).

Layout, top to bottom: title block (``# title``, issuer, partners joined by `` & ``,
date ``2026 年 5 月 6 日`` and the issue number), the failed-verification warning when
verification did not pass, ``## 摘要``, ``## 目录``, ``## 1 标题`` / ``### 1.1 标题``
with paragraphs each followed by citation markers ``[1][2]``, ``## 参考文献`` as
``1. Source (YYYY-MM-DD): [Title](url)``, then the contact block (one line per QR
target: its caption and link) and the about block. An issue without sections has
neither 目录 nor 参考文献.

Source text is data, never markup: every Markdown-significant character in text that
comes from the briefing or the branding is backslash-escaped so it renders literally,
and line breaks inside a text are folded into spaces so no text can open a heading,
list or code block.
"""

from __future__ import annotations

import re

from dongtai.config import Branding
from dongtai.models import Briefing, Paragraph, Reference, Section
from dongtai.render import BrandedRenderer, dateline, reference_label, safe_url, toc, warning_lines

__all__ = ["MarkdownRenderer", "escape"]

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#$~])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_LINE_START = re.compile(r"^([-+=])|^(\d+)([.)])")
_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def escape(text: str, line_start: bool = True) -> str:
    """``text`` on one line with Markdown-significant characters escaped.

    With ``line_start`` (text that begins a line) a leading list or setext marker
    (``-``, ``+``, ``=``, ``1.``) is escaped too.
    """
    text = _BREAKS.sub(" ", text.strip())
    text = _SPECIAL.sub(r"\\\1", text)
    text = _ENTITY.sub(r"\\&", text)
    return _LINE_START.sub(_escape_line_start, text) if line_start else text


class MarkdownRenderer(BrandedRenderer):
    """Renders ``briefing.md``."""

    name = "md"
    extension = "md"

    def render(self, briefing: Briefing) -> bytes:
        """The Markdown document, UTF-8, ending with one newline."""
        branding = self.branding
        blocks = [
            *_title_block(briefing, branding),
            *_warning_block(briefing),
            "## 摘要",
            escape(briefing.abstract),
            *_body(briefing),
            *_contact_block(branding),
            *_about_block(branding),
        ]
        return ("\n\n".join(b for b in blocks if b) + "\n").encode("utf-8")


def _escape_line_start(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return f"{match.group(2)}\\{match.group(3)}"


def _title_block(briefing: Briefing, branding: Branding) -> list[str]:
    return [
        f"# {escape(briefing.title or branding.title, False)}",
        escape(branding.issuer),
        escape(" & ".join(branding.partners)),
        dateline(briefing.date, branding),
    ]


def _body(briefing: Briefing) -> list[str]:
    """目录, the sections and 参考文献; nothing for an issue without sections."""
    if not briefing.sections:
        return []
    return [
        "## 目录",
        _toc_block(briefing),
        *(block for section in briefing.sections for block in _section(section)),
        "## 参考文献",
        _references(briefing.references),
    ]


def _warning_block(briefing: Briefing) -> list[str]:
    lines = warning_lines(briefing)
    if not lines:
        return []
    head, *claims = lines
    quoted = [f"> **{escape(head, False)}**"]
    if claims:
        quoted.append(">")
        quoted.extend(f"> - {escape(claim, False)}" for claim in claims)
    return ["\n".join(quoted)]


def _toc_block(briefing: Briefing) -> str:
    lines = []
    for entry in toc(briefing):
        indent = "    " * (entry.level - 1)
        lines.append(f"{indent}- {escape(entry.number, False)} {escape(entry.title, False)}")
    return "\n".join(lines)


def _section(section: Section) -> list[str]:
    blocks = [f"## {escape(section.number, False)} {escape(section.title, False)}"]
    for sub in section.subsections:
        blocks.append(f"### {escape(sub.number, False)} {escape(sub.title, False)}")
        blocks.extend(_paragraph(p) for p in sub.paragraphs)
    return blocks


def _paragraph(paragraph: Paragraph) -> str:
    markers = "".join(f"[{n}]" for n in paragraph.refs)
    return escape(paragraph.text) + markers


def _references(references: tuple[Reference, ...]) -> str:
    return "\n".join(_reference(ref) for ref in references)


def _reference(ref: Reference) -> str:
    title = escape(ref.title, False)
    url = safe_url(ref.url)
    linked = f"[{title}]({_link_target(url)})" if url else title
    return f"{ref.n}. {escape(reference_label(ref), False)}: {linked}"


def _contact_block(branding: Branding) -> list[str]:
    lines = []
    for target in branding.qr_codes:
        label = escape(" ".join(target.label.split()), False)
        lines.append(f"- {label}：<{_link_target(target.url)}>")
    return [f"## {escape(branding.contact_title, False)}", "\n".join(lines)] if lines else []


def _about_block(branding: Branding) -> list[str]:
    blocks = ["---", "## 关于本刊", escape(branding.about)]
    site = safe_url(branding.site_url)
    if site:
        blocks.append(f"网站地址：<{_link_target(site)}>")
    return blocks


def _link_target(url: str) -> str:
    """``url`` with the characters that would end a Markdown link percent-encoded."""
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
