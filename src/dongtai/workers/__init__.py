"""Work queued for workers: Dramatiq on RabbitMQ, the four tasks, and enqueueing.

Rules:
- the queue (``broker_queue``, default ``dongtai``) is on RabbitMQ at ``broker_url``
  (``DONGTAI_BROKER_URL``, ``amqp://…``); no URL,
  another scheme, the ``workers`` extra missing or the server unreachable is a
  :class:`~dongtai.errors.BrokerError` in one line (the password never shown). Without
  a broker everything runs in process, as always;
- the tasks (:data:`TASKS`): ``fetch_source`` (one registry source, its pages queued as
  ``extract_page``), ``extract_page`` (one article page), ``enrich_items`` (embeddings,
  figures, organisations and signature of stored items, queued by the fetch tasks) and
  ``brief_day`` (build one issue date);
- messages are persistent on a durable queue, published with confirmation; a worker
  acknowledges a message only after the task has returned, i.e. after its result is in
  the store (late ack): a worker killed mid-task leaves the message unacknowledged and
  RabbitMQ gives it to another worker, or to the same one restarted;
- every task is idempotent (items are unique by URL, a page upgrades only a summary-only
  item, a briefing replaces its earlier version), so a task run twice stores nothing
  twice;
- Dramatiq and pika are imported only here and in :mod:`dongtai.workers.tasks`, when a
  queue is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from dongtai.errors import BrokerError

if TYPE_CHECKING:
    from dramatiq.brokers.rabbitmq import RabbitmqBroker

    from dongtai.config import Settings

TASKS = ("fetch_source", "extract_page", "enrich_items", "brief_day")
MAX_RETRIES = 3  # a task that raises is tried again (with back-off), then dead-lettered


def connect(url: str) -> RabbitmqBroker:
    """The broker at ``url``, checked reachable (rules in the module docstring)."""
    if not url:
        raise BrokerError(
            "no task queue configured: set DONGTAI_BROKER_URL (e.g. amqp://guest:guest@127.0.0.1:5672)"
        )
    if not url.startswith(("amqp://", "amqps://")):
        raise BrokerError(f"broker URL {_shown(url)} is not amqp:// or amqps:// (RabbitMQ)")
    try:
        import pika.exceptions
        from dramatiq.brokers.rabbitmq import RabbitmqBroker
        from dramatiq.middleware import AgeLimit, Callbacks, Pipelines, Retries, TimeLimit
    except ImportError as exc:
        raise BrokerError(
            f"workers need the extra: pip install 'dongtai[workers]' ({exc})"
        ) from exc
    middleware = [
        AgeLimit(),
        TimeLimit(),
        Callbacks(),
        Pipelines(),
        Retries(max_retries=MAX_RETRIES),
    ]
    broker = RabbitmqBroker(url=url, confirm_delivery=True, middleware=middleware)
    try:
        broker.connection  # noqa: B018  (opens it: unreachable is said now, not at first use)
    except (pika.exceptions.AMQPError, OSError) as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise BrokerError(f"broker {_shown(url)} unreachable: {detail[:200]}") from exc
    return broker


def enqueue(broker: RabbitmqBroker, queue: str, task: str, *args: Any) -> None:
    """Queue one task with its (JSON) arguments on ``queue``."""
    from dramatiq import Message

    if task not in TASKS:
        raise BrokerError(f"unknown task {task!r} (tasks: {', '.join(TASKS)})")
    message: Message[Any] = Message(
        queue_name=queue, actor_name=task, args=args, kwargs={}, options={}
    )
    try:
        broker.enqueue(message)
    except Exception as exc:  # pika's errors have no common root below Exception
        raise BrokerError(f"cannot queue {task}: {type(exc).__name__}: {exc}") from exc


def enqueue_fetch(settings: Settings, source_ids: Sequence[str], allow_private: bool) -> int:
    """Queue one ``fetch_source`` per source; how many were queued."""
    return _send(settings, [("fetch_source", (sid, allow_private)) for sid in source_ids])


def enqueue_brief(settings: Settings, day: date) -> None:
    """Queue the build of one issue date."""
    _send(settings, [("brief_day", (day.isoformat(),))])


def _send(settings: Settings, tasks: Sequence[tuple[str, tuple[Any, ...]]]) -> int:
    broker = connect(settings.broker_url)
    try:
        for task, args in tasks:
            enqueue(broker, settings.broker_queue, task, *args)
    finally:
        broker.close()
    return len(tasks)


def _shown(url: str) -> str:
    """The URL with its password hidden."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    return f"{scheme}{sep}{userinfo.split(':', 1)[0]}:***@{host}"
