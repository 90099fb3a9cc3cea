"""Open now, and when next: in the clinic's time zone, whatever the machine's, skipping bank holidays
and the profile's closed dates.

Every time below is UTC; the sample clinic is in Europe/London (GMT in winter, BST from the last
Sunday of March to the last Sunday of October) and closes on England and Wales bank holidays.
"""

from datetime import date, datetime, timezone

import pytest

from actions.handoff import handoff_reply
from actions.opening_times import bank_holiday, closing_time, describe_opening, is_open, next_opening

UTC = timezone.utc


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def variant(profile, **changes):
    """The sample profile with some fields changed (values as the validated profile holds them)."""
    return profile.copy(update=changes)


@pytest.mark.parametrize(
    "now, open_now",
    [
        (at(2026, 11, 23, 9, 30), True),  # Monday 9:30 GMT: opens at 9:30
        (at(2026, 11, 23, 9, 29), False),
        (at(2026, 11, 23, 17, 29), True),  # the last minute before closing
        (at(2026, 11, 23, 17, 30), False),  # closes at 17:30
        (at(2026, 11, 25, 19, 59), True),  # Wednesday late opening
        (at(2026, 11, 29, 12, 0), False),  # Sunday: closed
        (at(2026, 7, 6, 8, 45), True),  # Monday 9:45 BST in summer
        (at(2026, 7, 6, 16, 45), False),  # 17:45 BST
        # the clocks go forward on Sunday 29 March 2026: Monday opens at 9:30 BST, 8:30 UTC
        (at(2026, 3, 30, 8, 29), False),
        (at(2026, 3, 30, 8, 30), True),
        # the clocks go back on Sunday 25 October 2026: Monday opens at 9:30 GMT, 9:30 UTC
        (at(2026, 10, 26, 8, 45), False),
        (at(2026, 10, 26, 9, 30), True),
        # bank holidays (England and Wales)
        (at(2026, 5, 4, 12, 0), False),  # Monday: Early May bank holiday
        (at(2026, 12, 25, 12, 0), False),  # Friday: Christmas Day
        (at(2026, 12, 26, 11, 0), True),  # Saturday 26th: Boxing Day, but the bank holiday is Monday
        (at(2026, 12, 28, 12, 0), False),  # Monday: Boxing Day's substitute day
        (at(2026, 12, 29, 12, 0), True),  # Tuesday: open again
        (at(2027, 1, 1, 12, 0), False),  # Friday: New Year's Day
        (at(2027, 3, 26, 12, 0), False),  # Good Friday 2027
        (at(2027, 3, 29, 10, 0), False),  # Easter Monday 2027 (the day after the clocks go forward)
        (at(2027, 3, 30, 8, 30), True),  # Tuesday 9:30 BST
        (at(2027, 12, 27, 12, 0), False),  # Monday: Christmas Day's substitute day (25th is a Saturday)
        (at(2027, 12, 28, 12, 0), False),  # Tuesday: Boxing Day's substitute day
    ],
)
def test_is_open(profile, now, open_now):
    assert is_open(profile, now) is open_now


@pytest.mark.parametrize(
    "now, opens, words",
    [
        (at(2026, 11, 23, 7, 0), datetime(2026, 11, 23, 9, 30), "today at 9:30am"),
        (at(2026, 11, 23, 18, 0), datetime(2026, 11, 24, 9, 30), "tomorrow at 9:30am"),
        (at(2026, 11, 28, 15, 0), datetime(2026, 11, 30, 9, 30), "on Monday at 9:30am"),
        (at(2026, 11, 27, 17, 30), datetime(2026, 11, 28, 10, 0), "tomorrow at 10am"),
        # Thursday evening before Christmas Day (a Friday): Saturday 26th, not a bank holiday
        (at(2026, 12, 24, 20, 0), datetime(2026, 12, 26, 10, 0), "on Saturday at 10am"),
        # Saturday afternoon: Sunday closed, Monday 28th the substitute day
        (at(2026, 12, 26, 14, 0), datetime(2026, 12, 29, 9, 30), "on Tuesday at 9:30am"),
        # New Year's Eve evening: New Year's Day is a Friday
        (at(2026, 12, 31, 20, 0), datetime(2027, 1, 2, 10, 0), "on Saturday at 10am"),
        # the Thursday before Easter 2027: Good Friday skipped
        (at(2027, 3, 25, 20, 0), datetime(2027, 3, 27, 10, 0), "on Saturday at 10am"),
        # Easter Saturday 2027: Sunday closed (the clocks go forward), Easter Monday skipped
        (at(2027, 3, 27, 14, 0), datetime(2027, 3, 30, 9, 30), "on Tuesday at 9:30am"),
        # Saturday before the Spring bank holiday 2026
        (at(2026, 5, 23, 13, 0), datetime(2026, 5, 26, 9, 30), "on Tuesday at 9:30am"),
    ],
)
def test_next_opening(profile, now, opens, words):
    found = next_opening(profile, now)
    assert found.replace(tzinfo=None) == opens
    assert describe_opening(profile, found, now) == words


@pytest.mark.parametrize(
    "now, opens_utc",
    [
        (at(2026, 3, 28, 13, 0), at(2026, 3, 30, 8, 30)),  # over the clocks going forward: 9:30 BST
        (at(2026, 10, 24, 14, 0), at(2026, 10, 26, 9, 30)),  # over the clocks going back: 9:30 GMT
        (at(2027, 3, 27, 14, 0), at(2027, 3, 30, 8, 30)),  # Easter 2027 and the clocks together
    ],
)
def test_next_opening_is_the_right_instant_when_the_clocks_change(profile, now, opens_utc):
    assert next_opening(profile, now) == opens_utc


@pytest.mark.parametrize(
    "region, now, open_now",
    [
        ("scotland", at(2027, 3, 29, 10, 0), True),  # no Easter Monday bank holiday in Scotland
        ("scotland", at(2026, 8, 31, 12, 0), True),  # nor England's late summer one
        ("scotland", at(2026, 8, 3, 11, 0), False),  # Scotland's summer bank holiday
        ("scotland", at(2026, 11, 30, 12, 0), False),  # St Andrew's Day
        ("scotland", at(2027, 1, 4, 12, 0), False),  # 2 January's substitute day (the 2nd is a Saturday)
        ("northern-ireland", at(2026, 3, 17, 12, 0), False),  # St Patrick's Day
        ("northern-ireland", at(2026, 7, 13, 11, 0), False),  # Battle of the Boyne, substitute day
        ("none", at(2026, 12, 25, 12, 0), True),  # a clinic that opens on bank holidays
        ("none", at(2027, 3, 29, 10, 0), True),
    ],
)
def test_each_region_has_its_own_bank_holidays(profile, region, now, open_now):
    assert is_open(variant(profile, closed_on_bank_holidays=region), now) is open_now


@pytest.mark.parametrize(
    "day, name",
    [
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 26), None),  # a Saturday: the bank holiday is the substitute day
        (date(2026, 12, 28), "Boxing Day, substitute day"),
        (date(2027, 12, 27), "Christmas Day, substitute day"),
        (date(2027, 3, 29), "Easter Monday"),
        (date(2026, 11, 23), None),
    ],
)
def test_bank_holiday_names(profile, day, name):
    assert bank_holiday(profile, day) == name


CHRISTMAS_BREAK = ((date(2026, 12, 24), date(2026, 12, 24)), (date(2026, 12, 29), date(2026, 12, 31)))


@pytest.mark.parametrize(
    "now, open_now",
    [
        (at(2026, 12, 23, 12, 0), True),
        (at(2026, 12, 24, 12, 0), False),  # a closed date
        (at(2026, 12, 26, 11, 0), True),
        (at(2026, 12, 30, 12, 0), False),  # inside a run of closed dates
        (at(2026, 12, 31, 19, 0), False),  # its last day
    ],
)
def test_closed_dates_are_closed(profile, now, open_now):
    assert is_open(variant(profile, closed_dates=CHRISTMAS_BREAK), now) is open_now


def test_next_opening_skips_closed_dates_and_bank_holidays_and_names_a_date_beyond_a_week(profile):
    closed = variant(profile, closed_dates=CHRISTMAS_BREAK)
    now = at(2026, 12, 26, 14, 0)  # Saturday: Monday a bank holiday, Tuesday to Thursday closed, Friday New Year
    found = next_opening(closed, now)
    assert found.replace(tzinfo=None) == datetime(2027, 1, 2, 10, 0)
    assert describe_opening(closed, found, now) == "on Saturday 2 January at 10am"


def test_next_opening_after_a_long_closure(profile):
    closed = variant(profile, closed_dates=((date(2026, 12, 1), date(2027, 1, 31)),))
    now = at(2026, 11, 30, 18, 0)
    found = next_opening(closed, now)
    assert describe_opening(closed, found, now) == "on Monday 1 February at 9:30am"


def test_next_opening_is_none_for_a_clinic_that_never_opens(profile):
    closed = variant(profile, opening_hours=profile.opening_hours.copy(update={d: "closed" for d in (
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}))
    assert next_opening(closed, at(2026, 11, 23, 12, 0)) is None


def test_naive_times_are_refused(profile):
    with pytest.raises(ValueError):
        is_open(profile, datetime(2026, 11, 23, 12, 0))


def test_closing_time_only_while_open(profile):
    assert closing_time(profile, at(2026, 11, 25, 12, 0)).replace(tzinfo=None) == datetime(2026, 11, 25, 20, 0)
    assert closing_time(profile, at(2026, 11, 25, 20, 0)) is None


# --- what the hand-off tells the client ------------------------------------------------------------
@pytest.mark.parametrize(
    "now, response, values",
    [
        (at(2026, 11, 23, 12, 0), "utter_handoff_open", {"reply_minutes": 30}),
        (at(2026, 11, 23, 17, 0), "utter_handoff_open", {"reply_minutes": 30}),  # exactly 30 minutes left
        # fewer than 30 minutes before closing: no promise of a reply in 30 minutes
        (at(2026, 11, 23, 17, 1), "utter_handoff_closing", {"closing_time": "5:30pm", "next_opening": "tomorrow at 9:30am"}),
        (at(2026, 11, 23, 17, 29), "utter_handoff_closing", {"closing_time": "5:30pm", "next_opening": "tomorrow at 9:30am"}),
        (at(2026, 11, 23, 17, 30), "utter_handoff_closed", {"next_opening": "tomorrow at 9:30am"}),
        (at(2026, 7, 4, 12, 45), "utter_handoff_closing", {"closing_time": "2pm", "next_opening": "on Monday at 9:30am"}),  # Saturday 13:45 BST
        # Christmas Eve's late opening: closing soon, and Christmas Day is skipped
        (at(2026, 12, 24, 19, 40), "utter_handoff_closing", {"closing_time": "8pm", "next_opening": "on Saturday at 10am"}),
        (at(2026, 11, 29, 12, 0), "utter_handoff_closed", {"next_opening": "tomorrow at 9:30am"}),  # Sunday
        (at(2026, 12, 25, 10, 0), "utter_handoff_bank_holiday", {"bank_holiday": "Christmas Day", "next_opening": "tomorrow at 10am"}),
        (at(2026, 12, 28, 10, 0), "utter_handoff_bank_holiday",
         {"bank_holiday": "Boxing Day, substitute day", "next_opening": "tomorrow at 9:30am"}),
        (at(2027, 3, 29, 10, 0), "utter_handoff_bank_holiday", {"bank_holiday": "Easter Monday", "next_opening": "tomorrow at 9:30am"}),
        # Friday evening before the Easter Monday: Saturday morning is next
        (at(2027, 3, 26, 18, 0), "utter_handoff_bank_holiday", {"bank_holiday": "Good Friday", "next_opening": "tomorrow at 10am"}),
        (at(2027, 3, 27, 14, 0), "utter_handoff_closed", {"next_opening": "on Tuesday at 9:30am"}),
    ],
)
def test_handoff_reply(profile, now, response, values):
    reply = handoff_reply(profile, now)
    assert reply.response == response
    assert {key: reply.values.get(key) for key in values} == values
    assert reply.values["phone"] == profile.phone


def test_handoff_reply_closing_soon_follows_the_profile_reply_time(profile):
    slow = variant(profile, handoff_reply_minutes=120)
    assert handoff_reply(slow, at(2026, 11, 23, 15, 29)).response == "utter_handoff_open"
    assert handoff_reply(slow, at(2026, 11, 23, 15, 31)).response == "utter_handoff_closing"


def test_handoff_reply_on_a_closed_date_is_the_closed_reply(profile):
    closed = variant(profile, closed_dates=CHRISTMAS_BREAK)
    reply = handoff_reply(closed, at(2026, 12, 24, 12, 0))
    assert reply.response == "utter_handoff_closed"
    assert reply.values["next_opening"] == "on Saturday at 10am"
