"""Handing the chat to a person.

The hand-off is recorded in the clinic database (the staff console's queue), the client is told
honestly when a person will reply, and the assistant pauses itself for this conversation: Rasa
keeps storing the client's messages but stops answering them until staff hand the conversation
back (`make resume SENDER=...`, or Rasa's HTTP API: POST /conversations/<id>/tracker/events with
{"event": "resume"}).

When a person will reply (`handoff_reply`): within the profile's usual time only while the clinic
is open and stays open that long; in the last minutes before closing, "before then if they can, or
when we open"; otherwise when the clinic next opens, skipping bank holidays and `closed_dates`
(actions.opening_times), and naming the bank holiday when it is one today. A client who asked for
a person in the middle of the booking questions is told first that their answers weren't sent.
"""

import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import clinic_records
from actions.answers import Reply, clinic_values, clock
from actions.clarify import choice, settle
from actions.opening_times import bank_holiday, closing_time, describe_opening, local_time, minutes_until, next_opening
from actions.profile import ClinicProfile, get_profile
from actions.rasa_io import open_offer, send, slot_events

logger = logging.getLogger(__name__)
HUMAN_INTENT = "request_human"
# Set by the booking form (actions.consultation) when the client asks for a person mid-form.
FORM_OUTCOME_SLOT = "consultation_outcome"
FORM_HANDOFF = "handoff"


def handoff_reply(profile: ClinicProfile, now: datetime) -> Reply:
    """What to tell the client about when a person will reply."""
    values = clinic_values(profile)
    closes = closing_time(profile, now)
    if closes is not None and minutes_until(closes, now) >= profile.handoff_reply_minutes:
        return Reply("utter_handoff_open", {**values, "reply_minutes": profile.handoff_reply_minutes})
    opens = next_opening(profile, now)
    values["next_opening"] = describe_opening(profile, opens, now) if opens else "next"
    if closes is not None:  # open, but closing sooner than the usual reply time
        return Reply("utter_handoff_closing", {**values, "closing_time": clock(closes.time())})
    holiday = bank_holiday(profile, local_time(profile, now).date())
    if holiday:
        return Reply("utter_handoff_bank_holiday", {**values, "bank_holiday": holiday})
    return Reply("utter_handoff_closed", values)


def handoff_failed_reply(profile: ClinicProfile) -> Reply:
    """The team couldn't be asked: how to reach them instead, with the hours and the hours note."""
    return Reply("utter_handoff_failed", {**clinic_values(profile), "hours_note": profile.hours_note})


def asked_during_booking(tracker: Tracker) -> bool:
    """The booking form ended this turn because the client asked for a person.

    The form sets `consultation_outcome` to "handoff" and action_submit_consultation clears it again
    before following up with this action, so the slot event of this turn is what tells."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == FORM_OUTCOME_SLOT and event.get("value") == FORM_HANDOFF:
            return True
    return False


async def hand_off(
    dispatcher: CollectingDispatcher, tracker: Tracker, now: Optional[datetime] = None
) -> List[EventType]:
    profile = get_profile()
    first = [Reply("utter_handoff_booking_not_sent")] if asked_during_booking(tracker) else []
    try:
        clinic_records.hand_off(tracker.sender_id, tracker.get_latest_input_channel() or "unknown")
    except Exception:  # noqa: BLE001 - the team would never see it: say so and stay on
        logger.exception("Could not record a hand-off request")
        send(dispatcher, first + [handoff_failed_reply(profile)])
        return []
    send(dispatcher, first + [handoff_reply(profile, now or datetime.now(timezone.utc))])
    return [ConversationPaused()]


class ActionRequestHuman(Action):
    def name(self) -> Text:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        message = tracker.latest_message or {}
        offer, just_offered = open_offer(tracker)
        chosen = choice(offer, HUMAN_INTENT, message.get("text") or "", just_offered)
        settled = slot_events(settle(offer, chosen if chosen == HUMAN_INTENT else None))
        return settled + await hand_off(dispatcher, tracker)
