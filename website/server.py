"""The sample clinic web site (http://localhost:8080/): a home page with the chat widget on it.

It shows what a clinic's own site does: one <script> tag loads /widget/smp-chat.js (built by
`make install`) and points it at the Rasa server. The page is rendered from the clinic profile,
so it names this clinic. Responses carry a Content-Security-Policy that allows scripts from this
site only and connections to the chat server only; cross-origin requests for the widget file
get CORS headers for the origins in ALLOWED_ORIGINS only, never "*".

    python -m website.server          # SITE_HOST, SITE_PORT, CHAT_SERVER_URL, ALLOWED_ORIGINS
"""

import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List, Mapping
from urllib.parse import urlsplit

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from actions.profile import ClinicProfile, ProfileError, load_profile, retention_period
from channels.origins import OriginsError, allowed_origins

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
WIDGET_FILE = ROOT / "widget" / "dist" / "smp-chat.js"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

logger = logging.getLogger("website")


class SiteError(Exception):
    """The site cannot start; the message says which setting to fix."""


@dataclass(frozen=True)
class SiteSettings:
    host: str
    port: int
    chat_server_url: str
    origins: List[str]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "SiteSettings":
        try:
            port = int(environ.get("SITE_PORT") or 8080)
        except ValueError:
            raise SiteError(f"SITE_PORT must be a port number, not {environ.get('SITE_PORT')!r}") from None
        chat = (environ.get("CHAT_SERVER_URL") or f"http://localhost:{environ.get('RASA_PORT') or 5005}").rstrip("/")
        parts = urlsplit(chat)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
            raise SiteError(f"CHAT_SERVER_URL must be the http(s) address of the Rasa server, not {chat!r}")
        try:
            origins = allowed_origins(environ.get("ALLOWED_ORIGINS"))
        except OriginsError as error:
            raise SiteError(str(error)) from None
        return cls(environ.get("SITE_HOST") or "127.0.0.1", port, chat, origins)


def content_security_policy(chat_server_url: str) -> str:
    parts = urlsplit(chat_server_url)
    socket_scheme = "wss" if parts.scheme == "https" else "ws"
    chat = f"{chat_server_url} {socket_scheme}://{parts.netloc}"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
        f"connect-src 'self' {chat}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def opening_rows(profile: ClinicProfile) -> List[tuple]:
    return [(day.capitalize(), getattr(profile.opening_hours, day).replace("-", " to ")) for day in WEEKDAYS]


def create_app(settings: SiteSettings, profile: ClinicProfile) -> web.Application:
    templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    page = templates.get_template("index.html").render(
        profile=profile, retention=retention_period(profile.retention_days),
        chat_server_url=settings.chat_server_url, opening_rows=opening_rows(profile),
    )
    policy = content_security_policy(settings.chat_server_url)

    @web.middleware
    async def headers(request: web.Request, handler):
        try:
            response = await handler(request)
        except web.HTTPException as error:
            response = error
        origin = request.headers.get("Origin")
        if origin and origin in settings.origins:
            response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["Content-Security-Policy"] = policy
        return response

    async def home(_: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html")

    async def widget(_: web.Request) -> web.StreamResponse:
        if not WIDGET_FILE.is_file():
            return web.Response(status=503, text="The widget is not built: run `make install`.\n")
        return web.FileResponse(WIDGET_FILE, headers={
            "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache",
        })

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "widget_built": WIDGET_FILE.is_file()})

    app = web.Application(middlewares=[headers])
    app.router.add_get("/", home)
    app.router.add_get("/widget/smp-chat.js", widget)
    app.router.add_get("/health", health)
    app.router.add_static("/static/", HERE / "static")
    return app


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        settings = SiteSettings.from_env()
        profile = load_profile()
    except (SiteError, ProfileError) as error:
        print(f"website: {error}", file=sys.stderr)
        return 2
    if not WIDGET_FILE.is_file():
        print("website: widget/dist/smp-chat.js is missing: run `make install`", file=sys.stderr)
        return 2
    print(f"website: http://{settings.host}:{settings.port}/ (chat server {settings.chat_server_url}; "
          f"allowed origins {', '.join(settings.origins)})", flush=True)
    web.run_app(create_app(settings, profile), host=settings.host, port=settings.port, print=None,
                access_log=logger)
    return 0


if __name__ == "__main__":
    sys.exit(main())
