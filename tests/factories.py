"""Test factories: trackers as the action server receives them."""

from typing import Any, Dict, List, Optional, Tuple

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
    ranking: Optional[List[Tuple[str, float]]] = None,
) -> Tracker:
    """A tracker whose latest user message has this intent, text and entities.

    `ranking`: the message's intent ranking as (intent, confidence) pairs, most likely first, as
    the FallbackClassifier leaves it (nlu_fallback first when it was unsure).
    """
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
    if ranking is not None:
        latest["intent_ranking"] = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    user = user_event(intent, text, entity_list)
    user["parse_data"] = {**user["parse_data"], **{k: v for k, v in latest.items() if k == "intent_ranking"}}
    events = list(earlier_events or []) + [user]
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


def offer_turn(text: str, offered: List[str], entities: Optional[Dict[str, List[str]]] = None) -> List[Dict]:
    """A message the assistant was unsure of and its "Did you mean" offer, as tracker events."""
    offer = {"text": text, "offered": list(offered), "entities": dict(entities or {})}
    return [user_event("nlu_fallback", text), {"event": "slot", "name": "clarification_offer", "value": offer}]


def offer_slots(text: str, offered: List[str], entities: Optional[Dict[str, List[str]]] = None) -> Dict[str, Any]:
    return {"clarification_offer": {"text": text, "offered": list(offered), "entities": dict(entities or {})}}
