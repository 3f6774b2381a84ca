"""Renderers: one :class:`~dongtai.models.Briefing` in, the bytes of one file out.

The seam
--------
A renderer is any class with a ``name``, an ``extension``, a
``from_settings(branding)`` classmethod and a ``render(briefing) -> bytes`` method
(:class:`Renderer`; the built-ins derive from :class:`BrandedRenderer`). Renderers are
pure: no I/O, no clock, no network. :func:`render_all`
renders every requested format in memory; a format whose renderer fails is reported
(:class:`~dongtai.errors.PartialRender`, after the others are published) and never
prevents the others. The set is published at once: written into a temporary sibling
folder (``.D.<token>.tmp``), then swapped in by renaming, so readers see the old set
or the new one, never a mix; files of formats not requested this time are carried
over, a failed format's old file is dropped. Stale temporaries of a killed run are
cleaned (or, if the swap was cut between its two renames, the old set restored) at
the start of the next.

Adding a format from another package
------------------------------------
Declare an entry point in the ``dongtai.renderers`` group, named after the format::

    [project.entry-points."dongtai.renderers"]
    docx = "dongtai_docx:DocxRenderer"

After ``pip install`` of that package, ``dongtai brief --format md,docx`` finds it
through :func:`dongtai.plugins.load_renderer`; dongtai itself registers ``md``, ``html``,
``pdf``, ``wechat``, ``docx`` and ``json`` the same way. The helpers below
(:func:`toc`, :func:`reference_label`, :func:`issue_date_zh`, :func:`dateline`,
:func:`warning_lines`, :func:`safe_url`, :func:`footer_text`) keep the textual
conventions of an issue identical across formats.

Every format renders from the one :class:`~dongtai.models.Briefing`: there is no
second document model. A briefing with no section (a day without qualifying news) has
no table of contents and no reference list in any format.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar, Protocol, Self
from urllib.parse import urlsplit

from dongtai.config import Branding
from dongtai.errors import PartialRender, PluginError, RenderError
from dongtai.models import Briefing, Reference
from dongtai.plugins import load_renderer

__all__ = [
    "BrandedRenderer",
    "Renderer",
    "TocEntry",
    "anchor",
    "dateline",
    "footer_text",
    "issue_date_zh",
    "issue_number",
    "one_line",
    "reference_label",
    "render_all",
    "safe_url",
    "toc",
    "warning_lines",
]

WARNING_TITLE = "⚠ 核验未通过"
_BREAKS = re.compile(r"\s*[\r\n]+\s*")


class Renderer(Protocol):
    """Turns a briefing into the bytes of one file ``briefing.<extension>``."""

    name: str
    extension: str

    @classmethod
    def from_settings(cls, branding: Branding) -> Renderer:
        """The renderer for one publisher's branding."""
        ...

    def render(self, briefing: Briefing) -> bytes:
        """The whole file; must not do I/O."""
        ...


class BrandedRenderer:
    """What the built-in renderers share: built from the branding settings, kept."""

    name: ClassVar[str]
    extension: ClassVar[str]

    def __init__(self, branding: Branding) -> None:
        self.branding = branding

    @classmethod
    def from_settings(cls, branding: Branding) -> Self:
        return cls(branding)


@dataclass(frozen=True)
class TocEntry:
    """One line of the table of contents: level 1 = section, 2 = subsection."""

    level: int
    number: str
    title: str
    anchor: str


def render_all(
    briefing: Briefing, branding: Branding, formats: Sequence[str], out_dir: Path
) -> list[Path]:
    """Publish ``briefing.<extension>`` for each format as ``out_dir``; the paths written.

    Unknown formats raise :class:`~dongtai.errors.PluginError` before anything is
    written. Repeated formats are rendered once. When some renderers fail, the others'
    files are published and :class:`~dongtai.errors.PartialRender` names the failures.
    """
    renderers = [_renderer(name, branding) for name in dict.fromkeys(formats)]
    if not renderers:
        raise PluginError("no output format requested")
    rendered: dict[str, bytes] = {}
    failed: dict[str, str] = {}
    for renderer in renderers:
        try:
            rendered[f"briefing.{renderer.extension}"] = _render_one(renderer, briefing)
        except Exception as exc:  # one format never stops the others
            failed[renderer.name] = one_line(f"{type(exc).__name__}: {exc}")[:200]
    dropped = {f"briefing.{r.extension}" for r in renderers if r.name in failed}
    try:
        _clean_stale(out_dir)
        _publish(out_dir, rendered, dropped)
    except PermissionError as exc:
        raise RenderError(f"cannot write the briefing to {out_dir}: {exc.strerror}") from exc
    paths = [out_dir / name for name in rendered]
    if failed:
        raise PartialRender(failed, paths)
    return paths


def toc(briefing: Briefing) -> list[TocEntry]:
    """Sections and their subsections, in order, with their HTML anchors."""
    entries: list[TocEntry] = []
    for section in briefing.sections:
        entries.append(TocEntry(1, section.number, section.title, anchor(section.number)))
        entries.extend(
            TocEntry(2, sub.number, sub.title, anchor(sub.number)) for sub in section.subsections
        )
    return entries


def anchor(number: str) -> str:
    """Anchor id of a section or subsection number: ``"1.2"`` → ``"sec-1-2"``."""
    return "sec-" + number.replace(".", "-")


def reference_label(ref: Reference) -> str:
    """The reference as the list names it, before its title: ``"ITIF (2026-05-04)"``."""
    return f"{ref.source} ({ref.date.isoformat()})"


def issue_date_zh(day: date) -> str:
    """The issue date as the title block prints it: ``"2026 年 5 月 6 日"``."""
    return f"{day.year} 年 {day.month} 月 {day.day} 日"


def issue_number(day: date, branding: Branding) -> str:
    """The issue number as printed (``"第 126 期"``); empty when issues are unnumbered.

    ``{n}`` counts days from ``branding.issue_first`` (issue 1); an issue dated before
    it has no number.
    """
    first = branding.issue_first
    if first is None or day < first:
        return ""
    n = (day - first).days + 1
    return branding.issue_label.format(n=n, year=day.year, n_year=day.timetuple().tm_yday)


def dateline(day: date, branding: Branding) -> str:
    """Date and issue number as the title block prints them: ``"2026 年 5 月 6 日　第 126 期"``."""
    number = issue_number(day, branding)
    return f"{issue_date_zh(day)}　{number}" if number else issue_date_zh(day)


def one_line(text: str) -> str:
    """``text`` as one line of printable characters: line breaks (and the blanks around
    them) fold into one space, control characters and lone surrogates are dropped."""
    text = _BREAKS.sub(" ", text)
    return "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cs"))


def footer_text(branding: Branding) -> str:
    """Left part of the running footer: the configured footer, else the issuer."""
    return branding.footer or branding.issuer


def warning_lines(briefing: Briefing) -> list[str]:
    """The failed-verification banner: a headline then one line per unsupported claim.

    Empty when verification passed.
    """
    check = briefing.verification
    if check.passed:
        return []
    count = len(check.unsupported)
    head = (
        f"{WARNING_TITLE}：{count} 处内容未能在所引来源中找到依据，发布前须人工核对。"
        if count
        else f"{WARNING_TITLE}：请在发布前人工核对全文。"
    )
    lines = [head]
    for claim in check.unsupported:
        where = f"（{claim.where}）" if claim.where else ""
        lines.append(f"「{claim.text}」{where}")
    return lines


def safe_url(url: str) -> str | None:
    """``url`` when it is an absolute http(s) URL safe to link to, else ``None``."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ch.isspace() or ch in "<>\"'`" for ch in url):
        return None
    return url


def _renderer(name: str, branding: Branding) -> Renderer:
    factory = load_renderer(name)
    try:
        return factory.from_settings(branding)
    except Exception as exc:
        raise PluginError(f"renderer {name!r} cannot be created: {exc}") from exc


def _render_one(renderer: Renderer, briefing: Briefing) -> bytes:
    data = renderer.render(briefing)
    if not isinstance(data, bytes):
        raise PluginError(f"renderer {renderer.name!r} returned {type(data).__name__}, not bytes")
    return data


def _clean_stale(out_dir: Path) -> None:
    """Remove what a killed run left: temporary folders, and restore an old set that a
    kill between the two renames of a swap left aside."""
    parent = out_dir.parent
    if not parent.is_dir():
        return
    for old in parent.glob(f".{out_dir.name}.*.old"):
        if out_dir.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(old, out_dir)
    for temp in parent.glob(f".{out_dir.name}.*.tmp"):
        shutil.rmtree(temp, ignore_errors=True)
    if out_dir.is_dir():
        for temp in out_dir.glob(".briefing.*.tmp"):  # single-file temporaries
            temp.unlink(missing_ok=True)


def _publish(out_dir: Path, rendered: dict[str, bytes], dropped: set[str]) -> None:
    """Write the new set into a temporary sibling folder, then swap it in."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(6)
    temp = out_dir.parent / f".{out_dir.name}.{token}.tmp"
    old = out_dir.parent / f".{out_dir.name}.{token}.old"
    temp.mkdir()
    try:
        if out_dir.is_dir():
            for kept in out_dir.iterdir():
                if kept.is_file() and kept.name not in rendered and kept.name not in dropped:
                    shutil.copy2(kept, temp / kept.name)
        for name, data in rendered.items():
            _write_file(temp / name, data)
        if out_dir.exists():
            os.replace(out_dir, old)
        os.replace(temp, out_dir)
    except BaseException:
        if old.exists() and not out_dir.exists():
            os.replace(old, out_dir)
        shutil.rmtree(temp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _write_file(path: Path, data: bytes) -> None:
    with path.open("xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
