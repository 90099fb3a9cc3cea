"""Is the clinic open now, and when does it open next? In the clinic's own time zone.

A day is closed when the weekly `opening_hours` say so, when it is one of the profile's
`closed_dates`, or when it is a bank holiday of the profile's `closed_on_bank_holidays` region.
Bank holidays come from the `holidays` library's United Kingdom calendar. They are the official
lists: a Christmas Day, Boxing Day or New Year's Day that falls at a weekend is not itself a bank
holiday, the weekday "substitute day" after it is (the library calls that day "(observed)").
"""

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Optional, Tuple

import holidays

from actions.answers import clock
from actions.profile import WEEKDAYS, ClinicProfile

# How far ahead to look for the next opening: long enough for any closure a clinic would list.
DAYS_AHEAD = 400
# A week or more away, "on Monday" is ambiguous: the date is added.
NAMED_DAY_WITHIN = 7


def local_time(profile: ClinicProfile, now: datetime) -> datetime:
    """`now` (time-zone aware) as the clinic's local time."""
    if now.tzinfo is None:
        raise ValueError("now must be time-zone aware")
    return now.astimezone(profile.zone)


@lru_cache(maxsize=None)
def _uk_calendar(subdivision: str) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv=subdivision)


def bank_holiday(profile: ClinicProfile, day: date) -> Optional[str]:
    """The name of the bank holiday the clinic closes for on `day` ("Easter Monday", "Boxing Day,
    substitute day"), or None."""
    region = profile.bank_holiday_region
    if region is None or day.weekday() >= 5:  # bank holidays are weekdays: see the module's notes
        return None
    names = _uk_calendar(region).get_list(day)
    return " and ".join(name.replace(" (observed)", ", substitute day") for name in names) or None


def is_closed_date(profile: ClinicProfile, day: date) -> bool:
    """One of the profile's `closed_dates`."""
    return any(first <= day <= last for first, last in profile.closed_dates)


def opening_span(profile: ClinicProfile, day: date) -> Optional[Tuple[datetime, datetime]]:
    """When the clinic opens and closes on `day` (local time), or None when it is closed all day."""
    span = profile.opening_hours.span(WEEKDAYS[day.weekday()])
    if span is None or is_closed_date(profile, day) or bank_holiday(profile, day):
        return None
    return datetime.combine(day, span[0], tzinfo=profile.zone), datetime.combine(day, span[1], tzinfo=profile.zone)


def closing_time(profile: ClinicProfile, now: datetime) -> Optional[datetime]:
    """When the clinic closes today (local time) if it is open at `now`, else None."""
    local = local_time(profile, now)
    span = opening_span(profile, local.date())
    if span is None or not span[0] <= local < span[1]:
        return None
    return span[1]


def is_open(profile: ClinicProfile, now: datetime) -> bool:
    return closing_time(profile, now) is not None


def minutes_until(moment: datetime, now: datetime) -> float:
    """Real minutes from `now` to `moment` (in UTC, so a change of the clocks between counts)."""
    return (moment.astimezone(timezone.utc) - now.astimezone(timezone.utc)).total_seconds() / 60


def next_opening(profile: ClinicProfile, now: datetime) -> Optional[datetime]:
    """The next time the clinic opens after `now` (local time), or None if it never opens."""
    local = local_time(profile, now)
    for days in range(DAYS_AHEAD + 1):
        span = opening_span(profile, local.date() + timedelta(days=days))
        if span is not None and span[0] > local:
            return span[0]
    return None


def describe_opening(profile: ClinicProfile, opens: datetime, now: datetime) -> str:
    """"today at 9:30am", "tomorrow at 10am", "on Monday at 9:30am", or beyond a week
    "on Monday 4 January at 9:30am"."""
    local_now = local_time(profile, now)
    days = (opens.date() - local_now.date()).days
    if days == 0:
        when = "today"
    elif days == 1:
        when = "tomorrow"
    elif days < NAMED_DAY_WITHIN:
        when = f"on {opens.strftime('%A')}"
    else:
        when = f"on {opens.strftime('%A')} {opens.day} {opens.strftime('%B')}"
    return f"{when} at {clock(opens.time())}"
