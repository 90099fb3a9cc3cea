"""The clinic database's tables.

- `ConsultationRequest`: what a client asked for, with their consent (consultation_requests);
- `ConsentWording`: the exact consent text a client agreed to, once per version
  (consent_wordings); a request's `consent_version` names it;
- `OutboxEntry`: one message about a request still to send, or sent (outbox): the signed webhook
  and the staff e-mail are written in the same transaction as the request and sent by the
  delivery worker, so a request is never stored without its notifications or the other way round;
- `Handoff`: a conversation waiting for a person (handoffs);
- `ErasureLog`: that an erasure or purge happened and how many rows it removed (erasure_log),
  with no personal data and no conversation id;
- `StaffUser`: a member of staff who signs in to the staff console (staff_users);
- `Review`: a client message staff marked as misunderstood, with the intent it should have had
  (reviews), for `make export-reviewed`;
- `AuditEntry`: what staff did with personal data in the console: reveals, exports, erasures
  (audit_log).

Datetimes are stored in UTC and always read back as timezone-aware UTC datetimes on SQLite and
PostgreSQL (`UTCDateTime`). Writing a naive datetime is an error, so local times cannot slip in.
The schema itself is created by the alembic migrations in records/migrations, not by
`Base.metadata.create_all`.
"""

import uuid
from datetime import datetime, timezone
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import TypeDecorator

REQUEST_STATUSES = ("new", "contacted", "booked", "not_suitable", "closed")
CONSULTATION_FORMATS = ("studio", "video")
CONTACT_METHODS = ("call", "text", "email")
OUTBOX_KINDS = ("webhook", "email")
OUTBOX_STATUSES = ("pending", "delivered", "failed")
HANDOFF_STATUSES = ("waiting", "resumed")
ERASURE_TRIGGERS = ("client", "staff", "retention")
STAFF_ROLES = ("staff", "admin")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=sa.MetaData(naming_convention=NAMING_CONVENTION))


def utcnow() -> datetime:
    """The current time as a timezone-aware UTC datetime."""
    return datetime.now(timezone.utc)


def new_id() -> str:
    return str(uuid.uuid4())


def _one_of(column: str, values: tuple) -> str:
    listed = ", ".join(f"'{value}'" for value in values)
    return f'"{column}" IN ({listed})'


class UTCDateTime(TypeDecorator):
    """A UTC timestamp: `timestamp with time zone` on PostgreSQL, naive UTC text on SQLite.

    Values written must be timezone-aware; values read are always timezone-aware UTC.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given: the clinic database stores UTC, pass an aware datetime")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class ConsultationRequest(Base):
    """A client's request for a consultation, as confirmed in the conversation."""

    __tablename__ = "consultation_requests"
    __table_args__ = (
        sa.CheckConstraint(_one_of("consultation_format", CONSULTATION_FORMATS), name="consultation_format"),
        sa.CheckConstraint(_one_of("contact_method", CONTACT_METHODS), name="contact_method"),
        sa.CheckConstraint(_one_of("status", REQUEST_STATUSES), name="status"),
    )

    id = sa.Column(sa.String(36), primary_key=True, default=new_id)
    idempotency_key = sa.Column(sa.String(255), nullable=False, unique=True)
    conversation_id = sa.Column(sa.String(255), nullable=False, index=True)
    channel = sa.Column(sa.String(64), nullable=False)
    name = sa.Column(sa.String(255), nullable=False)
    phone = sa.Column(sa.String(32), nullable=True)  # E.164, e.g. +447700900123
    email = sa.Column(sa.String(320), nullable=True)
    consultation_format = sa.Column(sa.String(16), nullable=False)
    preferred_times = sa.Column(sa.Text, nullable=False)
    preferred_dates = sa.Column(sa.JSON, nullable=False, default=list)
    contact_method = sa.Column(sa.String(16), nullable=False)
    concern = sa.Column(sa.String(64), nullable=False)
    concern_detail = sa.Column(sa.Text, nullable=True)
    screening_flags = sa.Column(sa.JSON, nullable=False, default=list)
    screening_note = sa.Column(sa.Text, nullable=True)
    flagged = sa.Column(sa.Boolean, nullable=False, default=False)
    consent_version = sa.Column(sa.String(64), nullable=False)
    consent_given_at = sa.Column(UTCDateTime, nullable=False)
    status = sa.Column(sa.String(16), nullable=False, default="new")
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


class ConsentWording(Base):
    """The consent text as clients saw it (rendered with the clinic's values), kept once per version.

    Never erased or purged with a conversation: it holds no personal data, and it is the record of
    what every stored consent agreed to.
    """

    __tablename__ = "consent_wordings"

    version = sa.Column(sa.String(64), primary_key=True)
    text = sa.Column(sa.Text, nullable=False)
    first_shown_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)


class OutboxEntry(Base):
    """One message about a request: sent by the delivery worker, retried until it is delivered or fails."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.UniqueConstraint("kind", "idempotency_key", name="uq_outbox_kind_idempotency_key"),
        sa.CheckConstraint(_one_of("kind", OUTBOX_KINDS), name="kind"),
        sa.CheckConstraint(_one_of("status", OUTBOX_STATUSES), name="status"),
        sa.Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    request_id = sa.Column(
        sa.String(36), sa.ForeignKey("consultation_requests.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind = sa.Column(sa.String(16), nullable=False)
    idempotency_key = sa.Column(sa.String(300), nullable=False)
    # The exact text sent: the webhook's JSON body, or the e-mail's subject and text as JSON.
    body = sa.Column(sa.Text, nullable=False)
    status = sa.Column(sa.String(16), nullable=False, default="pending")
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    next_attempt_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    first_attempt_at = sa.Column(UTCDateTime, nullable=True)
    last_attempt_at = sa.Column(UTCDateTime, nullable=True)
    last_error = sa.Column(sa.Text, nullable=True)
    delivered_at = sa.Column(UTCDateTime, nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)


class Handoff(Base):
    """A conversation handed to a person; at most one is waiting per conversation."""

    __tablename__ = "handoffs"
    __table_args__ = (
        sa.CheckConstraint(_one_of("status", HANDOFF_STATUSES), name="status"),
        sa.Index(
            "uq_handoffs_waiting_conversation_id",
            "conversation_id",
            unique=True,
            sqlite_where=sa.text("status = 'waiting'"),
            postgresql_where=sa.text("status = 'waiting'"),
        ),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    conversation_id = sa.Column(sa.String(255), nullable=False, index=True)
    channel = sa.Column(sa.String(64), nullable=False)
    status = sa.Column(sa.String(16), nullable=False, default="waiting")
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    resumed_at = sa.Column(UTCDateTime, nullable=True)


class ErasureLog(Base):
    """That an erasure or a retention purge ran, and how many rows it deleted: counts only."""

    __tablename__ = "erasure_log"
    __table_args__ = (sa.CheckConstraint(_one_of("trigger", ERASURE_TRIGGERS), name="trigger"),)

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    occurred_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    trigger = sa.Column(sa.String(16), nullable=False)
    requests_deleted = sa.Column(sa.Integer, nullable=False, default=0)
    outbox_deleted = sa.Column(sa.Integer, nullable=False, default=0)
    handoffs_deleted = sa.Column(sa.Integer, nullable=False, default=0)
    events_deleted = sa.Column(sa.Integer, nullable=False, default=0)
    reviews_deleted = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")


class StaffUser(Base):
    """A staff console account: the e-mail, an argon2 hash of the password, the role, and the
    failed sign-ins that lock it for a while."""

    __tablename__ = "staff_users"
    __table_args__ = (sa.CheckConstraint(_one_of("role", STAFF_ROLES), name="role"),)

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    email = sa.Column(sa.String(320), nullable=False, unique=True)
    password_hash = sa.Column(sa.String(255), nullable=False)
    role = sa.Column(sa.String(16), nullable=False, default="staff")
    failed_logins = sa.Column(sa.Integer, nullable=False, default=0)
    locked_until = sa.Column(UTCDateTime, nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    last_login_at = sa.Column(UTCDateTime, nullable=True)


class AuditEntry(Base):
    """One thing a member of staff did with personal data: who, what, which conversation, when."""

    __tablename__ = "audit_log"

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    occurred_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    staff_email = sa.Column(sa.String(320), nullable=False)
    action = sa.Column(sa.String(32), nullable=False)
    target = sa.Column(sa.String(255), nullable=True)
    detail = sa.Column(sa.Text, nullable=True)


class Review(Base):
    """A client message the assistant misunderstood, and the intent a member of staff chose."""

    __tablename__ = "reviews"
    __table_args__ = (sa.UniqueConstraint("conversation_id", "event_id", name="uq_reviews_conversation_id"),)

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    conversation_id = sa.Column(sa.String(255), nullable=False, index=True)
    event_id = sa.Column(sa.Integer, nullable=False)  # the message's row in the tracker store
    text = sa.Column(sa.Text, nullable=False)
    predicted_intent = sa.Column(sa.String(255), nullable=True)
    confidence = sa.Column(sa.Float, nullable=True)
    correct_intent = sa.Column(sa.String(255), nullable=False)
    staff_email = sa.Column(sa.String(320), nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
