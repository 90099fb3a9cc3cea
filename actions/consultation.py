"""The consultation form: collecting a client's details with consent, and submitting the request.

`consultation_form` (domain.yml) asks the questions; `ValidateConsultationForm` reads each answer
with the pure functions in `actions.validators` and `actions.screening`, and decides what comes
next. Every answer first goes through `_interruption()` (from `get_validation_events`):

- "stop" / "cancel" ends the form and nothing is stored;
- asking for a person ends the form and hands the chat to the team;
- a clear question (an FAQ intent asked as a question, or a topic button) is answered, and the
  same question is asked again, so the form carries on where it was;
- a question the NLU is unsure of gets the clarification (actions.fallback: "Did you mean", topic
  buttons), an out-of-scope question the honest decline, and then the same question again; the
  client's pick from a clarification (its button, number or title) is answered and recorded.

A wrong answer gets `utter_wrong_<slot>`; a second wrong answer in a row to the same question also
gets `utter_explain_<slot>` and the offer of a person. The form ends with `consultation_outcome`
set (confirmed, cancelled, under_18, no_consent, handoff or erase) and
`action_submit_consultation` stores a confirmed request, hands over to a person or to the erasure
question, or simply clears the form's slots.

A client who says they are under 18 (including "nearly 18") is remembered in `under_18` for the
rest of the session (`_cleared()` leaves it): if the form starts again it says so kindly and ends
at once, without asking the age again, and answers no longer offer the booking button.
"""

import logging
import re
import uuid
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import clinic_records
from actions.answers import ANSWERS, Question, Reply, answer, clinic_values
from actions.clarify import DECLINED_SLOT, FALLBACK_INTENT, OFFER_SLOT, Offer, choice, settle
from actions.consultation_text import (
    CONSENT_RESPONSES,
    booking_link,
    consent_values,
    consent_version,
    consent_wording,
    intro_values,
    record_kept_values,
    submitted_values,
    summary_values,
)
from actions.fallback import clarification, new_offer
from actions.profile import get_profile
from actions.rasa_io import latest_question, open_offer, send, session_user_events, slot_events
from actions.screening import screening_answer, screening_list
from actions.topics import SOMETHING_ELSE
from actions.validators import (
    clean_name,
    concern,
    consent_answer,
    consultation_format,
    contact_method,
    contact_methods_for,
    field_to_change,
    free_text,
    is_adult,
    parse_contact,
    wants_to_stop,
    yes_or_no,
)

logger = logging.getLogger(__name__)

FORM = "consultation_form"
QUESTION_SLOTS = [
    "adult",
    "consent",
    "client_name",
    "contact_details",
    "consultation_format",
    "preferred_times",
    "contact_method",
    "concern",
    "screening",
    "field_to_change",
    "confirmed",
]
# Set by the checks, not asked.
DERIVED_SLOTS = [
    "phone",
    "email",
    "preferred_dates",
    "concern_detail",
    "screening_note",
    "consent_version",
    "consent_given_at",
    "change_requested",
    "failed_slot",
    "failed_count",
    "consultation_outcome",
]
# Set when the client says they are under 18; kept for the session (not in the lists above, so
# `_cleared()` leaves it): the form then ends at once, without asking the age again.
UNDER_18_SLOT = "under_18"
# What changing one answer at the read-back clears, so that question is asked again.
CLEARED_BY_CHANGE = {
    "client_name": ["client_name"],
    "contact_details": ["contact_details", "phone", "email", "contact_method"],
    "consultation_format": ["consultation_format"],
    "preferred_times": ["preferred_times", "preferred_dates"],
    "contact_method": ["contact_method"],
    "concern": ["concern", "concern_detail"],
    "screening": ["screening", "screening_note"],
}
# A message inside the form counts as a question (answered, then the form asks again) only when
# the NLU is this sure of an FAQ intent and the message is phrased as a question: answers such as
# "Saturday mornings" often get an FAQ intent too.
QUESTION_CONFIDENCE = 0.7
_QUESTION_SHAPE = re.compile(
    r"\?\s*$|^\s*(what|whats|what's|how|hows|does|do|can|could|is|are|will|would|should|when|where|why|who|which)\b",
    re.IGNORECASE,
)
FAQ_INTENTS = frozenset(intent for intent in ANSWERS if intent.startswith("ask_"))
HUMAN_INTENT = "request_human"
ERASE_INTENT = "delete_my_data"
BOOK_INTENT = "book_consultation"
OUT_OF_SCOPE_INTENT = "out_of_scope"
HUMAN_CONFIDENCE = 0.8


def is_payload(intent: str, text: str) -> bool:
    """The message is a button's payload for this intent ("/ask_longevity"), not typed words."""
    return bool(intent) and (text or "").strip() == f"/{intent}"


def is_question_shaped(text: str) -> bool:
    return bool(_QUESTION_SHAPE.search(text or ""))


def is_question(intent: str, confidence: float, text: str) -> bool:
    """A question about SMP or the clinic (or its topic button), rather than an answer to the form's question."""
    if intent not in FAQ_INTENTS:
        return False
    return is_payload(intent, text) or (confidence >= QUESTION_CONFIDENCE and is_question_shaped(text))


def is_out_of_scope_question(intent: str, confidence: float, text: str) -> bool:
    """A question the assistant can't answer reliably ("is it halal?"), or "Something else"."""
    if intent != OUT_OF_SCOPE_INTENT:
        return False
    return is_payload(intent, text) or (confidence >= QUESTION_CONFIDENCE and is_question_shaped(text))


class ValidateConsultationForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_consultation_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        settled: List[EventType] = []
        if _starting(tracker):
            # Booking chosen from a clarification ("Book a consultation"): recorded for staff.
            offer, just_offered = open_offer(tracker)
            message = latest_question(tracker)
            chosen = choice(offer, message.intent, message.text, just_offered)
            settled = slot_events(settle(offer, chosen if chosen == BOOK_INTENT else None))
            if tracker.get_slot(UNDER_18_SLOT):  # said so earlier: the age is not asked again
                send(dispatcher, [Reply("utter_under_18_again")])
                return settled + [SlotSet("consultation_outcome", "under_18"), SlotSet("requested_slot", None)]
            if not tracker.get_slot("consent"):  # not when coming back to confirm
                send(dispatcher, [Reply("utter_consultation_intro", intro_values(get_profile()))])
        return settled + await super().run(dispatcher, tracker, domain)

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        if tracker.get_slot("consultation_outcome") or tracker.get_slot(UNDER_18_SLOT):
            return []
        slots = ["adult", "consent", "client_name", "contact_details", "consultation_format", "preferred_times"]
        if len(contact_methods_for(tracker.get_slot("phone"), tracker.get_slot("email"))) > 1:
            slots.append("contact_method")
        slots += ["concern", "screening"]
        if tracker.get_slot("change_requested"):
            slots.append("field_to_change")
        return slots + ["confirmed"]

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Optional[EventType]:
        """Always names the next question (the SDK leaves it to Rasa when our list equals the domain's)."""
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        return SlotSet("requested_slot", next((slot for slot in required if tracker.slots.get(slot) is None), None))

    # --- details the client gave before the form started ---------------------------------------
    async def extract_client_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("client_name") or not _starting(tracker):
            return {}
        for event in reversed(session_user_events(tracker)):
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent not in ("greet", "inform", "book_consultation"):
                continue
            for entity in (event.get("parse_data") or {}).get("entities") or []:
                if entity.get("entity") == "PERSON" and clean_name(str(entity.get("value"))):
                    return {"client_name": entity["value"]}
        return {}

    async def extract_concern(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("concern") or not _starting(tracker):
            return {}
        for event in reversed(session_user_events(tracker)):
            values = [
                str(entity.get("value"))
                for entity in (event.get("parse_data") or {}).get("entities") or []
                if entity.get("entity") in ("treatment", "condition")
            ]
            found = concern("", values)
            if found:
                return {"concern": found}
        return {}

    # --- each question ---------------------------------------------------------------------------
    async def validate_adult(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        message = latest_question(tracker)
        adult = is_adult(message.intent, message.text)
        if adult is None:
            return self._wrong("adult", dispatcher, tracker)
        if not adult:
            send(dispatcher, [Reply("utter_under_18", record_kept_values(get_profile()))])
            return {"adult": False, UNDER_18_SLOT: True, "consultation_outcome": "under_18", **_accepted()}
        return {"adult": True, **_accepted()}

    async def validate_consent(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        message = latest_question(tracker)
        agreed = consent_answer(message.intent, message.text)  # only a plain yes is consent
        profile = get_profile()
        if agreed is None:
            return self._wrong("consent", dispatcher, tracker)
        if not agreed:
            send(dispatcher, [Reply("utter_consent_refused", record_kept_values(profile))])
            return {"consent": False, "consultation_outcome": "no_consent", **_accepted()}
        wording = consent_wording(domain.get("responses") or {}, profile)
        version = consent_version(wording)
        try:
            clinic_records.record_consent(version, wording)
        except Exception:  # noqa: BLE001 - a consent we can't show the wording of is not recorded
            logger.exception("Could not keep the consent wording %s", version)
            send(dispatcher, [Reply("utter_consent_not_recorded", clinic_values(profile))])
            return {"consent": None, **_accepted()}
        return {
            "consent": True,
            "consent_version": version,
            "consent_given_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            **_accepted(),
        }

    async def validate_client_name(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        name = clean_name(str(value or ""))
        if name is None:
            return self._wrong("client_name", dispatcher, tracker)
        return {"client_name": name, **_accepted()}

    async def validate_contact_details(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        contact = parse_contact(str(value or ""))
        if not contact.found:
            variant = f"utter_wrong_contact_details_{contact.problem}" if contact.problem else None
            return self._wrong("contact_details", dispatcher, tracker, variant)
        methods = contact_methods_for(contact.phone, contact.email)
        chosen = tracker.get_slot("contact_method")
        return {
            "contact_details": " / ".join(v for v in (contact.phone, contact.email) if v),
            "phone": contact.phone,
            "email": contact.email,
            "contact_method": chosen if chosen in methods else (methods[0] if len(methods) == 1 else None),
            **_accepted(),
        }

    async def validate_consultation_format(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        chosen = consultation_format(str(value or ""))
        if chosen is None:
            return self._wrong("consultation_format", dispatcher, tracker)
        return {"consultation_format": chosen, **_accepted()}

    async def validate_preferred_times(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        times = free_text(str(value or ""))
        if times is None:
            return self._wrong("preferred_times", dispatcher, tracker)
        return {"preferred_times": times, "preferred_dates": latest_question(tracker).values("DATE"), **_accepted()}

    async def validate_contact_method(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        chosen = contact_method(str(value or ""))
        if chosen not in contact_methods_for(tracker.get_slot("phone"), tracker.get_slot("email")):
            return self._wrong("contact_method", dispatcher, tracker)
        return {"contact_method": chosen, **_accepted()}

    async def validate_concern(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "concern":  # filled before the form, from entities
            return {"concern": value}
        text = free_text(str(value or ""))
        message = latest_question(tracker)
        found = concern(text or "", message.values("treatment") + message.values("condition"))
        if found is None and text is None:
            return self._wrong("concern", dispatcher, tracker)
        if found is None or found == "other":
            detail = None if found == "other" and re.fullmatch(r"(?i)something else|other", text or "") else text
            return {"concern": "other", "concern_detail": detail, **_accepted()}
        return {"concern": found, "concern_detail": None, **_accepted()}

    async def validate_screening(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        message = latest_question(tracker)
        flags = screening_answer(message.intent, message.text)
        if flags is None:
            return self._wrong("screening", dispatcher, tracker)
        if flags:
            send(dispatcher, [Reply("utter_screening_flagged")])
        note = free_text(message.text) if flags and flags != ["unspecified"] else None
        return {"screening": flags, "screening_note": note, **_accepted()}

    async def validate_confirmed(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        message = latest_question(tracker)
        if re.search(r"\b(change|edit|correct|wrong|amend|update|fix)\b", message.text, re.IGNORECASE):
            field = field_to_change(message.text)
            if field:  # "change my phone number": straight to that question
                return {"confirmed": None, **_clear(field), **_accepted()}
            return {"confirmed": None, "change_requested": True, **_accepted()}
        if yes_or_no(message.intent, message.text):
            return {"confirmed": True, "consultation_outcome": "confirmed", **_accepted()}
        return self._wrong("confirmed", dispatcher, tracker)

    async def validate_field_to_change(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        field = field_to_change(str(value or ""))
        if field is None:
            return self._wrong("field_to_change", dispatcher, tracker)
        return {"field_to_change": None, "change_requested": None, **_clear(field), **_accepted()}

    # --- shared steps ----------------------------------------------------------------------------
    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Checks for a stop, a person or a question before reading the answer to the open question."""
        requested = tracker.get_slot("requested_slot")
        if requested and requested in tracker.slots_to_validate():
            offer, just_offered = open_offer(tracker)
            interrupted = self._interruption(requested, dispatcher, tracker, offer, just_offered)
            if interrupted is not None:
                return slot_events(interrupted)
            if offer is not None:  # an answer to the form's question: the clarification is over
                return slot_events(settle(offer, None)) + await super().get_validation_events(dispatcher, tracker, domain)
        return await super().get_validation_events(dispatcher, tracker, domain)

    def _interruption(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker, offer: Optional[Offer], just_offered: bool
    ) -> Optional[Dict[Text, Any]]:
        """Stop, a person, a question or a clarification instead of an answer: what to do, or None to read the answer."""
        message = latest_question(tracker)
        intent, confidence, text = message.intent, message.confidence, message.text
        # A pick from the clarification just made: its button, or its number or title typed.
        chosen = choice(offer, intent, text, just_offered, in_form=True)
        if offer is not None and chosen is not None:
            settled = {slot: None, **settle(offer, chosen)}
            if chosen == HUMAN_INTENT:
                return {**settled, "consultation_outcome": "handoff"}
            if chosen == SOMETHING_ELSE:
                send(dispatcher, [Reply("utter_decline_in_form", clinic_values(get_profile()))])
            elif chosen != BOOK_INTENT:  # booking is what the form is doing: just carry on
                send(dispatcher, answer(Question(chosen, offer.text, offer.entities), get_profile()))
            return settled
        cleared = {slot: None, **settle(offer, None)}
        if intent == ERASE_INTENT and confidence >= HUMAN_CONFIDENCE:
            return {**cleared, "consultation_outcome": "erase"}
        if wants_to_stop(intent, text, confidence):
            send(dispatcher, [Reply("utter_consultation_cancelled")])
            return {**cleared, "consultation_outcome": "cancelled"}
        if intent == HUMAN_INTENT and confidence >= HUMAN_CONFIDENCE:
            return {**cleared, "consultation_outcome": "handoff"}
        if is_question(intent, confidence, text):
            send(dispatcher, answer(message, get_profile()))
            return cleared
        if is_out_of_scope_question(intent, confidence, text):
            send(dispatcher, [Reply("utter_decline_in_form", clinic_values(get_profile()))])
            return {**cleared, DECLINED_SLOT: {"text": text}}
        if intent == FALLBACK_INTENT and is_question_shaped(text):
            new = new_offer(tracker, exclude=(BOOK_INTENT,))  # already booking
            if new is not None:
                send(dispatcher, [clarification(new)])
                return {slot: None, OFFER_SLOT: new.as_slot()}
        if intent == BOOK_INTENT and text.startswith("/"):  # the booking button again: just carry on
            return cleared
        return None

    def _wrong(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker, response: Optional[str] = None) -> Dict[Text, Any]:
        """Says what was wrong; the second time in a row, explains and offers a person."""
        count = int(tracker.get_slot("failed_count") or 0) + 1 if tracker.get_slot("failed_slot") == slot else 1
        values = clinic_values(get_profile())
        send(dispatcher, [Reply(response or f"utter_wrong_{slot}", values)])
        if count >= 2:
            send(dispatcher, [Reply(f"utter_explain_{slot}", values), Reply("utter_consultation_stuck")])
            return {slot: None, "failed_slot": None, "failed_count": None}
        return {slot: None, "failed_slot": slot, "failed_count": count}


def _starting(tracker: Tracker) -> bool:
    """The form is being activated: no question is open yet.

    (Rasa hands the validation action a tracker that already shows the form as active, so the
    active loop cannot tell; the open question can.)
    """
    return tracker.get_slot("requested_slot") is None


def _accepted() -> Dict[Text, Any]:
    return {"failed_slot": None, "failed_count": None}


def _clear(field: str) -> Dict[Text, Any]:
    return {slot: None for slot in CLEARED_BY_CHANGE[field]}


# --- asking the questions that need the profile or earlier answers ------------------------------
class ActionAskConsent(Action):
    def name(self) -> Text:
        return "action_ask_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        values = consent_values(get_profile())
        send(dispatcher, [Reply(name, values) for name in CONSENT_RESPONSES])
        return []


class ActionAskScreening(Action):
    def name(self) -> Text:
        return "action_ask_screening"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        send(dispatcher, [Reply("utter_screening_intro"), Reply("utter_ask_screening", {"screening_list": screening_list()})])
        return []


class ActionAskContactMethod(Action):
    def name(self) -> Text:
        return "action_ask_contact_method"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        with_email = "email" in contact_methods_for(tracker.get_slot("phone"), tracker.get_slot("email"))
        send(dispatcher, [Reply("utter_ask_contact_method_any" if with_email else "utter_ask_contact_method_phone")])
        return []


class ActionAskConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        send(dispatcher, [Reply("utter_ask_confirmed", summary_values(tracker.slots))])
        return []


# --- the end of the form ------------------------------------------------------------------------
class ActionSubmitConsultation(Action):
    """Stores a confirmed request (once), hands off if asked, and clears the form's slots."""

    def name(self) -> Text:
        return "action_submit_consultation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        outcome = tracker.get_slot("consultation_outcome")
        if outcome == "handoff":
            return _cleared() + [FollowupAction("action_request_human")]
        if outcome == "erase":
            return _cleared() + [FollowupAction("utter_ask_delete_confirmation")]
        if outcome != "confirmed":
            return _cleared()
        profile = get_profile()
        try:
            clinic_records.submit(tracker, idempotency_key(tracker))
        except Exception:  # noqa: BLE001 - any storage failure: tell the client, keep the answers
            logger.exception("Could not store a consultation request")
            send(dispatcher, [Reply("utter_consultation_not_saved", clinic_values(profile))])
            return [SlotSet("confirmed", None), SlotSet("consultation_outcome", None)]
        slots = tracker.slots
        link = booking_link(profile, slots.get("client_name"), slots.get("email"))
        send(
            dispatcher,
            [
                Reply("utter_consultation_submitted", submitted_values(profile, slots)),
                Reply("utter_booking_link", {"booking_link": link}),
            ],
        )
        return _cleared()


def _cleared() -> List[EventType]:
    return [SlotSet(slot, None) for slot in QUESTION_SLOTS + DERIVED_SLOTS]


def idempotency_key(tracker: Tracker) -> str:
    """The same for every run of one completed form (a retried action, a second confirm)."""
    started = next(
        (
            event.get("timestamp")
            for event in reversed(tracker.events)
            if event.get("event") == "active_loop" and event.get("name") == FORM
        ),
        None,
    )
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"smp-consult:{tracker.sender_id}:{started}"))
