"""Which responses answer which question, and the clinic values they carry."""

import pytest

from actions.answers import ANSWERS, CONDITIONS, Question, answer, clinic_values, opening_hours_text
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
        ("ask_procedure", ["utter_procedure"]),
        ("ask_pain", ["utter_pain"]),
        ("ask_risks", ["utter_risks"]),
        ("ask_aftercare", ["utter_aftercare"]),
        ("ask_cost", ["utter_cost_overview", "utter_cost_payment"]),
        ("ask_longevity", ["utter_longevity"]),
        ("ask_suitability", ["utter_suitability"]),
        ("ask_results", ["utter_results"]),
        ("ask_removal", ["utter_removal"]),
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
    values = answer(Question("ask_procedure"), profile)[0].values
    assert values["session_count"] == 3
    assert values["session_spacing"] == "10 to 14 days"
    assert values["patch_test"] == profile.patch_test


def test_aftercare_quotes_the_profile(profile):
    values = answer(Question("ask_aftercare"), profile)[0].values
    assert (values["keep_dry_days"], values["no_gym_days"], values["no_swimming_days"]) == (4, 5, 28)
    assert values["spf"] == 50


@pytest.mark.parametrize("treatment", TREATMENTS)
def test_cost_of_a_named_treatment_quotes_its_range(profile, treatment):
    replies = answer(Question("ask_cost", "how much?", {"treatment": [treatment]}), profile)
    assert names(replies) == ["utter_cost_treatment", "utter_cost_payment"]
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


def test_cost_overview_lists_every_treatment(profile):
    values = answer(Question("ask_cost"), profile)[0].values
    for price in profile.prices.values():
        assert f"- {price.label}: £{price.from_:,} to £{price.to:,}" in values["price_list"]


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


def test_location_gives_the_address(profile):
    values = answer(Question("ask_location"), profile)[0].values
    assert values["address"] == "Unit 4, Weavers' Yard, 12 Castle Street, Clitheroe, BB7 2BX"
    assert "Preston" in values["towns_served"]


def test_opening_hours_group_days_with_the_same_hours(profile):
    assert opening_hours_text(profile).splitlines() == [
        "Monday to Tuesday: 9:30am to 5:30pm",
        "Wednesday to Thursday: 9:30am to 8pm",
        "Friday: 9:30am to 5pm",
        "Saturday: 10am to 2pm",
        "Sunday: closed",
    ]


def test_credentials_name_every_practitioner(profile):
    replies = answer(Question("ask_credentials"), profile)
    assert names(replies) == ["utter_practitioners_intro", "utter_practitioner", "utter_practitioner", "utter_credentials"]
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
    assert names(answer(question, profile)) == ["utter_see_gp_pregnancy", "utter_suitability_alopecia"]


def test_red_flag_note_on_any_topic(profile):
    question = Question("ask_pain", "I'm on chemo at the moment, would it hurt more?")
    assert names(answer(question, profile)) == ["utter_see_gp_chemotherapy", "utter_pain"]
