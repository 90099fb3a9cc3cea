"""Answers to the client's questions, filled from the clinic profile."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import Reply, answer, clinic_values
from actions.clarify import choice, settle
from actions.fallback import answer_choice
from actions.profile import get_profile
from actions.rasa_io import hide_booking_for, latest_question, open_offer, send, slot_events


class ActionAnswerQuestion(Action):
    """Answers the latest question (the FAQ topics).

    When the question picks a topic of the clarification just made (its button, or typed), the
    choice is recorded for staff and the answer reads the unclear message's words (entities, red
    flags), as if it had been understood the first time. A client who said they are under 18 is
    not offered the booking button.
    """

    def name(self) -> Text:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        question = latest_question(tracker)
        offer, just_offered = open_offer(tracker)
        chosen = choice(offer, question.intent, question.text, just_offered)
        if offer is not None and chosen is not None:
            return answer_choice(dispatcher, offer, chosen, hide_booking_for(tracker, domain))
        send(dispatcher, answer(question, get_profile()), hide_booking_for(tracker, domain))
        return slot_events(settle(offer, None))


class ActionGreet(Action):
    """Says who is talking (the clinic's automated assistant) and offers the menu."""

    def name(self) -> Text:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        profile = get_profile()
        # While the profile is the fictional sample clinic, clients are told so first (review M3).
        demo = [Reply("utter_demo_clinic")] if profile.sample else []
        send(dispatcher, demo + [Reply("utter_greet", clinic_values(profile))], hide_booking_for(tracker, domain))
        return []
