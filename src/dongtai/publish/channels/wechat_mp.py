"""WeChat official account (微信公众号): the issue as a draft in the account's draft box.

The account's editor reviews the draft and publishes it in the WeChat back office;
dongtai never mass-sends. Calls, as documented by the official-account API:

1. ``GET /cgi-bin/token?grant_type=client_credential&appid=…&secret=…`` → access token
   (kept for its ``expires_in`` less a minute);
2. ``POST /cgi-bin/material/add_material?type=image`` (multipart ``media``): the cover,
   a permanent image whose ``media_id`` the draft needs as ``thumb_media_id``;
3. ``POST /cgi-bin/media/uploadimg`` (multipart ``media``): each inline image of the
   article (``data:`` URIs in the WeChat HTML), replaced by the returned URL — WeChat
   shows no other image;
4. ``POST /cgi-bin/draft/add``: ``{"articles": [{title, author, digest, content,
   content_source_url, thumb_media_id, …}]}`` → the draft's ``media_id``.

Error codes: 40001, 40014, 42001 (invalid or expired token) renew the token once and
repeat the call; 40164 (this server's IP is not on the account's whitelist) is reported
as such, permanently; 45009 (daily limit), 45011 (frequency) and -1 (busy) are
transient; every other code is permanent. The cover is ``cover``, else the branding
logo when it is PNG or JPEG, else a QR code of the web site.
"""

from __future__ import annotations

import base64
import json
import re
import time
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, Field, SecretStr

from dongtai.publish.channel import DeliveryError, HttpChannel, short
from dongtai.publish.issue import Issue
from dongtai.render import qr

TOKEN_ERRORS = {40001, 40014, 42001}
TRANSIENT = {45009, 45011, -1}
TITLE_CHARS = 64
DIGEST_CHARS = 120
_DATA_IMG = re.compile(r'src="data:(image/[a-z+]+);base64,([A-Za-z0-9+/=]+)"')


class WechatMpOptions(BaseModel):
    appid: str = Field(description="The official account's AppID")
    secret: SecretStr = Field(description="AppSecret (DONGTAI_CHANNELS__WECHAT_MP__SECRET)")
    api_base: str = Field("https://api.weixin.qq.com", description="API root")
    author: str = Field("", description="Author shown on the article")
    cover: Path | None = Field(None, description="Cover image (JPEG/PNG, under 10 MB)")
    open_comment: bool = Field(False, description="Open comments on the article")


class WechatMpChannel(HttpChannel):
    Options: ClassVar[type[BaseModel]] = WechatMpOptions
    formats: ClassVar[tuple[str, ...]] = ("wechat",)
    options: WechatMpOptions
    _token: tuple[str, float] | None = None

    def parts(self, issue: Issue, recipient: str) -> list[Any]:
        return [issue]

    def send(self, part: Any, recipient: str, delivery_id: str) -> str:
        issue: Issue = part
        cover = self._upload(
            "/cgi-bin/material/add_material", {"type": "image"}, *self._cover(issue)
        )
        thumb = cover["media_id"]
        content = self._inline_images(issue.text("wechat"))
        article = {
            "title": issue.title[:TITLE_CHARS],
            "author": self.options.author,
            "digest": " ".join(issue.briefing.abstract.split())[:DIGEST_CHARS],
            "content": content,
            "content_source_url": issue.page_url,
            "thumb_media_id": thumb,
            "need_open_comment": int(self.options.open_comment),
            "only_fans_can_comment": 0,
        }
        answer = self._call("POST", "/cgi-bin/draft/add", json_body={"articles": [article]})
        return f"draft media_id {answer.get('media_id', '?')}"

    # API calls -----------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        params: dict[str, str] | None = None,
        json_body: Any = None,
        files: Any = None,
    ) -> dict[str, Any]:
        """One API call with the token; a rejected token is renewed once."""
        for renewed in (False, True):
            query = {**(params or {}), "access_token": self._access_token(renew=renewed)}
            answer = self._json(method, path, query, json_body, files)
            code = int(answer.get("errcode") or 0)
            if code in TOKEN_ERRORS and not renewed:
                continue
            _raise_for(code, answer)
            return answer
        raise DeliveryError("access token refused twice")  # not reached

    def _access_token(self, renew: bool = False) -> str:
        if self._token and not renew and self._token[1] > time.monotonic():
            return self._token[0]
        params = {"grant_type": "client_credential", "appid": self.options.appid,
                  "secret": self.options.secret.get_secret_value()}  # fmt: skip
        answer = self._json("GET", "/cgi-bin/token", params, None, None)
        _raise_for(int(answer.get("errcode") or 0), answer)
        token = str(answer.get("access_token") or "")
        if not token:
            raise DeliveryError(f"no access_token in {short(str(answer))}")
        lifetime = float(answer.get("expires_in") or 7200) - 60
        self._token = (token, time.monotonic() + lifetime)
        return token

    def _json(
        self, method: str, path: str, params: dict[str, str], json_body: Any, files: Any
    ) -> dict[str, Any]:
        url = self.options.api_base.rstrip("/") + path
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            headers = {"Content-Type": "application/json; charset=utf-8"}
            response = self.request(method, url, params=params, content=body, headers=headers)
        else:
            response = self.request(method, url, params=params, files=files)
        try:
            answer = response.json()
        except ValueError:
            raise DeliveryError(f"not JSON: {short(response.text)}", True) from None
        if not isinstance(answer, dict):
            raise DeliveryError(f"unexpected answer: {short(response.text)}", True)
        return answer

    def _upload(
        self, path: str, params: dict[str, str], name: str, data: bytes, mime: str
    ) -> dict[str, Any]:
        return self._call("POST", path, params, files={"media": (name, data, mime)})

    def _inline_images(self, html: str) -> str:
        def replace(match: re.Match[str]) -> str:
            mime, payload = match.group(1), base64.b64decode(match.group(2))
            name = "image." + mime.split("/")[1].split("+")[0]
            answer = self._upload("/cgi-bin/media/uploadimg", {}, name, payload, mime)
            return f'src="{answer["url"]}"'

        return _DATA_IMG.sub(replace, html)

    def _cover(self, issue: Issue) -> tuple[str, bytes, str]:
        chosen = self.options.cover or issue.branding.logo
        if chosen is not None and chosen.suffix.lower() in (".png", ".jpg", ".jpeg"):
            path = chosen if chosen.is_absolute() else self.settings.home / chosen
            mime = "image/png" if path.suffix.lower() == ".png" else "image/jpeg"
            return path.name, path.read_bytes(), mime
        return "cover.png", qr.png(issue.branding.site_url), "image/png"


def _raise_for(code: int, answer: dict[str, Any]) -> None:
    if code == 0:
        return
    message = str(answer.get("errmsg", ""))
    if code == 40164:
        raise DeliveryError(
            f"errcode 40164: this server's IP address is not on the official account's "
            f"IP whitelist (add it in the WeChat back office): {message}"
        )
    raise DeliveryError(f"errcode {code}: {message}", transient=code in TRANSIENT)
