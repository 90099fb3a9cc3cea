"""Answers to the client's questions, filled from the clinic profile."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import Reply, answer, clinic_values
from actions.profile import get_profile
from actions.rasa_io import latest_question, send


class ActionAnswerQuestion(Action):
    """Answers the latest question (FAQ topics, booking, asking for a person)."""

    def name(self) -> Text:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        send(dispatcher, answer(latest_question(tracker), get_profile()))
        return []


class ActionGreet(Action):
    """Says who is talking (the clinic's automated assistant) and offers the menu."""

    def name(self) -> Text:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        send(dispatcher, [Reply("utter_greet", clinic_values(get_profile()))])
        return []
