"""Group bots of WeCom (企业微信), Feishu/Lark (飞书) and DingTalk (钉钉).

Each posts the issue as the platform's own format, split in order into several
messages when longer than the platform's documented limit (:mod:`dongtai.publish.digest`):

- WeCom: ``markdown`` messages, ``content`` at most 4096 bytes of UTF-8; the PDF is then
  uploaded to the bot (``/webhook/upload_media?type=file``) and sent as a ``file``
  message (``send_pdf``); errcode 45009 (frequency limit) and -1 (busy) are transient;
- Feishu/Lark: ``post`` (rich text) messages, the request body at most 20 KB; with a
  ``secret`` the body carries ``timestamp`` (seconds) and ``sign`` = Base64 of
  HMAC-SHA256 keyed by ``timestamp + "\\n" + secret`` over an empty message; code 11232
  and 9499 (frequency limits) are transient, 19021 (signature) and the others permanent;
- DingTalk: ``markdown`` messages, ``text`` at most 20000 bytes; with a ``secret`` the
  URL carries ``timestamp`` (milliseconds) and ``sign`` = URL-encoded Base64 of
  HMAC-SHA256 keyed by the secret over ``timestamp + "\\n" + secret``; errcode 130101
  (too fast) is transient, 310000 (security check: signature, keyword or IP) permanent.

The bots' frequency limits (about 20 messages a minute) are kept by waiting
``interval`` seconds between the messages of one issue.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any, ClassVar
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

from pydantic import BaseModel, Field, SecretStr

from dongtai.config import HttpUrl
from dongtai.errors import DeliveryError
from dongtai.publish.channel import HttpChannel, short
from dongtai.publish.digest import Block, Line, blocks, pack
from dongtai.publish.issue import Issue

WECOM_MAX_BYTES = 4096
FEISHU_MAX_BYTES = 20 * 1024
DINGTALK_MAX_BYTES = 20000


class BotOptions(BaseModel):
    """``[channels.NAME]`` of a group bot."""

    webhook: HttpUrl = Field(description="The bot's webhook URL (it holds the bot's key)")
    secret: SecretStr = Field(SecretStr(""), description="Signing secret (Feishu, DingTalk)")
    max_bytes: int = Field(0, ge=0, description="Smaller message limit; 0: the platform's")
    interval: float = Field(3.0, ge=0, description="Seconds between two messages of an issue")
    send_pdf: bool = Field(True, description="WeCom: upload the PDF and send it as a file")


class _Bot(HttpChannel):
    Options: ClassVar[type[BaseModel]] = BotOptions
    formats: ClassVar[tuple[str, ...]] = ()
    limit: ClassVar[int]
    options: BotOptions

    def __init__(self, name: str, options: Any, settings: Any) -> None:
        super().__init__(name, options, settings)
        self.part_interval = self.options.interval

    @property
    def max_bytes(self) -> int:
        mine = self.options.max_bytes
        return min(mine, self.limit) if mine else self.limit

    def parts(self, issue: Issue, recipient: str) -> list[Any]:
        def fits(chunk: list[Block], i: int, n: int) -> bool:
            return self.size(self.message(issue.title, chunk, i, n)) <= self.max_bytes

        chunks = pack(blocks(issue), fits)
        return [self.message(issue.title, c, i + 1, len(chunks)) for i, c in enumerate(chunks)]

    def notice_parts(self, subject: str, text: str) -> list[Any]:
        return [self.message(subject, [(Line(text),)], 1, 1)]

    def message(self, title: str, chunk: list[Block], i: int, n: int) -> dict[str, Any]:
        raise NotImplementedError

    def size(self, message: dict[str, Any]) -> int:
        raise NotImplementedError

    def check(self, answer: Any, code_key: str, transient: set[int], hints: dict[int, str]) -> str:
        """'' for success, else raise :class:`DeliveryError` classified by code."""
        if not isinstance(answer, dict):
            raise DeliveryError(f"unexpected answer: {short(str(answer))}", True)
        code = answer.get(code_key, answer.get("StatusCode", 0))
        if code in (0, None):
            return short(json.dumps(answer, ensure_ascii=False))
        message = answer.get("errmsg") or answer.get("msg") or ""
        hint = hints.get(int(code), "")
        text = f"{code_key} {code}: {message}" + (f" ({hint})" if hint else "")
        raise DeliveryError(text, int(code) in transient)


def _markdown_line(line: Line, bold: str = "**") -> str:
    text = " ".join(line.text.split())
    if line.heading:
        return f"{bold}{text}{bold}"
    return f"[{text}]({line.url})" if line.url else text


def _markdown(title: str, chunk: list[Block], i: int, n: int) -> str:
    head = f"## {title}" + (f"（{i}/{n}）" if n > 1 else "")
    body = ["\n".join(_markdown_line(line) for line in block) for block in chunk]
    return "\n\n".join([head, *body])


class WecomBot(_Bot):
    """WeCom group bot: markdown messages, then the PDF as a file."""

    limit = WECOM_MAX_BYTES
    transient: ClassVar[set[int]] = {45009, -1}
    hints: ClassVar[dict[int, str]] = {93000: "the webhook key is invalid or the bot removed"}

    @property
    def formats(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("pdf",) if self.options.send_pdf else ()

    def parts(self, issue: Issue, recipient: str) -> list[Any]:
        messages = super().parts(issue, recipient)
        if self.options.send_pdf:
            pdf = {"path": str(issue.file("pdf")), "name": f"{issue.date}.pdf"}
            messages.append({"msgtype": "file", "file": pdf})
        return messages

    def message(self, title: str, chunk: list[Block], i: int, n: int) -> dict[str, Any]:
        return {"msgtype": "markdown", "markdown": {"content": _markdown(title, chunk, i, n)}}

    def size(self, message: dict[str, Any]) -> int:
        return len(message["markdown"]["content"].encode("utf-8"))

    def send(self, part: Any, recipient: str, delivery_id: str) -> str:
        if part["msgtype"] == "file":
            part = {"msgtype": "file", "file": {"media_id": self._upload(part["file"])}}
        _, answer = self.post_json(self.options.webhook, part)
        return self.check(answer, "errcode", self.transient, self.hints)

    def _upload(self, file: dict[str, str]) -> str:
        upload = self.options.webhook.replace("/webhook/send", "/webhook/upload_media")
        url = _with_query(upload, {"type": "file"})
        with open(file["path"], "rb") as handle:
            files = {"media": (file["name"], handle, "application/octet-stream")}
            response = self.request("POST", url, files=files)
        answer = response.json() if response.content else None
        self.check(answer, "errcode", self.transient, self.hints)
        media_id = answer.get("media_id") if isinstance(answer, dict) else None
        if not media_id:
            raise DeliveryError(f"upload gave no media_id: {short(response.text)}", True)
        return str(media_id)


class FeishuBot(_Bot):
    """Feishu/Lark group bot: rich-text ``post`` messages, signed when a secret is set."""

    limit = FEISHU_MAX_BYTES
    transient: ClassVar[set[int]] = {9499, 11232}
    hints: ClassVar[dict[int, str]] = {
        19021: "signature rejected: check the secret and the server's clock",
        19022: "this server's IP address is not allowed by the bot",
        19024: "the message lacks the bot's keyword",
    }

    def message(self, title: str, chunk: list[Block], i: int, n: int) -> dict[str, Any]:
        rows: list[list[dict[str, str]]] = []
        for block in chunk:
            for line in block:
                text = " ".join(line.text.split())
                element = {"tag": "a", "text": text, "href": line.url} if line.url else None
                rows.append([element or {"tag": "text", "text": text}])
            rows.append([{"tag": "text", "text": ""}])
        heading = title + (f"（{i}/{n}）" if n > 1 else "")
        post = {"zh_cn": {"title": heading, "content": rows[:-1]}}
        return {"msg_type": "post", "content": {"post": post}}

    def size(self, message: dict[str, Any]) -> int:
        signed = {"timestamp": "1700000000", "sign": "x" * 44, **message}
        return len(json.dumps(signed, ensure_ascii=False).encode("utf-8"))

    def send(self, part: Any, recipient: str, delivery_id: str) -> str:
        secret = self.options.secret.get_secret_value()
        if secret:
            timestamp = str(int(time.time()))
            part = {"timestamp": timestamp, "sign": feishu_sign(timestamp, secret), **part}
        _, answer = self.post_json(self.options.webhook, part)
        return self.check(answer, "code", self.transient, self.hints)


class DingtalkBot(_Bot):
    """DingTalk group bot: markdown messages, the URL signed when a secret is set."""

    limit = DINGTALK_MAX_BYTES
    transient: ClassVar[set[int]] = {130101, -1}
    hints: ClassVar[dict[int, str]] = {
        310000: "security check failed: signature, keyword or IP address",
        300001: "the access token is invalid or the bot removed",
    }

    def message(self, title: str, chunk: list[Block], i: int, n: int) -> dict[str, Any]:
        text = _markdown(title, chunk, i, n)
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}

    def size(self, message: dict[str, Any]) -> int:
        return len(message["markdown"]["text"].encode("utf-8"))

    def send(self, part: Any, recipient: str, delivery_id: str) -> str:
        url = self.options.webhook
        secret = self.options.secret.get_secret_value()
        if secret:
            timestamp = str(int(time.time() * 1000))
            url = _with_query(url, {"timestamp": timestamp})
            url += "&sign=" + dingtalk_sign(timestamp, secret)
        _, answer = self.post_json(url, part)
        return self.check(answer, "errcode", self.transient, self.hints)


def feishu_sign(timestamp: str, secret: str) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def dingtalk_sign(timestamp: str, secret: str) -> str:
    message = f"{timestamp}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def _with_query(url: str, extra: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in extra]
    return urlunsplit(parts._replace(query=urlencode([*query, *extra.items()])))
