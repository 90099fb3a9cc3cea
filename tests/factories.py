"""Test factories: trackers as the action server receives them."""

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker


def user_event(intent: str, text: str = "", entities: Optional[List[Dict[str, Any]]] = None) -> Dict:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": 1.0}, "entities": entities or []},
    }


def build_tracker(
    intent: str = "greet",
    text: str = "",
    entities: Optional[Dict[str, List[str]]] = None,
    slots: Optional[Dict[str, Any]] = None,
    earlier_events: Optional[List[Dict[str, Any]]] = None,
) -> Tracker:
    """A tracker whose latest user message has this intent, text and entities."""
    entity_list = [
        {"entity": name, "value": value}
        for name, values in (entities or {}).items()
        for value in values
    ]
    latest = {
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entity_list,
        "text": text,
    }
    events = list(earlier_events or []) + [user_event(intent, text, entity_list)]
    return Tracker(
        sender_id="test-sender",
        slots=slots or {},
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )
