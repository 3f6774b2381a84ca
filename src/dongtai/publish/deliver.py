"""Publishing one issue: every listed channel, every recipient, each exactly once.

Rules:
- the issue must be publishable (:func:`dongtai.publish.approval.publishable`): approved
  in its current version, or verified in ``auto`` mode; every channel's settings are
  checked and its renderings made before anything is sent;
- one delivery row per issue version × channel × recipient, keyed
  ``D/version/channel/recipient`` (the idempotency key); a delivered row is never sent
  again; a split delivery resumes after its last accepted part; a row still ``pending``
  from a killed run is sent again (the receiver sees the same ``delivery_id``);
- transient failures (429, 5xx, time-outs, refused connections, rate-limit codes) are
  retried ``publish.retries`` times with exponential backoff (``Retry-After``
  honoured, capped at ``publish.max_backoff``); a permanent failure is recorded at once
  and not retried by later runs (unless asked); no delivery is tried more than
  ``publish.max_attempts`` times over all runs;
- channels are sent in parallel threads: a slow or failing channel never blocks the
  others; an unexpected exception in a plugin fails that delivery, not the run;
- every failed delivery raises one operator notice per issue version and channel.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from dongtai.config import Settings
from dongtai.publish import notices
from dongtai.publish.approval import publishable
from dongtai.publish.channel import Channel, DeliveryError, load_channel, retry_delay, short
from dongtai.publish.issue import Issue, PublishError, ensure_files, load_issue
from dongtai.publish.lock import day_lock
from dongtai.store import Store, open_store
from dongtai.store.publishing import Delivery, Ledger

MAX_THREADS = 8
Sleep = Callable[[float], None]


@dataclass
class Report:
    """What one publish call did."""

    issue_date: date
    version: str
    deliveries: list[Delivery] = field(default_factory=list)
    sent: int = 0  # deliveries completed by this call
    already: int = 0  # deliveries found delivered by an earlier call

    @property
    def failed(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.status != "delivered"]

    @property
    def ok(self) -> bool:
        return not self.failed


def publish_issue(
    settings: Settings,
    issue_date: date,
    channels: list[str] | None = None,
    store: Store | None = None,
    locked: bool = False,
    retry_permanent: bool = False,
) -> Report:
    """Send the issue of ``issue_date`` to ``channels`` (default ``publish.channels``).

    ``locked``: the caller already holds the day's lock (:func:`dongtai.publish.run`)."""
    store = store or open_store(settings.db_url)
    with nullcontext() if locked else day_lock(settings, issue_date):
        issue = load_issue(settings, store, issue_date)
        allowed, why = publishable(settings, store, issue)
        if not allowed:
            raise PublishError(f"the issue of {issue_date} cannot be published: {why}")
        names = list(dict.fromkeys(channels or settings.publish.channels))
        if not names:
            raise PublishError("no channel to publish to: set publish.channels or --channel")
        loaded = [load_channel(settings, name) for name in names]
        ensure_files(issue, [fmt for channel in loaded for fmt in channel.formats])
        sender = _Sender(settings, Ledger(store), issue, retry_permanent)
        with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(loaded))) as pool:
            results = list(pool.map(sender.channel, loaded))
        report = Report(issue_date, issue.version)
        for deliveries, sent, already in results:
            report.deliveries.extend(deliveries)
            report.sent += sent
            report.already += already
        _notify_failures(settings, store, issue, report)
        return report


@dataclass
class _Sender:
    settings: Settings
    ledger: Ledger
    issue: Issue
    retry_permanent: bool
    sleep: Sleep = time.sleep

    def channel(self, channel: Channel) -> tuple[list[Delivery], int, int]:
        done: list[Delivery] = []
        sent = already = 0
        try:
            for recipient in channel.recipients():
                delivery, earlier = self.recipient(channel, recipient)
                delivered = delivery.status == "delivered"
                sent += delivered and not earlier
                already += delivered and earlier
                done.append(delivery)
        finally:
            channel.close()
        return done, sent, already

    def recipient(self, channel: Channel, recipient: str) -> tuple[Delivery, bool]:
        """The delivery after trying it, and whether it was delivered before this call."""
        issue = self.issue
        key = f"{issue.date}/{issue.version}/{channel.name}/{recipient}"
        delivery_id = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
        where = (issue.date, issue.version, channel.name, recipient)
        delivery = self.ledger.delivery(key, delivery_id, where)
        if delivery.status == "delivered":
            return delivery, True
        if delivery.status == "failed" and delivery.permanent and not self.retry_permanent:
            return delivery, False
        return self._try(channel, delivery), False

    def _try(self, channel: Channel, delivery: Delivery) -> Delivery:
        limit = self.settings.publish.max_attempts
        if delivery.attempts >= limit:
            return self._fail(delivery, f"given up after {delivery.attempts} attempts", True)
        try:
            parts = channel.parts(self.issue, delivery.recipient)
        except DeliveryError as exc:
            return self._fail(delivery, str(exc), not exc.transient)
        except Exception as exc:  # a plugin's bug fails its delivery, not the run
            return self._fail(delivery, f"unexpected {type(exc).__name__}: {exc}", True)
        delivery = self.ledger.update_delivery(
            delivery.key, parts_total=len(parts), status="pending", permanent=False
        )
        return self._send_parts(channel, delivery, parts)

    def _send_parts(self, channel: Channel, delivery: Delivery, parts: list[Any]) -> Delivery:
        responses: list[str] = []
        for index in range(delivery.parts_sent, len(parts)):
            if index > delivery.parts_sent and channel.part_interval:
                self.sleep(channel.part_interval)
            part_id = delivery.delivery_id
            if len(parts) > 1:
                part_id += f"-{index + 1}"
            outcome = self._send_one(channel, delivery, parts[index], part_id)
            if isinstance(outcome, DeliveryError):
                return self._fail(delivery, str(outcome), not outcome.transient)
            responses.append(outcome)
            delivery = self.ledger.update_delivery(
                delivery.key, parts_sent=index + 1, response=short(" | ".join(responses[-3:]))
            )
        return self.ledger.update_delivery(
            delivery.key, status="delivered", delivered_at=datetime.now(UTC)
        )

    def _send_one(
        self, channel: Channel, delivery: Delivery, part: Any, part_id: str
    ) -> str | DeliveryError:
        """One message, retried while transient: its response, or the last error."""
        policy = self.settings.publish
        attempts = self.ledger.delivery_attempts(delivery.key)
        for retry in range(policy.retries + 1):
            attempts += 1
            self.ledger.update_delivery(delivery.key, attempts=attempts)
            try:
                return channel.send(part, delivery.recipient, part_id)
            except DeliveryError as exc:
                if not exc.transient or retry == policy.retries or attempts >= policy.max_attempts:
                    return exc
                self.sleep(retry_delay(policy, retry, exc.retry_after))
            except Exception as exc:  # a plugin's bug fails its delivery, not the run
                return DeliveryError(f"unexpected {type(exc).__name__}: {exc}")
        return DeliveryError("no attempt made")  # retries >= 0: not reached

    def _fail(self, delivery: Delivery, reason: str, permanent: bool) -> Delivery:
        return self.ledger.update_delivery(
            delivery.key, status="failed", permanent=permanent, response=short(reason)
        )


def _notify_failures(settings: Settings, store: Store, issue: Issue, report: Report) -> None:
    for delivery in report.failed:
        who = f" to {delivery.recipient}" if delivery.recipient else ""
        notices.notify(
            settings,
            store,
            f"delivery-failed:{issue.date}:{issue.version}:{delivery.channel}:{delivery.recipient}",
            f"{issue.date} 期发送失败：{delivery.channel}{who}",
            f"The issue of {issue.date} (version {issue.version}) was not delivered by "
            f"channel {delivery.channel}{who} after {delivery.attempts} attempt(s): "
            f"{delivery.response}",
        )
