"""The staff console's web application (Starlette, server-rendered Jinja2 templates).

Every page and every /api/ route needs a signed-in member of staff: `RequireStaff` sends anyone
else to the sign-in page (or answers 401 on /api/) before any handler runs. Sessions are signed
cookies (HttpOnly, SameSite=Lax, Secure when CONSOLE_SECURE_COOKIE is on); every form carries a
CSRF token that `form_with_csrf` checks. Personal details are masked unless a member of staff
reveals them, which the audit log records.
"""

import asyncio
import logging
import secrets
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Awaitable, Callable, Mapping, Optional
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from console.accounts import LoginRefused, Staff, authenticate
from console.conversations import FLAGS, Filters, list_conversations, transcript
from console.masking import mask
from records.db import make_engine, session_scope
from records.models import AuditEntry

HERE = Path(__file__).resolve().parent
PUBLIC_PATHS = ("/login", "/health", "/static/")
FAILED_LOGIN_DELAY_SECONDS = 1.0
SESSION_HOURS = 8

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConsoleSettings:
    secret: str
    database_url: str
    tracker_store_url: str
    secure_cookie: bool = False
    host: str = "127.0.0.1"
    port: int = 8081

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "ConsoleSettings":
        from records.settings import Settings

        records = Settings.from_env(environ)
        secret = environ.get("CONSOLE_SECRET", "")
        if len(secret) < 32:
            raise ValueError("CONSOLE_SECRET must be set to at least 32 random characters (`make install` generates one in .env)")
        port = environ.get("CONSOLE_PORT") or "8081"
        if not port.isdigit():
            raise ValueError(f"CONSOLE_PORT must be a port number, not {port!r}")
        return cls(secret, records.database_url, records.tracker_store_url,
                   (environ.get("CONSOLE_SECURE_COOKIE") or "false").lower() in ("1", "true", "yes"),
                   environ.get("CONSOLE_HOST") or "127.0.0.1", int(port))


class RequireStaff:
    """ASGI middleware: nothing but the sign-in page, /health and static files without a session."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(PUBLIC_PATHS):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if request.session.get("staff"):
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith("/api/"):
            response: Response = JSONResponse({"error": "sign in first"}, status_code=401)
        else:
            response = RedirectResponse(f"/login?next={quote(scope['path'])}", status_code=303)
        await response(scope, receive, send)


def current_staff(request: Request) -> Staff:
    return Staff(**request.session["staff"])


def csrf_token(request: Request) -> str:
    if "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(32)
    return request.session["csrf"]


async def form_with_csrf(request: Request) -> FormData:
    """The posted form, after checking its CSRF token against the session's (403 if wrong)."""
    form = await request.form()
    sent = form.get("csrf_token")
    expected = request.session.get("csrf")
    if not expected or not isinstance(sent, str) or not secrets.compare_digest(sent, expected):
        raise HTTPException(403, "This form has expired or did not come from the console. Go back, reload and try again.")
    return form


def admin_only(handler: Callable[[Request], Awaitable[Response]]):
    @wraps(handler)
    async def checked(request: Request) -> Response:
        if not current_staff(request).is_admin:
            raise HTTPException(403, "Only an admin can do this.")
        return await handler(request)
    return checked


def audit(engine: Engine, staff: Staff, action: str, target: Optional[str], detail: Optional[str] = None) -> None:
    with session_scope(engine) as session:
        session.add(AuditEntry(staff_email=staff.email, action=action, target=target, detail=detail))


def create_app(settings: ConsoleSettings) -> Starlette:
    clinic = make_engine(settings.database_url)
    tracker = make_engine(settings.tracker_store_url)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["csrf_token"] = csrf_token

    def page(request: Request, name: str, status_code: int = 200, **context) -> Response:
        staff = request.session.get("staff")
        return templates.TemplateResponse(request, name, {"staff": Staff(**staff) if staff else None, **context},
                                          status_code=status_code)

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def login_form(request: Request) -> Response:
        return page(request, "login.html", next=request.query_params.get("next", "/"))

    async def login(request: Request) -> Response:
        form = await form_with_csrf(request)
        target = str(form.get("next") or "/")
        if not target.startswith("/") or target.startswith("//"):
            target = "/"  # never redirect off the console
        try:
            staff = await asyncio.to_thread(authenticate, clinic, str(form.get("email", "")), str(form.get("password", "")))
        except LoginRefused as refused:
            await asyncio.sleep(FAILED_LOGIN_DELAY_SECONDS)  # slows down guessing
            return page(request, "login.html", status_code=401, error=str(refused), next=target,
                        email=str(form.get("email", "")))
        request.session.clear()  # a new session (and CSRF token) for the signed-in member of staff
        request.session["staff"] = {"email": staff.email, "role": staff.role}
        return RedirectResponse(target, status_code=303)

    async def logout(request: Request) -> Response:
        await form_with_csrf(request)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    async def home(_: Request) -> Response:
        return RedirectResponse("/conversations", status_code=303)

    async def conversations(request: Request) -> Response:
        filters = Filters.from_query(request.query_params)
        rows = await asyncio.to_thread(list_conversations, tracker, clinic, filters)
        for row in rows:
            row.last_message = mask(row.last_message, row.names)
        return page(request, "conversations.html", rows=rows, filters=filters, flags=FLAGS)

    async def api_conversations(request: Request) -> Response:
        rows = await asyncio.to_thread(list_conversations, tracker, clinic, Filters.from_query(request.query_params))
        return JSONResponse([{
            "conversation_id": row.sender_id, "channel": row.channel, "started": row.started.isoformat(),
            "last_active": row.last_active.isoformat(), "messages": row.messages, "flags": row.flags,
            "last_message": mask(row.last_message, row.names),
        } for row in rows])

    async def show_transcript(request: Request, reveal: bool = False) -> Response:
        sender_id = request.path_params["sender_id"]
        found = await asyncio.to_thread(transcript, tracker, clinic, sender_id)
        if found is None:
            raise HTTPException(404, "There is no conversation with this id (it may have been erased).")
        if not reveal:
            for message in found.messages:
                message.text = mask(message.text, found.names)
        return page(request, "transcript.html", conversation=found, revealed=reveal)

    async def conversation(request: Request) -> Response:
        return await show_transcript(request)

    async def reveal(request: Request) -> Response:
        await form_with_csrf(request)
        sender_id = request.path_params["sender_id"]
        await asyncio.to_thread(audit, clinic, current_staff(request), "reveal", sender_id)
        return await show_transcript(request, reveal=True)

    @admin_only
    async def audit_log(request: Request) -> Response:
        with session_scope(clinic) as session:
            entries = session.execute(
                select(AuditEntry).order_by(AuditEntry.occurred_at.desc()).limit(200)).scalars().all()
        return page(request, "audit.html", entries=entries)

    async def http_error(request: Request, error: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": error.detail}, status_code=error.status_code)
        return page(request, "error.html", status_code=error.status_code, message=error.detail)

    routes = [
        Route("/health", health),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", home),
        Route("/conversations", conversations),
        Route("/conversations/{sender_id:path}/reveal", reveal, methods=["POST"]),
        Route("/conversations/{sender_id:path}", conversation),
        Route("/api/conversations", api_conversations),
        Route("/audit", audit_log),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    middleware = [
        Middleware(SessionMiddleware, secret_key=settings.secret, session_cookie="smp_staff",
                   max_age=SESSION_HOURS * 3600, same_site="lax", https_only=settings.secure_cookie),
        Middleware(RequireStaff),
    ]
    return Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: http_error})
