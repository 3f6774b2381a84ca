"""Real local servers for the publishing tests: a scripted HTTP receiver that records
every request, the group bots of WeCom, Feishu and DingTalk checking their documented
size limits and signatures, and the generic webhook receiver checking the HMAC header.

Signatures are recomputed here from the platforms' documentation, independently of
:mod:`dongtai.publish.channels.bots`, so a wrong implementation fails the tests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from tests.httpserver import Background


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Reply = tuple[int, dict[str, str], bytes]
Script = Callable[[Request], Reply]


def reply_json(data: Any, code: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return code, {"Content-Type": "application/json", **(headers or {})}, json.dumps(data).encode()


@dataclass
class Recorder(Background):
    """An HTTP server on 127.0.0.1: ``handler(request) -> (status, headers, body)``;
    ``faults`` answered first, one per request (a status code, or ``"slow"``)."""

    handler: Script
    faults: list[int | str] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    delay: float = 3.0

    def start(self) -> Recorder:
        recorder = self

        class _Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                recorder._serve(self, "POST")

            def do_GET(self) -> None:
                recorder._serve(self, "GET")

            def log_message(self, format: str, *args: object) -> None:
                return

        self.listen(_Handler)
        return self

    def accepted(self) -> list[Request]:
        """Requests answered with success (2xx and no platform error code)."""
        return [r for r in self.requests if getattr(r, "ok", False)]

    def _serve(self, http: BaseHTTPRequestHandler, method: str) -> None:
        length = int(http.headers.get("Content-Length") or 0)
        parts = urlsplit(http.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        request = Request(
            method, parts.path, query, dict(http.headers.items()), http.rfile.read(length)
        )
        self.requests.append(request)
        fault = self.faults.pop(0) if self.faults else None
        if fault == "slow":
            time.sleep(self.delay)
            code, headers, body = 200, {}, b"too late"
        elif isinstance(fault, int):
            code, headers, body = fault, {"Retry-After": "0"}, b"busy"
        else:
            code, headers, body = self.handler(request)
            request.ok = code < 300 and _no_error_code(body)  # type: ignore[attr-defined]
        try:
            http.send_response(code)
            for name, value in headers.items():
                http.send_header(name, value)
            http.send_header("Content-Length", str(len(body)))
            http.end_headers()
            http.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _no_error_code(body: bytes) -> bool:
    try:
        data = json.loads(body)
    except ValueError:
        return True
    return not isinstance(data, dict) or not (data.get("errcode") or data.get("code"))


# platform fakes ------------------------------------------------------------------------


def wecom(request: Request) -> Reply:
    """WeCom group bot: markdown content at most 4096 bytes; upload_media for files."""
    if request.path.endswith("/upload_media"):
        if b'name="media"' not in request.body:
            return reply_json({"errcode": 40004, "errmsg": "invalid media"})
        return reply_json({"errcode": 0, "errmsg": "ok", "type": "file", "media_id": "m-1"})
    data = request.json()
    if data["msgtype"] == "markdown":
        if len(data["markdown"]["content"].encode("utf-8")) > 4096:
            return reply_json({"errcode": 40058, "errmsg": "markdown.content exceed max length"})
    elif data["msgtype"] == "file" and data["file"]["media_id"] != "m-1":
        return reply_json({"errcode": 40007, "errmsg": "invalid media_id"})
    return reply_json({"errcode": 0, "errmsg": "ok"})


def feishu(secret: str) -> Script:
    """Feishu custom bot: body at most 20 KB; signed with timestamp (s) and secret."""

    def handle(request: Request) -> Reply:
        if len(request.body) > 20 * 1024:
            return reply_json({"code": 9499, "msg": "request body too large"})
        data = request.json()
        key = f"{data.get('timestamp')}\n{secret}".encode()
        expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        fresh = abs(time.time() - int(data.get("timestamp") or 0)) < 3600
        if data.get("sign") != expected or not fresh:
            return reply_json(
                {
                    "code": 19021,
                    "msg": "sign match fail or timestamp is not within one hour from current time",
                }
            )
        return reply_json(
            {"StatusCode": 0, "StatusMessage": "success", "code": 0, "msg": "success"}
        )

    return handle


def dingtalk(secret: str) -> Script:
    """DingTalk custom robot: markdown text at most 20000 bytes; URL signed (ms)."""

    def handle(request: Request) -> Reply:
        timestamp = request.query.get("timestamp", "0")
        message = f"{timestamp}\n{secret}".encode()
        expected = base64.b64encode(
            hmac.new(secret.encode(), message, hashlib.sha256).digest()
        ).decode()
        fresh = abs(time.time() * 1000 - int(timestamp)) < 3600 * 1000
        if request.query.get("sign") != expected or not fresh:
            return reply_json({"errcode": 310000, "errmsg": "sign not match"})
        data = request.json()
        if len(data["markdown"]["text"].encode("utf-8")) > 20000:
            return reply_json({"errcode": 460101, "errmsg": "message too long"})
        return reply_json({"errcode": 0, "errmsg": "ok"})

    return handle


def webhook(secret: str) -> Script:
    """A receiver checking ``X-Dongtai-Signature: sha256=<hex>`` (401 when wrong)."""

    def handle(request: Request) -> Reply:
        expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
        if request.headers.get("X-Dongtai-Signature") != expected:
            return 401, {}, b"bad signature"
        return 202, {}, b"queued"

    return handle


def folder_registry(
    home: Path, folder: Path, lines: list[str], extra: tuple[dict[str, str], ...] = ()
) -> None:
    """``HOME/sources.yaml`` with a ``folder`` source ``local`` reading ``folder``, plus
    the outlets of ``lines`` the shipped registry lacks (a folder fetch stores items of
    registered outlets only)."""
    from dongtai.ingest import parse_lines
    from dongtai.pipeline import zone
    from dongtai.sources import load_registry

    parsed = parse_lines(lines, load_registry(home), zone("Asia/Shanghai"), 0.4)
    outlets = [{"id": s.id, "name_en": s.name_en, "name_zh": s.name_zh, "language": s.language}
               for s in parsed.new_sources.values()]  # fmt: skip
    local = {
        "id": "local",
        "name_en": "Local",
        "name_zh": "本地",
        "kind": "folder",
        "url": str(folder),
    }
    home.mkdir(parents=True, exist_ok=True)
    data = {"sources": [local, *extra, *outlets]}
    (home / "sources.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
