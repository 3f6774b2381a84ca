"""The channel plugin seam, delivery errors, retry delays and the HTTP helper.

A channel is a class registered in the entry-point group ``dongtai.channels`` (the
built-ins too, in ``pyproject.toml``) and configured by a ``[channels.NAME]`` table whose
``type`` names the plugin (default: NAME). The class declares ``Options``, a pydantic
model of its settings (secrets as ``SecretStr``, also from ``DONGTAI_CHANNELS__NAME__KEY``),
``formats`` (the renderings it sends) and implements:

- ``recipients()``: who receives one issue (one delivery row each; ``[""]`` for a
  channel with one target);
- ``parts(issue, recipient)``: the messages of one delivery, in order (deterministic
  for one issue version, so a resumed delivery skips the parts already sent);
- ``notice_parts(subject, text)``: the messages of an operator notice (optional);
- ``send(part, recipient, delivery_id)``: send one message; returns a short response
  summary or raises :class:`DeliveryError` — ``transient`` for what may succeed later
  (429, 5xx, time-outs, a refused connection, rate-limit codes), permanent otherwise.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import httpx
from pydantic import BaseModel, ValidationError

from dongtai.config import ChannelSettings, PublishSettings, Settings
from dongtai.errors import ConfigError, DongtaiError
from dongtai.plugins import CHANNELS, load
from dongtai.publish.issue import Issue

RESPONSE_CHARS = 500


class DeliveryError(DongtaiError):
    """A message was not accepted. ``transient``: worth retrying later."""

    def __init__(
        self, message: str, transient: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after


class Channel:
    """Base of the channel plugins (see the module docstring)."""

    Options: ClassVar[type[BaseModel]]
    formats: ClassVar[tuple[str, ...]] = ()
    part_interval: float = 0.0  # seconds between two messages of one delivery

    def __init__(self, name: str, options: Any, settings: Settings) -> None:
        self.name = name
        self.options = options
        self.settings = settings

    @property
    def policy(self) -> PublishSettings:
        return self.settings.publish

    def recipients(self) -> list[str]:
        return [""]

    def parts(self, issue: Issue, recipient: str) -> list[Any]:
        raise NotImplementedError

    def notice_parts(self, subject: str, text: str) -> list[Any]:
        raise DeliveryError(f"channel {self.name!r} cannot carry operator notices")

    def send(self, part: Any, recipient: str, delivery_id: str) -> str:
        raise NotImplementedError

    def close(self) -> None:
        """Release connections (called once the channel's deliveries are done)."""


def load_channel(settings: Settings, name: str) -> Channel:
    """The channel configured as ``[channels.NAME]``, its settings checked (a channel
    without a table gets its plugin's defaults: ``site`` needs none)."""
    table = settings.channels.get(name) or ChannelSettings()
    factory = load(CHANNELS, table.type or name)
    try:
        options = factory.Options.model_validate(table.options())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"invalid setting channels.{name}.{where}: {first['msg']}") from exc
    channel: Channel = factory(name, options, settings)
    return channel


class HttpChannel(Channel):
    """A channel that talks HTTP with JSON: one pooled client, errors classified."""

    _client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=self.policy.timeout, follow_redirects=False)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """The response of a 2xx answer; :class:`DeliveryError` for anything else."""
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise DeliveryError(
                f"timed out after {self.policy.timeout:g} s ({type(exc).__name__})", True
            ) from exc
        except httpx.TransportError as exc:
            raise DeliveryError(f"connection failed: {type(exc).__name__}: {exc}", True) from exc
        code = response.status_code
        if code == 429 or code >= 500:
            raise DeliveryError(f"HTTP {code}: {short(response.text)}", True, retry_after(response))
        if code >= 400:
            raise DeliveryError(f"HTTP {code}: {short(response.text)}")
        return response

    def post_json(
        self, url: str, payload: Any, headers: dict[str, str] | None = None
    ) -> tuple[httpx.Response, Any]:
        """POST ``payload`` as UTF-8 JSON; the response and its decoded JSON (or None)."""
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        all_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        response = self.request("POST", url, content=body, headers=all_headers)
        return response, answer_json(response)


def answer_json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.replace(".", "", 1).isdigit() else None


def short(text: str) -> str:
    """One line of at most ``RESPONSE_CHARS`` characters, for the delivery log."""
    line = " ".join(text.split())
    return line if len(line) <= RESPONSE_CHARS else line[: RESPONSE_CHARS - 1] + "…"


def retry_delay(policy: PublishSettings, attempt: int, hint: float | None) -> float:
    """Seconds before retry number ``attempt`` (0-based): the server's Retry-After when
    given, else ``backoff`` doubled each time; never more than ``max_backoff``."""
    delay = hint if hint is not None else policy.backoff * (2**attempt)
    return max(0.0, min(delay, policy.max_backoff))
