"""What the assistant says when it is unsure what a message means, or cannot answer it.

`action_handle_fallback` runs for a message the NLU was unsure of (`nlu_fallback`), and for a yes,
a no or details (`affirm`, `deny`, `inform`) right after it, since a typed choice ("2", "none of
these") usually reads as one of those (data/rules/conversation.yml):

1. a reply right after a clarification that picks one of its options gets that option
   (`answer_choice`);
2. a message with topic candidates in its intent ranking (actions.clarify.candidates) gets the
   clarification: "Did you mean", the topics as buttons and a numbered list, then "Something else";
3. otherwise the client is asked to put it another way, and the second time in a row is given
   the clinic's phone, e-mail and opening hours instead;
4. a yes, no or details that choose nothing get the reply they get anywhere else.

`action_decline` answers `out_of_scope` honestly: the assistant can't answer that one reliably,
and offers a consultation or a person instead of guessing. Both are flagged for staff
(the console's "unsure or declined" flag).
"""

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import Question, Reply, answer, clinic_values
from actions.clarify import (
    DECLINED_SLOT,
    OFFER_SLOT,
    Offer,
    candidates,
    choice,
    options_text,
    settle,
    unclear_in_a_row,
)
from actions.profile import get_profile
from actions.rasa_io import NoBooking, hide_booking_for, intent_ranking, latest_question, open_offer, send, slot_events
from actions.topics import SOMETHING_ELSE, TOPIC_TITLES, payload, title

BOOK_INTENT = "book_consultation"
HUMAN_INTENT = "request_human"
# What a yes, a no or details get when they choose nothing: the same as the rules in
# data/rules/conversation.yml give them anywhere else (a test checks the two agree).
USUAL_REPLIES = {
    "affirm": "utter_how_can_i_help",
    "deny": "utter_anything_else",
    "inform": "utter_inform_outside_booking",
}


def clarification(offer: Offer) -> Reply:
    """"Did you mean": each option numbered in the text (for channels without buttons) and as a button."""
    buttons = [{"title": title(option), "payload": payload(option)} for option in offer.options]
    return Reply("utter_clarify", {"options": options_text(offer)}, buttons)


def new_offer(tracker: Tracker, exclude: Tuple[str, ...] = ()) -> Optional[Offer]:
    """The clarification to make for the latest message, or None when no topic is likely enough."""
    topics = candidates(intent_ranking(tracker), allowed=[topic for topic in TOPIC_TITLES if topic not in exclude])
    if not topics:
        return None
    message = latest_question(tracker)
    return Offer(message.text, topics, message.entities)


def answer_choice(
    dispatcher: CollectingDispatcher, offer: Offer, chosen: str, hide_booking: Optional[NoBooking] = None
) -> List[EventType]:
    """Acts on the option the client chose (outside the form) and records the choice for staff.

    A topic is answered as if the unclear message had asked it (its words and entities: a
    treatment named for a price, a red flag mentioned); booking starts the form, a person the
    hand-off, and "Something else" gets the honest decline.
    """
    events = slot_events(settle(offer, chosen))
    if chosen == SOMETHING_ELSE:
        send(dispatcher, [Reply("utter_clarify_something_else", clinic_values(get_profile()))], hide_booking)
        return events
    if chosen == BOOK_INTENT:
        return events + [FollowupAction("consultation_form")]
    if chosen == HUMAN_INTENT:
        return events + [FollowupAction("action_request_human")]
    send(dispatcher, answer(Question(chosen, offer.text, offer.entities), get_profile()), hide_booking)
    return events


@dataclass(frozen=True)
class Turn:
    """The latest message, the clarification still open (if any), and the booking button's fate."""

    message: Question
    offer: Optional[Offer]
    just_offered: bool
    hide_booking: Optional[NoBooking]

    @classmethod
    def read(cls, tracker: Tracker, domain: Dict[Text, Any]) -> "Turn":
        offer, just_offered = open_offer(tracker)
        return cls(latest_question(tracker), offer, just_offered, hide_booking_for(tracker, domain))

    def pick(self) -> Optional[str]:
        """The option of the open clarification this message picks, if it picks one."""
        return choice(self.offer, self.message.intent, self.message.text, self.just_offered)


class ActionHandleFallback(Action):
    def name(self) -> Text:
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        turn = Turn.read(tracker, domain)
        message, offer, hide = turn.message, turn.offer, turn.hide_booking  # hide: under 18, no booking
        chosen = turn.pick()
        if offer is not None and chosen is not None:
            return answer_choice(dispatcher, offer, chosen, hide)
        if offer is not None and turn.just_offered and message.intent == "affirm":
            send(dispatcher, [clarification(offer)], hide)  # "yes" to several topics: which one?
            return slot_events({OFFER_SLOT: offer.as_slot()})
        events = slot_events(settle(offer, None))
        if message.intent in USUAL_REPLIES:
            send(dispatcher, [Reply(USUAL_REPLIES[message.intent], clinic_values(get_profile()))], hide)
            return events
        offer = new_offer(tracker)
        if offer is not None:
            send(dispatcher, [clarification(offer)], hide)
            return events + slot_events({OFFER_SLOT: offer.as_slot()})
        in_a_row = unclear_in_a_row(tracker.events)
        response = "utter_fallback_contact" if in_a_row >= 2 else "utter_fallback_rephrase"
        send(dispatcher, [Reply(response, clinic_values(get_profile()))], hide)
        return events


class ActionDecline(Action):
    """An honest "I can't answer that one reliably", with the consultation and a person offered."""

    def name(self) -> Text:
        return "action_decline"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        turn = Turn.read(tracker, domain)
        chosen = turn.pick()
        if turn.offer is not None and chosen is not None:
            return answer_choice(dispatcher, turn.offer, chosen, turn.hide_booking)
        send(dispatcher, [Reply("utter_decline", clinic_values(get_profile()))], turn.hide_booking)
        return slot_events({**settle(turn.offer, None), DECLINED_SLOT: {"text": turn.message.text}})

