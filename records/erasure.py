"""Erasing a conversation's data, and deleting everything older than the retention period.

Both delete from the clinic database (requests, their outbox entries, hand-offs, messages staff
reviewed) and, given its
URL, from Rasa's tracker store (the `events` table), and write an `ErasureLog` row that holds
counts only: no name, no contact detail, no conversation id.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from records.db import make_engine, session_scope
from records.models import ConsultationRequest, ErasureLog, Handoff, OutboxEntry, Review, utcnow

# Rasa's SQL tracker store table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent).
_EVENTS = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("timestamp", sa.Float),
)


@dataclass(frozen=True)
class ErasureCounts:
    requests: int = 0
    outbox: int = 0
    handoffs: int = 0
    events: int = 0
    reviews: int = 0
    # Of the outbox entries erased, how many had already been delivered (to the booking webhook
    # or the staff mailbox): those copies are outside this database, and the client is told so.
    delivered: int = 0


def _events_table_exists(engine: Engine) -> bool:
    return sa.inspect(engine).has_table("events")


def delete_tracker_events(tracker_store_url: str, conversation_id: str) -> int:
    """Deletes one conversation's events from Rasa's tracker store; returns how many."""
    engine = make_engine(tracker_store_url)
    try:
        if not _events_table_exists(engine):
            return 0
        with engine.begin() as connection:
            return connection.execute(sa.delete(_EVENTS).where(_EVENTS.c.sender_id == conversation_id)).rowcount
    finally:
        engine.dispose()


def _delete_clinic_rows(session, request_filter, handoff_filter, review_filter) -> tuple:
    request_ids = sa.select(ConsultationRequest.id).where(request_filter)
    delivered = session.execute(
        sa.select(sa.func.count()).select_from(OutboxEntry).where(
            OutboxEntry.request_id.in_(request_ids), OutboxEntry.status == "delivered"
        )
    ).scalar_one()
    no_sync = {"synchronize_session": False}  # bulk deletes: nothing is loaded in this session
    outbox = session.execute(
        sa.delete(OutboxEntry).where(OutboxEntry.request_id.in_(request_ids)), execution_options=no_sync
    ).rowcount
    requests = session.execute(sa.delete(ConsultationRequest).where(request_filter), execution_options=no_sync).rowcount
    handoffs = session.execute(sa.delete(Handoff).where(handoff_filter), execution_options=no_sync).rowcount
    reviews = session.execute(sa.delete(Review).where(review_filter), execution_options=no_sync).rowcount
    return requests, outbox, handoffs, reviews, delivered


def _log(session, trigger: str, counts: ErasureCounts) -> None:
    session.add(
        ErasureLog(
            trigger=trigger,
            requests_deleted=counts.requests,
            outbox_deleted=counts.outbox,
            handoffs_deleted=counts.handoffs,
            events_deleted=counts.events,
            reviews_deleted=counts.reviews,
        )
    )


def erase_conversation(
    engine: Engine, conversation_id: str, trigger: str, tracker_store_url: Optional[str] = None
) -> ErasureCounts:
    """Erases everything stored about one conversation and logs the counts."""
    events = delete_tracker_events(tracker_store_url, conversation_id) if tracker_store_url else 0
    with session_scope(engine) as session:
        requests, outbox, handoffs, reviews, delivered = _delete_clinic_rows(
            session,
            ConsultationRequest.conversation_id == conversation_id,
            Handoff.conversation_id == conversation_id,
            Review.conversation_id == conversation_id,
        )
        counts = ErasureCounts(requests, outbox, handoffs, events, reviews, delivered)
        _log(session, trigger, counts)
    return counts


def purge(
    engine: Engine, retention_days: int, tracker_store_url: Optional[str] = None, now: Optional[datetime] = None
) -> ErasureCounts:
    """Deletes requests and hand-offs created, and conversations last active, before the cutoff."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    events = 0
    if tracker_store_url:
        tracker = make_engine(tracker_store_url)
        try:
            if _events_table_exists(tracker):
                stale = (
                    sa.select(_EVENTS.c.sender_id)
                    .group_by(_EVENTS.c.sender_id)
                    .having(sa.func.max(_EVENTS.c.timestamp) < cutoff.timestamp())
                )
                with tracker.begin() as connection:
                    events = connection.execute(sa.delete(_EVENTS).where(_EVENTS.c.sender_id.in_(stale))).rowcount
        finally:
            tracker.dispose()
    with session_scope(engine) as session:
        requests, outbox, handoffs, reviews, delivered = _delete_clinic_rows(
            session, ConsultationRequest.created_at < cutoff, Handoff.created_at < cutoff, Review.created_at < cutoff
        )
        counts = ErasureCounts(requests, outbox, handoffs, events, reviews, delivered)
        _log(session, "retention", counts)
    return counts
