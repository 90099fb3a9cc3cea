"""Delivering consultation requests: a signed webhook to a real local HTTP server, retries while it
is down, delivery once it is back (also after a restart), the staff e-mail over a local SMTP
server, and the same path on the local PostgreSQL."""

import json
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from records.db import make_engine, migrate, session_scope
from records.delivery import MAX_BACKOFF_SECONDS, backoff_seconds, deliver_due
from records.models import OutboxEntry
from records.requests import ConsultationDetails, submit_request
from records.settings import Settings
from records.signing import sign, verify
from scripts.stack import free_port

def soon(**delta) -> datetime:
    """A moment after now. Entries are due from when they are written, so a test's clock must be
    read when it runs, not when the module was imported (other tests may run in between)."""
    return datetime.now(timezone.utc) + timedelta(**delta)
SECRET = "shh-its-a-secret"


def details(conversation_id: str = "conv-1", flags=("blood_thinners",)) -> ConsultationDetails:
    return ConsultationDetails(
        conversation_id=conversation_id, channel="socketio", name="Zoë O'Brien-Smith", phone="+447911123456",
        email="zoe@example.com", consultation_format="video", preferred_times="weekday evenings",
        preferred_dates=["Tuesday"], contact_method="text", concern="crown", concern_detail=None,
        screening_flags=list(flags), screening_note="I take warfarin" if flags else None,
        consent_version="consent-abc123", consent_given_at=datetime.now(timezone.utc),
    )


class Webhook:
    """A local HTTP server that records each request; start() and stop() it on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received = []
        self.server = None

    def start(self) -> "Webhook":
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                received.append((self.rfile.read(int(self.headers["Content-Length"])), dict(self.headers)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/booking"


@pytest.fixture
def webhook():
    hook = Webhook()
    yield hook
    hook.stop()


@pytest.fixture
def database_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    migrate(url)
    return url


def outbox(engine):
    with session_scope(engine) as session:
        return session.query(OutboxEntry).order_by(OutboxEntry.id).all()


def test_signing_is_hmac_sha256_of_the_raw_body():
    import hashlib
    import hmac

    body = '{"name":"Zoë"}'.encode("utf-8")
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert sign(body, SECRET) == expected
    assert verify(body, SECRET, expected)
    assert not verify(body + b" ", SECRET, expected)
    assert not verify(body, "another secret", expected)
    assert not verify(body, SECRET, "sha256=nothex")


def test_backoff_starts_within_30_seconds_grows_and_is_capped():
    delays = [backoff_seconds(attempt) for attempt in range(1, 15)]
    assert delays[0] < 30
    assert all(later >= earlier * 1.5 or later == MAX_BACKOFF_SECONDS for earlier, later in zip(delays, delays[1:]))
    assert max(delays) == MAX_BACKOFF_SECONDS


def test_the_webhook_arrives_signed_once(database_url, webhook):
    engine = make_engine(database_url)
    settings = Settings(database_url=database_url, booking_webhook_url=webhook.start().url, webhook_secret=SECRET)
    result = submit_request(engine, details(), "key-1", settings)
    assert submit_request(engine, details(), "key-1", settings).created is False

    report = deliver_due(engine, settings, now=soon(minutes=1))
    assert (report.delivered, report.retried, report.failed) == (1, 0, 0)
    [(body, headers)] = webhook.received
    assert verify(body, SECRET, headers["X-SMP-Signature"])
    assert headers["Idempotency-Key"] == "key-1:webhook"
    payload = json.loads(body)
    assert payload["request_id"] == result.request_id
    assert payload["name"] == "Zoë O'Brien-Smith" and payload["screening_flags"] == ["blood_thinners"]
    assert payload["consent_version"] == "consent-abc123"
    [entry] = outbox(engine)
    assert (entry.status, entry.attempts, entry.last_error) == ("delivered", 1, None)

    assert deliver_due(engine, settings, now=soon(hours=1)).delivered == 0
    assert len(webhook.received) == 1


def test_while_the_endpoint_is_down_it_retries_and_delivers_when_back_even_after_a_restart(database_url, webhook):
    engine = make_engine(database_url)
    settings = Settings(database_url=database_url, booking_webhook_url=webhook.url, webhook_secret=SECRET)
    submit_request(engine, details(), "key-down", settings)
    start = datetime.now(timezone.utc)

    report = deliver_due(engine, settings, now=start)
    assert report.retried == 1
    [entry] = outbox(engine)
    assert entry.status == "pending" and entry.attempts == 1
    assert "could not connect" in entry.last_error
    assert timedelta(0) < entry.next_attempt_at - start <= timedelta(seconds=30)
    assert deliver_due(engine, settings, now=start + timedelta(seconds=1)).retried == 0  # not due yet

    engine.dispose()  # every process restarts: only the database remembers
    webhook.start()
    restarted = make_engine(database_url)
    report = deliver_due(restarted, settings, now=start + timedelta(minutes=1))
    assert report.delivered == 1
    assert len(webhook.received) == 1
    assert outbox(restarted)[0].status == "delivered"


def test_after_the_retry_window_it_is_marked_failed(database_url, webhook):
    engine = make_engine(database_url)
    settings = Settings(database_url=database_url, booking_webhook_url=webhook.url, webhook_secret=SECRET,
                        webhook_retry_hours=1)
    submit_request(engine, details(), "key-fail", settings)
    assert deliver_due(engine, settings, now=soon(minutes=1)).retried == 1
    report = deliver_due(engine, settings, now=soon(hours=2))
    assert report.failed == 1
    [entry] = outbox(engine)
    assert entry.status == "failed" and entry.attempts == 2


def test_without_a_webhook_url_requests_wait_in_the_outbox(database_url):
    engine = make_engine(database_url)
    settings = Settings(database_url=database_url)
    submit_request(engine, details(), "key-wait", settings)
    report = deliver_due(engine, settings, now=soon(days=1))
    assert (report.delivered, report.retried, report.waiting) == (0, 0, 1)
    assert outbox(engine)[0].status == "pending"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(envelope)
        return "250 OK"


def test_staff_email_goes_to_the_smtp_server_without_health_details(database_url):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        engine = make_engine(database_url)
        settings = Settings(database_url=database_url, smtp_host="127.0.0.1", smtp_port=controller.port,
                            smtp_starttls=False, smtp_from="assistant@pendle-scalp-studio.example",
                            staff_notify_email="team@pendle-scalp-studio.example")
        submit_request(engine, details(), "key-mail", settings)
        report = deliver_due(engine, settings, now=soon(minutes=1))
        assert report.delivered == 1
    finally:
        controller.stop()
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == ["team@pendle-scalp-studio.example"]
    text = envelope.content.decode("utf-8")
    assert "New consultation request" in text and "+447911123456" in text
    assert "Practitioner to review health answers: yes" in text
    assert "warfarin" not in text and "blood_thinners" not in text


@pytest.mark.services
def test_the_same_path_on_postgresql(postgres_url, webhook):
    schema = f"smp_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(postgres_url, future=True)
    with admin.begin() as connection:
        connection.execute(sa.text(f'create schema "{schema}"'))
    url = f"{postgres_url}?options=-csearch_path%3D{schema}"
    try:
        migrate(url)
        engine = make_engine(url)
        settings = Settings(database_url=url, booking_webhook_url=webhook.start().url, webhook_secret=SECRET)
        assert submit_request(engine, details("pg"), "key-pg", settings).created
        assert not submit_request(engine, details("pg"), "key-pg", settings).created
        assert deliver_due(engine, settings, now=soon(minutes=1)).delivered == 1
        assert verify(webhook.received[0][0], SECRET, webhook.received[0][1]["X-SMP-Signature"])
        with engine.connect() as connection:
            assert connection.execute(sa.text("select status from outbox")).scalar() == "delivered"
            assert connection.execute(sa.text("select count(*) from consultation_requests")).scalar() == 1
        engine.dispose()
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'drop schema "{schema}" cascade'))
        admin.dispose()


def test_the_worker_runs_the_retention_purge_when_it_starts(database_url, tmp_path):
    from records.delivery import run_worker
    from records.models import ConsultationRequest, ErasureLog

    engine = make_engine(database_url)
    settings = Settings(database_url=database_url, retention_days=30, delivery_poll_seconds=0.1,
                        tracker_store_url=f"sqlite:///{tmp_path / 'tracker.db'}")
    submit_request(engine, details("old-conversation"), "key-old", settings)
    submit_request(engine, details("new-conversation"), "key-new", settings)
    with session_scope(engine) as session:
        old = session.query(ConsultationRequest).filter_by(conversation_id="old-conversation").one()
        old.created_at = datetime.now(timezone.utc) - timedelta(days=31)

    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(settings, stop))
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with session_scope(engine) as session:
                if session.query(ErasureLog).filter_by(trigger="retention").count():
                    break
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join(timeout=30)
    with session_scope(engine) as session:
        left = [row.conversation_id for row in session.query(ConsultationRequest)]
        [log] = session.query(ErasureLog).filter_by(trigger="retention").all()
    assert left == ["new-conversation"]
    assert log.requests_deleted == 1
