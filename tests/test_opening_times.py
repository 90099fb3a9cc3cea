"""Open now, and when next: in the clinic's time zone, whatever the machine's."""

from datetime import datetime, timezone

import pytest

from actions.handoff import handoff_reply
from actions.opening_times import describe_opening, is_open, next_opening

UTC = timezone.utc


@pytest.mark.parametrize(
    "now, open_now",
    [
        (datetime(2026, 11, 23, 9, 30, tzinfo=UTC), True),  # Monday 9:30 GMT: opens at 9:30
        (datetime(2026, 11, 23, 9, 29, tzinfo=UTC), False),
        (datetime(2026, 11, 23, 17, 30, tzinfo=UTC), False),  # closes at 17:30
        (datetime(2026, 11, 25, 19, 59, tzinfo=UTC), True),  # Wednesday late opening
        (datetime(2026, 11, 29, 12, 0, tzinfo=UTC), False),  # Sunday: closed
        (datetime(2026, 7, 6, 8, 45, tzinfo=UTC), True),  # Monday 9:45 BST in summer
        (datetime(2026, 7, 6, 16, 45, tzinfo=UTC), False),  # 17:45 BST
    ],
)
def test_is_open(profile, now, open_now):
    assert is_open(profile, now) is open_now


@pytest.mark.parametrize(
    "now, opens, words",
    [
        (datetime(2026, 11, 23, 7, 0, tzinfo=UTC), datetime(2026, 11, 23, 9, 30), "today at 9:30am"),
        (datetime(2026, 11, 23, 18, 0, tzinfo=UTC), datetime(2026, 11, 24, 9, 30), "tomorrow at 9:30am"),
        (datetime(2026, 11, 28, 15, 0, tzinfo=UTC), datetime(2026, 11, 30, 9, 30), "on Monday at 9:30am"),
        (datetime(2026, 11, 27, 17, 30, tzinfo=UTC), datetime(2026, 11, 28, 10, 0), "tomorrow at 10am"),
    ],
)
def test_next_opening(profile, now, opens, words):
    found = next_opening(profile, now)
    assert found.replace(tzinfo=None) == opens
    assert describe_opening(profile, found, now) == words


def test_next_opening_is_none_for_a_clinic_that_never_opens(profile):
    closed = profile.copy(update={"opening_hours": profile.opening_hours.copy(update={d: "closed" for d in (
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")})})
    assert next_opening(closed, datetime(2026, 11, 23, 12, 0, tzinfo=UTC)) is None


def test_naive_times_are_refused(profile):
    with pytest.raises(ValueError):
        is_open(profile, datetime(2026, 11, 23, 12, 0))


def test_handoff_reply_while_open_gives_the_usual_reply_time(profile):
    reply = handoff_reply(profile, datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    assert reply.response == "utter_handoff_open"
    assert reply.values["reply_minutes"] == profile.handoff_reply_minutes
    assert reply.values["phone"] == profile.phone


def test_handoff_reply_while_closed_says_when_a_person_will_reply(profile):
    reply = handoff_reply(profile, datetime(2026, 11, 29, 12, 0, tzinfo=UTC))  # Sunday
    assert reply.response == "utter_handoff_closed"
    assert reply.values["next_opening"] == "tomorrow at 9:30am"
