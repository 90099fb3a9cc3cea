"""The staff console's web application (Starlette, server-rendered Jinja2 templates).

Every page and every /api/ route needs a signed-in member of staff: `RequireStaff` sends anyone
else to the sign-in page (or answers 401 on /api/) before any handler runs. Sessions are signed
cookies (HttpOnly, SameSite=Lax, Secure when CONSOLE_SECURE_COOKIE is on); every form carries a
CSRF token that `form_with_csrf` checks. Personal details are masked unless a member of staff
reveals them, which the audit log records.
"""

import asyncio
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

from console.accounts import AccountError, LoginRefused, Staff, authenticate, create_user, list_users, remove_user
from console.clinic_requests import list_requests, masked_name, set_status, to_csv
from records.consent import wording as consent_wording
from console.conversations import FLAG_LABELS, FLAGS, Filters, list_conversations, transcript
from console.masking import EMAIL_MASK, PHONE_MASK, mask
from console.overview import overview
from console.reviewed import domain_intents, mark_misunderstood, reviewed_by_event
from records.db import make_engine, session_scope
from records.erasure import erase_conversation
from records.handoffs import is_waiting, resolve_handoff, waiting_handoffs
from records.models import REQUEST_STATUSES, AuditEntry, utcnow
from records.rasa_api import RasaAPI, RasaAPIError, rasa_url

HERE = Path(__file__).resolve().parent
PUBLIC_PATHS = ("/login", "/health", "/static/")
FAILED_LOGIN_DELAY_SECONDS = 1.0
SESSION_HOURS = 8



@dataclass(frozen=True)
class ConsoleSettings:
    secret: str
    database_url: str
    tracker_store_url: str
    secure_cookie: bool = False
    host: str = "127.0.0.1"
    port: int = 8081
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_api_token: str = ""

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
                   environ.get("CONSOLE_HOST") or "127.0.0.1", int(port), rasa_url(), environ.get("RASA_API_TOKEN", ""))


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
    templates.env.globals.update(csrf_token=csrf_token, PHONE_MASK=PHONE_MASK, EMAIL_MASK=EMAIL_MASK)
    templates.env.filters["masked_name"] = masked_name
    intents = domain_intents()

    def page(request: Request, name: str, status_code: int = 200, **context) -> Response:
        staff = request.session.get("staff")
        flash = request.session.pop("flash", None)
        return templates.TemplateResponse(
            request, name, {"staff": Staff(**staff) if staff else None, "flash": flash, **context},
            status_code=status_code)

    def back_to(request: Request, path: str, message: str) -> Response:
        request.session["flash"] = message
        return RedirectResponse(path, status_code=303)

    def conversation_path(sender_id: str) -> str:
        return f"/conversations/{quote(sender_id, safe='')}"

    def rasa() -> RasaAPI:
        return RasaAPI(settings.rasa_url, settings.rasa_api_token)

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
        return page(request, "conversations.html", rows=rows, filters=filters, flags=FLAGS, flag_labels=FLAG_LABELS)

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
        waiting = await asyncio.to_thread(is_waiting, clinic, sender_id)
        requests = await asyncio.to_thread(list_requests, clinic, "", 20, sender_id)
        return page(request, "transcript.html", conversation=found, revealed=reveal, intents=intents,
                    reviewed=reviewed_by_event(clinic, sender_id), waiting=waiting, requests=requests)

    async def conversation(request: Request) -> Response:
        return await show_transcript(request)

    async def reveal(request: Request) -> Response:
        await form_with_csrf(request)
        sender_id = request.path_params["sender_id"]
        await asyncio.to_thread(audit, clinic, current_staff(request), "reveal", sender_id)
        return await show_transcript(request, reveal=True)

    async def review(request: Request) -> Response:
        form = await form_with_csrf(request)
        sender_id = request.path_params["sender_id"]
        correct = str(form.get("intent", ""))
        if correct not in intents:
            raise HTTPException(400, "Pick one of the assistant's intents.")
        found = await asyncio.to_thread(transcript, tracker, clinic, sender_id)
        try:
            event_id = int(str(form.get("event_id", "")))
        except ValueError:
            event_id = -1
        message = next((m for m in (found.messages if found else []) if m.kind == "user" and m.event_id == event_id), None)
        if message is None:
            raise HTTPException(404, "That message is not in this conversation.")
        await asyncio.to_thread(mark_misunderstood, clinic, sender_id, event_id, mask(message.text, found.names),
                                message.intent or None, message.confidence, correct, current_staff(request).email)
        return back_to(request, conversation_path(sender_id), f"Marked: that message should have been {correct}.")

    async def reply(request: Request) -> Response:
        form = await form_with_csrf(request)
        sender_id = request.path_params["sender_id"]
        text = str(form.get("text", "")).strip()
        if not text:
            return back_to(request, conversation_path(sender_id), "Write a message first.")
        try:
            channel = await asyncio.to_thread(rasa().send_staff_message, sender_id, text[:2000])
        except RasaAPIError as error:
            return back_to(request, conversation_path(sender_id), f"Not sent: {error}.")
        note = "" if channel == "socketio" else f" (the {channel or 'unknown'} channel can't show it until the client writes again)"
        return back_to(request, conversation_path(sender_id), f"Sent to the client{note}.")

    async def resume(request: Request) -> Response:
        await form_with_csrf(request)
        sender_id = request.path_params["sender_id"]
        try:
            resumed = await asyncio.to_thread(rasa().resume, sender_id)
        except RasaAPIError as error:
            return back_to(request, conversation_path(sender_id), f"Not handed back: {error}.")
        await asyncio.to_thread(resolve_handoff, clinic, sender_id)
        return back_to(request, conversation_path(sender_id),
                       "Handed back to the assistant." if resumed else "The assistant was already answering.")

    @admin_only
    async def erase(request: Request) -> Response:
        form = await form_with_csrf(request)
        sender_id = request.path_params["sender_id"]
        if form.get("confirm") != "yes":
            return back_to(request, conversation_path(sender_id), "Tick the box to confirm the erasure.")
        counts = await asyncio.to_thread(erase_conversation, clinic, sender_id, "staff", settings.tracker_store_url)
        await asyncio.to_thread(audit, clinic, current_staff(request), "erase", sender_id,
                                f"{counts.events} events, {counts.requests} requests, {counts.handoffs} hand-offs")
        return back_to(request, "/conversations", "The conversation and its requests were erased.")

    async def handoffs(request: Request) -> Response:
        return page(request, "handoffs.html", handoffs=await asyncio.to_thread(waiting_handoffs, clinic))

    async def requests_page(request: Request) -> Response:
        status = request.query_params.get("status", "")
        rows = await asyncio.to_thread(list_requests, clinic, status)
        return page(request, "requests.html", rows=rows, statuses=REQUEST_STATUSES, status=status)

    async def consent_page(request: Request) -> Response:
        version = request.path_params["version"]
        text = await asyncio.to_thread(consent_wording, clinic, version)
        if text is None:
            raise HTTPException(404, "No wording is kept for this consent version (it was given before wordings were kept).")
        return page(request, "consent.html", version=version, text=text)

    async def request_status(request: Request) -> Response:
        form = await form_with_csrf(request)
        try:
            old = await asyncio.to_thread(set_status, clinic, request.path_params["request_id"], str(form.get("status", "")))
        except ValueError as error:
            raise HTTPException(400, str(error))
        if old is None:
            raise HTTPException(404, "There is no such request (it may have been erased).")
        return back_to(request, "/requests", f"Status changed from {old} to {form.get('status')}.")

    async def export_requests(request: Request) -> Response:
        form = await form_with_csrf(request)
        staff = current_staff(request)
        unmasked = form.get("unmasked") == "yes"
        if unmasked and not staff.is_admin:
            raise HTTPException(403, "Only an admin can export unmasked personal details.")
        rows = await asyncio.to_thread(list_requests, clinic, str(form.get("status", "")), 100_000)
        await asyncio.to_thread(audit, clinic, staff, "export", None,
                                f"{len(rows)} requests, {'unmasked' if unmasked else 'masked'}")
        filename = f"consultation-requests-{utcnow():%Y%m%d-%H%M}.csv"
        return Response(to_csv(rows, unmasked), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    async def overview_page(request: Request) -> Response:
        figures = await asyncio.to_thread(overview, tracker, clinic, utcnow().date())
        return page(request, "overview.html", figures=figures)

    @admin_only
    async def staff_accounts(request: Request) -> Response:
        return page(request, "staff.html", users=await asyncio.to_thread(list_users, clinic))

    @admin_only
    async def save_account(request: Request) -> Response:
        form = await form_with_csrf(request)
        try:
            created = await asyncio.to_thread(create_user, clinic, str(form.get("email", "")),
                                              str(form.get("password", "")), str(form.get("role", "staff")))
        except AccountError as error:
            return back_to(request, "/staff", f"Not saved: {error}.")
        await asyncio.to_thread(audit, clinic, current_staff(request), "account", created.email, f"set as {created.role}")
        return back_to(request, "/staff", f"{created.email} can sign in as {created.role}.")

    @admin_only
    async def delete_account(request: Request) -> Response:
        form = await form_with_csrf(request)
        email = str(form.get("email", ""))
        if email == current_staff(request).email:
            return back_to(request, "/staff", "You can't remove your own account.")
        if await asyncio.to_thread(remove_user, clinic, email):
            await asyncio.to_thread(audit, clinic, current_staff(request), "account", email, "removed")
            return back_to(request, "/staff", f"{email} can no longer sign in.")
        return back_to(request, "/staff", "There is no such account.")

    @admin_only
    async def audit_log(request: Request) -> Response:
        def recent() -> list:
            with session_scope(clinic) as session:
                return session.execute(
                    select(AuditEntry).order_by(AuditEntry.occurred_at.desc()).limit(200)).scalars().all()

        return page(request, "audit.html", entries=await asyncio.to_thread(recent))

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
        Route("/conversations/{sender_id:path}/review", review, methods=["POST"]),
        Route("/conversations/{sender_id:path}/reply", reply, methods=["POST"]),
        Route("/conversations/{sender_id:path}/resume", resume, methods=["POST"]),
        Route("/conversations/{sender_id:path}/erase", erase, methods=["POST"]),
        Route("/conversations/{sender_id:path}", conversation),
        Route("/api/conversations", api_conversations),
        Route("/handoffs", handoffs),
        Route("/requests", requests_page),
        Route("/requests/export", export_requests, methods=["POST"]),
        Route("/requests/{request_id}/status", request_status, methods=["POST"]),
        Route("/consent/{version}", consent_page),
        Route("/overview", overview_page),
        Route("/audit", audit_log),
        Route("/staff", staff_accounts, methods=["GET"]),
        Route("/staff", save_account, methods=["POST"]),
        Route("/staff/remove", delete_account, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    middleware = [
        Middleware(SessionMiddleware, secret_key=settings.secret, session_cookie="smp_staff",
                   max_age=SESSION_HOURS * 3600, same_site="lax", https_only=settings.secure_cookie),
        Middleware(RequireStaff),
    ]
    return Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: http_error})
