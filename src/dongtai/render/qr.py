"""QR codes of the contact block, drawn with segno (pure Python, no I/O).

Each configured target (:class:`dongtai.config.QrTarget`) becomes one QR code of its URL:
error correction at least M (segno raises it when the symbol has room to spare), the
4-module quiet zone the standard asks for, dark modules in the branding's text colour
on white. The same code goes into the PDF and the HTML page as SVG and into the DOCX
file as PNG, so every format encodes exactly the configured URL.
"""

from __future__ import annotations

import io

import segno

__all__ = ["png", "svg"]

BORDER = 4


def _code(url: str) -> segno.QRCode:
    return segno.make(url, error="m", micro=False)


def svg(url: str, dark: str = "#000000", scale: int = 4) -> str:
    """The QR code of ``url`` as a standalone SVG document (one line, with xmlns)."""
    buffer = io.BytesIO()
    _code(url).save(
        buffer, kind="svg", scale=scale, border=BORDER, dark=dark, light="#ffffff",
        xmldecl=False, svgns=True, nl=False, svgclass=None, lineclass=None,
    )  # fmt: skip
    return buffer.getvalue().decode("ascii")


def png(url: str, scale: int = 8) -> bytes:
    """The QR code of ``url`` as a black-on-white PNG image."""
    buffer = io.BytesIO()
    _code(url).save(buffer, kind="png", scale=scale, border=BORDER)
    return buffer.getvalue()
