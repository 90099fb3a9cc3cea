"""Reading the tracker and sending replies."""

from actions.answers import Question, Reply
from actions.rasa_io import latest_question, send, user_intents
from tests.factories import user_event


def test_latest_question_collects_entity_values_by_name(make_tracker):
    tracker = make_tracker("ask_cost", "crown and hairline?", {"treatment": ["crown", "hairline"], "GPE": ["Preston"]})
    assert latest_question(tracker) == Question(
        "ask_cost", "crown and hairline?", {"treatment": ["crown", "hairline"], "GPE": ["Preston"]}
    )


def test_latest_question_copes_with_an_empty_message(make_tracker):
    tracker = make_tracker("nlu_fallback", "")
    tracker.latest_message = {}
    assert latest_question(tracker) == Question("", "", {})


def test_user_intents_of_the_current_session(make_tracker):
    earlier = [user_event("greet"), {"event": "session_started"}, user_event("ask_pain"), {"event": "bot"}]
    assert user_intents(make_tracker("ask_cost", earlier_events=earlier)) == ["ask_pain", "ask_cost"]


def test_send_fills_each_response_with_its_values(dispatcher):
    send(dispatcher, [Reply("utter_pain", {"numbing": "x"}), Reply("utter_goodbye")])
    assert [(m["response"], m.get("numbing")) for m in dispatcher.messages] == [("utter_pain", "x"), ("utter_goodbye", None)]


# --- no booking button for a client who said they are under 18 ---------------------------------
from rasa_sdk.executor import CollectingDispatcher  # noqa: E402

from actions.faq import ActionAnswerQuestion  # noqa: E402
from actions.rasa_io import NoBooking, booking_free, hide_booking_for, without_booking  # noqa: E402

BOOK = {"title": "Book a consultation", "payload": "/book_consultation"}
PAIN = {"title": "Does it hurt?", "payload": "/ask_pain"}


def test_without_booking_drops_only_the_booking_button():
    assert without_booking([PAIN, BOOK]) == [PAIN]
    assert without_booking([PAIN]) == [PAIN]
    assert without_booking([]) == []


def test_booking_free_sends_the_text_and_the_other_buttons():
    no_booking = NoBooking({"utter_x": [{"text": "Hi {clinic_name}, {name} {unknown}", "buttons": [PAIN, BOOK]}]}, {"name": "Sam"})
    assert booking_free(Reply("utter_x", {"clinic_name": "SMP Co"}), no_booking) == {
        "text": "Hi SMP Co, Sam {unknown}",
        "buttons": [PAIN],
    }
    assert booking_free(Reply("utter_y"), no_booking) is None  # no such response: sent as usual


def test_send_leaves_responses_without_the_booking_button_as_they_are():
    dispatcher = CollectingDispatcher()
    send(dispatcher, [Reply("utter_x", buttons=[BOOK])], NoBooking({"utter_x": [{"text": "Hi"}]}, {}))
    assert [(m["response"], m["buttons"]) for m in dispatcher.messages] == [("utter_x", [])]


def test_hide_booking_only_after_an_under_18_answer(make_tracker, domain):
    assert hide_booking_for(make_tracker("ask_pain", slots={}), domain.as_dict()) is None
    assert hide_booking_for(make_tracker("ask_pain", slots={"under_18": True}), domain.as_dict()) is not None


async def test_answers_to_an_under_18_client_offer_no_booking(make_tracker, domain):
    responses = domain.as_dict()["responses"]
    for under_18 in (False, True):
        dispatcher = CollectingDispatcher()
        tracker = make_tracker("ask_pain", "does it hurt?", slots={"under_18": under_18})
        await ActionAnswerQuestion().run(dispatcher, tracker, domain.as_dict())
        [message] = dispatcher.messages
        if not under_18:
            assert message["response"] == "utter_pain"
            continue
        assert message["response"] is None
        assert "{" not in message["text"]
        assert message["buttons"] == without_booking(responses["utter_pain"][0]["buttons"])
        assert all(button["payload"] != "/book_consultation" for button in message["buttons"])
