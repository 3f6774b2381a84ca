"""A real HTTP server on 127.0.0.1 for the fetch tests, with the faults they need.

Routes map a path to a handler; every request is logged (path, headers, time). The
handlers cover: static bodies with ETag (304 on If-None-Match), fixed statuses,
a status for the first N requests then a body, slow responses, truncated bodies,
redirects, and a huge body streamed lazily (never held in memory).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Handler = Callable[[BaseHTTPRequestHandler], None]
ROBOTS = b"User-agent: *\nDisallow: /private/\n"


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    at: float


class _Server(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: under load, connections past it wait
    # for a SYN retry (1 s), longer than a test's connect timeout
    request_queue_size = 128


class Background:
    """An HTTP server on a free port, serving in background threads; ``url``, ``stop``."""

    httpd: ThreadingHTTPServer
    host: str
    port: int

    def listen(self, handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1") -> None:
        self.httpd = _Server((host, 0), handler)
        self.httpd.daemon_threads = True
        self.host, self.port = host, self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"


@dataclass
class LocalServer(Background):
    routes: dict[str, Handler] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    active: int = 0
    most_active: int = 0

    def start(self, host: str = "127.0.0.1") -> LocalServer:
        server = self
        self.route("/robots.txt", static(ROBOTS, "text/plain"))

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._serve(self)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.listen(_Handler, host)
        return self

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def count(self, path: str) -> int:
        return sum(1 for hit in self.hits if hit.path == path)

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        self.hits.append(Hit(request.path, dict(request.headers.items()), time.monotonic()))
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        try:
            self.routes.get(request.path, status(404))(request)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            self.active -= 1


def _send(request: BaseHTTPRequestHandler, code: int, body: bytes, headers: dict[str, str]) -> None:
    request.send_response(code)
    for name, value in headers.items():
        request.send_header(name, value)
    if "Content-Length" not in headers:
        request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)


def static(body: bytes, content_type: str, etag: str = "", delay: float = 0.0) -> Handler:
    def handle(request: BaseHTTPRequestHandler) -> None:
        if delay:
            time.sleep(delay)
        if etag and request.headers.get("If-None-Match") == etag:
            _send(request, 304, b"", {"ETag": etag})
            return
        headers = {"Content-Type": content_type} if content_type else {}
        if etag:
            headers["ETag"] = etag
        _send(request, 200, body, headers)

    return handle


def status(code: int, headers: dict[str, str] | None = None) -> Handler:
    return lambda request: _send(request, code, b"error", headers or {})


def sequence(*handlers: Handler) -> Handler:
    """The first request gets the first handler, and so on; the last one repeats."""
    served = [0]

    def handle(request: BaseHTTPRequestHandler) -> None:
        n = min(served[0], len(handlers) - 1)
        served[0] += 1
        handlers[n](request)

    return handle


def truncated(declared: int, body: bytes) -> Handler:
    def handle(request: BaseHTTPRequestHandler) -> None:
        _send(request, 200, body, {"Content-Type": "application/rss+xml",
                                   "Content-Length": str(declared)})  # fmt: skip
        request.close_connection = True

    return handle


def redirect(location: str, code: int = 302) -> Handler:
    return lambda request: _send(request, code, b"", {"Location": location})


def huge(size: int, chunk: int = 64 * 1024) -> Handler:
    """``size`` bytes streamed without Content-Length, generated chunk by chunk."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        request.end_headers()
        block = b"<!-- padding -->" * (chunk // 16)
        sent = 0
        while sent < size:
            request.wfile.write(block)
            sent += len(block)
        request.close_connection = True

    return handle


def encoded(body: bytes, encoding: str, content_type: str = "application/rss+xml") -> Handler:
    """``body`` sent as is, declared with ``Content-Encoding: encoding`` (for bombs)."""
    headers = {"Content-Type": content_type, "Content-Encoding": encoding}
    return lambda request: _send(request, 200, body, headers)


@dataclass
class Drip:
    """Sends headers, then one byte every ``every`` seconds until the client goes away;
    ``sent`` counts the body bytes that went out."""

    every: float = 1.0
    sent: int = 0

    def __call__(self, request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        request.send_header("Content-Length", "100000")
        request.end_headers()
        request.wfile.flush()
        for _ in range(100_000):
            request.wfile.write(b"<")
            request.wfile.flush()
            self.sent += 1
            time.sleep(self.every)
