"""Which responses answer which question, and the clinic values they carry."""

import pytest

from actions.answers import (
    ANSWERS,
    CONDITIONS,
    Question,
    answer,
    clinic_values,
    joined,
    number_words,
    opening_hours_text,
    price_list,
)
from actions.profile import TREATMENTS

FAQ_INTENTS = [
    "ask_what_is_smp", "ask_procedure", "ask_pain", "ask_risks", "ask_aftercare", "ask_cost",
    "ask_longevity", "ask_suitability", "ask_results", "ask_removal", "ask_alternatives",
    "ask_location", "ask_opening_hours", "ask_credentials",
]


def names(replies):
    return [reply.response for reply in replies]


def test_every_faq_intent_has_an_answer():
    assert set(FAQ_INTENTS) <= set(ANSWERS)


@pytest.mark.parametrize(
    "intent, expected",
    [
        ("ask_what_is_smp", ["utter_what_is_smp"]),
        ("ask_procedure", ["utter_procedure", "utter_procedure_sessions"]),
        ("ask_pain", ["utter_pain"]),
        ("ask_risks", ["utter_risks", "utter_risks_reduce", "utter_risks_get_help"]),
        ("ask_aftercare", ["utter_aftercare", "utter_aftercare_healing"]),
        ("ask_cost", ["utter_cost_overview", "utter_cost_payment"]),
        ("ask_longevity", ["utter_longevity", "utter_longevity_upkeep"]),
        ("ask_suitability", ["utter_suitability", "utter_suitability_check"]),
        ("ask_results", ["utter_results", "utter_results_photos"]),
        ("ask_removal", ["utter_removal", "utter_removal_laser_referral", "utter_removal_correction"]),
        ("ask_alternatives", ["utter_alternatives"]),
        ("ask_location", ["utter_location"]),
        ("ask_opening_hours", ["utter_opening_hours"]),
    ],
)
def test_general_questions(profile, intent, expected):
    assert names(answer(Question(intent), profile)) == expected


def test_every_reply_carries_the_clinic_values(profile):
    common = clinic_values(profile)
    for intent in ANSWERS:
        for reply in answer(Question(intent), profile):
            assert common.items() <= reply.values.items()


def test_unknown_intent_is_an_error(profile):
    with pytest.raises(KeyError, match="greet"):
        answer(Question("greet"), profile)


def test_procedure_quotes_the_profile(profile):
    consultation, sessions = answer(Question("ask_procedure"), profile)
    assert consultation.values["patch_test"] == profile.patch_test
    assert consultation.values["consultation_formats"] == "in the studio or by video call"
    assert sessions.values["session_count"] == "three"  # small numbers in words
    assert sessions.values["session_range"] == "two to four"
    assert sessions.values["session_spacing"] == "10 to 14 days"
    assert sessions.values["follow_up_policy"] == profile.follow_up_policy


@pytest.mark.parametrize("count, words", [(0, "zero"), (3, "three"), (10, "ten"), (12, "12")])
def test_small_numbers_are_words(count, words):
    assert number_words(count) == words


def test_aftercare_quotes_the_profile(profile):
    guidance, healing = answer(Question("ask_aftercare"), profile)
    values = guidance.values
    assert (values["keep_dry_days"], values["no_gym_days"], values["no_swimming_days"]) == (4, 5, 28)
    assert values["spf"] == 50
    assert values["written_guidance"] == profile.aftercare.written_guidance
    assert healing.values["healing_time"] == "about 7 to 10 days"
    assert healing.values["back_to_work"] == profile.aftercare.back_to_work


def test_risks_quote_the_clinics_hygiene_and_patch_test_but_not_its_registration(profile):
    values = answer(Question("ask_risks"), profile)[1].values
    assert (values["hygiene"], values["patch_test"]) == (profile.hygiene, profile.patch_test)
    assert "premises_registration" not in values


@pytest.mark.parametrize("service", ["offered", "not_offered", "referral"])
def test_removal_says_what_this_clinic_offers(profile, service):
    changed = profile.copy(update={"laser_removal": profile.laser_removal.copy(update={"service": service, "note": None})})
    replies = answer(Question("ask_removal"), changed)
    assert names(replies) == ["utter_removal", f"utter_removal_laser_{service}", "utter_removal_correction"]
    assert replies[1].values["laser_note"] == ""


def test_removal_carries_the_profiles_note(profile):
    assert answer(Question("ask_removal"), profile)[1].values["laser_note"] == profile.laser_removal.note


def test_the_consultation_is_called_free_only_when_it_is(profile):
    assert clinic_values(profile)["consultation_phrase"] == "a free consultation"
    paid = profile.copy(update={"consultation": profile.consultation.copy(update={"price": "£30"})})
    assert clinic_values(paid)["consultation_phrase"] == "a consultation"


@pytest.mark.parametrize("treatment", TREATMENTS)
def test_cost_of_a_named_treatment_quotes_its_range(profile, treatment):
    replies = answer(Question("ask_cost", "how much?", {"treatment": [treatment]}), profile)
    per_session = profile.prices[treatment].per == "session"
    assert names(replies) == ["utter_cost_treatment_session" if per_session else "utter_cost_treatment", "utter_cost_payment"]
    price = profile.prices[treatment]
    assert replies[0].values["treatment"] == price.label
    assert replies[0].values["price_from"] == f"£{price.from_:,}"
    assert replies[0].values["price_to"] == f"£{price.to:,}"


def test_cost_of_full_head_uses_thousands_separators(profile):
    values = answer(Question("ask_cost", entities={"treatment": ["full_head"]}), profile)[0].values
    assert (values["price_from"], values["price_to"]) == ("£1,800", "£2,800")


def test_cost_of_two_treatments_quotes_both_once(profile):
    question = Question("ask_cost", entities={"treatment": ["crown", "hairline", "crown"]})
    replies = answer(question, profile)
    assert [r.values.get("treatment") for r in replies[:2]] == ["Crown", "Hairline"]
    assert names(replies)[2:] == ["utter_cost_payment"]


def test_a_touch_up_is_priced_per_session(profile):
    assert profile.prices["touch_up"].per == "session"
    replies = answer(Question("ask_cost", entities={"treatment": ["touch_up"]}), profile)
    assert names(replies) == ["utter_cost_treatment_session", "utter_cost_payment"]
    longevity = answer(Question("ask_longevity"), profile)[-1].values
    assert (longevity["touch_up_from"], longevity["touch_up_to"], longevity["touch_up_per"]) == ("£180", "£400", "per session")


def test_cost_overview_lists_every_treatment_with_what_its_price_buys(profile):
    values = answer(Question("ask_cost"), profile)[0].values
    for price in profile.prices.values():
        basis = "per session" if price.per == "session" else "for the whole course"
        assert f"- {price.label}: £{price.from_:,} to £{price.to:,} {basis}" in values["price_list"]


def test_cost_overview_lists_per_session_prices_last(profile):
    crown = profile.prices["crown"].copy(update={"per": "session"})
    changed = profile.copy(update={"prices": {**profile.prices, "crown": crown}})
    assert price_list(changed).splitlines()[-2:] == [
        "- Crown: £700 to £1,200 per session",
        "- Touch-up: £180 to £400 per session",
    ]


def test_cost_payment_explains_the_included_check_up(profile):
    values = answer(Question("ask_cost"), profile)[-1].values
    assert values["follow_up_policy"] == profile.follow_up_policy


def test_unknown_treatment_value_falls_back_to_the_overview(profile):
    replies = answer(Question("ask_cost", entities={"treatment": ["eyebrows"]}), profile)
    assert names(replies)[0] == "utter_cost_overview"


@pytest.mark.parametrize("condition", CONDITIONS)
def test_suitability_for_a_named_condition(profile, condition):
    replies = answer(Question("ask_suitability", entities={"condition": [condition]}), profile)
    assert names(replies) == [f"utter_suitability_{condition}"]


def test_location_for_a_served_town_gives_its_travel_note(profile):
    replies = answer(Question("ask_location", "how do I get to you from preston?"), profile)
    assert names(replies) == ["utter_location_town", "utter_location"]
    assert replies[0].values["town"] == "Preston"
    assert "A59" in replies[0].values["travel_note"]


def test_location_for_a_town_found_by_spacy(profile):
    question = Question("ask_location", "is it far from Burnley", {"GPE": ["Burnley"]})
    assert answer(question, profile)[0].values["town"] == "Burnley"


def test_location_for_a_town_not_served(profile):
    question = Question("ask_location", "I'm in Leeds, how far?", {"GPE": ["Leeds"]})
    replies = answer(question, profile)
    assert names(replies) == ["utter_location_town_unknown", "utter_location"]
    assert replies[0].values["town"] == "Leeds"
    assert replies[0].values["consultation_formats"] == profile.consultation.formats


def test_location_gives_the_address(profile):
    values = answer(Question("ask_location"), profile)[0].values
    assert values["address"] == "Unit 4, Weavers' Yard, 12 Castle Street, Clitheroe, BB7 2BX"
    assert values["towns_served"].startswith("Blackburn, Burnley, Preston")  # not the clinic's own town
    assert values["towns_served"].endswith(", Longridge or Skipton")


@pytest.mark.parametrize(
    "items, text", [([], ""), (["A"], "A"), (["A", "B"], "A and B"), (["A", "B", "C"], "A, B and C")]
)
def test_lists_are_joined_with_and(items, text):
    assert joined(items) == text


def test_opening_hours_group_days_with_the_same_hours(profile):
    assert opening_hours_text(profile).splitlines() == [
        "Monday and Tuesday: 9:30am to 5:30pm",
        "Wednesday and Thursday: 9:30am to 8pm",
        "Friday: 9:30am to 5pm",
        "Saturday: 10am to 2pm",
        "Sunday: closed",
    ]


def test_credentials_name_every_practitioner(profile):
    replies = answer(Question("ask_credentials"), profile)
    assert names(replies) == ["utter_practitioners_intro", "utter_practitioner", "utter_practitioner", "utter_credentials"]
    assert "hygiene" not in replies[-1].values  # hygiene is in the risks answer, the check-up in procedure and cost
    assert [r.values["practitioner_name"] for r in replies[1:3]] == ["Jordan Hale", "Amira Shah"]
    assert "RV-SPSC-0142" in replies[1].values["council_registration"]


def test_credentials_point_to_the_gallery_of_the_clinics_own_work_and_reviews(profile, domain):
    """Photos of the clinic's own work are a credentials question too (the portfolio, before and after)."""
    clinic = answer(Question("ask_credentials", "can I see a portfolio of your work?"), profile)[-1]
    text = domain.responses["utter_credentials"][0]["text"].format(**clinic.values)
    assert profile.gallery_url in text and profile.reviews_url in text
    assert "before-and-after photos of our own clients" in text


def test_red_flag_note_comes_before_the_answer(profile):
    question = Question("ask_suitability", "I'm pregnant, can I have SMP for my alopecia?", {"condition": ["alopecia"]})
    replies = answer(question, profile)
    assert names(replies) == ["utter_see_gp_pregnancy", "utter_suitability_alopecia"]
    assert replies[0].values["pregnancy_policy"] == profile.pregnancy_policy


def test_red_flag_note_on_any_topic(profile):
    question = Question("ask_pain", "I'm on chemo at the moment, would it hurt more?")
    assert names(answer(question, profile)) == ["utter_see_gp_chemotherapy", "utter_pain"]
