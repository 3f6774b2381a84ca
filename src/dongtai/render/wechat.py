"""WeChat-ready HTML: the article body to paste into the official-account editor.

The WeChat editor keeps inline ``style`` attributes and drops ``<style>`` blocks,
classes, ids, scripts and most links, so the file (``briefing.wechat.html``) is one
``<section>`` whose every element carries its own ``style``; it has no ``<head>``, no
image, no external resource and no in-page link. The structure is the PDF's: title
block with issue number, failed-verification banner, 摘要, 目录 (plain lines), numbered
sections with citation markers, 参考文献 with each URL printed as text (it wraps
anywhere, so a long URL never widens a phone screen), the contact block as the QR
targets' captions and URLs (readers are already in WeChat: no QR image), about block.
Sizes are in px for phones: 16 px body text, line height 1.75, no fixed widths.

Text is data: the template is rendered with autoescaping (the same Jinja environment
and page view as :mod:`dongtai.render.html`), so ``<script>`` in a source prints as
text.
"""

from __future__ import annotations

from dongtai.render.html import HtmlRenderer

__all__ = ["WechatRenderer"]


class WechatRenderer(HtmlRenderer):
    """Renders ``briefing.wechat.html``: the HTML page's view, the WeChat template."""

    name = "wechat"
    extension = "wechat.html"
    template = "briefing.wechat.html.j2"
