"""Takes docs/web-phone.png: the latest issue of a workspace at 375 px (2x), in headless
Debian chromium, with the CJK fonts shipped in the install (the pylopdf-fonts-zh-cn
wheel) added to fontconfig for this run only. With a path and a file name, another page
of the site instead (the whole page, not only the first screen).

Run: ``.venv/bin/dongtai --home /tmp/webdemo demo``, then
``.venv/bin/python docs/web_screenshot.py /tmp/webdemo``; the thread page of the README:
``.venv/bin/python docs/web_thread.py /tmp/threads`` builds the workspace, then
``.venv/bin/python docs/web_screenshot.py /tmp/threads docs/web-thread.png
/threads/2026-06-03-sec-1``.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import pylopdf_fonts_zh_cn
import uvicorn
from playwright.sync_api import sync_playwright

from dongtai.config import load_settings
from dongtai.web.app import create_app

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def main(home: str, out: str = "docs/web-phone.png", path: str = "/") -> None:
    fonts = Path(pylopdf_fonts_zh_cn.__file__).parent
    conf = Path(tempfile.mkdtemp()) / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f'<include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>{fonts}</dir>'
        "</fontconfig>"
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    config = uvicorn.Config(
        create_app(load_settings(home=home)), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=ARGS,
            env={**os.environ, "FONTCONFIG_FILE": str(conf)},
        )
        page = browser.new_page(viewport={"width": 375, "height": 812}, device_scale_factor=2)
        page.goto(f"http://127.0.0.1:{port}{path}")
        page.screenshot(path=out, full_page=path != "/")
        browser.close()
    server.should_exit = True
    thread.join(5)


if __name__ == "__main__":
    main(*sys.argv[1:])
