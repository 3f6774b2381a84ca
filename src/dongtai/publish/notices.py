"""Operator notices: a run failed, verification failed, a source is down, a delivery
failed — told once per problem to the channel named by ``publish.operator``.

Rules:
- a problem is identified by a key (``run-failed:D``, ``verification-failed:D:version``,
  ``source-down:ID``, ``delivery-failed:D:version:channel:recipient``); a key already
  told is not told again, however often the problem is seen;
- a notice that could not be sent is tried again the next time the problem is seen, at
  most ``MAX_NOTICE_ATTEMPTS`` times; a notice never raises: the operator channel
  failing must not fail the run it reports on;
- a solved problem is forgotten (:func:`resolve`), so that it is told again if it
  comes back (a source that recovers and fails again);
- without ``publish.operator`` problems are recorded (``dongtai deliveries`` shows
  deliveries; the notices table keeps the rest) but sent nowhere.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from dongtai.config import Settings
from dongtai.errors import DongtaiError
from dongtai.publish.channel import DeliveryError, load_channel, retry_delay
from dongtai.store import Store
from dongtai.store.publishing import Ledger

MAX_NOTICE_ATTEMPTS = 5
log = logging.getLogger(__name__)


def notify(settings: Settings, store: Store, key: str, subject: str, text: str) -> bool:
    """Tell the operator about problem ``key`` unless already told; True when sent now."""
    ledger = Ledger(store)
    told, attempts = ledger.notice(key, text)
    if told or attempts >= MAX_NOTICE_ATTEMPTS or not settings.publish.operator:
        return False
    error = _send(settings, subject, text)
    ledger.notice_attempted(key, sent=not error, error=error)
    if error:
        log.warning("operator notice %s not sent: %s", key, error)
    return not error


def resolve(store: Store, prefix: str, still: Sequence[str] = ()) -> int:
    """Forget solved problems: keys starting with ``prefix`` except those ``still`` open."""
    return Ledger(store).resolve_notices(prefix, still)


def _send(settings: Settings, subject: str, text: str) -> str:
    """'' when sent, else why not (after the configured retries)."""
    try:
        channel = load_channel(settings, settings.publish.operator)
    except DongtaiError as exc:
        return str(exc)
    try:
        for part in channel.notice_parts(subject, text):
            for retry in range(settings.publish.retries + 1):
                try:
                    channel.send(part, "", "notice")
                    break
                except DeliveryError as exc:
                    if not exc.transient or retry == settings.publish.retries:
                        raise
                    time.sleep(retry_delay(settings.publish, retry, exc.retry_after))
    except DeliveryError as exc:
        return str(exc)
    except Exception as exc:  # the operator channel must never fail what it reports on
        return f"unexpected {type(exc).__name__}: {exc}"
    finally:
        channel.close()
    return ""
