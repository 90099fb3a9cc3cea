"""The consultation form, one answer at a time: validate_consultation_form run as Rasa runs it."""

from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import clinic_records
from actions.consultation import (
    ActionAskConfirmed,
    ActionAskConsent,
    ActionAskContactMethod,
    ActionAskScreening,
    ActionSubmitConsultation,
    ValidateConsultationForm,
    idempotency_key,
    is_question,
)
from tests.factories import offer_slots, offer_turn
from sqlalchemy.orm import Session

from actions.consultation_text import consent_version, consent_wording
from actions.screening import SCREENING_QUESTIONS
from records.consent import wording
from records.db import make_engine, migrate
from records.models import ConsentWording, ConsultationRequest, OutboxEntry
from tests.factories import user_event

FORM = "consultation_form"
CONSENTED = {
    "adult": True,
    "consent": True,
    "consent_version": "consent-abc",
    "consent_given_at": "2026-11-23T10:00:00+00:00",
}
COMPLETE = {
    **CONSENTED,
    "client_name": "Zoë O'Brien-Smith",
    "contact_details": "+447911123456 / zoe@example.com",
    "phone": "+447911123456",
    "email": "zoe@example.com",
    "consultation_format": "video",
    "preferred_times": "weekday evenings",
    "preferred_dates": [],
    "contact_method": "text",
    "concern": "crown",
    "screening": [],
}


def form_tracker(
    text: str,
    intent: str = "inform",
    slots: Optional[Dict[str, Any]] = None,
    requested: Optional[str] = None,
    confidence: float = 0.95,
    entities: Optional[List[Dict[str, Any]]] = None,
    earlier_events: Optional[List[Dict[str, Any]]] = None,
    ranking: Optional[List[tuple]] = None,
) -> Tracker:
    """The tracker the validation action gets: the answer, then the form's slot candidate.

    As Rasa sends it: the form shows as the active loop even while it is being activated; then
    no question is open yet (no requested_slot).
    """
    slots = dict(slots or {})
    message = {"intent": {"name": intent, "confidence": confidence}, "entities": entities or [], "text": text}
    if ranking is not None:
        message["intent_ranking"] = [{"name": name, "confidence": value} for name, value in ranking]
    user = user_event(intent, text, entities)
    user["parse_data"]["intent"]["confidence"] = confidence
    events = list(earlier_events or []) + [user]
    if requested:
        slots["requested_slot"] = requested
        events.append({"event": "slot", "name": requested, "value": text})
        slots[requested] = text
    return Tracker(
        sender_id="form-test",
        slots=slots,
        latest_message=message,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": FORM},
        latest_action_name="action_listen",
    )


def render_message(domain, message: Dict[str, Any]) -> str:
    """A sent response as the client reads it: its text filled with the values sent with it."""
    text = domain.responses[message["response"]][0]["text"]
    titles = [button["title"] for button in domain.responses[message["response"]][0].get("buttons") or []]
    rendered = text.format(**{k: v for k, v in message.items() if k not in ("response", "buttons")})
    return rendered + ("\n\n[" + "] [".join(titles) + "]" if titles else "")


async def answer(domain, tracker: Tracker):
    dispatcher = CollectingDispatcher()
    events = await ValidateConsultationForm().run(dispatcher, tracker, domain.as_dict())
    slots = {event["name"]: event["value"] for event in events if event["event"] == "slot"}
    return slots, [message["response"] for message in dispatcher.messages]


# --- the order of questions ---------------------------------------------------------------------
async def test_starting_introduces_and_asks_the_age_first(domain):
    slots, said = await answer(domain, form_tracker("/book_consultation", "book_consultation"))
    assert said == ["utter_consultation_intro"]
    assert slots["requested_slot"] == "adult"


async def test_a_name_and_concern_given_earlier_are_not_asked_again(domain):
    earlier = [
        user_event("greet", "hi I'm Sam Taylor", [{"entity": "PERSON", "value": "Sam Taylor"}]),
        user_event("ask_cost", "how much for the crown?", [{"entity": "treatment", "value": "crown"}]),
    ]
    tracker = form_tracker("I'd like to book", "book_consultation", earlier_events=earlier)
    slots, _ = await answer(domain, tracker)
    assert slots["client_name"] == "Sam Taylor"
    assert slots["concern"] == "crown"
    assert slots["requested_slot"] == "adult"


async def test_a_person_named_in_a_question_is_not_taken_as_the_clients_name(domain):
    earlier = [user_event("ask_credentials", "how experienced is Jordan Hale?", [{"entity": "PERSON", "value": "Jordan Hale"}])]
    slots, _ = await answer(domain, form_tracker("book", "book_consultation", earlier_events=earlier))
    assert "client_name" not in slots


@pytest.mark.parametrize(
    "filled, next_slot",
    [
        ({}, "adult"),
        ({"adult": True}, "consent"),
        (CONSENTED, "client_name"),
        ({**CONSENTED, "client_name": "Sam"}, "contact_details"),
        ({**COMPLETE, "contact_method": None}, "contact_method"),
        ({**COMPLETE, "concern": None}, "concern"),
        ({**COMPLETE, "screening": None}, "screening"),
        (COMPLETE, "confirmed"),
        ({**COMPLETE, "change_requested": True}, "field_to_change"),
    ],
)
async def test_next_question(domain, filled, next_slot):
    slots, _ = await answer(domain, form_tracker("", slots=filled))
    assert slots["requested_slot"] == next_slot


async def test_an_email_alone_needs_no_contact_method_question(domain):
    slots, _ = await answer(domain, form_tracker("sam@example.com", slots={**CONSENTED, "client_name": "Sam"}, requested="contact_details"))
    assert slots["email"] == "sam@example.com"
    assert slots["contact_method"] == "email"
    assert slots["requested_slot"] == "consultation_format"


# --- age and consent ------------------------------------------------------------------------------
async def test_under_18_ends_the_form_kindly(domain):
    slots, said = await answer(domain, form_tracker("I'm 16", requested="adult"))
    assert said == ["utter_under_18"]
    assert slots["consultation_outcome"] == "under_18"
    assert slots["requested_slot"] is None
    assert slots["under_18"] is True  # remembered for the rest of the conversation


@pytest.mark.parametrize("text", ["nearly 18", "I'm 18 next month", "I'll be 18 by the appointment"])
async def test_not_yet_18_is_under_18(domain, text):
    slots, said = await answer(domain, form_tracker(text, requested="adult"))
    assert said == ["utter_under_18"]
    assert slots["under_18"] is True
    assert slots["consultation_outcome"] == "under_18"


async def test_a_vague_age_is_asked_again(domain):
    slots, said = await answer(domain, form_tracker("about 18", requested="adult"))
    assert said == ["utter_wrong_adult"]
    assert slots["adult"] is None
    assert "under_18" not in slots


async def test_an_adult_is_not_marked_under_18(domain):
    slots, _ = await answer(domain, form_tracker("I'm 34", requested="adult"))
    assert slots["adult"] is True
    assert "under_18" not in slots


@pytest.mark.parametrize(
    "text, intent", [("/book_consultation", "book_consultation"), ("can I book now I'm 18?", "book_consultation")]
)
async def test_after_an_under_18_answer_the_form_ends_at_once_without_asking_the_age(domain, text, intent):
    dispatcher = CollectingDispatcher()
    tracker = form_tracker(text, intent, slots={"under_18": True})
    events = await ValidateConsultationForm().run(dispatcher, tracker, domain.as_dict())
    assert dispatcher.messages == [
        {
            "text": None,
            "buttons": [],
            "elements": [],
            "custom": {},
            "template": "utter_under_18_again",
            "response": "utter_under_18_again",
            "image": None,
            "attachment": None,
        }
    ]
    assert events == [
        {"event": "slot", "timestamp": None, "name": "consultation_outcome", "value": "under_18"},
        {"event": "slot", "timestamp": None, "name": "requested_slot", "value": None},
    ]


async def test_under_18_asks_no_questions(domain):
    required = await ValidateConsultationForm().required_slots(
        [], CollectingDispatcher(), form_tracker("", slots={"under_18": True}), domain.as_dict()
    )
    assert required == []


async def test_consent_refused_ends_before_any_health_question(domain):
    slots, said = await answer(domain, form_tracker("/deny", "deny", slots={"adult": True}, requested="consent"))
    assert said == ["utter_consent_refused"]
    assert slots["consultation_outcome"] == "no_consent"
    assert slots["requested_slot"] is None


async def test_consent_is_recorded_with_the_version_of_the_wording_shown_and_the_time(domain, clinic_db, profile):
    dispatcher = CollectingDispatcher()
    await ActionAskConsent().run(dispatcher, form_tracker(""), domain.as_dict())
    shown = "\n\n".join(render_message(domain, message) for message in dispatcher.messages)

    slots, _ = await answer(domain, form_tracker("/affirm", "affirm", slots={"adult": True}, requested="consent"))
    assert slots["consent"] is True
    assert slots["consent_version"] == consent_version(shown)
    assert slots["consent_given_at"].endswith("+00:00")
    assert slots["requested_slot"] == "client_name"
    assert wording(clinic_db, slots["consent_version"]) == shown  # the clinic can show what was agreed to

    again, _ = await answer(domain, form_tracker("I agree", "affirm", slots={"adult": True}, requested="consent"))
    assert again["consent_version"] == slots["consent_version"]
    with Session(clinic_db) as session:
        assert session.query(ConsentWording).count() == 1  # kept once per version


async def test_the_consent_version_changes_with_any_rendered_value(domain, profile):
    shown = consent_wording(domain.as_dict()["responses"], profile)
    shorter = consent_wording(domain.as_dict()["responses"], profile.copy(update={"retention_days": 180}))
    assert "12 months" in shown and "6 months" in shorter
    assert consent_version(shown) != consent_version(shorter)


@pytest.mark.parametrize(
    "text, intent",
    [
        ("yes but not the health questions", "affirm"),
        ("yes if you don't share it", "affirm"),
        ("sure, what happens to my data?", "affirm"),
        ("ok as long as it's not sold", "affirm"),
    ],
)
async def test_a_qualified_yes_is_not_consent_and_is_asked_again(domain, text, intent):
    slots, said = await answer(domain, form_tracker(text, intent, slots={"adult": True}, requested="consent"))
    assert said == ["utter_wrong_consent"]
    assert slots["consent"] is None and "consent_version" not in slots
    assert slots["requested_slot"] == "consent"


async def test_consent_whose_wording_cannot_be_kept_is_not_recorded(domain, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never-migrated.db'}")
    clinic_records.connection.cache_clear()
    try:
        slots, said = await answer(domain, form_tracker("/affirm", "affirm", slots={"adult": True}, requested="consent"))
    finally:
        clinic_records.connection.cache_clear()
    assert said == ["utter_consent_not_recorded"]
    assert slots["consent"] is None and "consent_version" not in slots
    assert slots["requested_slot"] == "consent"


# --- wrong answers ---------------------------------------------------------------------------------
async def test_a_wrong_answer_says_what_is_wrong_and_asks_again(domain):
    slots, said = await answer(domain, form_tracker("07911 12", slots={**CONSENTED, "client_name": "Sam"}, requested="contact_details"))
    assert said == ["utter_wrong_contact_details_phone"]
    assert slots["contact_details"] is None
    assert (slots["failed_slot"], slots["failed_count"]) == ("contact_details", 1)
    assert slots["requested_slot"] == "contact_details"


async def test_a_second_wrong_answer_explains_and_offers_a_person(domain):
    filled = {**CONSENTED, "client_name": "Sam", "failed_slot": "contact_details", "failed_count": 1}
    slots, said = await answer(domain, form_tracker("no idea", slots=filled, requested="contact_details"))
    assert said == ["utter_wrong_contact_details", "utter_explain_contact_details", "utter_consultation_stuck"]
    assert slots["failed_count"] is None  # a third try starts counting again: no loop of explanations
    assert slots["requested_slot"] == "contact_details"


async def test_a_wrong_answer_to_another_question_starts_a_new_count(domain):
    filled = {**CONSENTED, "failed_slot": "adult", "failed_count": 1}
    slots, said = await answer(domain, form_tracker("12345", slots=filled, requested="client_name"))
    assert said == ["utter_wrong_client_name"]
    assert (slots["failed_slot"], slots["failed_count"]) == ("client_name", 1)


# --- leaving, a person, questions --------------------------------------------------------------------
@pytest.mark.parametrize("text, intent", [("stop", "stop"), ("cancel", "inform"), ("/stop", "stop")])
async def test_stop_leaves_and_stores_nothing(domain, text, intent):
    slots, said = await answer(domain, form_tracker(text, intent, slots=COMPLETE, requested="confirmed"))
    assert said == ["utter_consultation_cancelled"]
    assert slots["consultation_outcome"] == "cancelled"
    assert slots["requested_slot"] is None


async def test_asking_for_a_person_ends_the_form_for_the_hand_off(domain):
    slots, said = await answer(domain, form_tracker("can I talk to a real person", "request_human", slots=CONSENTED, requested="client_name"))
    assert said == []
    assert slots["consultation_outcome"] == "handoff"
    assert slots["requested_slot"] is None


async def test_a_question_inside_the_form_is_answered_and_the_form_resumes(domain):
    tracker = form_tracker("does it hurt?", "ask_pain", slots=CONSENTED, requested="client_name")
    slots, said = await answer(domain, tracker)
    assert said == ["utter_pain"]
    assert slots["client_name"] is None
    assert "failed_slot" not in slots
    assert slots["requested_slot"] == "client_name"


async def test_a_question_about_opening_hours_while_choosing_times(domain):
    filled = {**COMPLETE, "preferred_times": None}
    slots, said = await answer(domain, form_tracker("when are you open?", "ask_opening_hours", slots=filled, requested="preferred_times"))
    assert said == ["utter_opening_hours"]
    assert slots["requested_slot"] == "preferred_times"


async def test_an_answer_that_sounds_like_a_topic_is_still_an_answer(domain):
    filled = {**COMPLETE, "preferred_times": None}
    slots, said = await answer(domain, form_tracker("Saturday mornings", "ask_opening_hours", slots=filled, requested="preferred_times"))
    assert said == []
    assert slots["preferred_times"] == "Saturday mornings"


async def test_the_booking_button_inside_the_form_just_carries_on(domain):
    slots, said = await answer(domain, form_tracker("/book_consultation", "book_consultation", slots=CONSENTED, requested="client_name"))
    assert said == [] and "failed_slot" not in slots
    assert slots["requested_slot"] == "client_name"


@pytest.mark.parametrize(
    "intent, confidence, text, question",
    [("ask_pain", 0.95, "does it hurt?", True), ("ask_cost", 0.9, "how much is it", True),
     ("ask_cost", 0.5, "how much is it?", False), ("ask_opening_hours", 0.95, "Saturday mornings", False),
     ("inform", 0.99, "what?", False), ("ask_longevity", 1.0, "/ask_longevity", True),
     ("ask_longevity", 0.6, "/ask_longevity", True), ("book_consultation", 1.0, "/book_consultation", False)],
)
def test_is_question(intent, confidence, text, question):
    assert is_question(intent, confidence, text) is question


# --- unsure, out of scope, and the client's pick ------------------------------------------------------
UNSURE = [("nlu_fallback", 0.55), ("ask_opening_hours", 0.48), ("book_consultation", 0.45), ("ask_location", 0.2)]
OFFERED = ["ask_opening_hours", "ask_location"]
NAMED = {**CONSENTED, "client_name": "Sam"}


async def test_an_unsure_question_gets_the_clarification_and_the_same_question_again(domain):
    tracker = form_tracker("can I come in on a saturday?", "nlu_fallback", slots=NAMED, requested="contact_details",
                           confidence=0.55, ranking=UNSURE)
    dispatcher = CollectingDispatcher()
    events = await ValidateConsultationForm().run(dispatcher, tracker, domain.as_dict())
    slots = {event["name"]: event["value"] for event in events if event["event"] == "slot"}
    [message] = dispatcher.messages
    assert message["response"] == "utter_clarify"
    # already booking: no "Book a consultation" among the topics
    assert [b["payload"] for b in message["buttons"]] == ["/ask_opening_hours", "/ask_location", "/out_of_scope"]
    assert slots["clarification_offer"] == {"text": "can I come in on a saturday?", "offered": OFFERED, "entities": {}}
    assert slots["contact_details"] is None and "failed_slot" not in slots
    assert slots["requested_slot"] == "contact_details"


async def test_an_unsure_answer_that_is_not_a_question_is_still_read_as_the_answer(domain):
    tracker = form_tracker("Sam", "nlu_fallback", slots=CONSENTED, requested="client_name", confidence=0.55, ranking=UNSURE)
    slots, said = await answer(domain, tracker)
    assert said == [] and slots["client_name"] == "Sam"


async def test_an_unsure_question_without_likely_topics_is_read_as_the_answer(domain):
    nonsense = [("nlu_fallback", 0.55), ("inform", 0.4), ("ask_cost", 0.1)]
    tracker = form_tracker("what?", "nlu_fallback", slots=NAMED, requested="contact_details", confidence=0.55, ranking=nonsense)
    slots, said = await answer(domain, tracker)
    assert said == ["utter_wrong_contact_details"]


@pytest.mark.parametrize("text, intent", [("/ask_location", "ask_location"), ("2", "inform"), ("Where we are", "ask_location")])
async def test_a_topic_picked_from_the_clarification_is_answered_and_the_form_resumes(domain, text, intent):
    question = "can I come in on a saturday?"
    tracker = form_tracker(text, intent, slots={**NAMED, **offer_slots(question, OFFERED)}, requested="contact_details",
                           confidence=1.0, earlier_events=offer_turn(question, OFFERED))
    slots, said = await answer(domain, tracker)
    assert said == ["utter_location"]
    assert slots["clarification_choice"] == {"text": question, "offered": OFFERED, "chosen": "ask_location"}
    assert slots["clarification_offer"] is None
    assert slots["contact_details"] is None and slots["requested_slot"] == "contact_details"


async def test_a_topic_button_with_no_clarification_open_is_answered_too(domain):
    slots, said = await answer(domain, form_tracker("/ask_longevity", "ask_longevity", slots=NAMED,
                                                    requested="contact_details", confidence=1.0))
    assert said == ["utter_longevity", "utter_longevity_upkeep"]
    assert slots["requested_slot"] == "contact_details" and "clarification_choice" not in slots


async def test_something_else_in_the_form_declines_and_carries_on(domain):
    question = "can I come in on a saturday?"
    tracker = form_tracker("/out_of_scope", "out_of_scope", slots={**NAMED, **offer_slots(question, OFFERED)},
                           requested="contact_details", confidence=1.0, earlier_events=offer_turn(question, OFFERED))
    slots, said = await answer(domain, tracker)
    assert said == ["utter_decline_in_form"]
    assert slots["clarification_choice"]["chosen"] == "something_else"
    assert slots["requested_slot"] == "contact_details"


@pytest.mark.parametrize("text, intent, slot, value", [
    ("None of these", "inform", "screening", []),  # the health question's own button
    ("yes", "affirm", "adult", True),
])
async def test_after_a_clarification_the_forms_own_answers_still_answer_it(domain, text, intent, slot, value):
    question = "can I come in on a saturday?"
    filled = {**COMPLETE, "screening": None} if slot == "screening" else {}
    tracker = form_tracker(text, intent, slots={**filled, **offer_slots(question, OFFERED)}, requested=slot,
                           earlier_events=offer_turn(question, OFFERED))
    slots, said = await answer(domain, tracker)
    assert slots[slot] == value
    assert slots["clarification_offer"] is None and "clarification_choice" not in slots


async def test_talk_to_a_person_from_the_clarification_hands_off_and_is_recorded(domain):
    offered = ["request_human", "ask_credentials"]
    tracker = form_tracker("/request_human", "request_human", slots={**NAMED, **offer_slots("can I do it myself?", offered)},
                           requested="contact_details", confidence=1.0, earlier_events=offer_turn("can I do it myself?", offered))
    slots, said = await answer(domain, tracker)
    assert slots["consultation_outcome"] == "handoff"
    assert slots["clarification_choice"]["chosen"] == "request_human"


async def test_an_out_of_scope_question_in_the_form_is_declined_and_the_form_carries_on(domain):
    tracker = form_tracker("is it halal?", "out_of_scope", slots=NAMED, requested="contact_details", confidence=0.9)
    slots, said = await answer(domain, tracker)
    assert said == ["utter_decline_in_form"]
    assert slots["declined"] == {"text": "is it halal?"}
    assert slots["contact_details"] is None and slots["requested_slot"] == "contact_details"


async def test_an_out_of_scope_answer_that_is_not_a_question_is_read_as_the_answer(domain):
    filled = {**COMPLETE, "preferred_times": None}
    slots, said = await answer(domain, form_tracker("after my holiday in Spain", "out_of_scope", slots=filled,
                                                    requested="preferred_times", confidence=0.9))
    assert said == [] and slots["preferred_times"] == "after my holiday in Spain"


async def test_booking_chosen_from_a_clarification_is_recorded_when_the_form_starts(domain):
    offered = ["ask_opening_hours", "book_consultation"]
    tracker = form_tracker("/book_consultation", "book_consultation", confidence=1.0,
                           slots=offer_slots("can I come in on a saturday", offered),
                           earlier_events=offer_turn("can I come in on a saturday", offered))
    slots, said = await answer(domain, tracker)
    assert said == ["utter_consultation_intro"]
    assert slots["clarification_choice"]["chosen"] == "book_consultation"
    assert slots["requested_slot"] == "adult"


# --- screening ------------------------------------------------------------------------------------
async def test_a_yes_to_screening_flags_and_explains_but_never_blocks(domain):
    filled = {**COMPLETE, "screening": None}
    slots, said = await answer(domain, form_tracker("I take warfarin", slots=filled, requested="screening"))
    assert said == ["utter_screening_flagged"]
    assert slots["screening"] == ["blood_thinners"]
    assert slots["screening_note"] == "I take warfarin"
    assert slots["requested_slot"] == "confirmed"


async def test_none_of_these(domain):
    slots, said = await answer(domain, form_tracker("None of these", slots={**COMPLETE, "screening": None}, requested="screening"))
    assert said == [] and slots["screening"] == []


# --- read-back and changes ------------------------------------------------------------------------------
async def test_confirm_completes_the_form(domain):
    slots, _ = await answer(domain, form_tracker("/affirm", "affirm", slots=COMPLETE, requested="confirmed"))
    assert slots["confirmed"] is True
    assert slots["consultation_outcome"] == "confirmed"
    assert slots["requested_slot"] is None


async def test_change_something_asks_which_then_that_question_then_the_summary(domain):
    slots, _ = await answer(domain, form_tracker("Change something", slots=COMPLETE, requested="confirmed"))
    assert slots["change_requested"] is True and slots["requested_slot"] == "field_to_change"

    after_choice = {**COMPLETE, "change_requested": True}
    slots, _ = await answer(domain, form_tracker("Contact details", slots=after_choice, requested="field_to_change"))
    assert slots["phone"] is None and slots["email"] is None and slots["contact_method"] is None
    assert slots["requested_slot"] == "contact_details"

    corrected = {**COMPLETE, "contact_details": None, "phone": None, "email": None, "contact_method": None}
    slots, _ = await answer(domain, form_tracker("sam.new@example.com", slots=corrected, requested="contact_details"))
    assert slots["email"] == "sam.new@example.com" and slots["contact_method"] == "email"
    assert slots["requested_slot"] == "confirmed"


async def test_naming_the_field_goes_straight_to_it(domain):
    slots, _ = await answer(domain, form_tracker("change my name please", slots=COMPLETE, requested="confirmed"))
    assert slots["client_name"] is None
    assert slots["requested_slot"] == "client_name"


# --- the questions that need the profile ------------------------------------------------------------------
async def test_consent_question_names_the_data_health_questions_retention_withdrawal_and_privacy_notice(domain, profile):
    dispatcher = CollectingDispatcher()
    await ActionAskConsent().run(dispatcher, form_tracker(""), domain.as_dict())
    assert [m["response"] for m in dispatcher.messages] == ["utter_consent_data", "utter_ask_consent"]
    data, question = (render_message(domain, message) for message in dispatcher.messages)
    assert "this chat" in data and "contact details" in data
    for _, topic in SCREENING_QUESTIONS.values():  # every health question is named before the yes
        assert topic in data
    assert "12 months" in question and profile.privacy_notice_url in question
    assert "delete my data" in question and profile.phone in question and profile.email in question
    assert question.endswith("[I agree] [No thanks]")  # the yes/no buttons come with the question


async def test_the_screening_question_lists_every_item_from_one_list(domain):
    dispatcher = CollectingDispatcher()
    await ActionAskScreening().run(dispatcher, form_tracker(""), domain.as_dict())
    assert [m["response"] for m in dispatcher.messages] == ["utter_screening_intro", "utter_ask_screening"]
    listed = render_message(domain, dispatcher.messages[-1])
    for line, _ in SCREENING_QUESTIONS.values():
        assert f"- {line}" in listed


@pytest.mark.parametrize(
    "email, response", [(None, "utter_ask_contact_method_phone"), ("a@example.com", "utter_ask_contact_method_any")]
)
async def test_contact_method_choices_follow_the_details(domain, email, response):
    dispatcher = CollectingDispatcher()
    await ActionAskContactMethod().run(dispatcher, form_tracker("", slots={"phone": "+447911123456", "email": email}), domain.as_dict())
    assert [m["response"] for m in dispatcher.messages] == [response]


async def test_read_back_lists_every_answer(domain):
    dispatcher = CollectingDispatcher()
    await ActionAskConfirmed().run(dispatcher, form_tracker("", slots={**COMPLETE, "screening": ["pregnancy"]}), domain.as_dict())
    [message] = dispatcher.messages
    assert message["client_name"] == "Zoë O'Brien-Smith"
    assert message["contact_summary"] == "+447911123456 and zoe@example.com"
    assert message["format_label"] == "by video call"
    assert message["method_label"] == "text message"
    assert message["concern_label"] == "crown"
    assert "pregnancy" in message["screening_label"]


# --- submitting -----------------------------------------------------------------------------------------
@pytest.fixture
def clinic_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    migrate(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("BOOKING_WEBHOOK_URL", "")
    clinic_records.connection.cache_clear()
    yield make_engine(url)
    clinic_records.connection.cache_clear()


def confirmed_tracker(slots: Dict[str, Any]) -> Tracker:
    tracker = form_tracker("/affirm", "affirm", slots={**slots, "confirmed": True, "consultation_outcome": "confirmed"})
    tracker.events.insert(0, {"event": "active_loop", "name": FORM, "timestamp": 1763900000.5})
    return tracker


async def submit(domain, tracker: Tracker):
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitConsultation().run(dispatcher, tracker, domain.as_dict())
    return events, dispatcher.messages


async def test_confirmed_request_is_stored_once_with_its_outbox_entry(domain, clinic_db, profile):
    tracker = confirmed_tracker({**COMPLETE, "screening": ["blood_thinners"], "screening_note": "I take warfarin"})
    events, messages = await submit(domain, tracker)
    assert [m["response"] for m in messages] == ["utter_consultation_submitted", "utter_booking_link"]
    assert messages[0]["response_time"] == profile.consultation.response_time
    assert messages[1]["booking_link"] == "https://pendle-scalp-studio.example/book?name=Zo%C3%AB%20O%27Brien-Smith"
    assert all(event["value"] is None for event in events if event["event"] == "slot")

    await submit(domain, tracker)  # a retried action or a second confirm


    with Session(clinic_db) as session:
        [request] = session.query(ConsultationRequest).all()
        assert request.idempotency_key == idempotency_key(tracker)
        assert (request.name, request.phone, request.contact_method) == ("Zoë O'Brien-Smith", "+447911123456", "text")
        assert request.screening_flags == ["blood_thinners"] and request.flagged
        assert request.consent_version == "consent-abc" and request.status == "new"
        assert [entry.kind for entry in session.query(OutboxEntry).all()] == ["webhook"]


async def test_a_storage_failure_is_told_and_keeps_the_answers(domain, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never-migrated.db'}")
    clinic_records.connection.cache_clear()
    events, messages = await submit(domain, confirmed_tracker(COMPLETE))
    clinic_records.connection.cache_clear()
    assert [m["response"] for m in messages] == ["utter_consultation_not_saved"]
    cleared = {event["name"] for event in events if event["event"] == "slot"}
    assert cleared == {"confirmed", "consultation_outcome"}  # everything else is kept for "Try again"


async def test_the_end_of_the_form_keeps_under_18(domain):
    events, _ = await submit(domain, form_tracker("", slots={"under_18": True, "consultation_outcome": "under_18"}))
    cleared = {event["name"] for event in events if event["event"] == "slot"}
    assert "consultation_outcome" in cleared
    assert "under_18" not in cleared


@pytest.mark.parametrize("outcome", ["cancelled", "under_18", "no_consent"])
async def test_other_endings_store_nothing_and_clear_the_form(domain, clinic_db, outcome):
    tracker = form_tracker("", slots={**COMPLETE, "consultation_outcome": outcome})
    events, messages = await submit(domain, tracker)
    assert messages == []
    assert all(event["value"] is None for event in events if event["event"] == "slot")


    with Session(clinic_db) as session:
        assert session.query(ConsultationRequest).count() == 0


@pytest.mark.parametrize("outcome, followup", [("handoff", "action_request_human"), ("erase", "utter_ask_delete_confirmation")])
async def test_handoff_and_erasure_continue_after_the_form(domain, outcome, followup):
    events, _ = await submit(domain, form_tracker("", slots={**COMPLETE, "consultation_outcome": outcome}))
    assert {"event": "followup", "name": followup} in [
        {key: event.get(key) for key in ("event", "name")} for event in events
    ]
