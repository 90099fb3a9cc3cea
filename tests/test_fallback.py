"""Not understood: rephrase first, then the clinic's contact details."""

import pytest

from actions.fallback import ActionHandleFallback, fallbacks_in_a_row
from tests.factories import user_event


@pytest.mark.parametrize(
    "intents, count",
    [
        ([], 0),
        (["greet"], 0),
        (["nlu_fallback"], 1),
        (["greet", "nlu_fallback", "nlu_fallback"], 2),
        (["nlu_fallback", "ask_pain", "nlu_fallback"], 1),
    ],
)
def test_fallbacks_in_a_row(intents, count):
    assert fallbacks_in_a_row(intents) == count


async def test_first_fallback_asks_to_rephrase(dispatcher, make_tracker, domain):
    tracker = make_tracker("nlu_fallback", "asdf", earlier_events=[user_event("greet", "hi")])
    await ActionHandleFallback().run(dispatcher, tracker, domain.as_dict())
    assert [m["response"] for m in dispatcher.messages] == ["utter_fallback_rephrase"]


async def test_second_fallback_in_a_row_offers_phone_email_and_hours(dispatcher, make_tracker, domain, profile):
    tracker = make_tracker("nlu_fallback", "qwerty", earlier_events=[user_event("nlu_fallback", "asdf")])
    await ActionHandleFallback().run(dispatcher, tracker, domain.as_dict())
    message = dispatcher.messages[0]
    assert message["response"] == "utter_fallback_contact"
    assert (message["phone"], message["email"]) == (profile.phone, profile.email)
    assert "Sunday: closed" in message["opening_hours"]


async def test_fallback_after_an_understood_message_starts_again(dispatcher, make_tracker, domain):
    earlier = [user_event("nlu_fallback", "asdf"), user_event("ask_pain", "does it hurt")]
    await ActionHandleFallback().run(dispatcher, make_tracker("nlu_fallback", "zzz", earlier_events=earlier), domain.as_dict())
    assert dispatcher.messages[0]["response"] == "utter_fallback_rephrase"


async def test_a_fallback_in_an_earlier_session_does_not_count(dispatcher, make_tracker, domain):
    earlier = [user_event("nlu_fallback", "asdf"), {"event": "session_started"}]
    await ActionHandleFallback().run(dispatcher, make_tracker("nlu_fallback", "zzz", earlier_events=earlier), domain.as_dict())
    assert dispatcher.messages[0]["response"] == "utter_fallback_rephrase"
