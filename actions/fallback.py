"""What the assistant says when it does not understand.

The first time: ask to rephrase, with topic buttons. The second time in a row: offer the clinic's
phone, e-mail and opening hours instead of asking again.
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import Reply, clinic_values
from actions.profile import get_profile
from actions.rasa_io import send, user_intents

FALLBACK_INTENT = "nlu_fallback"


def fallbacks_in_a_row(intents: List[str]) -> int:
    """How many of the latest user messages in a row were not understood."""
    count = 0
    for intent in reversed(intents):
        if intent != FALLBACK_INTENT:
            break
        count += 1
    return count


class ActionHandleFallback(Action):
    def name(self) -> Text:
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        in_a_row = fallbacks_in_a_row(user_intents(tracker))
        response = "utter_fallback_contact" if in_a_row >= 2 else "utter_fallback_rephrase"
        send(dispatcher, [Reply(response, clinic_values(get_profile()))])
        return []
