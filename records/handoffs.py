"""Hand-offs: conversations a client asked to continue with a person.

`record_handoff` is idempotent while one is waiting (asking twice queues the conversation once);
`resolve_handoff` marks it resumed when staff hand the conversation back to the assistant.
"""

from typing import List

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from records.db import session_scope
from records.models import Handoff, utcnow


def _waiting_id(session, conversation_id: str):
    return session.execute(
        select(Handoff.id).where(Handoff.conversation_id == conversation_id, Handoff.status == "waiting")
    ).scalar_one_or_none()


def record_handoff(engine: Engine, conversation_id: str, channel: str) -> int:
    """Queues the conversation for a person; returns the waiting hand-off's id."""
    with session_scope(engine) as session:
        existing = _waiting_id(session, conversation_id)
        if existing is not None:
            return existing
    try:
        with session_scope(engine) as session:
            handoff = Handoff(conversation_id=conversation_id, channel=channel, status="waiting")
            session.add(handoff)
            session.flush()
            return handoff.id
    except IntegrityError:  # another process queued it between our read and write
        with session_scope(engine) as session:
            return _waiting_id(session, conversation_id)


def resolve_handoff(engine: Engine, conversation_id: str) -> bool:
    """Marks the conversation's waiting hand-off resumed; False if none was waiting."""
    with session_scope(engine) as session:
        result = session.execute(
            update(Handoff)
            .where(Handoff.conversation_id == conversation_id, Handoff.status == "waiting")
            .values(status="resumed", resumed_at=utcnow())
        )
        return result.rowcount > 0


def is_waiting(engine: Engine, conversation_id: str) -> bool:
    """Whether the conversation has a hand-off waiting for a person."""
    with session_scope(engine) as session:
        return _waiting_id(session, conversation_id) is not None


def waiting_handoffs(engine: Engine) -> List[Handoff]:
    """Conversations waiting for a person, oldest first."""
    with session_scope(engine) as session:
        return list(
            session.execute(select(Handoff).where(Handoff.status == "waiting").order_by(Handoff.created_at)).scalars()
        )
