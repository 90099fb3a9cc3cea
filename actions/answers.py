"""Which responses answer a question, and the clinic's values that fill them.

Every sentence a client sees lives in the domain's `responses:`; this module only chooses the
response names and supplies the `{placeholders}` from the clinic profile. `answer()` is a pure
function of the question and the profile, so each answer can be tested without Rasa.
"""

import re
from dataclasses import dataclass, field
from datetime import time
from typing import Any, Callable, Dict, List, Optional

from actions.profile import WEEKDAYS, ClinicProfile, Town
from actions.red_flags import detect_red_flags

# Canonical entity values (data/nlu/lookups/) and the responses that answer them.
CONDITIONS = ("alopecia", "scar", "thinning", "women", "grey_hair", "skin_tone")
MAX_SPECIFIC_ANSWERS = 2
# What a price buys (the profile's `per`), as said after the price.
PRICE_BASIS = {"course": "for the whole course", "session": "per session"}
# Small numbers are written as words in answers.
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


@dataclass(frozen=True)
class Question:
    """The client's latest message as the NLU understood it."""

    intent: str
    text: str = ""
    entities: Dict[str, List[str]] = field(default_factory=dict)
    # How sure the NLU was of the intent (0 when it did not say); not part of what was asked.
    confidence: float = field(default=0.0, compare=False)

    def values(self, entity: str) -> List[str]:
        """Distinct values of one entity, in the order they were found."""
        return list(dict.fromkeys(self.entities.get(entity, [])))


@dataclass(frozen=True)
class Reply:
    """One response to send, the values for its placeholders, and any buttons chosen at run time
    (added after the response's own; their titles come from a vocabulary such as actions.topics)."""

    response: str
    values: Dict[str, Any] = field(default_factory=dict)
    buttons: List[Dict[str, str]] = field(default_factory=list)


def clinic_values(profile: ClinicProfile) -> Dict[str, Any]:
    """Values any response may use."""
    return {
        "clinic_name": profile.name,
        "phone": profile.phone,
        "email": profile.email,
        "opening_hours": opening_hours_text(profile),
        "hours_note": profile.hours_note,
        "booking_url": profile.booking_url,
        "consultation_phrase": consultation_phrase(profile),
    }


def consultation_phrase(profile: ClinicProfile) -> str:
    """"a free consultation" only when the profile's consultation price is free."""
    return "a free consultation" if profile.consultation.is_free else "a consultation"


def number_words(count: int) -> str:
    """3 -> "three"; numbers above ten stay as figures."""
    return NUMBER_WORDS[count] if 0 <= count < len(NUMBER_WORDS) else str(count)


def joined(items: List[str], last: str = "and") -> str:
    """"A", "A and B", "A, B and C"."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def money(profile: ClinicProfile, amount: int) -> str:
    return f"{profile.currency_symbol}{amount:,}"


def clock(moment: time) -> str:
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def opening_hours_text(profile: ClinicProfile) -> str:
    """The week's hours, consecutive days with the same hours grouped: one line a group."""
    groups: List[List[str]] = []
    for day in WEEKDAYS:
        if groups and getattr(profile.opening_hours, groups[-1][-1]) == getattr(
            profile.opening_hours, day
        ):
            groups[-1].append(day)
        else:
            groups.append([day])
    lines = []
    for days in groups:
        name = days[0].capitalize()
        if len(days) == 2:
            name += f" and {days[-1].capitalize()}"
        elif len(days) > 2:
            name += f" to {days[-1].capitalize()}"
        span = profile.opening_hours.span(days[0])
        hours = "closed" if span is None else f"{clock(span[0])} to {clock(span[1])}"
        lines.append(f"{name}: {hours}")
    return "\n".join(lines)


def _price_values(profile: ClinicProfile, treatment: str) -> Dict[str, Any]:
    price = profile.prices[treatment]
    return {
        "treatment": price.label,
        "price_from": money(profile, price.from_),
        "price_to": money(profile, price.to),
    }


def price_list(profile: ClinicProfile) -> str:
    """One line a treatment, each saying what its price buys: whole courses first, then the
    treatments priced per session (such as a later touch-up)."""
    prices = sorted(profile.prices.values(), key=lambda price: price.per != "course")
    return "\n".join(
        f"- {price.label}: {money(profile, price.from_)} to {money(profile, price.to)} {PRICE_BASIS[price.per]}"
        for price in prices
    )


def _mentioned_town(question: Question, profile: ClinicProfile) -> Optional[Town]:
    text = question.text.lower()
    places = [place.lower() for place in question.values("GPE")]
    for town in profile.towns_served:
        name = town.name.lower()
        if name in places or re.search(rf"\b{re.escape(name)}\b", text):
            return town
    return None


# --- one function per topic ----------------------------------------------------------------


def _what_is_smp(question: Question, profile: ClinicProfile) -> List[Reply]:
    return [Reply("utter_what_is_smp")]


def _procedure(question: Question, profile: ClinicProfile) -> List[Reply]:
    sessions = profile.sessions
    return [
        Reply(
            "utter_procedure",
            {"patch_test": profile.patch_test, "consultation_formats": profile.consultation.formats},
        ),
        Reply(
            "utter_procedure_sessions",
            {
                "session_count": number_words(sessions.typical_count),
                "session_range": sessions.count_range,
                "session_length": sessions.length,
                "session_spacing": sessions.spacing,
                "follow_up_policy": profile.follow_up_policy,
            },
        ),
    ]


def _pain(question: Question, profile: ClinicProfile) -> List[Reply]:
    return [Reply("utter_pain", {"numbing": profile.numbing})]


def _risks(question: Question, profile: ClinicProfile) -> List[Reply]:
    """What can happen, how we reduce it, and when to get help."""
    return [
        Reply("utter_risks"),
        Reply("utter_risks_reduce", {"hygiene": profile.hygiene, "patch_test": profile.patch_test}),
        Reply("utter_risks_get_help"),
    ]


def _aftercare(question: Question, profile: ClinicProfile) -> List[Reply]:
    care = profile.aftercare
    return [
        Reply(
            "utter_aftercare",
            {
                "keep_dry_days": care.keep_dry_days,
                "no_gym_days": care.no_gym_days,
                "no_swimming_days": care.no_swimming_days,
                "spf": care.sun_protection_spf,
                "resume_shaving_days": care.resume_shaving_days,
                "written_guidance": care.written_guidance,
            },
        ),
        Reply(
            "utter_aftercare_healing",
            {
                "healing_time": care.healing_time,
                "back_to_work": care.back_to_work,
                "no_swimming_days": care.no_swimming_days,
            },
        ),
    ]


def _cost(question: Question, profile: ClinicProfile) -> List[Reply]:
    payment = {
        "deposit_policy": profile.deposit_policy,
        "payment_options": profile.payment_options,
        "consultation_price": profile.consultation.price,
        "follow_up_policy": profile.follow_up_policy,
    }
    treatments = [t for t in question.values("treatment") if t in profile.prices]
    if treatments:
        replies = [
            Reply(
                "utter_cost_treatment_session" if profile.prices[treatment].per == "session" else "utter_cost_treatment",
                _price_values(profile, treatment),
            )
            for treatment in treatments[:MAX_SPECIFIC_ANSWERS]
        ]
        return replies + [Reply("utter_cost_payment", payment)]
    return [Reply("utter_cost_overview", {"price_list": price_list(profile)}), Reply("utter_cost_payment", payment)]


def _longevity(question: Question, profile: ClinicProfile) -> List[Reply]:
    touch_up = profile.prices["touch_up"]
    return [
        Reply("utter_longevity"),
        Reply(
            "utter_longevity_upkeep",
            {
                "touch_up_from": money(profile, touch_up.from_),
                "touch_up_to": money(profile, touch_up.to),
                "touch_up_per": PRICE_BASIS[touch_up.per],
                "spf": profile.aftercare.sun_protection_spf,
            },
        ),
    ]


def _suitability(question: Question, profile: ClinicProfile) -> List[Reply]:
    conditions = [c for c in question.values("condition") if c in CONDITIONS]
    if not conditions:
        return [Reply("utter_suitability"), Reply("utter_suitability_check")]
    return [Reply(f"utter_suitability_{c}") for c in conditions[:MAX_SPECIFIC_ANSWERS]]


def _results(question: Question, profile: ClinicProfile) -> List[Reply]:
    return [
        Reply("utter_results"),
        Reply("utter_results_photos", {"gallery_url": profile.gallery_url, "gallery_note": profile.gallery_note}),
    ]


def _removal(question: Question, profile: ClinicProfile) -> List[Reply]:
    """What laser removal involves, whether this clinic offers it, and correcting work done elsewhere."""
    laser = profile.laser_removal
    return [
        Reply("utter_removal"),
        Reply(f"utter_removal_laser_{laser.service}", {"laser_note": laser.note or ""}),
        Reply("utter_removal_correction"),
    ]


def _alternatives(question: Question, profile: ClinicProfile) -> List[Reply]:
    return [Reply("utter_alternatives")]


def _location(question: Question, profile: ClinicProfile) -> List[Reply]:
    address = {
        "address": ", ".join([*profile.address.lines, profile.address.postcode]),
        "directions": profile.address.directions,
        "parking": profile.address.parking,
        "accessibility": profile.address.accessibility,
        "towns_served": joined(
            [town.name for town in profile.towns_served if town.name.lower() != profile.town.lower()], "or"
        ),
    }
    town = _mentioned_town(question, profile)
    if town is not None:
        note = Reply("utter_location_town", {"town": town.name, "travel_note": town.travel_note})
        return [note, Reply("utter_location", address)]
    others = [place for place in question.values("GPE") if place.lower() != profile.town.lower()]
    if others:
        unknown = Reply(
            "utter_location_town_unknown", {"town": others[0], "consultation_formats": profile.consultation.formats}
        )
        return [unknown, Reply("utter_location", address)]
    return [Reply("utter_location", address)]


def _opening_hours(question: Question, profile: ClinicProfile) -> List[Reply]:
    return [Reply("utter_opening_hours", {"hours_note": profile.hours_note})]


def _credentials(question: Question, profile: ClinicProfile) -> List[Reply]:
    practitioners = [
        Reply(
            "utter_practitioner",
            {
                "practitioner_name": person.name,
                "practitioner_role": person.role,
                "experience_years": person.experience_years,
                "training": person.training,
                "council_registration": person.council_registration,
            },
        )
        for person in profile.practitioners
    ]
    clinic = Reply(
        "utter_credentials",
        {
            "premises_registration": profile.premises_registration,
            "insurance": profile.insurance,
            "reviews_url": profile.reviews_url,
            "gallery_url": profile.gallery_url,
        },
    )
    return [Reply("utter_practitioners_intro"), *practitioners, clinic]


ANSWERS: Dict[str, Callable[[Question, ClinicProfile], List[Reply]]] = {
    "ask_what_is_smp": _what_is_smp,
    "ask_procedure": _procedure,
    "ask_pain": _pain,
    "ask_risks": _risks,
    "ask_aftercare": _aftercare,
    "ask_cost": _cost,
    "ask_longevity": _longevity,
    "ask_suitability": _suitability,
    "ask_results": _results,
    "ask_removal": _removal,
    "ask_alternatives": _alternatives,
    "ask_location": _location,
    "ask_opening_hours": _opening_hours,
    "ask_credentials": _credentials,
}


def red_flag_values(profile: ClinicProfile) -> Dict[str, Any]:
    """Values the red-flag notes (utter_see_gp_*) may use."""
    return {"pregnancy_policy": profile.pregnancy_policy}


def answer(question: Question, profile: ClinicProfile) -> List[Reply]:
    """The replies to a question: any health note first, then the answer itself.

    Every reply carries the clinic's common values as well as its own.
    """
    build = ANSWERS.get(question.intent)
    if build is None:
        raise KeyError(f"no answer for intent '{question.intent}'")
    notes = [Reply(f"utter_see_gp_{flag}", red_flag_values(profile)) for flag in detect_red_flags(question.text)]
    common = clinic_values(profile)
    return [Reply(r.response, {**common, **r.values}, r.buttons) for r in notes + build(question, profile)]
