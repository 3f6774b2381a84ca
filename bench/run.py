"""Benchmark: a simulated week of daily runs, published to every channel on local servers.

Seven issue dates (2026-06-01 … 06-07). Each day the corpus of the day — the bundled
demo corpus and ``tests/data/sample-2026-05-13.jsonl`` in turn, their publication times
shifted onto that date and their URLs made unique per day — is written into a local
folder that the workspace registry fetches (a ``folder`` source: the real fetch path).
Then the brief job runs the day as ``dongtai schedule`` does at 06:30
(:func:`dongtai.publish.run.run_day`: fetch → brief → publish, ``auto`` mode) to seven
channels on 127.0.0.1: e-mail (aiosmtpd, two recipients), WeCom, Feishu and DingTalk
bots (signatures checked, size limits enforced), the signed webhook, the WeChat
official-account fake and the static site. Faults are injected on some days (503,
429, an expired WeChat token) to exercise the retries. Each day's run is then started
again, as the scheduler's approval poll would, and must send nothing.

Printed per day: seconds of each step (fetch, brief, publish), deliveries made, messages
accepted by the servers, duplicates (messages accepted twice: must be 0), messages sent
by the second run (must be 0; baseline: a publisher without a delivery log sends every
message again), and the time from the scheduled hour (the run's start) to the last
delivery. Everything in one process, offline.

Run: ``.venv/bin/python bench/run.py``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiosmtpd.controller import Controller
from tests import pubservers
from tests.conftest import DEMO_DATE, sample_lines
from tests.test_publish_email import Inbox, _free_port
from tests.wechat_fake import WechatFake

from dongtai.config import load_settings
from dongtai.publish.run import run_day
from dongtai.store import open_store
from dongtai.store.publishing import Ledger

ROOT = Path(__file__).resolve().parents[1]
SECOND = ROOT / "tests" / "data" / "sample-2026-05-13.jsonl"
FIRST_DAY = date(2026, 6, 1)
SECRET = "bench-secret"
CHANNELS = ["email", "wecom", "feishu", "dingtalk", "webhook", "wechat_mp", "site"]


def shifted(lines: list[str], original: date, day: date, tag: int) -> list[str]:
    """The corpus moved from ``original`` to ``day``, URLs unique to the day."""
    moved = []
    for line in lines:
        if not line.strip():
            continue
        record = json.loads(line)
        published = datetime.fromisoformat(str(record["published"]))
        record["published"] = (published + (day - original)).isoformat()
        record["url"] = f"{record['url']}#d{tag}"
        moved.append(json.dumps(record, ensure_ascii=False))
    return moved


class Servers:
    def __init__(self) -> None:
        self.wechat = WechatFake()
        self.http = {
            "wecom": pubservers.Recorder(pubservers.wecom).start(),
            "feishu": pubservers.Recorder(pubservers.feishu(SECRET)).start(),
            "dingtalk": pubservers.Recorder(pubservers.dingtalk(SECRET)).start(),
            "webhook": pubservers.Recorder(pubservers.webhook(SECRET)).start(),
            "wechat_mp": pubservers.Recorder(self.wechat).start(),
        }
        self.inbox = Inbox()
        self.smtp_port = _free_port()
        self.smtp = Controller(self.inbox, hostname="127.0.0.1", port=self.smtp_port)
        self.smtp.start()

    def stop(self) -> None:
        for server in self.http.values():
            server.stop()
        self.smtp.stop()

    def accepted(self) -> list[str]:
        """A fingerprint of every message the servers accepted (channel + content)."""
        prints = []
        for name, server in self.http.items():
            for r in server.accepted():
                if name == "wechat_mp" and r.path != "/cgi-bin/draft/add":
                    continue
                body = r.body
                if name == "feishu":  # the signature and timestamp differ per send
                    data = json.loads(body)
                    body = json.dumps(data["content"], sort_keys=True).encode()
                prints.append(name + ":" + hashlib.sha256(body).hexdigest())
        for recipients, message in self.inbox.messages:
            prints.append(f"email:{recipients}:{message['X-Dongtai-Delivery']}")
        return prints

    def toml(self, site: Path) -> str:
        h = self.http
        bot = {"secret": SECRET, "interval": 0}
        tables: dict[str, dict[str, Any]] = {
            "publish": {"mode": "auto", "backoff": 0.05, "channels": CHANNELS},
            "channels.email": {"host": "127.0.0.1", "port": self.smtp_port, "security": "none",
                               "sender": "brief@example.org",
                               "recipients": ["desk@example.org", "lead@example.org"]},
            "channels.wecom": {"webhook": h["wecom"].url("/cgi-bin/webhook/send?key=k"),
                               "interval": 0},
            "channels.feishu": {"webhook": h["feishu"].url("/open-apis/bot/v2/hook/x"), **bot},
            "channels.dingtalk": {"webhook": h["dingtalk"].url("/robot/send?access_token=t"),
                                  **bot},
            "channels.webhook": {"url": h["webhook"].url("/hook"), "secret": SECRET},
            "channels.wechat_mp": {"appid": "wx1", "secret": "app-secret",
                                   "api_base": h["wechat_mp"].url("")},
            "channels.site": {"folder": str(site)},
        }  # fmt: skip
        lines = []
        for table, values in tables.items():
            lines.append(f"[{table}]")
            lines += [f"{key} = {json.dumps(value)}" for key, value in values.items()]
        return "\n".join(lines) + "\n"

    def faults(self, day: int) -> str:
        """Faults injected on some days (the retries must absorb them)."""
        if day == 2:
            self.http["webhook"].faults.extend([503, 503])
            return "webhook 503 ×2"
        if day == 4:
            self.http["feishu"].faults.append(429)
            self.wechat.expire_next = 1
            return "feishu 429, wechat token expired"
        return ""


def main() -> None:
    servers = Servers()
    work = Path(tempfile.mkdtemp(prefix="dongtai-week-"))
    home, inbox = work / "home", work / "inbox"
    inbox.mkdir()
    corpora = [
        (sample_lines(), DEMO_DATE),
        (SECOND.read_text("utf-8").splitlines(), date(2026, 5, 13)),
    ]
    every_line = [line for lines, _ in corpora for line in lines]
    pubservers.folder_registry(home, inbox, every_line)
    (home / "dongtai.toml").write_text(servers.toml(work / "site"), "utf-8")
    settings = load_settings(home=home)
    ledger = Ledger(open_store(settings.db_url))
    header = f"{'date':<11} {'fetch':>6} {'brief':>6} {'publish':>8} {'deliv.':>6} {'msgs':>5} " \
             f"{'dupl.':>5} {'rerun':>5} {'naive':>5}  {'06:30→last':>10}  faults"  # fmt: skip
    print(header)
    totals = Counter[str]()
    try:
        for k in range(7):
            day = FIRST_DAY + timedelta(days=k)
            lines, original = corpora[k % 2]
            (inbox / f"day-{k}.jsonl").write_text(
                "\n".join(shifted(lines, original, day, k)) + "\n", "utf-8"
            )
            before = Counter(servers.accepted())
            fault = servers.faults(k)
            started = time.time()
            result = run_day(settings, day)
            rows = ledger.deliveries(day)
            last = max(
                (d.delivered_at.timestamp() for d in rows if d.delivered_at), default=started
            )
            first = Counter(servers.accepted()) - before
            rerun = run_day(settings, day)  # the poll job firing again: must send nothing
            today = Counter(servers.accepted()) - before
            sent_now = first.total()
            duplicates = sum(count - 1 for count in today.values())
            delivered = sum(d.status == "delivered" for d in rows)
            figures = (delivered, len(rows), sent_now, duplicates, today.total() - sent_now)
            print(_row(day, result.seconds, figures, last - started, fault))
            for outcome in (result, rerun):
                if outcome.status != "published":
                    print(f"  {outcome.status}: {outcome.message}")
            totals["deliveries"] += delivered
            totals["messages"] += sent_now
            totals["duplicates"] += duplicates
            totals["attempts"] += sum(d.attempts for d in rows)
    finally:
        servers.stop()
    print(f"week: {totals['deliveries']} deliveries, {totals['attempts']} attempts, "
          f"{totals['messages']} messages accepted, {totals['duplicates']} duplicates; "
          f"a second run each day sent nothing (a publisher without a delivery log would have "
          f"sent all {totals['messages']} again); workspace {work}")  # fmt: skip


def _row(
    day: date, s: dict[str, float], figures: tuple[int, ...], latency: float, fault: str
) -> str:
    delivered, rows, sent, duplicates, rerun = figures
    steps = f"{s.get('fetch', 0):6.2f} {s.get('brief', 0):6.2f} {s.get('publish', 0):8.2f}"
    counts = f"{delivered:>3}/{rows:<2} {sent:>5} {duplicates:>5} {rerun:>5} {sent:>5}"
    return f"{day} {steps} {counts}  {_clock(latency):>10}  {fault or '—'}"


def _clock(seconds: float) -> str:
    moment = datetime(2026, 1, 1, 6, 30) + timedelta(seconds=seconds)
    return f"{moment:%H:%M:%S}.{int(seconds % 1 * 10)}"


if __name__ == "__main__":
    main()
