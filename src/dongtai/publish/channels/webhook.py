"""Generic webhook: the briefing JSON POSTed to a URL, signed.

The body is ``briefing.json`` exactly as rendered (the briefing JSON contract,
``data/briefing.schema.json``). Headers: ``X-Dongtai-Signature: sha256=<hex>``
(HMAC-SHA256 of the body with ``secret``; sent only when a secret is set),
``X-Dongtai-Delivery`` (the same id on every retry of one delivery, so the receiver can
drop repeats), ``X-Dongtai-Event`` (``issue`` or ``notice``), ``X-Dongtai-Issue-Date``
and ``X-Dongtai-Issue-Version``. Any 2xx answer is a delivery; 429 and 5xx are
retried; other answers (a refused signature: 401/403) are permanent failures.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, ClassVar

from pydantic import BaseModel, Field, SecretStr, field_validator

from dongtai.publish.channel import HttpChannel, short
from dongtai.publish.issue import Issue

SIGNATURE_HEADER = "X-Dongtai-Signature"
DELIVERY_HEADER = "X-Dongtai-Delivery"


class WebhookOptions(BaseModel):
    url: str = Field(description="Where the briefing JSON is POSTed")
    secret: SecretStr = Field(SecretStr(""), description="HMAC-SHA256 key of the signature")
    headers: dict[str, str] = Field(default_factory=dict, description="Extra request headers")

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.strip().startswith(("http://", "https://")):
            raise ValueError(f"must be an http(s) URL, got {value!r}")
        return value.strip()


class WebhookChannel(HttpChannel):
    Options: ClassVar[type[BaseModel]] = WebhookOptions
    formats: ClassVar[tuple[str, ...]] = ("json",)
    options: WebhookOptions

    def parts(self, issue: Issue, recipient: str) -> list[Any]:
        headers = {"X-Dongtai-Event": "issue", "X-Dongtai-Issue-Date": issue.date.isoformat(),
                   "X-Dongtai-Issue-Version": issue.version}  # fmt: skip
        return [(issue.read("json"), headers)]

    def notice_parts(self, subject: str, text: str) -> list[Any]:
        body = {"event": "notice", "subject": subject, "text": text}
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return [(data, {"X-Dongtai-Event": "notice"})]

    def send(self, part: Any, recipient: str, delivery_id: str) -> str:
        body, headers = part
        headers = {**self.options.headers, **headers, DELIVERY_HEADER: delivery_id,
                   "Content-Type": "application/json; charset=utf-8"}  # fmt: skip
        secret = self.options.secret.get_secret_value()
        if secret:
            headers[SIGNATURE_HEADER] = "sha256=" + signature(secret, body)
        response = self.request("POST", self.options.url, content=body, headers=headers)
        return f"HTTP {response.status_code} {short(response.text)}".strip()


def signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
