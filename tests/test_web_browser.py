"""The web app in a real browser: Debian's chromium driven by Playwright against
uvicorn on 127.0.0.1 (nothing downloaded; skipped when chromium is absent).

An editor logs in, changes a figure to a wrong value (the claim turns red with a
reason), fixes it (green), approves (the PDF exists, readers see the new version); a
hostile item title runs no script; search finds the demo issue by "硅片"."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Page, sync_playwright

from dongtai.config import Settings
from dongtai.models import Briefing
from dongtai.store import open_store
from dongtai.web.app import create_app
from tests.conftest import DEMO_DATE
from tests.websupport import PASSWORD, add_user

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
DAY = DEMO_DATE.isoformat()
SEMI = "/sections/1/subsections/1/paragraphs/0/text"  # SEMI's wafer shipments paragraph

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="chromium is not installed (.ci/run installs it)"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(sqlite_workspace: Settings) -> Iterator[str]:
    """uvicorn serving a copy of the demo workspace on a free 127.0.0.1 port."""
    add_user(sqlite_workspace)
    port = _free_port()
    config = uvicorn.Config(
        create_app(sqlite_workspace), host="127.0.0.1", port=port, log_level="warning"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)


@pytest.fixture
def browser_page(server: str) -> Iterator[Page]:

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 375, "height": 812})
        yield page
        browser.close()


def _log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button")
    page.wait_for_url(f"{base}/desk")


def _edit(page: Page, pointer: str, change: tuple[str, str]) -> None:
    box = page.locator(f'textarea[aria-label="{pointer}"]')
    box.locator("xpath=ancestor::details").locator("summary").click()
    box.fill(box.input_value().replace(*change))
    box.locator("xpath=ancestor::form").locator("button").click()
    page.wait_for_load_state()


def test_editor_corrects_a_figure_and_approves(
    browser_page: Page, server: str, sqlite_workspace: Settings
) -> None:
    page = browser_page
    _log_in(page, server)
    page.goto(f"{server}/desk/{DAY}")
    assert page.locator("#verdict.ok").count() == 1
    _edit(page, SEMI, ("33.02 亿平方英寸", "35.02 亿平方英寸"))
    bad = page.locator(".claim.bad", has_text="35.02 亿平方英寸")
    assert bad.count() == 1
    color = bad.evaluate("e => getComputedStyle(e).color")
    assert color == "rgb(176, 0, 32)"  # red
    bad.click()  # tap: the reason shows
    assert "未找到依据" in bad.get_attribute("data-note")
    reason = page.locator(f'p.reason[data-pointer="{SEMI}"]')
    assert "no cited item states this figure" in reason.inner_text()
    _edit(page, SEMI, ("35.02 亿平方英寸", "33.02 亿平方英寸"))
    good = page.locator(".claim.ok", has_text="33.02 亿平方英寸")
    assert good.count() >= 1 and page.locator(".claim.bad").count() == 0
    page.click("#approve button")
    page.wait_for_url(f"{server}/issues/{DAY}")
    assert (sqlite_workspace.briefings_dir / DAY / "v1" / "briefing.pdf").read_bytes()[
        :5
    ] == b"%PDF-"
    assert page.locator("article.issue[data-version='1']").count() == 1
    # a correction becomes version 2, with its dated note
    page.goto(f"{server}/desk/{DAY}")
    _edit(page, SEMI, ("同比增长 13%", "同比增长 13%，延续增长"))
    page.fill("textarea[name=correction]", "第 3.2 节补充一句说明。")
    page.click("#approve button")
    page.wait_for_url(f"{server}/issues/{DAY}")
    assert page.locator("article.issue[data-version='2']").count() == 1
    assert "第 3.2 节补充一句说明。" in page.locator("aside.correction").inner_text()


def test_hostile_item_text_runs_no_script(
    browser_page: Page, server: str, sqlite_workspace: Settings
) -> None:
    store = open_store(sqlite_workspace.db_url)
    briefing, status = store.load_briefing(DEMO_DATE) or pytest.fail("no demo")
    data = briefing.model_dump(mode="json")
    payload = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
    data["references"][0]["title"] = payload
    data["sections"][0]["title"] += payload
    cited = {r.n: r.url for r in briefing.references}
    store.save_briefing(Briefing.model_validate(data), status, "extractive", cited)
    page = browser_page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in (f"/issues/{DAY}", "/search?q=pwned"):
        page.goto(server + path)
        page.wait_for_load_state("load")
        assert page.evaluate("window.pwned === undefined")
        assert page.locator("img[src=x]").count() == 0
    page.goto(f"{server}/issues/{DAY}")
    assert payload in page.locator("#ref-1").inner_text()
    assert dialogs == []


def test_search_finds_the_demo_issue(browser_page: Page, server: str) -> None:
    page = browser_page
    page.goto(server)
    page.fill("form.search input", "硅片")
    page.click("form.search button")
    page.wait_for_url("**/search?q=*")
    first = page.locator("ol.hits li a").first
    assert first.get_attribute("href") == f"/issues/{DAY}#sec-2"
    assert page.locator("ol.hits mark", has_text="硅片").count() >= 1
    first.click()
    page.wait_for_url(f"**/issues/{DAY}#sec-2")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the issue page scrolls sideways on a phone"
