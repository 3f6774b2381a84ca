"""The FastAPI application: shared state, security headers, error pages.

Rules it applies:

* every response carries a Content-Security-Policy allowing scripts, styles and images
  from the site itself only (no inline script, nothing from elsewhere), and forbids
  framing, plugins, and forms posting elsewhere; plus ``nosniff`` and a same-origin
  referrer policy;
* a :class:`~dongtai.errors.DongtaiError` becomes a 400 page (JSON under ``/api``),
  an unknown page a 404; texts are escaped by the templates (autoescaping on);
* the search index is brought up to date when the app starts and before each search,
  archive or topic page (cheap when nothing changed);
* no route fetches a URL given by a user: pages read only the store and the workspace.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.metadata import version
from typing import Any

import jinja2
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from dongtai.config import Settings
from dongtai.errors import DongtaiError
from dongtai.newsroom import Newsroom, search
from dongtai.newsroom.accounts import LoginLimiter
from dongtai.newsroom.editor import Editor

__all__ = ["CSP", "create_app", "page", "room"]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

templates = jinja2.Environment(
    loader=jinja2.PackageLoader("dongtai", "web/templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def create_app(settings: Settings, newsroom: Newsroom | None = None) -> FastAPI:
    """The web app on a workspace (its store opened and migrated)."""
    from dongtai.web import api, desk, readers, threads

    room_ = newsroom or Newsroom(settings)
    app = FastAPI(
        title="dongtai",
        version=version("dongtai"),
        summary="Daily intelligence briefings: issues as the briefing JSON contract.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.room = room_
    app.state.editor = Editor(room_)
    app.state.limiter = LoginLimiter()
    app.state.pages = {}
    search.sync(room_.desk)
    app.middleware("http")(_security_headers)
    app.add_exception_handler(DongtaiError, _dongtai_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.mount("/static", StaticFiles(packages=[("dongtai", "web/static")]), name="static")
    app.include_router(api.router)
    app.include_router(desk.router)
    app.include_router(readers.router)
    app.include_router(threads.router)
    return app


def room(request: Request) -> Newsroom:
    newsroom: Newsroom = request.app.state.room
    return newsroom


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page of the site: the template with the site title and the signed-in user."""
    from dongtai.web.desk import signed_in

    login = signed_in(request)
    html = templates.get_template(template).render(
        site_title=room(request).settings.branding.title,
        user=login[0] if login else None,
        csrf=login[1] if login else "",
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def _dongtai_error(request: Request, exc: Exception) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": str(exc)}, status_code=400)
    return page(request, "error.html.j2", 400, status=400, heading="无法完成", message=str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code in (301, 302, 303, 307) and exc.headers:
        return Response(status_code=exc.status_code, headers=exc.headers)
    if _wants_json(request):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
    heading = {404: "没有这一页", 403: "拒绝访问", 429: "尝试次数过多"}.get(
        exc.status_code, "出错了"
    )
    return page(
        request,
        "error.html.j2",
        exc.status_code,
        status=exc.status_code,
        heading=heading,
        message=str(exc.detail),
    )
