"""Is the clinic open now, and when does it open next? In the clinic's own time zone."""

from datetime import datetime, timedelta
from typing import Optional

from actions.answers import clock
from actions.profile import WEEKDAYS, ClinicProfile

DAYS_AHEAD = 7


def local_time(profile: ClinicProfile, now: datetime) -> datetime:
    """`now` (time-zone aware) as the clinic's local time."""
    if now.tzinfo is None:
        raise ValueError("now must be time-zone aware")
    return now.astimezone(profile.zone)


def is_open(profile: ClinicProfile, now: datetime) -> bool:
    local = local_time(profile, now)
    span = profile.opening_hours.span(WEEKDAYS[local.weekday()])
    return span is not None and span[0] <= local.time().replace(tzinfo=None) < span[1]


def next_opening(profile: ClinicProfile, now: datetime) -> Optional[datetime]:
    """The next time the clinic opens after `now` (local time), or None if it never opens."""
    local = local_time(profile, now)
    for days in range(DAYS_AHEAD + 1):
        day = local.date() + timedelta(days=days)
        span = profile.opening_hours.span(WEEKDAYS[day.weekday()])
        if span is None:
            continue
        opens = datetime.combine(day, span[0], tzinfo=profile.zone)
        if opens > local:
            return opens
    return None


def describe_opening(profile: ClinicProfile, opens: datetime, now: datetime) -> str:
    """"today at 9:30am", "tomorrow at 10am" or "on Monday at 9:30am"."""
    local_now = local_time(profile, now)
    days = (opens.date() - local_now.date()).days
    when = "today" if days == 0 else "tomorrow" if days == 1 else f"on {opens.strftime('%A')}"
    return f"{when} at {clock(opens.time())}"
