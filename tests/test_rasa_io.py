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
