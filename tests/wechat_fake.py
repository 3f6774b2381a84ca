"""A local WeChat official-account API for the tests: token, permanent image material,
inline image upload and draft creation, with the documented error codes.

- ``/cgi-bin/token``: a new token per call (``expires_in`` 7200); ``whitelist=False``
  answers errcode 40164 ``invalid ip … not in whitelist``;
- every other endpoint needs a current token, else 40001 (unknown) or 42001 (a token
  the server expired, see ``expire_next``);
- ``add_material`` / ``uploadimg`` need a multipart ``media`` part;
- ``draft/add`` needs ``title``, ``content`` without ``data:`` images and a
  ``thumb_media_id`` returned by ``add_material``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from tests.pubservers import Recorder, Reply, Request, reply_json


@dataclass
class WechatFake:
    whitelist: bool = True
    expire_next: int = 0  # the next N uses of a valid token answer 42001 (expired)
    tokens: set[str] = field(default_factory=set)
    materials: set[str] = field(default_factory=set)
    drafts: list[dict[str, object]] = field(default_factory=list)
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __call__(self, request: Request) -> Reply:
        if request.path == "/cgi-bin/token":
            return self._token(request)
        token = request.query.get("access_token", "")
        if token not in self.tokens:
            return reply_json(
                {
                    "errcode": 40001,
                    "errmsg": "invalid credential, access_token is invalid or not latest",
                }
            )
        if self.expire_next:
            self.expire_next -= 1
            self.tokens.discard(token)
            return reply_json({"errcode": 42001, "errmsg": "access_token expired"})
        if request.path in ("/cgi-bin/material/add_material", "/cgi-bin/media/uploadimg"):
            if b'name="media"' not in request.body:
                return reply_json({"errcode": 41005, "errmsg": "media data missing"})
            n = next(self.counter)
            if request.path.endswith("uploadimg"):
                return reply_json({"url": f"http://mmbiz.qpic.cn/inline-{n}.png"})
            self.materials.add(f"material-{n}")
            return reply_json({"media_id": f"material-{n}", "url": f"http://mmbiz.qpic.cn/{n}"})
        if request.path == "/cgi-bin/draft/add":
            return self._draft(request)
        return reply_json({"errcode": 40066, "errmsg": "invalid url"})

    def _token(self, request: Request) -> Reply:
        if not self.whitelist:
            return reply_json(
                {
                    "errcode": 40164,
                    "errmsg": "invalid ip 203.0.113.9 ipv6 ::ffff:203.0.113.9, not in whitelist",
                }
            )
        if request.query.get("secret") != "app-secret":
            return reply_json({"errcode": 40125, "errmsg": "invalid appsecret"})
        token = f"token-{next(self.counter)}"
        self.tokens.add(token)
        return reply_json({"access_token": token, "expires_in": 7200})

    def _draft(self, request: Request) -> Reply:
        [article] = request.json()["articles"]
        if not article.get("title") or not article.get("content"):
            return reply_json({"errcode": 44003, "errmsg": "empty news data"})
        if article.get("thumb_media_id") not in self.materials:
            return reply_json({"errcode": 40007, "errmsg": "invalid media_id"})
        if re.search(r'src="data:', article["content"]):
            return reply_json({"errcode": 45166, "errmsg": "invalid content"})
        self.drafts.append(article)
        return reply_json({"media_id": f"draft-{len(self.drafts)}"})


def start(fake: WechatFake) -> Recorder:
    return Recorder(fake).start()
