"""The actions' glue to Rasa: reading the tracker and sending replies."""

from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import Question, Reply
from actions.clarify import OFFER_SLOT, Offer, offered_last_turn


def latest_question(tracker: Tracker) -> Question:
    """The latest user message as a Question: intent, text and entity values."""
    message = tracker.latest_message or {}
    entities: Dict[str, List[str]] = {}
    for entity in message.get("entities") or []:
        value = entity.get("value")
        if isinstance(value, str) and value.strip():
            entities.setdefault(entity["entity"], []).append(value.strip())
    intent = message.get("intent") or {}
    return Question(
        intent=intent.get("name") or "",
        text=message.get("text") or "",
        entities=entities,
        confidence=float(intent.get("confidence") or 0.0),
    )


def session_user_events(tracker: Tracker) -> List[Dict[str, Any]]:
    """The user's messages (tracker events) in the current session, oldest first."""
    events: List[Dict[str, Any]] = []
    for event in tracker.events:
        if event.get("event") == "session_started":
            events = []
        elif event.get("event") == "user":
            events.append(event)
    return events


def user_intents(tracker: Tracker) -> List[str]:
    """The intents of the user's messages in the current session, oldest first."""
    return [
        ((event.get("parse_data") or {}).get("intent") or {}).get("name") or ""
        for event in session_user_events(tracker)
    ]


def intent_ranking(tracker: Tracker) -> List[Dict[str, Any]]:
    """The latest message's intent ranking, most likely first (nlu_fallback first when the NLU was unsure)."""
    return list((tracker.latest_message or {}).get("intent_ranking") or [])


def send(dispatcher: CollectingDispatcher, replies: List[Reply]) -> None:
    """Sends each reply as its domain response, placeholders filled from its values."""
    for reply in replies:
        if reply.buttons:
            dispatcher.utter_message(response=reply.response, buttons=list(reply.buttons), **reply.values)
        else:
            dispatcher.utter_message(response=reply.response, **reply.values)


def slot_events(slots: Dict[str, Any]) -> List[EventType]:
    return [SlotSet(name, value) for name, value in slots.items()]


def open_offer(tracker: Tracker) -> Tuple[Optional[Offer], bool]:
    """The clarification still open, if any, and whether it was made in reply to the previous message."""
    offer = Offer.from_slot(tracker.get_slot(OFFER_SLOT))
    return offer, offer is not None and offered_last_turn(tracker.events)
