"""Fonts for the PDF: what is installed, which families to use, which characters no font has.

Rules
-----
- **Fonts arrive with the install.** Two OFL-1.1 font wheels are dependencies of
  dongtai, so a machine with no CJK system font (a bare Linux server, a fresh macOS or
  Windows user) renders every Chinese glyph: ``pylopdf-fonts-zh-cn`` (Noto Serif SC
  and Noto Sans SC, Regular) and ``manimgx-fonts`` (Noto Emoji, Noto Sans Symbols and
  Noto Sans for other scripts). Nothing is downloaded at run time.
- **System fonts are used when present.** The body and heading family lists of the
  branding are tried in order; the first family installed on the machine (or found in
  ``branding.font_dirs``) leads, the bundled family follows as fallback. Families that
  are not installed are never passed to Typst, so it never warns about unknown fonts.
- **Bold is real when the family has it.** The bundled Noto SC fonts have one weight;
  with them headings are emboldened by a thin outline stroke (what xeCJK's
  ``AutoFakeBold`` does in LaTeX), with a family that has a bold face by its bold face.
- **No silent boxes.** :func:`uncovered` names the characters that no font known to
  Typst can draw (read from the fonts' ``cmap`` tables with fontTools); the PDF renderer
  prints those as their code point (``[U+20000]``) instead of an empty box and logs a
  warning naming them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from pathlib import Path

import typst
from fontTools.ttLib import TTFont, TTLibError

__all__ = ["BUNDLED_BODY", "BUNDLED_HEADING", "FontBook", "font_book", "needs_glyph"]

BUNDLED_BODY = "Noto Serif SC"
BUNDLED_HEADING = "Noto Sans SC"
SYMBOL_FAMILIES = ("Noto Emoji", "Noto Sans Symbols")
FONT_PACKAGES = ("pylopdf_fonts_zh_cn", "manimgx_fonts")
_SKIPPED = ("Cc", "Cf", "Cs", "Zs", "Zl", "Zp")


def bundled_dirs() -> list[Path]:
    """Folders of the font wheels dongtai depends on."""
    return [Path(str(import_module(name).__file__)).parent for name in FONT_PACKAGES]


def needs_glyph(char: str) -> bool:
    """Whether ``char`` must be drawn by a font (not a space, control or variation selector)."""
    if unicodedata.category(char) in _SKIPPED:
        return False
    code = ord(char)
    return not (0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or code == 0x200D)


@dataclass
class FontBook:
    """The fonts Typst will see: bundled wheels, extra folders, system fonts."""

    fonts: typst.Fonts
    infos: list[typst.FontInfo]
    _cmaps: dict[tuple[str, int], frozenset[int]] = field(default_factory=dict)

    @property
    def families(self) -> set[str]:
        return {info.family for info in self.infos}

    def first_installed(self, preferred: Iterable[str], bundled: str) -> str:
        """The first of ``preferred`` that is installed, else the bundled family."""
        families = self.families
        return next((name for name in preferred if name in families), bundled)

    def has_bold(self, family: str) -> bool:
        return any(i.family == family and i.weight >= 600 for i in self.infos)

    def stack(self, lead: str, bundled: str) -> list[str]:
        """Families for Typst, in order: lead, bundled fallback, emoji and symbols."""
        names = dict.fromkeys([lead, bundled, *SYMBOL_FAMILIES])
        return [name for name in names if name in self.families]

    def uncovered(self, chars: Iterable[str], families: list[str]) -> list[str]:
        """Characters of ``chars`` that need a glyph and that no known font has, sorted.

        The fonts of ``families`` are checked first; any other font is read only for
        the characters they lack (Typst's last-resort fallback would use it too).
        """
        missing = {ord(c) for c in chars if needs_glyph(c)}
        ordered = sorted(self.infos, key=lambda i: i.family not in families)
        for info in ordered:
            if not missing:
                break
            missing -= self._cmap(info)
        return sorted(chr(code) for code in missing)

    def _cmap(self, info: typst.FontInfo) -> frozenset[int]:
        if info.path is None:  # a font built into Typst: Latin, Greek, maths
            return frozenset()
        key = (info.path, info.index)
        if key not in self._cmaps:
            self._cmaps[key] = _read_cmap(Path(info.path), info.index)
        return self._cmaps[key]


def _read_cmap(path: Path, index: int) -> frozenset[int]:
    try:
        with TTFont(path, fontNumber=index, lazy=True) as font:
            return frozenset(font.getBestCmap() or {})
    except (OSError, TTLibError, AssertionError, KeyError):
        return frozenset()


@cache
def font_book(extra_dirs: tuple[Path, ...] = ()) -> FontBook:
    """The fonts of this machine plus the bundled ones and ``extra_dirs`` (scanned once)."""
    dirs = [str(d) for d in (*bundled_dirs(), *extra_dirs) if d.is_dir()]
    fonts = typst.Fonts(include_system_fonts=True, include_embedded_fonts=True, font_paths=dirs)
    return FontBook(fonts=fonts, infos=list(fonts.fonts()))
