"""The health questions: what each answer flags for the practitioner."""

import pytest

from actions.screening import SCREENING_FLAGS, SCREENING_QUESTIONS, health_topics, screening_answer, screening_flags


@pytest.mark.parametrize(
    "text, flags",
    [
        ("I have psoriasis on my scalp", ["scalp_condition"]),
        ("eczema flares sometimes", ["scalp_condition"]),
        ("I get keloid scars", ["keloid"]),
        ("I'm pregnant", ["pregnancy"]),
        ("still breastfeeding", ["pregnancy"]),
        ("I take warfarin", ["blood_thinners"]),
        ("on blood thinners since my op", ["blood_thinners"]),
        ("I had chemo last year", ["chemotherapy"]),
        ("type 1 diabetic", ["diabetes"]),
        ("my hair started falling out suddenly a month ago", ["hair_loss"]),
        ("I'm pregnant and take aspirin daily", ["pregnancy", "blood_thinners"]),
        ("I'm allergic to latex", ["allergy"]),
        ("had a reaction to numbing cream once", ["allergy"]),
        ("allergies to some hair dyes", ["allergy"]),
    ],
)
def test_items_are_flagged(text, flags):
    assert screening_flags(text) == flags


@pytest.mark.parametrize(
    "intent, text, answer",
    [
        ("inform", "None of these", []),
        ("inform", "none apply", []),
        ("deny", "no", []),
        ("inform", "Yes, one or more", ["unspecified"]),
        ("affirm", "yep", ["unspecified"]),
        ("inform", "I take apixaban", ["blood_thinners"]),
        ("inform", "maybe", None),
        ("inform", "", None),
        ("inform", "<script>alert(1)</script>", None),
    ],
)
def test_answers(intent, text, answer):
    assert screening_answer(intent, text) == answer


def test_every_flag_has_a_label_for_staff_and_client():
    from actions.consultation_text import SCREENING_LABELS

    assert set(SCREENING_FLAGS) | {"unspecified"} == set(SCREENING_LABELS)


def test_every_flag_is_asked_about_and_named_in_the_consent_text():
    assert tuple(SCREENING_QUESTIONS) == SCREENING_FLAGS
    topics = health_topics()
    assert all(topic in topics for _, topic in SCREENING_QUESTIONS.values())
    assert topics.endswith(" and allergies")
