"""The client's right to erasure: "delete my data".

After the client confirms (rules in data/rules/data_rights.yml), `action_delete_my_data` erases the
conversation's consultation requests, outbox entries and hand-offs from the clinic database and
sets `data_erased`; the tracker store (records/tracker_store.py) sees that and erases the
conversation's events instead of saving them. An erasure log entry with counts only is written.
When a request had already been delivered (to the booking webhook or the staff mailbox), the
reply says so and how to have that copy deleted.
"""

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import clinic_records
from actions.answers import Reply, clinic_values
from actions.profile import get_profile
from actions.rasa_io import send

logger = logging.getLogger(__name__)

ERASED_SLOT = "data_erased"


class ActionDeleteMyData(Action):
    def name(self) -> Text:
        return "action_delete_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        values = clinic_values(get_profile())
        try:
            counts = clinic_records.erase(tracker.sender_id)
        except Exception:  # noqa: BLE001 - nothing was erased: tell the client so
            logger.exception("Could not erase a conversation's data")
            send(dispatcher, [Reply("utter_delete_failed", values)])
            return []
        # A request already delivered has copies outside this database: the client is told how
        # to have those deleted (an automatic erasure notice to the team is issue 16's work).
        send(dispatcher, [Reply("utter_data_deleted_sent" if counts.delivered else "utter_data_deleted", values)])
        return [SlotSet(ERASED_SLOT, True)]
