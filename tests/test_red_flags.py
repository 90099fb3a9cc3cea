"""Red-flag detection: what adds a 'see your GP first' note, and what must not."""

import pytest

from actions.red_flags import RED_FLAG_PATTERNS, detect_red_flags


@pytest.mark.parametrize(
    "text, flags",
    [
        ("my hair started falling out suddenly last month, would smp work?", ["sudden_hair_loss"]),
        ("Sudden hair loss at 25, is scalp micro an option", ["sudden_hair_loss"]),
        ("it's coming out in clumps in the shower", ["sudden_hair_loss"]),
        ("I lost most of my hair in a few weeks", ["sudden_hair_loss"]),
        ("I've got a bald patch that appeared in March", ["patchy_hair_loss"]),
        ("new patches keep showing up at the back", ["patchy_hair_loss"]),
        ("patchy hair loss on the side, can you cover it?", ["patchy_hair_loss"]),
        ("my hair is falling out in patches", ["patchy_hair_loss"]),
        ("I have a scalp infection at the moment, can I still book?", ["scalp_infection"]),
        ("there's an infection on my scalp from a cut", ["scalp_infection"]),
        ("my psoriasis is flaring up really badly", ["scalp_infection"]),
        ("I'm pregnant, is it safe to have it done?", ["pregnancy"]),
        ("We're expecting a baby in May", ["pregnancy"]),
        ("can I have it while breastfeeding", ["pregnancy"]),
        ("I finished chemo last year", ["chemotherapy"]),
        ("Lost my hair to chemotherapy, can SMP help?", ["chemotherapy"]),
        ("I'm pregnant and my hair fell out suddenly", ["sudden_hair_loss", "pregnancy"]),
    ],
)
def test_red_flags_are_found(text, flags):
    assert detect_red_flags(text) == flags


@pytest.mark.parametrize(
    "text",
    [
        "does it hurt?",
        "what's the risk of infection?",
        "how much for the crown",
        "I've been slowly receding for ten years",
        "can it hide my FUE scars",
        "is there a chance of getting an infection afterwards",
        "I have alopecia universalis, would it suit me?",
        "how long does a session take",
        "",
        "   ",
    ],
)
def test_ordinary_questions_have_no_red_flag(text):
    assert detect_red_flags(text) == []


def test_every_flag_has_a_note_in_the_domain(domain):
    for flag in RED_FLAG_PATTERNS:
        assert f"utter_see_gp_{flag}" in domain.responses
