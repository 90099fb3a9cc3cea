"""Conversations as staff see them, read from Rasa's tracker store (the `events` table of the
SQL tracker store, TRACKER_STORE_URL) and the clinic database (requests and hand-offs).

`list_conversations` groups events by conversation in the database (one query for the page, one
for its details), so the list stays fast with many conversations. `transcript` turns one
conversation's events into what a chat looks like: client messages with the intent and its
confidence, and bot turns with the actions that ran.

A conversation is flagged "unsure or declined" (flag code `fallback`, kept for old links) when the
assistant asked to rephrase, offered a "Did you mean" clarification or declined a question: a
fallback action ran, or the actions set the `clarification_offer` or `declined` slot (also inside
the consultation form, where no action of its own runs). In a transcript, a clarified message shows
the topics offered and the client's pick (the `clarification_choice` slot), and its review form
starts at that pick.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Dict, List, Optional, Sequence

import sqlalchemy as sa
import sqlalchemy.dialects.postgresql  # noqa: F401 - for sa.dialects.postgresql.JSONB
from sqlalchemy.engine import Engine

from records.models import ConsultationRequest, Handoff

PAGE_SIZE = 50
FALLBACK_ACTIONS = ("action_default_fallback", "action_two_stage_fallback", "action_handle_fallback",
                    "action_decline", "utter_fallback_rephrase", "utter_fallback_contact", "utter_default")
# Slots the assistant sets when it was unsure (the offer) or declined (actions/clarify.py).
UNSURE_SLOTS = ("clarification_offer", "declined")
OFFER_SLOT, CHOICE_SLOT, DECLINED_SLOT = "clarification_offer", "clarification_choice", "declined"
FLAGS = ("request", "handoff", "fallback", "paused")
FLAG_LABELS = {"request": "request", "handoff": "handoff", "fallback": "unsure or declined", "paused": "paused"}
HIDDEN_ACTIONS = ("action_listen", "action_session_start")

_metadata = sa.MetaData()
EVENTS = sa.Table(  # Rasa's SQLTrackerStore table, read only
    "events", _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("type_name", sa.String(255)),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


@dataclass(frozen=True)
class Filters:
    """What the conversation list is narrowed to; every value comes from the query string."""

    query: str = ""
    flag: str = ""
    channel: str = ""
    since: Optional[date] = None
    until: Optional[date] = None
    page: int = 1

    @classmethod
    def from_query(cls, params) -> "Filters":
        def day(name: str) -> Optional[date]:
            try:
                return date.fromisoformat(params.get(name, ""))
            except ValueError:
                return None

        try:
            page = max(1, int(params.get("page", 1)))
        except ValueError:
            page = 1
        flag = params.get("flag", "")
        return cls(query=params.get("q", "").strip()[:200], flag=flag if flag in FLAGS else "",
                   channel=params.get("channel", "").strip()[:64], since=day("since"), until=day("until"), page=page)


@dataclass
class ConversationRow:
    sender_id: str
    started: datetime
    last_active: datetime
    messages: int
    channel: str = ""
    last_message: str = ""
    names: List[str] = field(default_factory=list)
    flags: List[str] = field(default_factory=list)


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, timezone.utc)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _field(engine: Engine, name: str):
    """A top-level field of the event's JSON (`data`), as text, in this database's dialect."""
    if engine.dialect.name == "postgresql":
        return sa.cast(EVENTS.c.data, sa.dialects.postgresql.JSONB)[name].astext
    return sa.func.json_extract(EVENTS.c.data, f"$.{name}")


def unsure_or_declined():
    """True for an event that shows the assistant was unsure or declined (the `fallback` flag).

    Rasa's SQL tracker store keeps each event's `name` in the action_name column: the action's name
    for an action event, the slot's name for a slot event, so neither needs the JSON read.
    """
    return sa.or_(
        EVENTS.c.action_name.in_(FALLBACK_ACTIONS),
        sa.and_(EVENTS.c.type_name == "slot", EVENTS.c.action_name.in_(UNSURE_SLOTS)),
    )


def _clinic_sets(clinic: Engine) -> Dict[str, set]:
    with clinic.connect() as connection:
        requested = {row[0] for row in connection.execute(sa.select(ConsultationRequest.conversation_id).distinct())}
        waiting = {row[0] for row in connection.execute(
            sa.select(Handoff.conversation_id).where(Handoff.status == "waiting"))}
    return {"request": requested, "handoff": waiting}


def list_conversations(tracker: Engine, clinic: Engine, filters: Filters) -> List[ConversationRow]:
    """One page of conversations, newest activity first."""
    sets = _clinic_sets(clinic)
    is_user = sa.case((EVENTS.c.type_name == "user", 1), else_=0)
    is_fallback = sa.case((unsure_or_declined(), 1), else_=0)
    last_pause = sa.func.max(sa.case((EVENTS.c.type_name == "pause", EVENTS.c.id), else_=0))
    last_resume = sa.func.max(sa.case((EVENTS.c.type_name == "resume", EVENTS.c.id), else_=0))
    query = (
        sa.select(EVENTS.c.sender_id, sa.func.min(EVENTS.c.timestamp).label("started"),
                  sa.func.max(EVENTS.c.timestamp).label("last_active"),
                  sa.func.sum(is_user).label("messages"), sa.func.max(is_fallback).label("fallback"),
                  (last_pause > last_resume).label("paused"))
        .group_by(EVENTS.c.sender_id)
    )
    if filters.since:
        query = query.having(sa.func.max(EVENTS.c.timestamp) >= datetime.combine(filters.since, time(), timezone.utc).timestamp())
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time(), timezone.utc).timestamp()
        query = query.having(sa.func.min(EVENTS.c.timestamp) < end)
    if filters.query:
        matching = sa.select(EVENTS.c.sender_id).where(
            EVENTS.c.type_name.in_(("user", "bot")),
            _field(tracker, "text").ilike(_like(filters.query), escape="\\"))
        query = query.where(EVENTS.c.sender_id.in_(matching))
    if filters.channel:
        on_channel = sa.select(EVENTS.c.sender_id).where(
            EVENTS.c.type_name == "user", _field(tracker, "input_channel") == filters.channel)
        query = query.where(EVENTS.c.sender_id.in_(on_channel))
    if filters.flag == "fallback":
        query = query.having(sa.func.max(is_fallback) == 1)
    elif filters.flag == "paused":
        query = query.having(last_pause > last_resume)
    elif filters.flag in ("request", "handoff"):
        query = query.where(EVENTS.c.sender_id.in_(sorted(sets[filters.flag]) or [""]))
    query = query.order_by(sa.desc("last_active")).limit(PAGE_SIZE).offset((filters.page - 1) * PAGE_SIZE)

    with tracker.connect() as connection:
        rows = connection.execute(query).all()
        details = _details(connection, [row.sender_id for row in rows])
    page = []
    for row in rows:
        flags = [name for name in ("request", "handoff") if row.sender_id in sets[name]]
        flags += [name for name, on in (("fallback", row.fallback), ("paused", row.paused)) if on]
        channel, last_message, names = details.get(row.sender_id, ("", "", []))
        page.append(ConversationRow(row.sender_id, _utc(row.started), _utc(row.last_active), int(row.messages or 0),
                                    channel, last_message, names, flags))
    return page


def _details(connection, senders: Sequence[str]) -> Dict[str, tuple]:
    """The channel, last client message and known names of each conversation on the page."""
    if not senders:
        return {}
    events = connection.execute(
        sa.select(EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.data)
        .where(EVENTS.c.sender_id.in_(senders), EVENTS.c.type_name.in_(("user", "slot")))
        .order_by(EVENTS.c.id)
    ).all()
    found: Dict[str, list] = {sender: ["", "", []] for sender in senders}
    for sender, type_name, data in events:
        event = json.loads(data)
        entry = found[sender]
        if type_name == "user":
            entry[0] = entry[0] or event.get("input_channel") or ""
            entry[1] = event.get("text") or ""
            entry[2].extend(_person_entities(event))
        elif event.get("name") == "client_name" and isinstance(event.get("value"), str):
            entry[2].append(event["value"])
    return {sender: tuple(entry) for sender, entry in found.items()}


def _person_entities(event: dict) -> List[str]:
    entities = (event.get("parse_data") or {}).get("entities") or []
    return [entity["value"] for entity in entities
            if entity.get("entity") == "PERSON" and isinstance(entity.get("value"), str)]


@dataclass
class Message:
    kind: str  # "user", "bot", or "actions" (a turn's actions with no bot message)
    at: datetime
    text: str
    intent: str = ""
    confidence: Optional[float] = None
    buttons: List[str] = field(default_factory=list)
    actions: List[str] = field(default_factory=list)
    event_id: int = 0
    offered: List[str] = field(default_factory=list)  # "Did you mean" topics offered for this message
    chosen: str = ""  # the client's pick among them: an intent or "something_else"
    picked: str = ""  # this message was the pick (a button, a number) for an earlier clarified message
    declined: bool = False  # the assistant said it couldn't answer this reliably

    @property
    def suggested_intent(self) -> str:
        """The intent the review form starts at: the client's own pick, when it is an intent."""
        return "" if self.chosen in ("", "something_else") else self.chosen


@dataclass
class Transcript:
    sender_id: str
    messages: List[Message]
    names: List[str]
    channel: str
    paused: bool = False


def transcript(tracker: Engine, clinic: Engine, sender_id: str) -> Optional[Transcript]:
    """The conversation as a chat, or None when there is no such conversation."""
    with tracker.connect() as connection:
        events = connection.execute(
            sa.select(EVENTS.c.id, EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.action_name, EVENTS.c.data)
            .where(EVENTS.c.sender_id == sender_id).order_by(EVENTS.c.id)
        ).all()
    if not events:
        return None
    messages: List[Message] = []
    names: List[str] = []
    channel = ""
    paused = False
    turn_actions: List[str] = []  # the actions since the client's last message

    def close_turn() -> None:
        """Shows the turn's actions under its last bot message (or on their own)."""
        if not turn_actions:
            return
        last = messages[-1] if messages else None
        if last is not None and last.kind == "bot":
            last.actions = list(turn_actions)
        else:
            messages.append(Message("actions", last.at if last else _utc(0), "", actions=list(turn_actions)))
        turn_actions.clear()

    for event_id, type_name, timestamp, action_name, data in events:
        event = json.loads(data)
        if type_name == "user":
            close_turn()
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            channel = channel or event.get("input_channel") or ""
            names.extend(_person_entities(event))
            messages.append(Message("user", _utc(timestamp), event.get("text") or "", intent.get("name") or "",
                                    intent.get("confidence"), event_id=event_id))
        elif type_name == "bot":
            buttons = [button.get("title", "") for button in (event.get("data") or {}).get("buttons") or []]
            messages.append(Message("bot", _utc(timestamp), event.get("text") or "", buttons=buttons, event_id=event_id))
        elif type_name == "action" and action_name and action_name not in HIDDEN_ACTIONS:
            turn_actions.append(action_name)
        elif type_name in ("pause", "resume"):
            paused = type_name == "pause"
        elif type_name == "slot" and event.get("name") == "client_name" and isinstance(event.get("value"), str):
            names.append(event["value"])
        elif type_name == "slot" and event.get("name") in (OFFER_SLOT, CHOICE_SLOT, DECLINED_SLOT):
            _note_clarification(messages, event.get("name"), event.get("value"))
    close_turn()
    with clinic.connect() as connection:
        names.extend(row[0] for row in connection.execute(
            sa.select(ConsultationRequest.name).where(ConsultationRequest.conversation_id == sender_id)))
    return Transcript(sender_id, messages, names, channel, paused)


def _note_clarification(messages: List[Message], slot: str, value) -> None:
    """Marks the client's messages with what the assistant was unsure of, offered, declined or was picked."""
    if not isinstance(value, dict):
        return  # an offer cleared
    users = [message for message in messages if message.kind == "user"]
    if not users:
        return
    latest = users[-1]
    if slot == OFFER_SLOT:
        latest.offered = [str(intent) for intent in value.get("offered") or []]
    elif slot == DECLINED_SLOT:
        latest.declined = True
    elif slot == CHOICE_SLOT:
        chosen = str(value.get("chosen") or "")
        offered = [m for m in reversed(users[:-1] or users) if m.offered]
        clarified = next((m for m in offered if m.text == value.get("text")), offered[0] if offered else None)
        if clarified is not None:
            clarified.chosen = chosen
        if clarified is not latest:
            latest.picked = chosen
