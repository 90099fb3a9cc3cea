"""Storing a client's consultation request and the messages that tell the clinic about it.

`submit_request()` writes, in one transaction, the request and its outbox entries: always a
"webhook" entry (the signed JSON the delivery worker posts to BOOKING_WEBHOOK_URL; while no URL
is set it waits in the outbox), and an "email" entry for staff when e-mail is configured. So a
request is never stored without its notifications, and a notification never refers to a request
that was not stored.

It is idempotent: calling it again with the same idempotency key (a retried action, a second
action server racing the first) returns the stored request with `created=False` and writes
nothing. The staff e-mail carries no health details: only whether the practitioner should review
the health answers, which staff read in the staff console.
"""

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Optional

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from records.db import session_scope
from records.models import CONSULTATION_FORMATS, CONTACT_METHODS, ConsultationRequest, OutboxEntry, new_id, utcnow
from records.settings import Settings

logger = logging.getLogger(__name__)

WEBHOOK_EVENT = "consultation_request.created"
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_FORMAT_WORDS = {"studio": "in the studio", "video": "by video call"}


@dataclass(frozen=True)
class ConsultationDetails:
    """What the client confirmed in the conversation, ready to store."""

    conversation_id: str
    channel: str
    name: str
    phone: Optional[str]
    email: Optional[str]
    consultation_format: str
    preferred_times: str
    preferred_dates: List[str]
    contact_method: str
    concern: str
    concern_detail: Optional[str]
    screening_flags: List[str]
    screening_note: Optional[str]
    consent_version: str
    consent_given_at: datetime


@dataclass(frozen=True)
class SubmitResult:
    """The stored request's id, and whether this call created it (False: it was already stored)."""

    request_id: str
    created: bool


def check_details(details: ConsultationDetails, idempotency_key: str) -> None:
    """Raises ValueError naming the field when the details cannot be stored as they are."""
    if not idempotency_key or len(idempotency_key) > 255:
        raise ValueError("idempotency_key must be 1 to 255 characters")
    for field in ("conversation_id", "channel", "name", "preferred_times", "concern", "consent_version"):
        if not str(getattr(details, field) or "").strip():
            raise ValueError(f"{field} is empty")
    if details.consultation_format not in CONSULTATION_FORMATS:
        raise ValueError(f"consultation_format must be one of {', '.join(CONSULTATION_FORMATS)}")
    if details.contact_method not in CONTACT_METHODS:
        raise ValueError(f"contact_method must be one of {', '.join(CONTACT_METHODS)}")
    if details.phone is not None and not _E164.match(details.phone):
        raise ValueError("phone must be in E.164 form, e.g. +447700900123")
    if details.contact_method in ("call", "text") and not details.phone:
        raise ValueError(f"contact_method {details.contact_method!r} needs a phone number")
    if details.contact_method == "email" and not details.email:
        raise ValueError("contact_method 'email' needs an e-mail address")
    for field in ("preferred_dates", "screening_flags"):
        values = getattr(details, field)
        if not isinstance(values, (list, tuple)) or not all(isinstance(value, str) for value in values):
            raise ValueError(f"{field} must be a list of strings")
    if details.consent_given_at.tzinfo is None or details.consent_given_at.utcoffset() is None:
        raise ValueError("consent_given_at must be a timezone-aware datetime")


def canonical_json(payload: Dict[str, Any]) -> str:
    """JSON with sorted keys and no spaces: the exact text that is signed and sent (as UTF-8)."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def webhook_payload(request: ConsultationRequest) -> Dict[str, Any]:
    """The booking webhook's body: the event, the keys, and every field of the request."""
    return {
        "event": WEBHOOK_EVENT,
        "idempotency_key": request.idempotency_key,
        "request_id": request.id,
        "created_at": request.created_at.isoformat(),
        "status": request.status,
        "conversation_id": request.conversation_id,
        "channel": request.channel,
        "name": request.name,
        "phone": request.phone,
        "email": request.email,
        "consultation_format": request.consultation_format,
        "preferred_times": request.preferred_times,
        "preferred_dates": list(request.preferred_dates),
        "contact_method": request.contact_method,
        "concern": request.concern,
        "concern_detail": request.concern_detail,
        "screening_flags": list(request.screening_flags),
        "screening_note": request.screening_note,
        "flagged": request.flagged,
        "consent_version": request.consent_version,
        "consent_given_at": request.consent_given_at.isoformat(),
    }


def staff_email(request: ConsultationRequest) -> Dict[str, str]:
    """The staff notification's subject and text: contact details and preferences, no health details."""
    subject = f"New consultation request (ref {request.id[:8]})"
    lines = [
        "A client has asked for a consultation.",
        "",
        f"Name: {request.name}",
        f"Phone: {request.phone or 'not given'}",
        f"E-mail: {request.email or 'not given'}",
        f"Contact them by: {request.contact_method}",
        f"Consultation: {_FORMAT_WORDS.get(request.consultation_format, request.consultation_format)}",
        f"Preferred times: {request.preferred_times}",
        f"Preferred dates: {', '.join(request.preferred_dates) or 'any'}",
        f"Concern: {request.concern}",
        f"Practitioner to review health answers: {'yes' if request.flagged else 'no'}",
        f"Received: {request.created_at.strftime('%Y-%m-%d %H:%M')} UTC",
        f"Reference: {request.id}",
        "",
        "For the client's answers and the full request, see the staff console.",
    ]
    return {"subject": subject, "text": "\n".join(lines) + "\n"}


def _existing_id(session: Session, idempotency_key: str) -> Optional[str]:
    statement = select(ConsultationRequest.id).where(ConsultationRequest.idempotency_key == idempotency_key)
    return session.execute(statement).scalar_one_or_none()


def _new_request(details: ConsultationDetails, idempotency_key: str) -> ConsultationRequest:
    now = utcnow()
    return ConsultationRequest(
        id=new_id(),
        idempotency_key=idempotency_key,
        conversation_id=details.conversation_id,
        channel=details.channel,
        name=details.name.strip(),
        phone=details.phone,
        email=details.email,
        consultation_format=details.consultation_format,
        preferred_times=details.preferred_times,
        preferred_dates=list(details.preferred_dates),
        contact_method=details.contact_method,
        concern=details.concern,
        concern_detail=details.concern_detail,
        screening_flags=list(details.screening_flags),
        screening_note=details.screening_note,
        flagged=bool(details.screening_flags),
        consent_version=details.consent_version,
        consent_given_at=details.consent_given_at,
        status="new",
        created_at=now,
        updated_at=now,
    )


def _outbox_entry(request: ConsultationRequest, kind: str, body: str) -> OutboxEntry:
    return OutboxEntry(
        request_id=request.id,
        kind=kind,
        idempotency_key=f"{request.idempotency_key}:{kind}",
        body=body,
        status="pending",
        attempts=0,
        next_attempt_at=request.created_at,
        created_at=request.created_at,
    )


def outbox_entries(request: ConsultationRequest, settings: Settings) -> List[OutboxEntry]:
    """The webhook entry, always; the staff e-mail entry when e-mail is configured."""
    entries = [_outbox_entry(request, "webhook", canonical_json(webhook_payload(request)))]
    if settings.email_enabled:
        entries.append(_outbox_entry(request, "email", canonical_json(staff_email(request))))
    return entries


def submit_request(
    engine: Engine, details: ConsultationDetails, idempotency_key: str, settings: Settings
) -> SubmitResult:
    """Stores the request and its outbox entries in one transaction, once per idempotency key."""
    check_details(details, idempotency_key)
    try:
        with session_scope(engine) as session:
            existing = _existing_id(session, idempotency_key)
            if existing is not None:
                logger.info("Consultation request %s was already stored for this idempotency key.", existing)
                return SubmitResult(request_id=existing, created=False)
            request = _new_request(details, idempotency_key)
            entries = outbox_entries(request, settings)
            session.add(request)
            session.flush()  # the request before its outbox entries (foreign key)
            session.add_all(entries)
    except IntegrityError:
        # Another call with the same key committed between our look-up and our insert.
        with session_scope(engine) as session:
            existing = _existing_id(session, idempotency_key)
        if existing is None:
            raise
        logger.info("Consultation request %s was stored by a concurrent call with the same idempotency key.", existing)
        return SubmitResult(request_id=existing, created=False)
    logger.info(
        "Stored consultation request %s with outbox entries: %s.", request.id, ", ".join(entry.kind for entry in entries)
    )
    return SubmitResult(request_id=request.id, created=True)
