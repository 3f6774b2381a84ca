"""The OpenAI chat-completions protocol over httpx, for any compatible endpoint
(DeepSeek, Qwen on DashScope, Moonshot, GLM, OpenAI, Ollama, vLLM, llama.cpp).

Rules:
  * one POST to ``{base_url}/chat/completions`` per call, with ``Authorization: Bearer``
    when a key is set; the answer as one JSON document, or, when ``stream`` is set, as
    server-sent events (``data: {…}`` lines whose ``delta.content`` are concatenated,
    ``data: [DONE]`` ends; usage from the chunk that carries it, asked for with
    ``stream_options.include_usage``);
  * time-outs: ``connect_timeout`` to connect, ``read_timeout`` for each read;
  * retries: on 429, 5xx, time-outs and broken connections, up to ``retries`` times,
    after ``backoff · 2^k`` seconds or the server's ``Retry-After`` (seconds or an HTTP
    date), never longer than ``max_retry_after``;
  * any other 4xx is not retried: 401/403 (the key) and 404 (base URL or model) are
    configuration errors (:class:`ConfigError`), the others a failed call (:class:`LlmError`);
  * at most ``concurrency`` requests in flight; request starts spaced so that at most
    ``requests_per_minute`` start in a minute (0: no limit);
  * after three calls in a row that failed for transport reasons (time-outs, refused
    connections, 429/5xx to the end) the endpoint is taken as down and later calls fail
    at once: a dead endpoint costs seconds, not minutes per paragraph;
  * usage: ``prompt_tokens`` / ``completion_tokens`` as reported; when the server reports
    none they are estimated (:func:`estimate_tokens`) and flagged.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from dongtai.config import LlmSettings
from dongtai.errors import ConfigError, LlmError

__all__ = ["Answer", "ChatClient", "char_tokens", "estimate_tokens"]

RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529})
DOWN_AFTER = 3
_WIDE = re.compile(r"[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
Message = dict[str, str]


def char_tokens(ch: str) -> float:
    """What one character adds to :func:`estimate_tokens`."""
    return 1.0 if _WIDE.match(ch) else 0.25


def estimate_tokens(text: str) -> int:
    """Tokens of ``text`` as common tokenizers count them, roughly: one per CJK character,
    one per four other characters (no tokenizer file is loaded: nothing downloads)."""
    wide = len(_WIDE.findall(text))
    return wide + (len(text) - wide + 3) // 4


@dataclass(frozen=True)
class Answer:
    """One completion: its text (reasoning blocks included), the server's refusal if
    any, why it stopped, its usage (``estimated`` when the server gave none), and how
    many retries it took."""

    content: str
    refusal: str = ""
    finish_reason: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    estimated: bool = False
    retries: int = 0


class _Transient(Exception):
    """A failure worth retrying; ``wait`` is the server's Retry-After, if it gave one."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.wait = wait


class ChatClient:
    """Thread-safe client of one endpoint (rules in the module docstring)."""

    def __init__(self, settings: LlmSettings, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        headers = {"Content-Type": "application/json"}
        key = settings.api_key.get_secret_value()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout, pool=None)
        limits = httpx.Limits(max_connections=settings.concurrency)
        self._http = httpx.Client(
            base_url=settings.base_url, headers=headers, timeout=timeout, limits=limits,
            transport=transport,
        )  # fmt: skip
        self._slots = threading.BoundedSemaphore(settings.concurrency)
        self._lock = threading.Lock()
        self._next_start = 0.0
        self._failed_in_a_row = 0

    def close(self) -> None:
        self._http.close()

    def complete(self, body: dict[str, Any]) -> Answer:
        """The completion of a request ``body`` (model, messages, …), with retries."""
        if self._failed_in_a_row >= DOWN_AFTER:
            raise LlmError(f"the endpoint {self.settings.base_url} is down (skipped)")
        s = self.settings
        for attempt in range(s.retries + 1):
            try:
                with self._slots:
                    self._pace()
                    answer = self._once(body)
            except _Transient as exc:
                if attempt == s.retries:
                    self._count_failure(failed=True)
                    raise LlmError(f"{exc} (after {attempt + 1} tries)") from None
                time.sleep(min(s.max_retry_after, exc.wait or s.backoff * 2**attempt))
                continue
            self._count_failure(failed=False)
            return _with_retries(answer, attempt)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _count_failure(self, failed: bool) -> None:
        with self._lock:
            self._failed_in_a_row = self._failed_in_a_row + 1 if failed else 0

    def _pace(self) -> None:
        """Wait for this request's start slot under ``requests_per_minute``."""
        rpm = self.settings.requests_per_minute
        if not rpm:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + 60.0 / rpm
        time.sleep(max(0.0, start - now))

    def _once(self, body: dict[str, Any]) -> Answer:
        try:
            if body.get("stream"):
                return self._streamed(body)
            response = self._http.post("/chat/completions", json=body)
            _raise_for(response)
            return _from_document(_json(response), body)
        except httpx.TimeoutException as exc:
            raise _Transient(f"timed out ({type(exc).__name__})") from None
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise _Transient(f"connection failed: {exc}") from None

    def _streamed(self, body: dict[str, Any]) -> Answer:
        with self._http.stream("POST", "/chat/completions", json=body) as response:
            if response.status_code >= 400:
                response.read()
                _raise_for(response)
            return _from_events(_events(response.iter_lines()), body)


def _with_retries(answer: Answer, retries: int) -> Answer:
    return Answer(**{**answer.__dict__, "retries": retries})


def _raise_for(response: httpx.Response) -> None:
    code = response.status_code
    if code < 400:
        return
    message = _error_message(response)
    if code in RETRY_STATUS or code >= 500:
        raise _Transient(f"HTTP {code}: {message}", _retry_after(response))
    if code in (401, 403):
        raise ConfigError(f"the LLM endpoint refused the API key (HTTP {code}: {message})")
    if code == 404:
        raise ConfigError(f"the LLM endpoint has no such model or path (HTTP 404: {message})")
    raise LlmError(f"HTTP {code}: {message}")


def _error_message(response: httpx.Response) -> str:
    try:
        error = response.json().get("error", "")
    except (ValueError, AttributeError):
        return response.text[:200]
    return str(error.get("message", error) if isinstance(error, dict) else error)[:200]


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        document = response.json()
    except ValueError:
        raise _Transient(f"the server answered no JSON: {response.text[:80]!r}") from None
    if not isinstance(document, dict):
        raise _Transient("the server answered JSON that is not an object")
    return document


def _from_document(document: dict[str, Any], body: dict[str, Any]) -> Answer:
    choices = document.get("choices") or [{}]
    message = choices[0].get("message") or {}
    content = message.get("content") or ""
    return _answer(
        content,
        str(message.get("refusal") or ""),
        str(choices[0].get("finish_reason") or ""),
        document.get("usage"),
        body,
    )


def _events(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    for line in lines:
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            event = json.loads(data)
        except json.JSONDecodeError:
            continue  # a keep-alive or a broken event: the answer's parser copes
        if isinstance(event, dict):
            yield event


def _from_events(events: Iterator[dict[str, Any]], body: dict[str, Any]) -> Answer:
    parts: list[str] = []
    refusal: list[str] = []
    finish, usage = "", None
    for event in events:
        usage = event.get("usage") or usage
        for choice in event.get("choices") or []:
            delta = choice.get("delta") or {}
            parts.append(delta.get("content") or "")
            refusal.append(delta.get("refusal") or "")
            finish = choice.get("finish_reason") or finish
    return _answer("".join(parts), "".join(refusal), finish, usage, body)


def _answer(content: str, refusal: str, finish: str, usage: Any, body: dict[str, Any]) -> Answer:
    if isinstance(usage, dict) and usage.get("prompt_tokens") is not None:
        return Answer(
            content,
            refusal,
            finish,
            int(usage.get("prompt_tokens") or 0),
            int(usage.get("completion_tokens") or 0),
        )
    messages: Sequence[dict[str, Any]] = body.get("messages", [])
    prompt = sum(estimate_tokens(str(m.get("content", ""))) + 4 for m in messages)
    return Answer(content, refusal, finish, prompt, estimate_tokens(content), estimated=True)
