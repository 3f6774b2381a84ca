"""``dongtai serve``: the newsroom web app on the workspace, with uvicorn.

FastAPI and uvicorn are imported only when the command runs, so ``dongtai --help``
stays fast."""

from __future__ import annotations

from typing import Annotated

import typer

from dongtai.cli.app import app, say, settings


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the readers' site, the JSON API and the editor's desk."""
    import uvicorn

    from dongtai.web.app import create_app

    s = settings()
    web = create_app(s)
    say(f"dongtai: {s.home} on http://{host}:{port}/ (editors: dongtai users add NAME)")
    uvicorn.run(web, host=host, port=port, log_level="warning", proxy_headers=False)
