"""Consultation requests as staff work on them: the list with delivery state, status changes,
and the CSV export (personal details masked unless an admin asks otherwise)."""

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Dict, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console.masking import EMAIL_MASK, NAME_MASK, PHONE_MASK
from records.db import session_scope
from records.models import REQUEST_STATUSES, ConsultationRequest, OutboxEntry, utcnow

CSV_FIELDS = ("id", "created_at", "status", "name", "phone", "email", "contact_method", "consultation_format",
              "preferred_times", "concern", "concern_detail", "flagged", "screening_flags", "consent_version", "consent_given_at", "webhook",
              "conversation_id")


@dataclass
class RequestRow:
    request: ConsultationRequest
    delivery: Dict[str, str]  # outbox kind -> "delivered", "pending (3 attempts)", "failed: ..."


def _delivery(entry: OutboxEntry) -> str:
    if entry.status == "pending" and entry.attempts:
        return f"pending ({entry.attempts} attempts; last error: {entry.last_error or 'none'})"
    if entry.status == "failed":
        return f"failed after {entry.attempts} attempts: {entry.last_error or 'unknown error'}"
    return entry.status


def list_requests(engine: Engine, status: str = "", limit: int = 200,
                  conversation_id: Optional[str] = None) -> List[RequestRow]:
    """Requests, newest first: all, of one status, or of one conversation."""
    with session_scope(engine) as session:
        query = sa.select(ConsultationRequest).order_by(ConsultationRequest.created_at.desc()).limit(limit)
        if status in REQUEST_STATUSES:
            query = query.where(ConsultationRequest.status == status)
        if conversation_id is not None:
            query = query.where(ConsultationRequest.conversation_id == conversation_id)
        requests = session.execute(query).scalars().all()
        entries = session.execute(
            sa.select(OutboxEntry).where(OutboxEntry.request_id.in_([r.id for r in requests] or [""]))
        ).scalars().all()
    delivery: Dict[str, Dict[str, str]] = {}
    for entry in entries:
        delivery.setdefault(entry.request_id, {})[entry.kind] = _delivery(entry)
    return [RequestRow(request, delivery.get(request.id, {})) for request in requests]


def set_status(engine: Engine, request_id: str, status: str) -> Optional[str]:
    """Changes a request's status; returns the old one, or None if there is no such request."""
    if status not in REQUEST_STATUSES:
        raise ValueError(f"status must be one of {', '.join(REQUEST_STATUSES)}")
    with session_scope(engine) as session:
        request = session.get(ConsultationRequest, request_id)
        if request is None:
            return None
        old, request.status, request.updated_at = request.status, status, utcnow()
        return old


def masked_name(name: str) -> str:
    return f"{name[:1]}… {NAME_MASK}" if name else ""


def to_csv(rows: List[RequestRow], unmasked: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for row in rows:
        r = row.request
        writer.writerow([
            r.id, _iso(r.created_at), r.status,
            r.name if unmasked else masked_name(r.name),
            (r.phone or "") if unmasked else (PHONE_MASK if r.phone else ""),
            (r.email or "") if unmasked else (EMAIL_MASK if r.email else ""),
            r.contact_method, r.consultation_format, r.preferred_times, r.concern, r.concern_detail or "",
            "yes" if r.flagged else "no", "; ".join(r.screening_flags or []), r.consent_version,
            _iso(r.consent_given_at), row.delivery.get("webhook", ""),
            r.conversation_id,
        ])
    return out.getvalue()


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds")
