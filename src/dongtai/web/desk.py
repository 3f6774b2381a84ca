"""Login and the editor's desk (``/login``, ``/logout``, ``/desk`` and below).

Rules it applies:

* the session cookie is HttpOnly, SameSite=Strict, and Secure except on plain HTTP to a
  loopback address (a development server); it holds a random token, the store only its
  hash;
* every form carries a CSRF token: the session's for the desk, a cookie-bound one for
  the login form; a POST whose token or ``Origin`` does not match is refused (403);
* logins are rate-limited per client address and per user name (429 when exceeded);
* each desk action (edit, drop, move, pair, unpair, add a left-out story from the
  stories view) calls :class:`~dongtai.newsroom.editor.Editor` and redirects back to
  the draft, where the new verification shows (post/redirect/get).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from dongtai.errors import InputError
from dongtai.newsroom import accounts
from dongtai.newsroom.editor import Draft, Editor
from dongtai.render.html import page_context
from dongtai.store.desk import User
from dongtai.store.schema import BriefingRow
from dongtai.web.app import page, room

router = APIRouter(include_in_schema=False)
SESSION_COOKIE = "dongtai_session"
LOGIN_COOKIE = "dongtai_login_csrf"
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
Text = Annotated[str, Form()]


def signed_in(request: Request) -> tuple[User, str] | None:
    """The signed-in user and the session's CSRF token, if any."""
    if not hasattr(request.state, "login"):
        token = request.cookies.get(SESSION_COOKIE, "")
        request.state.login = accounts.session(room(request).desk, token)
    login: tuple[User, str] | None = request.state.login
    return login


def _editor(request: Request) -> Editor:
    editor: Editor = request.app.state.editor
    return editor


def _user(request: Request) -> tuple[User, str]:
    login = signed_in(request)
    if login is None:
        raise HTTPException(303, "login required", headers={"Location": "/login"})
    return login


def _posted_by(request: Request, csrf: str) -> User:
    """The user of a desk POST, after the CSRF and origin checks."""
    user, expected = _user(request)
    _check_origin(request)
    if not hmac.compare_digest(csrf.encode(), expected.encode()):
        raise HTTPException(403, "表单已过期或来源不明（CSRF），请刷新页面后重试")
    return user


def _check_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin and origin != "null":
        expected = f"{request.url.scheme}://{request.url.netloc}"
        if origin != expected:
            raise HTTPException(403, "跨站提交被拒绝")


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.url.hostname not in LOOPBACK


def _back(day: date, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/desk/{day.isoformat()}{anchor}", status_code=303)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HTTPException(404, f"不是日期：{text}") from None


# login -------------------------------------------------------------------------------
@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, message: str = "") -> Response:
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    response = page(request, "login.html.j2", login_csrf=token, message=message)
    response.set_cookie(
        LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), max_age=3600
    )
    return response


@router.post("/login")
def log_in(request: Request, name: Text, password: Text, csrf: Text) -> Response:
    _check_origin(request)
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf.encode(), expected.encode()):
        raise HTTPException(403, "登录表单已过期（CSRF），请刷新页面后重试")
    limiter: accounts.LoginLimiter = request.app.state.limiter
    keys = (f"ip:{request.client.host if request.client else ''}", f"user:{name}")
    if limiter.blocked(*keys):
        raise HTTPException(429, "登录失败次数过多，请 15 分钟后再试")
    login = accounts.log_in(room(request).desk, name, password)
    if login is None:
        limiter.failed(*keys)
        return login_form(request, message="用户名或密码不对")
    limiter.succeeded(*keys)
    response = RedirectResponse("/desk", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        login.token,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        max_age=accounts.SESSION_HOURS * 3600,
    )
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
def log_out(request: Request, csrf: Text) -> Response:
    _posted_by(request, csrf)
    accounts.log_out(room(request).desk, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# the desk ----------------------------------------------------------------------------
@router.get("/desk", response_class=HTMLResponse)
def desk_index(request: Request) -> Response:
    _user(request)
    desk = room(request).desk
    versions = desk.latest_versions()
    query = (
        select(BriefingRow.issue_date, BriefingRow.status)
        .order_by(BriefingRow.issue_date.desc())
        .limit(60)
    )
    with desk.store._session() as session:
        rows = [
            {"day": d, "status": s, "version": versions.get(d, 0)}
            for d, s in session.execute(query)
        ]
    return page(request, "desk_index.html.j2", rows=rows)


def _opened(request: Request, day: str) -> tuple[date, Editor, Draft]:
    """The signed-in desk's view of a date: the date, the editor and the draft."""
    _user(request)
    when = _day(day)
    editor = _editor(request)
    return when, editor, editor.draft(when)


@router.get("/desk/{day}", response_class=HTMLResponse)
def desk_issue(request: Request, day: str, message: str = "") -> Response:
    when, _, draft = _opened(request, day)
    briefing = draft.briefing
    failures: dict[str, list[str]] = {}
    for claim in briefing.verification.unsupported:
        failures.setdefault(claim.pointer, []).append(f"「{claim.text}」{claim.reason}")
    branding = room(request).settings.branding_in_home()
    return page(
        request,
        "desk_issue.html.j2",
        day=when.isoformat(),
        draft=draft,
        verification=briefing.verification,
        page=page_context(briefing, branding),
        failures=failures,
        changes=room(request).desk.changes(when),
        message=message,
    )


def _act(request: Request, day: str, action: str) -> Response:
    """Run a desk action; an :class:`InputError` shows on the draft page."""
    return desk_issue(request, day, message=action)


@router.post("/desk/{day}/edit")
def edit(request: Request, day: str, pointer: Text, text: Text, csrf: Text) -> Response:
    return _change(request, day, csrf, lambda ed, when, by: ed.edit_text(when, pointer, text, by))


@router.post("/desk/{day}/sections/{index}/drop")
def drop(request: Request, day: str, index: int, csrf: Text) -> Response:
    return _change(request, day, csrf, lambda ed, when, by: ed.drop_section(when, index, by))


@router.post("/desk/{day}/sections/{index}/move")
def move(
    request: Request, day: str, index: int, to: Annotated[int, Form()], csrf: Text
) -> Response:
    return _change(request, day, csrf, lambda ed, when, by: ed.move_section(when, index, to, by))


@router.post("/desk/{day}/sections/{index}/pair")
def pair(
    request: Request, day: str, index: int, other: Annotated[int, Form()], csrf: Text
) -> Response:
    return _change(
        request, day, csrf, lambda ed, when, by: ed.pair_sections(when, index, other, by)
    )


@router.post("/desk/{day}/sections/{index}/unpair")
def unpair(request: Request, day: str, index: int, csrf: Text) -> Response:
    return _change(request, day, csrf, lambda ed, when, by: ed.unpair_section(when, index, by))


@router.post("/desk/{day}/stories/{story_id}/add")
def add_story(request: Request, day: str, story_id: str, csrf: Text) -> Response:
    return _change(request, day, csrf, lambda ed, when, by: ed.add_story(when, story_id, by))


def _change(
    request: Request, day: str, csrf: Text, apply: Callable[[Editor, date, str], object]
) -> Response:
    """One editor's change to a draft: applied by the signed-in user, then back to the desk
    (or the desk with the reason when the change is refused)."""
    user = _posted_by(request, csrf)
    when = _day(day)
    try:
        apply(_editor(request), when, user.name)
    except InputError as exc:
        return _act(request, day, str(exc))
    return _back(when)


@router.post("/desk/{day}/approve")
def approve(
    request: Request,
    day: str,
    csrf: Text,
    override_reason: Text = "",
    correction: Text = "",
) -> Response:
    user = _posted_by(request, csrf)
    when = _day(day)
    try:
        _editor(request).approve(when, user.name, override_reason, correction)
    except InputError as exc:
        return _act(request, day, str(exc))
    return RedirectResponse(f"/issues/{when.isoformat()}", status_code=303)


@router.get("/desk/{day}/stories", response_class=HTMLResponse)
def stories(request: Request, day: str, message: str = "") -> Response:
    when, editor, draft = _opened(request, day)
    labels = room(request).desk.story_labels()
    return page(
        request,
        "stories.html.j2",
        day=when.isoformat(),
        stories=editor.stories(when, draft.briefing),
        left_out={o.story: o.reason for o in draft.briefing.left_out},
        labels=labels,
        message=message,
    )


@router.post("/desk/{day}/stories/label")
def label(
    request: Request, day: str, item_a: Text, item_b: Text, label: Text, csrf: Text
) -> Response:
    user = _posted_by(request, csrf)
    when = _day(day)
    try:
        _editor(request).label_stories(when, item_a, item_b, label, user.name)
    except InputError as exc:
        return stories(request, day, message=str(exc))
    return RedirectResponse(f"/desk/{when.isoformat()}/stories", status_code=303)
