"""Rasa's SQL tracker store, able to erase a conversation at the client's request.

Deleting a conversation's rows from inside an action is not enough: after the turn, Rasa saves the
tracker it holds in memory, and the SQL store re-inserts every event it no longer finds in the
table. So erasure happens here, where the events are written: when the events of this turn set
the `data_erased` slot (action_delete_my_data succeeded), every stored event of the conversation
is deleted and nothing of the turn is saved. The client's next message starts a new conversation.

endpoints.yml names this class as the tracker store type. Rasa falls back to an in-memory store,
with only a warning, when a custom store cannot be imported, so tests check that this class is
the one Rasa loads.
"""

import logging
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

ERASED_SLOT = "data_erased"


class ClinicTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that erases a conversation when the client asked for it."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
        if any(isinstance(event, SlotSet) and event.key == ERASED_SLOT and event.value for event in new_events):
            deleted = self.erase(tracker.sender_id)
            logger.info("Erased a conversation at the client's request (%d stored events)", deleted)
            return
        await super().save(tracker)

    def erase(self, sender_id: str) -> int:
        """Deletes every stored event of one conversation; returns how many."""
        with self.session_scope() as session:
            deleted = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == sender_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        return deleted
