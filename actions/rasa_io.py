"""The actions' glue to Rasa: reading the tracker and sending replies."""

from dataclasses import dataclass
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


# Set when the client says they are under 18 (actions.consultation): no booking offered after that.
UNDER_18_SLOT = "under_18"
BOOKING_PAYLOAD = "/book_consultation"


def without_booking(buttons: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The buttons other than the one that starts a booking."""
    return [button for button in buttons if button.get("payload") != BOOKING_PAYLOAD]


class _Placeholders(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"  # left as it is, as Rasa leaves a placeholder it has no value for


@dataclass(frozen=True)
class NoBooking:
    """What `send` needs to leave the booking button off: the domain's responses and the slots."""

    responses: Dict[str, Any]
    slots: Dict[str, Any]


def booking_free(reply: Reply, no_booking: NoBooking) -> Optional[Dict[str, Any]]:
    """The reply as a message without the booking button, or None when its response offers none.

    Rasa adds a response's own buttons to any sent with it, so a response with the booking button
    is sent as its text (placeholders filled from the slots and the reply's values) and its other
    buttons.
    """
    variations = no_booking.responses.get(reply.response) or []
    buttons = [button for variation in variations for button in variation.get("buttons") or []]
    if len(variations) != 1 or buttons == without_booking(buttons):
        return None
    text = variations[0].get("text") or ""
    return {
        "text": text.format_map(_Placeholders({**no_booking.slots, **reply.values})),
        "buttons": without_booking(buttons) + without_booking(reply.buttons),
    }


def hide_booking_for(tracker: Tracker, domain: Dict[str, Any]) -> Optional[NoBooking]:
    """For `send` to leave the booking button off, when the client said they are under 18."""
    if not tracker.get_slot(UNDER_18_SLOT):
        return None
    return NoBooking(dict(domain.get("responses") or {}), dict(tracker.slots))


def send(
    dispatcher: CollectingDispatcher,
    replies: List[Reply],
    hide_booking: Optional[NoBooking] = None,
) -> None:
    """Sends each reply as its domain response, placeholders filled from its values.

    `hide_booking` (from `hide_booking_for`): set when the booking button is not to be offered.
    """
    for reply in replies:
        if hide_booking is not None:
            message = booking_free(reply, hide_booking)
            if message is not None:
                dispatcher.utter_message(**message)
                continue
            reply = Reply(reply.response, reply.values, without_booking(reply.buttons))
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
