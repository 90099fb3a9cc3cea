"""Not sure what a message means: "Did you mean", the client's pick, rephrase, contact details; and
the honest decline of what the assistant can't answer."""

from pathlib import Path

import pytest
import yaml

from actions import clinic_records
from actions.fallback import USUAL_REPLIES, ActionDecline, ActionHandleFallback
from actions.faq import ActionAnswerQuestion
from actions.handoff import ActionRequestHuman
from tests.factories import offer_slots, offer_turn, user_event

ROOT = Path(__file__).resolve().parent.parent
UNSURE = [("nlu_fallback", 0.55), ("ask_longevity", 0.45), ("ask_removal", 0.3), ("ask_aftercare", 0.1)]
NONSENSE = [("nlu_fallback", 0.55), ("inform", 0.32), ("affirm", 0.12), ("ask_cost", 0.1)]
OFFERED = ["ask_longevity", "ask_removal"]
OFFER = {"text": "does it go away", "offered": OFFERED, "entities": {}}


def slots_set(events):
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}


async def run(action, dispatcher, tracker, domain):
    return await action.run(dispatcher, tracker, domain.as_dict())


# --- nothing to offer: rephrase, then the clinic's details ----------------------------------------
async def test_first_fallback_without_a_likely_topic_asks_to_rephrase(dispatcher, make_tracker, domain):
    tracker = make_tracker("nlu_fallback", "asdf", earlier_events=[user_event("greet", "hi")], ranking=NONSENSE)
    events = await run(ActionHandleFallback(), dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_fallback_rephrase"]
    assert events == []


async def test_second_fallback_in_a_row_offers_phone_email_and_hours(dispatcher, make_tracker, domain, profile):
    tracker = make_tracker("nlu_fallback", "qwerty", earlier_events=[user_event("nlu_fallback", "asdf")])
    await run(ActionHandleFallback(), dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_fallback_contact"
    assert (message["phone"], message["email"]) == (profile.phone, profile.email)
    assert "Sunday: closed" in message["opening_hours"]


async def test_fallback_after_an_understood_message_starts_again(dispatcher, make_tracker, domain):
    earlier = [user_event("nlu_fallback", "asdf"), user_event("ask_pain", "does it hurt")]
    await run(ActionHandleFallback(), dispatcher, make_tracker("nlu_fallback", "zzz", earlier_events=earlier), domain)
    assert dispatcher.messages[0]["response"] == "utter_fallback_rephrase"


async def test_a_fallback_in_an_earlier_session_does_not_count(dispatcher, make_tracker, domain):
    earlier = [user_event("nlu_fallback", "asdf"), {"event": "session_started"}]
    await run(ActionHandleFallback(), dispatcher, make_tracker("nlu_fallback", "zzz", earlier_events=earlier), domain)
    assert dispatcher.messages[0]["response"] == "utter_fallback_rephrase"


async def test_an_empty_message_asks_to_rephrase(dispatcher, make_tracker, domain):
    await run(ActionHandleFallback(), dispatcher, make_tracker("nlu_fallback", "", ranking=[("nlu_fallback", 0.55)]), domain)
    assert dispatcher.messages[0]["response"] == "utter_fallback_rephrase"


# --- "Did you mean" ------------------------------------------------------------------------------------
async def test_an_unsure_message_with_likely_topics_gets_them_as_buttons(dispatcher, make_tracker, domain):
    tracker = make_tracker("nlu_fallback", "does it go away", ranking=UNSURE)
    events = await run(ActionHandleFallback(), dispatcher, tracker, domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_clarify"
    assert message["buttons"] == [
        {"title": "How long it lasts", "payload": "/ask_longevity"},
        {"title": "Removing or fixing", "payload": "/ask_removal"},
        {"title": "Something else", "payload": "/out_of_scope"},
    ]
    assert message["options"] == "1. How long it lasts\n2. Removing or fixing\n3. Something else"
    assert slots_set(events) == {"clarification_offer": OFFER}


async def test_the_offer_keeps_the_messages_entities(dispatcher, make_tracker, domain):
    ranking = [("nlu_fallback", 0.55), ("ask_cost", 0.35), ("inform", 0.35)]
    tracker = make_tracker("nlu_fallback", "how about the crown area then", {"treatment": ["crown"]}, ranking=ranking)
    events = await run(ActionHandleFallback(), dispatcher, tracker, domain)
    assert slots_set(events)["clarification_offer"]["entities"] == {"treatment": ["crown"]}
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/ask_cost", "/out_of_scope"]


async def test_the_topic_button_is_answered_and_the_choice_recorded(dispatcher, make_tracker, domain):
    tracker = make_tracker("ask_longevity", "/ask_longevity", slots=offer_slots("does it go away", OFFERED),
                           earlier_events=offer_turn("does it go away", OFFERED))
    events = await run(ActionAnswerQuestion(), dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_longevity", "utter_longevity_upkeep"]
    assert slots_set(events) == {
        "clarification_choice": {"text": "does it go away", "offered": OFFERED, "chosen": "ask_longevity"},
        "clarification_offer": None,
    }


async def test_the_answer_reads_the_unclear_messages_words(dispatcher, make_tracker, domain):
    text = "my hair fell out suddenly, how about the crown area"
    offer = {"treatment": ["crown"]}
    tracker = make_tracker("ask_cost", "/ask_cost", slots=offer_slots(text, ["ask_cost"], offer),
                           earlier_events=offer_turn(text, ["ask_cost"], offer))
    await run(ActionAnswerQuestion(), dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_see_gp_sudden_hair_loss", "utter_cost_treatment", "utter_cost_payment"]
    assert dispatcher.messages[1]["treatment"] == "Crown"


async def test_another_question_after_an_offer_is_answered_and_the_offer_dropped(dispatcher, make_tracker, domain):
    tracker = make_tracker("ask_pain", "does it hurt?", slots=offer_slots("does it go away", OFFERED),
                           earlier_events=offer_turn("does it go away", OFFERED))
    events = await run(ActionAnswerQuestion(), dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_pain"]
    assert slots_set(events) == {"clarification_offer": None}


async def test_a_question_with_no_offer_open_sets_nothing(dispatcher, make_tracker, domain):
    events = await run(ActionAnswerQuestion(), dispatcher, make_tracker("ask_pain", "does it hurt?"), domain)
    assert events == []


@pytest.mark.parametrize(
    "intent, text, responses, chosen",
    [
        ("inform", "2", ["utter_removal", "utter_removal_laser_referral", "utter_removal_correction"], "ask_removal"),  # "2" reads as inform (measured)
        ("nlu_fallback", "the first one", ["utter_longevity", "utter_longevity_upkeep"], "ask_longevity"),
        ("inform", "none of these", ["utter_clarify_something_else"], "something_else"),
        ("deny", "no", ["utter_clarify_something_else"], "something_else"),
        ("nlu_fallback", "removing or fixing please", ["utter_removal", "utter_removal_laser_referral", "utter_removal_correction"], "ask_removal"),
    ],
)
async def test_a_typed_choice_right_after_the_offer(dispatcher, make_tracker, domain, intent, text, responses, chosen):
    tracker = make_tracker(intent, text, slots=offer_slots("does it go away", OFFERED),
                           earlier_events=offer_turn("does it go away", OFFERED), ranking=NONSENSE)
    events = await run(ActionHandleFallback(), dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == responses
    assert slots_set(events) == {
        "clarification_choice": {"text": "does it go away", "offered": OFFERED, "chosen": chosen},
        "clarification_offer": None,
    }


async def test_a_number_later_on_is_not_a_choice(dispatcher, make_tracker, domain):
    earlier = offer_turn("does it go away", OFFERED) + [user_event("greet", "hi")]
    tracker = make_tracker("inform", "2", slots=offer_slots("does it go away", OFFERED), earlier_events=earlier)
    events = await run(ActionHandleFallback(), dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_inform_outside_booking"]
    assert slots_set(events) == {"clarification_offer": None}


async def test_a_yes_to_two_topics_asks_again_and_to_one_answers_it(dispatcher, make_tracker, domain):
    two = make_tracker("affirm", "yes", slots=offer_slots("does it go away", OFFERED),
                       earlier_events=offer_turn("does it go away", OFFERED))
    events = await run(ActionHandleFallback(), dispatcher, two, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_clarify"]
    assert slots_set(events) == {"clarification_offer": OFFER}
    one = make_tracker("affirm", "yes", slots=offer_slots("touch ups?", ["ask_cost"]),
                       earlier_events=offer_turn("touch ups?", ["ask_cost"]))
    dispatcher.messages.clear()
    events = await run(ActionHandleFallback(), dispatcher, one, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_cost_overview", "utter_cost_payment"]
    assert slots_set(events)["clarification_choice"]["chosen"] == "ask_cost"


@pytest.mark.parametrize("chosen, followup", [("book_consultation", "consultation_form"), ("request_human", "action_request_human")])
async def test_booking_or_a_person_chosen_by_number_start_them(dispatcher, make_tracker, domain, chosen, followup):
    offered = ["ask_opening_hours", chosen]
    tracker = make_tracker("inform", "2", slots=offer_slots("can I come in on a saturday", offered),
                           earlier_events=offer_turn("can I come in on a saturday", offered))
    events = await run(ActionHandleFallback(), dispatcher, tracker, domain)
    assert dispatcher.messages == []
    assert events[-1] == {"event": "followup", "name": followup, "timestamp": None}
    assert slots_set(events)["clarification_choice"]["chosen"] == chosen


async def test_a_fallback_after_a_typed_choice_counts_as_the_first(dispatcher, make_tracker, domain):
    earlier = offer_turn("does it go away", OFFERED) + [
        user_event("nlu_fallback", "2"),
        {"event": "slot", "name": "clarification_choice", "value": {"chosen": "ask_removal"}},
        {"event": "slot", "name": "clarification_offer", "value": None},
    ]
    await run(ActionHandleFallback(), dispatcher, make_tracker("nlu_fallback", "zzz", earlier_events=earlier), domain)
    # "does it go away" was unclear, "2" was understood: this is the first unclear message in a row
    assert dispatcher.messages[0]["response"] == "utter_fallback_rephrase"


@pytest.mark.parametrize("intent", sorted(USUAL_REPLIES))
async def test_a_yes_no_or_details_after_a_rephrase_get_their_usual_reply(dispatcher, make_tracker, domain, intent):
    tracker = make_tracker(intent, "ok", earlier_events=[user_event("nlu_fallback", "asdf")])
    events = await run(ActionHandleFallback(), dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == [USUAL_REPLIES[intent]]
    assert events == []


def test_the_usual_replies_are_the_rules_replies():
    rules = yaml.safe_load((ROOT / "data" / "rules" / "conversation.yml").read_text(encoding="utf-8"))["rules"]
    pairs = {(r["steps"][0].get("intent"), r["steps"][1].get("action")) for r in rules if len(r["steps"]) == 2}
    for intent, response in USUAL_REPLIES.items():
        assert (intent, response) in pairs


def test_the_rules_send_a_reply_right_after_a_fallback_back_to_the_fallback_action():
    rules = yaml.safe_load((ROOT / "data" / "rules" / "conversation.yml").read_text(encoding="utf-8"))["rules"]
    after = {r["steps"][1]["intent"] for r in rules
             if [s.get("action") for s in r["steps"]] == ["action_handle_fallback", None, "action_handle_fallback"]}
    assert after == set(USUAL_REPLIES)


async def test_talk_to_a_person_chosen_by_button_is_recorded(dispatcher, make_tracker, domain, monkeypatch):
    monkeypatch.setattr(clinic_records, "hand_off", lambda conversation, channel: None)
    offered = ["request_human", "ask_credentials"]
    tracker = make_tracker("request_human", "/request_human", slots=offer_slots("can I do it myself?", offered),
                           earlier_events=offer_turn("can I do it myself?", offered))
    events = await run(ActionRequestHuman(), dispatcher, tracker, domain)
    assert slots_set(events)["clarification_choice"] == {"text": "can I do it myself?", "offered": offered,
                                                         "chosen": "request_human"}
    assert events[-1]["event"] == "pause"


# --- declining honestly ------------------------------------------------------------------------------------
async def test_out_of_scope_is_declined_honestly_and_recorded(dispatcher, make_tracker, domain, profile):
    events = await run(ActionDecline(), dispatcher, make_tracker("out_of_scope", "is it halal?"), domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_decline"
    assert message["clinic_name"] == profile.name
    assert slots_set(events) == {"declined": {"text": "is it halal?"}}


def test_the_decline_says_it_cannot_answer_and_offers_a_consultation_a_person_and_another_question(domain):
    [variant] = domain.responses["utter_decline"]
    assert "not something I can answer reliably, so I won't guess" in variant["text"]
    assert [b["payload"] for b in variant["buttons"]] == ["/book_consultation", "/request_human", "/affirm"]
    assert [b["title"] for b in variant["buttons"]] == ["Book a consultation", "Talk to a person", "Ask another question"]


async def test_something_else_after_an_offer_is_declined_and_recorded(dispatcher, make_tracker, domain):
    tracker = make_tracker("out_of_scope", "/out_of_scope", slots=offer_slots("does it go away", OFFERED),
                           earlier_events=offer_turn("does it go away", OFFERED))
    events = await run(ActionDecline(), dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_clarify_something_else"]
    assert slots_set(events) == {
        "clarification_choice": {"text": "does it go away", "offered": OFFERED, "chosen": "something_else"},
        "clarification_offer": None,
    }


async def test_the_numbered_list_is_for_channels_without_buttons(domain):
    """REST and messaging channels get the options in the text; the website chat shows them as buttons."""
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.trackers import DialogueStateTracker

    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    tracker = DialogueStateTracker("t", domain.slots)
    options = "1. How long it lasts\n2. Removing or fixing\n3. Something else"
    rest = await nlg.generate("utter_clarify", tracker, "rest", options=options)
    web = await nlg.generate("utter_clarify", tracker, "socketio", options=options)
    assert rest["text"] == f"I want to get this right. Did you mean:\n{options}\nJust reply with the number."
    assert web["text"] == "I want to get this right. Did you mean:"
