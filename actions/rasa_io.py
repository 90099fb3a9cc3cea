"""The actions' glue to Rasa: reading the tracker and sending replies."""

from typing import Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import Question, Reply


def latest_question(tracker: Tracker) -> Question:
    """The latest user message as a Question: intent, text and entity values."""
    message = tracker.latest_message or {}
    entities: Dict[str, List[str]] = {}
    for entity in message.get("entities") or []:
        value = entity.get("value")
        if isinstance(value, str) and value.strip():
            entities.setdefault(entity["entity"], []).append(value.strip())
    return Question(
        intent=(message.get("intent") or {}).get("name") or "",
        text=message.get("text") or "",
        entities=entities,
    )


def user_intents(tracker: Tracker) -> List[str]:
    """The intents of the user's messages in the current session, oldest first."""
    intents: List[str] = []
    for event in tracker.events:
        if event.get("event") == "session_started":
            intents = []
        elif event.get("event") == "user":
            intents.append(((event.get("parse_data") or {}).get("intent") or {}).get("name") or "")
    return intents


def send(dispatcher: CollectingDispatcher, replies: List[Reply]) -> None:
    """Sends each reply as its domain response, placeholders filled from its values."""
    for reply in replies:
        dispatcher.utter_message(response=reply.response, **reply.values)
