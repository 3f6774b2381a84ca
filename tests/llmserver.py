"""A real OpenAI-compatible chat-completions server on 127.0.0.1, scripted per test.

``FakeLlm(script)`` serves ``POST /v1/chat/completions``: each request (its JSON body) is
logged and answered by ``script(request) -> Reply``, as one JSON document or, when the
request asks for ``stream``, as server-sent events (content in small deltas, a usage chunk
when ``stream_options.include_usage`` is set, then ``[DONE]``). A reply can be an HTTP
error with headers (429 + Retry-After), late (time-outs), or a raw body.

:func:`grounded` is a scripted "model" that answers every task of the ``llm`` writer from
the items in the prompt, with sentences those items state (so its answers verify; its
implications are the item sentence sharing least with the facts and a line of analysis
that states no claim);
:func:`task_of` tells the task from the prompt; the other helpers alter answers
(invented figures, broken JSON, reasoning preambles…) for one task.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Request = dict[str, Any]
USAGE = (100, 20)
REPAIR_MARK = "未能通过事实核查"
FIX_MARK = "上一个回答无法使用"
IMPLICATIONS_TITLE = "产业链上下游的连锁反应"
ANALYSES = (
    "这意味着上下游企业需要重新评估供应安排与投资节奏，政策取向的变化也会传导到订单和定价。",
    "对国内厂商来说，窗口期往往很短：谁能先完成验证和量产爬坡，谁就能在下一轮采购中拿到份额。",
    "由此看，竞争的重心正从单点技术转向生态和标准，企业的合作伙伴选择会比以往更受政策左右。",
)
ATTRIBUTION = re.compile(r"^据[^，]*?报道(（[^）]*）)?，")


@dataclass
class Reply:
    content: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    usage: tuple[int, int] | None = USAGE
    finish_reason: str = "stop"
    refusal: str = ""
    raw: bytes | None = None


Script = Callable[[Request], Reply]


@dataclass
class FakeLlm:
    script: Script
    requests: list[Request] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    active: int = 0
    most_active: int = 0

    def start(self) -> FakeLlm:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                server._serve(self)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self._lock = threading.Lock()
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length", "0"))
        request = json.loads(handler.rfile.read(length) or b"{}")
        if handler.path != "/v1/chat/completions":
            _send(handler, 404, b'{"error": {"message": "no such path"}}', {})
            return
        with self._lock:
            self.requests.append(request)
            self.keys.append(handler.headers.get("Authorization", ""))
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        try:
            reply = self.script(request)
            if reply.delay:
                time.sleep(reply.delay)
            _answer(handler, request, reply)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with self._lock:
                self.active -= 1


def _send(handler: BaseHTTPRequestHandler, code: int, body: bytes, headers: dict[str, str]) -> None:
    handler.send_response(code)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _answer(handler: BaseHTTPRequestHandler, request: Request, reply: Reply) -> None:
    if reply.raw is not None:
        _send(handler, reply.status, reply.raw, {"Content-Type": "application/json"})
        return
    if reply.status != 200:
        body = json.dumps({"error": {"message": f"scripted {reply.status}"}}).encode()
        _send(handler, reply.status, body, {"Content-Type": "application/json", **reply.headers})
        return
    if request.get("stream"):
        _stream(handler, request, reply)
        return
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.refusal:
        message["refusal"] = reply.refusal
    document: dict[str, Any] = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "model": request.get("model"),
        "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason}],
    }
    if reply.usage is not None:
        document["usage"] = _usage(reply.usage)
    _send(handler, 200, json.dumps(document, ensure_ascii=False).encode(), {})


def _usage(usage: tuple[int, int]) -> dict[str, int]:
    return {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)}


def _stream(handler: BaseHTTPRequestHandler, request: Request, reply: Reply) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.close_connection = True
    chunks = [reply.content[i : i + 7] for i in range(0, len(reply.content), 7)]
    for n, piece in enumerate(chunks):
        last = n == len(chunks) - 1
        choice = {"index": 0, "delta": {"content": piece}, "finish_reason": None}
        if last:
            choice["finish_reason"] = reply.finish_reason
        handler.wfile.write(_event({"choices": [choice]}))
    wants_usage = (request.get("stream_options") or {}).get("include_usage")
    if wants_usage and reply.usage is not None:
        handler.wfile.write(_event({"choices": [], "usage": _usage(reply.usage)}))
    handler.wfile.write(b"data: [DONE]\n\n")
    handler.wfile.flush()


def _event(data: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


# the scripted model ---------------------------------------------------------------------
def prompt_of(request: Request) -> str:
    return "\n".join(m.get("content", "") for m in request["messages"] if m["role"] == "user")


def first_prompt(request: Request) -> str:
    return next(m["content"] for m in request["messages"] if m["role"] == "user")


def last_user(request: Request) -> str:
    return [m["content"] for m in request["messages"] if m["role"] == "user"][-1]


def task_of(request: Request) -> str:
    first = first_prompt(request)
    for marker, task in (
        ("影响与启示", "implications"),
        ("报道要点", "facts"),
        ("拟一个中文标题", "title"),
        ("为本期简报写摘要", "abstract"),
        ("same_event", "relevance"),
    ):
        if marker in first:
            return task
    raise AssertionError(f"unknown task: {first[:80]}")


def is_repair(request: Request) -> bool:
    return REPAIR_MARK in last_user(request)


def items_of(request: Request) -> list[dict[str, Any]]:
    block = re.search(r"<items>\n(.*?)\n</items>", first_prompt(request), re.S)
    return json.loads(block.group(1)) if block else []


def _sentences(text: str) -> list[str]:
    return [s for s in re.findall(r"[^。！？]+[。！？]”?", text) if len(s) > 6]


def _grams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _chinese(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in items if i["language"] == "zh"] or items


def grounded(request: Request) -> Reply:
    """A good answer to any task: sentences the items state, cited."""
    task = task_of(request)
    if task == "abstract":
        block = re.search(r"<stories>\n(.*?)\n</stories>", first_prompt(request), re.S)
        stories = json.loads(block.group(1)) if block else []
        sentences = [
            {"story": s["story"], "text": ATTRIBUTION.sub("", s["facts"]).split("。")[0] + "。"}
            for s in stories
        ]
        return Reply(json.dumps({"sentences": sentences}, ensure_ascii=False))
    items = items_of(request)
    if task == "relevance":
        judged = [{"n": i["n"], "same_event": True} for i in items]
        return Reply(json.dumps({"items": judged}))
    lead = _chinese(items)[0]
    if task == "title":
        return Reply(json.dumps({"title": lead["title"]}, ensure_ascii=False))
    if task == "facts":
        text = "".join(_sentences(lead["text"])[:2]) or lead["text"][:120]
        answer = {"refs": [lead["n"]], "title": lead["title"], "text": text}
        return Reply(json.dumps(answer, ensure_ascii=False))
    facts = re.search(r"<facts>\n(.*?)\n</facts>", first_prompt(request), re.S)
    said = _grams(facts.group(1) if facts else "")
    options = []
    for item in _chinese(items):
        fresh = sorted(_sentences(item["text"])[:4], key=lambda s: len(_grams(s) & said) / len(s))
        options.append((sum(len(_grams(s) & said) for s in fresh[:1]), item, fresh[:1]))
    _, other, picked = min(options, key=lambda o: o[0])
    analysis = ANALYSES[sum(map(ord, lead["title"])) % len(ANALYSES)]
    text = ("".join(picked) or other["text"][:120]) + analysis
    answer = {"refs": [other["n"]], "title": IMPLICATIONS_TITLE, "text": text}
    return Reply(json.dumps(answer, ensure_ascii=False))


FIGURE = re.compile(r"(\d+(?:\.\d+)?)(?=\s*(%|万|亿|种|片))")


def inflate(text: str) -> str:
    """Every figure with a unit made 37 larger: an invented figure."""
    return FIGURE.sub(lambda m: str(int(float(m.group(1))) + 37), text)


def altered(task: str, times: int | None = None, base: Script = grounded) -> Script:
    """``base`` with every figure of the first ``times`` answers to ``task`` inflated
    (all answers when ``times`` is None)."""
    served = [0]

    def script(request: Request) -> Reply:
        reply = base(request)
        if task_of(request) != task or (times is not None and served[0] >= times):
            return reply
        served[0] += 1
        return Reply(inflate(reply.content), usage=reply.usage)

    return script


def for_task(
    task: str, change: Callable[[Reply, Request], Reply], base: Script = grounded
) -> Script:
    """``base`` with the answers to ``task`` changed by ``change``."""

    def script(request: Request) -> Reply:
        reply = base(request)
        return change(reply, request) if task_of(request) == task else reply

    return script


# the plausible-but-wrong model -----------------------------------------------------------
BOAST = "此举创下世界纪录，规模为全球最大，系国内首次。"
FILLER = "该消息对相关产业、政策与竞争格局产生了深远影响。作为全球领先的企业，其动向值得持续关注。"
ENGLISH = {
    "美国半导体行业协会": "Semiconductor Industry Association",
    "信息技术与创新基金会": "Information Technology and Innovation Foundation",
    "美国商务部": "Commerce Department",
    "国际半导体产业协会": "SEMI Silicon Manufacturers Group",
    "中国社会科学院": "Chinese Academy of Social Sciences",
}


def anglicised(text: str) -> str:
    """Chinese organisation names written in English, as a careless model does."""
    for chinese, english in ENGLISH.items():
        text = text.replace(chinese, f" {english} ")
    return text


def plausible(request: Request) -> Reply:
    """Answers that read well and are wrong: item sentences with a boast appended (a world
    record, the largest, a national first), titles opening with a dateline and cut short,
    English organisation names, implications repeating the facts with stock phrases."""
    reply = grounded(request)
    task = task_of(request)
    if task == "relevance":
        return reply
    answer = json.loads(reply.content)
    if task == "abstract":
        for entry in answer["sentences"]:
            entry["text"] = anglicised(entry["text"].rstrip("。")) + "，创历史新高。"
        return Reply(json.dumps(answer, ensure_ascii=False))
    if "title" in answer:
        answer["title"] = f"财联社 5 月 12 日电，{anglicised(answer['title'])[:6]}，创世界纪录"
    if task == "facts":
        answer["text"] = anglicised(answer["text"]) + BOAST
    if task == "implications":
        facts = re.search(r"<facts>\n(.*?)\n</facts>", first_prompt(request), re.S)
        said = ATTRIBUTION.sub("", facts.group(1)) if facts else answer["text"]
        answer["text"] = anglicised(said) + FILLER
    return Reply(json.dumps(answer, ensure_ascii=False))


def learning(request: Request) -> Reply:
    """:func:`plausible` at first, :func:`grounded` once told what was wrong."""
    return grounded(request) if is_repair(request) else plausible(request)
