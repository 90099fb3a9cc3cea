"""The actions' access to the clinic database (the `records` package).

One engine per action-server process, made on first use from DATABASE_URL; the schema is checked
then, so a database that was never migrated is reported ("run `make migrate`") on the first
request instead of failing half-way through one.
"""

from datetime import datetime
from functools import lru_cache
from typing import Tuple

from rasa_sdk import Tracker
from sqlalchemy.engine import Engine

from records.consent import record_wording
from records.db import check_schema, make_engine
from records.erasure import ErasureCounts, erase_conversation
from records.handoffs import record_handoff
from records.requests import ConsultationDetails, SubmitResult, submit_request
from records.settings import Settings


@lru_cache(maxsize=1)
def connection() -> Tuple[Engine, Settings]:
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    check_schema(engine)
    return engine, settings


def details_from(tracker: Tracker) -> ConsultationDetails:
    """The confirmed answers of the consultation form, as the clinic database stores them."""
    slots = tracker.slots
    return ConsultationDetails(
        conversation_id=tracker.sender_id,
        channel=tracker.get_latest_input_channel() or "unknown",
        name=slots["client_name"],
        phone=slots.get("phone"),
        email=slots.get("email"),
        consultation_format=slots["consultation_format"],
        preferred_times=slots["preferred_times"],
        preferred_dates=list(slots.get("preferred_dates") or []),
        contact_method=slots["contact_method"],
        concern=slots["concern"],
        concern_detail=slots.get("concern_detail"),
        screening_flags=list(slots.get("screening") or []),
        screening_note=slots.get("screening_note"),
        consent_version=slots["consent_version"],
        consent_given_at=datetime.fromisoformat(slots["consent_given_at"]),
    )


def submit(tracker: Tracker, idempotency_key: str) -> SubmitResult:
    engine, settings = connection()
    return submit_request(engine, details_from(tracker), idempotency_key, settings)


def record_consent(version: str, text: str) -> bool:
    """Keeps the consent wording a client has just agreed to (once per version)."""
    engine, _ = connection()
    return record_wording(engine, version, text)


def hand_off(conversation_id: str, channel: str) -> int:
    engine, _ = connection()
    return record_handoff(engine, conversation_id, channel)


def erase(conversation_id: str) -> ErasureCounts:
    """Erases the conversation's requests, outbox entries and hand-offs (the Rasa tracker store
    erases the conversation's events itself: see records/tracker_store.py)."""
    engine, _ = connection()
    return erase_conversation(engine, conversation_id, "client", tracker_store_url=None)
