"""The clinic profile: one YAML file with every clinic-specific fact the assistant quotes.

`load_profile()` reads and validates it; any missing or invalid field raises `ProfileError` with
a message naming the field (for example `opening_hours -> monday`). `get_profile()` is the cached
profile the actions use; the path comes from `CLINIC_PROFILE` or defaults to clinic/profile.yml
next to this package.
"""

import os
import re
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from string import Formatter
from typing import Any, Dict, Iterator, List, Literal, Optional, Tuple, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, Extra, HttpUrl, ValidationError, conint, constr, root_validator, validator

DEFAULT_PROFILE_PATH = Path(__file__).resolve().parent.parent / "clinic" / "profile.yml"

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
TREATMENTS = ("hairline", "full_head", "crown", "scar", "thinning", "touch_up")

# `closed_on_bank_holidays`: the UK bank holidays a clinic closes on, by region, as the `holidays`
# library's United Kingdom subdivision codes (England and Wales share one list).
BANK_HOLIDAY_REGIONS = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR"}
NO_BANK_HOLIDAYS = "none"

_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A consultation called free in one sentence: "free consultation", "the consultation is free" …
FREE_CONSULTATION = re.compile(
    r"\bfree\b[^.?!\n]{0,40}\bconsultations?\b|\bconsultations?\b[^.?!\n]{0,40}\bfree\b", re.IGNORECASE
)

NonEmpty = constr(strip_whitespace=True, min_length=1)


class ProfileError(Exception):
    """The clinic profile is missing, unreadable or invalid."""


class _Model(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


class Town(_Model):
    name: NonEmpty
    travel_note: NonEmpty


class Address(_Model):
    lines: List[NonEmpty]
    postcode: NonEmpty
    directions: NonEmpty
    parking: NonEmpty
    accessibility: NonEmpty

    @validator("lines")
    def _not_empty(cls, lines: List[str]) -> List[str]:
        if not lines:
            raise ValueError("needs at least one address line")
        return lines


class Practitioner(_Model):
    name: NonEmpty
    role: NonEmpty
    experience_years: conint(ge=0, le=60)
    training: NonEmpty
    council_registration: NonEmpty


class PriceRange(_Model):
    label: NonEmpty
    from_: conint(ge=0)
    to: conint(ge=0)
    # What the price buys: the whole course of sessions, or one session (a later touch-up).
    per: Literal["course", "session"]

    class Config:
        fields = {"from_": "from"}

    @root_validator(skip_on_failure=True)
    def _ordered(cls, values: Dict) -> Dict:
        if values["from_"] > values["to"]:
            raise ValueError("'from' must not be more than 'to'")
        return values


class Consultation(_Model):
    length_minutes: conint(ge=5, le=240)
    formats: NonEmpty
    price: NonEmpty
    # When the clinic contacts a client after a consultation request, e.g. "within one working day".
    response_time: NonEmpty

    @property
    def is_free(self) -> bool:
        """Whether the consultation costs nothing ("free", "Free of charge")."""
        return self.price.strip().lower().startswith("free")


class Sessions(_Model):
    typical_count: conint(ge=1, le=10)
    count_range: NonEmpty
    length: NonEmpty
    spacing: NonEmpty


class Aftercare(_Model):
    keep_dry_days: conint(ge=0, le=60)
    no_gym_days: conint(ge=0, le=60)
    no_swimming_days: conint(ge=0, le=90)
    sun_protection_spf: conint(ge=15, le=100)
    resume_shaving_days: conint(ge=0, le=60)
    back_to_work: NonEmpty
    # How long the scalp usually takes to heal after a session, e.g. "about 7 to 10 days".
    healing_time: NonEmpty
    # Whether and how clients get the guidance in writing (a sentence).
    written_guidance: NonEmpty


class LaserRemoval(_Model):
    """Whether the clinic itself offers laser removal: offered, not_offered, or referral (it
    doesn't, but refers clients to a laser clinic); `note` is an optional sentence added to it."""

    service: Literal["offered", "not_offered", "referral"]
    note: Optional[NonEmpty] = None


class OpeningHours(_Model):
    monday: NonEmpty
    tuesday: NonEmpty
    wednesday: NonEmpty
    thursday: NonEmpty
    friday: NonEmpty
    saturday: NonEmpty
    sunday: NonEmpty

    @validator("*")
    def _hours_or_closed(cls, value: str) -> str:
        if value.lower() == "closed":
            return "closed"
        match = _HOURS.match(value)
        if not match:
            raise ValueError('must be "HH:MM-HH:MM" (24-hour clock) or "closed"')
        opens, closes = _span(value)
        if opens >= closes:
            raise ValueError("must open before it closes")
        return value

    def span(self, weekday: str) -> Optional[Tuple[time, time]]:
        """Opening and closing time on a weekday, or None when closed."""
        value = getattr(self, weekday)
        return None if value == "closed" else _span(value)


def _span(value: str) -> Tuple[time, time]:
    opens, closes = value.split("-")
    return time.fromisoformat(opens), time.fromisoformat(closes)


_DATE_RUN = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+to\s+(\d{4}-\d{2}-\d{2})$")
_CLOSED_DATES_FORMAT = 'a date "YYYY-MM-DD" or a run of dates "YYYY-MM-DD to YYYY-MM-DD"'
_CLOSED_ON_BANK_HOLIDAYS = re.compile(r"\bclosed\b[^.]*\bbank[- ]holidays?\b", re.IGNORECASE)
_BANK_HOLIDAY = re.compile(r"\bbank[- ]holidays?\b", re.IGNORECASE)


def _one_date(text: str, number: int) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise ValueError(f"entry {number} ({text}): {text} is not a real date") from error


def _closed_run(item: Any, number: int) -> Tuple[date, date]:
    """One `closed_dates` entry as (first day, last day)."""
    if isinstance(item, datetime):  # YAML reads "2026-12-24 09:00" as a date and time
        raise ValueError(f"entry {number} ({item}): give whole days, {_CLOSED_DATES_FORMAT}")
    if isinstance(item, date):
        return item, item
    text = str(item).strip()
    run = _DATE_RUN.match(text)
    if run:
        first, last = _one_date(run.group(1), number), _one_date(run.group(2), number)
        if last < first:
            raise ValueError(f"entry {number} ({text}): the run ends before it starts")
        return first, last
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        day = _one_date(text, number)
        return day, day
    raise ValueError(f"entry {number} ({text}): must be {_CLOSED_DATES_FORMAT}")


class Widget(_Model):
    """How the website chat widget looks: the clinic's colour, the corner, the first message."""

    colour: NonEmpty
    position: NonEmpty
    greeting: NonEmpty

    @validator("colour")
    def _hex_colour(cls, value: str) -> str:
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            raise ValueError('must be a colour like "#1f4e5f"')
        return value

    @validator("position")
    def _corner(cls, value: str) -> str:
        if value not in ("left", "right"):
            raise ValueError('must be "left" or "right"')
        return value


class ClinicProfile(_Model):
    sample: bool
    name: NonEmpty
    town: NonEmpty
    towns_served: List[Town]
    address: Address
    phone: NonEmpty
    email: NonEmpty
    gallery_url: HttpUrl
    reviews_url: HttpUrl
    privacy_notice_url: HttpUrl
    booking_url: HttpUrl
    # The booking page with the client's details filled in: {name} and {email} are replaced
    # (URL-encoded) when the page accepts them. Empty: booking_url is used as it is.
    booking_link_template: Optional[NonEmpty] = None
    timezone: NonEmpty
    opening_hours: OpeningHours
    # The UK bank holidays the clinic closes on: a key of BANK_HOLIDAY_REGIONS, or "none".
    closed_on_bank_holidays: str
    # Other days the clinic is closed (Christmas week, training days): (first day, last day) runs.
    closed_dates: Tuple[Tuple[date, date], ...] = ()
    # How soon a person usually replies to a hand-off while the clinic is open.
    handoff_reply_minutes: conint(ge=1, le=1440)
    # Conversations and consultation requests are deleted after this many days.
    retention_days: conint(ge=1, le=3650)
    hours_note: NonEmpty
    practitioners: List[Practitioner]
    premises_registration: NonEmpty
    insurance: NonEmpty
    hygiene: NonEmpty
    follow_up_policy: NonEmpty
    currency_symbol: NonEmpty
    prices: Dict[str, PriceRange]
    deposit_policy: NonEmpty
    cancellation_policy: NonEmpty
    payment_options: NonEmpty
    consultation: Consultation
    sessions: Sessions
    aftercare: Aftercare
    patch_test: NonEmpty
    numbing: NonEmpty
    laser_removal: LaserRemoval
    # What the gallery's photos show (healed or fresh, how long after treatment, retouched or not).
    gallery_note: NonEmpty
    # The clinic's policy on pregnancy and breastfeeding, quoted when a client mentions either.
    pregnancy_policy: NonEmpty
    widget: Widget

    @validator("email")
    def _email(cls, value: str) -> str:
        if not _EMAIL.match(value):
            raise ValueError("is not an e-mail address")
        return value

    @validator("timezone")
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError("is not an IANA time zone such as Europe/London") from error
        return value

    @validator("closed_on_bank_holidays", pre=True)
    def _bank_holiday_region(cls, value: Union[str, bool, None]) -> str:
        choices = ", ".join([*BANK_HOLIDAY_REGIONS, NO_BANK_HOLIDAYS])
        if value is False:  # YAML reads an unquoted `no` or `false` as false
            return NO_BANK_HOLIDAYS
        if not isinstance(value, str):
            raise ValueError(f"must name the bank holidays the clinic closes on: one of {choices}")
        region = re.sub(r"[\s_]+", "-", value.strip().lower())
        if region not in (*BANK_HOLIDAY_REGIONS, NO_BANK_HOLIDAYS):
            raise ValueError(f"unknown '{value}': must be one of {choices}")
        return region

    @validator("closed_dates", pre=True)
    def _closed_dates(cls, value: Any) -> Tuple[Tuple[date, date], ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise ValueError(f"must be a list; each entry {_CLOSED_DATES_FORMAT}")
        return tuple(_closed_run(item, number) for number, item in enumerate(value, start=1))

    @validator("hours_note")
    def _hours_note_agrees_on_bank_holidays(cls, note: str, values: Dict[str, Any]) -> str:
        region = values.get("closed_on_bank_holidays")
        if region is None:  # itself invalid: reported there
            return note
        if region == NO_BANK_HOLIDAYS and _CLOSED_ON_BANK_HOLIDAYS.search(note):
            raise ValueError("says the clinic is closed on bank holidays, but closed_on_bank_holidays is none")
        if region != NO_BANK_HOLIDAYS and not _BANK_HOLIDAY.search(note):
            raise ValueError(
                f"closed_on_bank_holidays is {region}: say so here too, e.g. \"We're closed on bank holidays.\""
            )
        return note

    @property
    def bank_holiday_region(self) -> Optional[str]:
        """The `holidays` library's UK subdivision code, or None when the clinic opens on bank holidays."""
        return BANK_HOLIDAY_REGIONS.get(self.closed_on_bank_holidays)

    @validator("booking_link_template")
    def _booking_template(cls, value: Optional[str]) -> Optional[str]:
        if value is None:
            return value
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) address")
        try:
            names = {name for _, name, _, _ in Formatter().parse(value) if name is not None}
        except ValueError as error:
            raise ValueError(f"has a malformed placeholder ({error})") from error
        unknown = names - {"name", "email"}
        if unknown:
            raise ValueError(f"unknown placeholder(s) {sorted(unknown)}: only {{name}} and {{email}}")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @validator("phone")
    def _phone(cls, value: str) -> str:
        if sum(ch.isdigit() for ch in value) < 10:
            raise ValueError("needs at least 10 digits")
        return value

    @validator("practitioners", "towns_served")
    def _at_least_one(cls, value: List) -> List:
        if not value:
            raise ValueError("needs at least one entry")
        return value

    @validator("prices")
    def _every_treatment_priced(cls, prices: Dict[str, PriceRange]) -> Dict[str, PriceRange]:
        missing = [name for name in TREATMENTS if name not in prices]
        unknown = [name for name in prices if name not in TREATMENTS]
        if missing:
            raise ValueError(f"missing treatment(s): {', '.join(missing)}")
        if unknown:
            raise ValueError(
                f"unknown treatment(s): {', '.join(unknown)}; known: {', '.join(TREATMENTS)}"
            )
        return prices

    @root_validator(skip_on_failure=True)
    def _free_only_if_free(cls, values: Dict) -> Dict:
        """A paid consultation must not be advertised as free anywhere in the profile."""
        consultation = values["consultation"]
        if consultation.is_free:
            return values
        for path, text in _texts(values):
            if FREE_CONSULTATION.search(text):
                raise ValueError(
                    f"field '{path}': calls the consultation free, but 'consultation -> price' "
                    f"is '{consultation.price}'; reword it"
                )
        return values


def _texts(value: Any, path: str = "") -> Iterator[Tuple[str, str]]:
    """Every string in a profile (or part of one) with its field path, e.g. "widget -> greeting"."""
    if isinstance(value, BaseModel):
        value = {name: getattr(value, name) for name in value.__fields__}
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, f"{path} -> {key}" if path else str(key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _texts(item, f"{path} -> {index}")
    elif isinstance(value, str):
        yield path, value


def _field_path(location: Tuple) -> str:
    parts = [part for part in location if part != "__root__"]
    return " -> ".join("from" if part == "from_" else str(part) for part in parts)


def _problem(item: Dict) -> str:
    path = _field_path(item["loc"])
    # A check across fields (a root validator) names its fields in its own message.
    return f"field '{path}': {item['msg']}" if path else item["msg"]


def load_profile(path: Optional[Path] = None) -> ClinicProfile:
    """Reads and validates a clinic profile; raises ProfileError naming each bad field."""
    path = Path(path or os.environ.get("CLINIC_PROFILE") or DEFAULT_PROFILE_PATH)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ProfileError(f"clinic profile {path}: cannot be read ({error.strerror})") from error
    except yaml.YAMLError as error:
        raise ProfileError(f"clinic profile {path}: is not valid YAML ({error})") from error
    if not isinstance(raw, dict):
        raise ProfileError(f"clinic profile {path}: must be a mapping of fields")
    try:
        return ClinicProfile.parse_obj(raw)
    except ValidationError as error:
        problems = "; ".join(_problem(item) for item in error.errors())
        raise ProfileError(f"clinic profile {path}: {problems}") from error


@lru_cache(maxsize=1)
def get_profile() -> ClinicProfile:
    """The clinic profile, loaded once per process."""
    return load_profile()


def retention_period(days: int) -> str:
    """How long records are kept, in the words a client would use: "12 months", "90 days"."""
    if days % 365 == 0:
        years = days // 365
        return "12 months" if years == 1 else f"{years} years"
    if days % 30 == 0 and days >= 60:
        return f"{days // 30} months"
    return "1 day" if days == 1 else f"{days} days"
