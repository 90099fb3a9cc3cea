"""The delivery worker: sends outbox entries to the clinic and retries until they arrive.

`deliver_due()` is one round: every pending entry whose time has come is sent once, in its own
transaction. A webhook entry is POSTed to BOOKING_WEBHOOK_URL with its exact stored body and

    Content-Type: application/json
    X-SMP-Signature: sha256=<hex HMAC-SHA256 of the raw body, key WEBHOOK_SECRET>
    Idempotency-Key: <the entry's idempotency key, "<request key>:webhook">
    User-Agent: SMP-Consult-Delivery/1.0

and a 2xx answer means delivered. An e-mail entry is sent to STAFF_NOTIFY_EMAIL with smtplib.
Any other answer, a connection error or a timeout is recorded on the entry (attempts, last_error)
and the entry is tried again after `backoff_seconds()`; once its first attempt is more than
WEBHOOK_RETRY_HOURS ago, a failure marks it "failed" and is logged at ERROR. Redirects are not
followed (they are failures that name the status, so the clinic updates the URL).

A 4xx answer other than 408 and 429 is retried too, within the same window: the usual causes
(a wrong URL, a secret that does not match, an endpoint being deployed) are fixed by the clinic,
and the request must reach them once they are; giving up at once would lose it.

Delivery is at least once: if the worker stops after the clinic accepted an entry but before the
database recorded it, the entry is sent again, so the receiver de-duplicates on Idempotency-Key.
On PostgreSQL each entry is locked while it is sent (SELECT ... FOR UPDATE SKIP LOCKED), so two
workers never send the same entry; on SQLite run a single worker. All state lives in the
database: a restarted worker carries on where the last one stopped.

`python -m records.delivery` runs the worker until SIGTERM or Ctrl-C.
"""

import json
import logging
import random
import signal
import smtplib
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Dict, List, Optional
from urllib.parse import urlsplit

import requests
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from records.db import SchemaError, check_schema, make_engine, session_scope
from records.mail import MailError, send_email
from records.models import OutboxEntry, utcnow
from records.settings import Settings, SettingsError
from records.signing import sign

logger = logging.getLogger(__name__)

USER_AGENT = "SMP-Consult-Delivery/1.0"
SIGNATURE_HEADER = "X-SMP-Signature"
FIRST_RETRY_SECONDS = 10.0
MAX_BACKOFF_SECONDS = 15 * 60.0
JITTER = 0.1  # up to 10% later, so several entries that failed together do not retry together
MAX_ERROR_CHARS = 300
MAX_ENTRIES_PER_ROUND = 100


class DeliveryError(Exception):
    """One attempt to send an entry failed; the message is what last_error records."""


@dataclass
class DeliveryReport:
    """What one round did. `waiting_by_kind`: pending entries whose channel is not configured yet."""

    delivered: int = 0
    retried: int = 0
    failed: int = 0
    waiting_by_kind: Dict[str, int] = field(default_factory=dict)

    @property
    def waiting(self) -> int:
        return sum(self.waiting_by_kind.values())

    def __str__(self) -> str:
        return (
            f"{self.delivered} delivered, {self.retried} to retry, {self.failed} failed, "
            f"{self.waiting} waiting for configuration"
        )


def backoff_seconds(attempts: int) -> float:
    """Seconds before the next try after `attempts` failed ones: 10, 20, 40, ... up to 15 minutes."""
    exponent = min(max(attempts, 1) - 1, 20)
    delay = FIRST_RETRY_SECONDS * 2**exponent * (1 + random.uniform(0, JITTER))
    return min(delay, MAX_BACKOFF_SECONDS)


def enabled_kinds(settings: Settings) -> List[str]:
    """The outbox kinds this configuration can send."""
    kinds = []
    if settings.webhook_enabled:
        kinds.append("webhook")
    if settings.email_enabled:
        kinds.append("email")
    return kinds


def waiting_for_configuration(engine: Engine, settings: Settings) -> Dict[str, int]:
    """Pending entries per kind that cannot be sent until their channel is configured."""
    statement = (
        select(OutboxEntry.kind, func.count())
        .where(OutboxEntry.status == "pending", OutboxEntry.kind.not_in(enabled_kinds(settings)))
        .group_by(OutboxEntry.kind)
    )
    with session_scope(engine) as session:
        return {kind: count for kind, count in session.execute(statement)}


def _reason(error: BaseException) -> str:
    """The operating system's reason inside a requests/urllib3 error ("Connection refused"), else its type."""
    seen = error
    for _ in range(10):
        if isinstance(seen, OSError) and seen.strerror:
            return seen.strerror
        arguments = getattr(seen, "args", ())
        wrapped = arguments[0] if arguments and isinstance(arguments[0], BaseException) else None
        following = seen.__cause__ or getattr(seen, "reason", None) or wrapped or seen.__context__
        if not isinstance(following, BaseException):
            break
        seen = following
    return type(error).__name__


def post_webhook(entry: OutboxEntry, settings: Settings, http: requests.Session) -> None:
    """POSTs the entry's exact body, signed; raises DeliveryError unless the answer is 2xx."""
    body = entry.body.encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(body, settings.webhook_secret),
        "Idempotency-Key": entry.idempotency_key,
        "User-Agent": USER_AGENT,
    }
    # The URL may hold a secret token (many webhook services work that way): errors name the host only.
    host = urlsplit(settings.booking_webhook_url).netloc
    timeout = settings.webhook_timeout_seconds
    try:
        response = http.post(
            settings.booking_webhook_url, data=body, headers=headers, timeout=timeout, allow_redirects=False
        )
    except requests.Timeout:
        raise DeliveryError(f"no answer from {host} within {timeout:g} s") from None
    except requests.ConnectionError as error:
        raise DeliveryError(f"could not connect to {host}: {_reason(error)}") from None
    except requests.RequestException as error:
        raise DeliveryError(f"request to {host} failed: {_reason(error)}") from None
    if 200 <= response.status_code < 300:
        return
    detail = " ".join(response.text.split())[:120]
    if 300 <= response.status_code < 400:
        detail = f"redirect to {response.headers.get('Location', '?')}: update BOOKING_WEBHOOK_URL"
    raise DeliveryError(f"{host} answered HTTP {response.status_code} {response.reason or ''}: {detail}".rstrip(": "))


def send_staff_email(entry: OutboxEntry, settings: Settings) -> None:
    """Sends the entry's stored subject and text to STAFF_NOTIFY_EMAIL; raises DeliveryError on failure."""
    message = json.loads(entry.body)
    server = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        send_email(settings, message["subject"], message["text"])
    except MailError as error:
        raise DeliveryError(str(error)) from None
    except smtplib.SMTPException as error:
        raise DeliveryError(f"the SMTP server {server} refused the message: {error}") from None
    except OSError as error:
        raise DeliveryError(f"could not reach the SMTP server {server}: {error.strerror or error}") from None


def _send(entry: OutboxEntry, settings: Settings, http: requests.Session) -> None:
    if entry.kind == "webhook":
        post_webhook(entry, settings, http)
    elif entry.kind == "email":
        send_staff_email(entry, settings)
    else:
        raise DeliveryError(f"unknown outbox kind {entry.kind!r}")


def _next_due(session: Session, kinds: List[str], now: datetime) -> Optional[OutboxEntry]:
    statement = (
        select(OutboxEntry)
        .where(OutboxEntry.status == "pending", OutboxEntry.kind.in_(kinds), OutboxEntry.next_attempt_at <= now)
        .order_by(OutboxEntry.next_attempt_at, OutboxEntry.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return session.execute(statement).scalars().first()


def attempt(entry: OutboxEntry, settings: Settings, http: requests.Session, now: datetime) -> str:
    """Sends the entry once and records the outcome on it: "delivered", "retried" or "failed"."""
    entry.attempts += 1
    entry.last_attempt_at = now
    if entry.first_attempt_at is None:
        entry.first_attempt_at = now
    try:
        _send(entry, settings, http)
    except Exception as error:  # every failure is recorded on the entry and logged, never dropped
        if isinstance(error, DeliveryError):
            message = str(error)
        else:
            logger.exception("Unexpected error sending outbox entry %s (%s).", entry.id, entry.kind)
            message = f"unexpected error: {type(error).__name__}: {error}"
        entry.last_error = message[:MAX_ERROR_CHARS]
        if now - entry.first_attempt_at > timedelta(hours=settings.webhook_retry_hours):
            entry.status = "failed"
            logger.error(
                "Gave up on the %s for consultation request %s after %d attempts over %g hours: %s",
                entry.kind,
                entry.request_id,
                entry.attempts,
                settings.webhook_retry_hours,
                entry.last_error,
            )
            return "failed"
        delay = backoff_seconds(entry.attempts)
        entry.next_attempt_at = now + timedelta(seconds=delay)
        logger.warning(
            "The %s for consultation request %s failed (attempt %d), trying again in %.0f s: %s",
            entry.kind,
            entry.request_id,
            entry.attempts,
            delay,
            entry.last_error,
        )
        return "retried"
    entry.status = "delivered"
    entry.delivered_at = now
    entry.last_error = None
    logger.info(
        "Delivered the %s for consultation request %s (attempt %d).", entry.kind, entry.request_id, entry.attempts
    )
    return "delivered"


def deliver_due(
    engine: Engine, settings: Settings, now: Optional[datetime] = None, session: requests.Session = None
) -> DeliveryReport:
    """One round: sends every pending entry due at `now` (default: the current UTC time) once."""
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be a timezone-aware datetime")
    report = DeliveryReport(waiting_by_kind=waiting_for_configuration(engine, settings))
    kinds = enabled_kinds(settings)
    if not kinds:
        return report
    http = session or requests.Session()
    outcomes = Counter()
    try:
        for _ in range(MAX_ENTRIES_PER_ROUND):
            # One transaction per entry: on PostgreSQL the entry stays locked while it is sent.
            with session_scope(engine) as db:
                entry = _next_due(db, kinds, now)
                if entry is None:
                    break
                outcomes[attempt(entry, settings, http, now)] += 1
    finally:
        if session is None:
            http.close()
    report.delivered = outcomes["delivered"]
    report.retried = outcomes["retried"]
    report.failed = outcomes["failed"]
    return report


def _log_waiting(waiting: Dict[str, int]) -> None:
    if waiting.get("webhook"):
        logger.warning(
            "%d consultation request(s) wait for a webhook URL: set BOOKING_WEBHOOK_URL and WEBHOOK_SECRET.",
            waiting["webhook"],
        )
    if waiting.get("email"):
        logger.warning(
            "%d staff e-mail(s) wait for e-mail settings: set SMTP_HOST and STAFF_NOTIFY_EMAIL.", waiting["email"]
        )


def _wait_for_database(engine: Engine, settings: Settings, stop: threading.Event) -> bool:
    """Checks the schema, waiting while the database is unreachable; False if stopped meanwhile."""
    while not stop.is_set():
        try:
            check_schema(engine)
            return True
        except SQLAlchemyError as error:
            logger.error(
                "Cannot reach the clinic database (%s); trying again in %g s.",
                " ".join(str(error.orig or error).split())[:200] if hasattr(error, "orig") else error,
                settings.delivery_poll_seconds,
            )
        stop.wait(settings.delivery_poll_seconds)
    return False


PURGE_EVERY_SECONDS = 24 * 3600


def retention_round(engine, settings: Settings) -> None:
    """The daily retention purge (`make purge`), run by the worker while `make run` is up."""
    from records.cli import retention_days
    from records.erasure import purge

    days = retention_days(settings, None)
    counts = purge(engine, days, settings.tracker_store_url)
    logger.info("Retention purge (older than %d days): %d conversations' events, %d requests, %d hand-offs deleted.",
                days, counts.events, counts.requests, counts.handoffs)


def run_worker(settings: Settings, stop_event: Optional[threading.Event] = None) -> None:
    """Delivers due entries every DELIVERY_POLL_SECONDS until stop_event is set, and runs the
    retention purge when it starts and then once a day.

    Raises SchemaError when the database was not migrated. An error in one round (database or
    network) is logged and the next round runs as usual.
    """
    stop = stop_event or threading.Event()
    engine = make_engine(settings.database_url)
    http = requests.Session()
    try:
        if not _wait_for_database(engine, settings, stop):
            return
        logger.info(
            "Delivery worker started: webhook %s, staff e-mail %s, checking every %g s.",
            "on" if settings.webhook_enabled else "off (BOOKING_WEBHOOK_URL is empty)",
            "on" if settings.email_enabled else "off (SMTP_HOST or STAFF_NOTIFY_EMAIL is empty)",
            settings.delivery_poll_seconds,
        )
        last_waiting = None
        next_purge = time.monotonic()
        while not stop.is_set():
            if time.monotonic() >= next_purge:
                next_purge = time.monotonic() + PURGE_EVERY_SECONDS
                try:
                    retention_round(engine, settings)
                except Exception:
                    logger.exception("Retention purge failed; it runs again in 24 hours (or run `make purge`).")
            try:
                report = deliver_due(engine, settings, session=http)
                if report.waiting_by_kind != last_waiting:
                    _log_waiting(report.waiting_by_kind)
                    last_waiting = report.waiting_by_kind
                if report.delivered or report.retried or report.failed:
                    logger.info("Delivery round: %s.", report)
            except Exception:
                logger.exception("Delivery round failed; trying again in %g s.", settings.delivery_poll_seconds)
            stop.wait(settings.delivery_poll_seconds)
    finally:
        http.close()
        engine.dispose()
    logger.info("Delivery worker stopped.")


def main() -> int:
    """`python -m records.delivery`: runs the worker until SIGTERM or Ctrl-C."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"The delivery worker cannot start: {error}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def request_stop(signum: int, frame) -> None:
        logger.info("%s received: stopping after the current round.", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        run_worker(settings, stop)
    except SchemaError as error:
        print(f"The delivery worker cannot start: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
