"""The overview page's figures: conversations and messages per day, top intents, how often the
assistant was unsure or declined, requests per day, and the share of conversations that became requests."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Dict, List, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console.conversations import EVENTS, unsure_or_declined
from records.models import ConsultationRequest

DAYS = 14


@dataclass
class Overview:
    days: List[date]
    conversations_per_day: Dict[date, int]
    messages_per_day: Dict[date, int]
    requests_per_day: Dict[date, int]
    top_intents: List[Tuple[str, int]]
    conversations: int
    fallback_share: float
    request_share: float


def overview(tracker: Engine, clinic: Engine, today: date) -> Overview:
    start = today - timedelta(days=DAYS - 1)
    since = datetime.combine(start, datetime.min.time(), timezone.utc).timestamp()
    day = lambda ts: datetime.fromtimestamp(ts, timezone.utc).date()  # noqa: E731
    with tracker.connect() as connection:
        firsts = connection.execute(
            sa.select(EVENTS.c.sender_id, sa.func.min(EVENTS.c.timestamp)).group_by(EVENTS.c.sender_id)
            .having(sa.func.max(EVENTS.c.timestamp) >= since)).all()
        messages = connection.execute(
            sa.select(EVENTS.c.timestamp, EVENTS.c.intent_name)
            .where(EVENTS.c.type_name == "user", EVENTS.c.timestamp >= since)).all()
        fallbacks = connection.execute(
            sa.select(sa.func.count(sa.distinct(EVENTS.c.sender_id)))
            .where(unsure_or_declined(), EVENTS.c.timestamp >= since)).scalar()
    with clinic.connect() as connection:
        requests = connection.execute(
            sa.select(ConsultationRequest.created_at, ConsultationRequest.conversation_id)
            .where(ConsultationRequest.created_at >= datetime.combine(start, datetime.min.time(), timezone.utc))).all()
    active = {sender for sender, _ in firsts}
    days = [start + timedelta(days=n) for n in range(DAYS)]
    per_day = lambda values: {d: values.get(d, 0) for d in days}  # noqa: E731
    return Overview(
        days=days,
        conversations_per_day=per_day(Counter(day(first) for _, first in firsts if first >= since)),
        messages_per_day=per_day(Counter(day(ts) for ts, _ in messages)),
        requests_per_day=per_day(Counter(created.date() for created, _ in requests)),
        top_intents=Counter(intent for _, intent in messages if intent).most_common(10),
        conversations=len(active),
        fallback_share=(fallbacks or 0) / len(active) if active else 0.0,
        request_share=len({c for _, c in requests} & active) / len(active) if active else 0.0,
    )
