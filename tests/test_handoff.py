"""Handing the chat to a person: what the client is told, from the booking questions too.

The hand-off's record is stubbed here (tests/test_data_rights.py covers the database); what a
person's reply time is at each hour is in tests/test_opening_times.py.
"""

import pytest

from actions import clinic_records
from actions.consultation import ActionSubmitConsultation
from actions.handoff import ActionRequestHuman, asked_during_booking
from tests.factories import user_event

HANDOFF_REPLIES = {"utter_handoff_open", "utter_handoff_closing", "utter_handoff_closed", "utter_handoff_bank_holiday"}


@pytest.fixture
def recorded(monkeypatch):
    calls = []
    monkeypatch.setattr(clinic_records, "hand_off", lambda conversation, channel: calls.append(conversation))
    return calls


@pytest.fixture
def unrecorded(monkeypatch):
    def fail(conversation, channel):
        raise RuntimeError("database down")

    monkeypatch.setattr(clinic_records, "hand_off", fail)


def slot(name, value):
    return {"event": "slot", "name": name, "value": value}


async def from_the_booking_form(make_tracker, domain):
    """The tracker action_request_human gets when the client asked for a person mid-form: the form
    set consultation_outcome to "handoff", then action_submit_consultation cleared the form."""
    tracker = make_tracker("request_human", "can I speak to someone", slots={"consultation_outcome": "handoff"})
    tracker.events.append(slot("consultation_outcome", "handoff"))
    submitted = await ActionSubmitConsultation().run(None, tracker, domain.as_dict())
    assert submitted[-1] == {"event": "followup", "name": "action_request_human", "timestamp": None}
    tracker.events.extend(submitted[:-1])
    tracker.slots["consultation_outcome"] = None
    return tracker


async def test_a_plain_request_gets_one_hand_off_reply_and_pauses(dispatcher, make_tracker, domain, recorded):
    events = await ActionRequestHuman().run(dispatcher, make_tracker("request_human", "a person please"), domain.as_dict())
    assert [m["response"] for m in dispatcher.messages][0] in HANDOFF_REPLIES
    assert len(dispatcher.messages) == 1
    assert events[-1]["event"] == "pause" and recorded == ["test-sender"]


async def test_asked_during_booking_says_the_answers_were_not_sent(dispatcher, make_tracker, domain, recorded):
    tracker = await from_the_booking_form(make_tracker, domain)
    assert asked_during_booking(tracker)
    events = await ActionRequestHuman().run(dispatcher, tracker, domain.as_dict())
    first, second = [m["response"] for m in dispatcher.messages]
    assert first == "utter_handoff_booking_not_sent"
    assert second in HANDOFF_REPLIES
    assert events[-1]["event"] == "pause"


async def test_asked_during_booking_when_the_team_cannot_be_reached(dispatcher, make_tracker, domain, unrecorded, profile):
    tracker = await from_the_booking_form(make_tracker, domain)
    events = await ActionRequestHuman().run(dispatcher, tracker, domain.as_dict())
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_booking_not_sent", "utter_handoff_failed"]
    assert dispatcher.messages[1]["hours_note"] == profile.hours_note
    assert all(event["event"] != "pause" for event in events)


def test_a_form_hand_off_of_an_earlier_turn_does_not_count(make_tracker):
    earlier = [user_event("request_human", "a person"), slot("consultation_outcome", "handoff"),
               slot("consultation_outcome", None)]
    assert not asked_during_booking(make_tracker("request_human", "a person again", earlier_events=earlier))
    assert not asked_during_booking(make_tracker("request_human", "a person"))
