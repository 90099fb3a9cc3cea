"""Asking instead of guessing: which topics are offered, how a typed reply picks one, what is recorded."""

import pytest

from actions.answers import ANSWERS
from actions.clarify import (
    CHOICE_SLOT,
    OFFER_SLOT,
    Offer,
    candidates,
    choice,
    chosen_option,
    offered_last_turn,
    options_text,
    settle,
    unclear_in_a_row,
)
from actions.topics import MAX_TITLE_LENGTH, SOMETHING_ELSE, SOMETHING_ELSE_TITLE, TOPIC_TITLES, payload, title
from tests.factories import offer_turn, user_event


def ranking(*pairs):
    return [{"name": "nlu_fallback", "confidence": 0.55}] + [{"name": n, "confidence": c} for n, c in pairs]


# --- the candidate rule ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "pairs, expected",
    [
        # two topics close together (measured: "price and how long it lasts")
        ([("ask_longevity", 0.53), ("ask_cost", 0.44), ("out_of_scope", 0.01)], ["ask_longevity", "ask_cost"]),
        # the second topic is far below the first, but still a real share of the confidence
        ([("ask_what_is_smp", 0.32), ("ask_risks", 0.23), ("ask_procedure", 0.11)], ["ask_what_is_smp", "ask_risks"]),
        # booking and a person are topics too
        ([("ask_opening_hours", 0.48), ("book_consultation", 0.45)], ["ask_opening_hours", "book_consultation"]),
        # at most three, most likely first, whatever order the ranking came in
        ([("ask_credentials", 0.2), ("ask_opening_hours", 0.35), ("ask_location", 0.25), ("ask_cost", 0.18)],
         ["ask_opening_hours", "ask_location", "ask_credentials"]),
        # nonsense spreads a little over topics: the first topic needs 0.3 ("?", "hmm??")
        ([("ask_cost", 0.25), ("affirm", 0.16), ("ask_what_is_smp", 0.12)], []),
        # an intent that is not a topic leads: topics far below it are not offered
        ([("inform", 0.52), ("ask_risks", 0.2), ("ask_suitability", 0.04)], []),
        ([("out_of_scope", 0.35), ("greet", 0.25), ("ask_location", 0.19)], []),
        # ...but a topic close behind it is
        ([("inform", 0.35), ("ask_cost", 0.35), ("ask_location", 0.13)], ["ask_cost"]),
        # further topics need 0.15
        ([("ask_longevity", 0.31), ("goodbye", 0.15), ("ask_aftercare", 0.14)], ["ask_longevity"]),
        ([], []),
    ],
)
def test_candidates(pairs, expected):
    assert candidates(ranking(*pairs)) == expected


def test_candidates_without_the_fallback_entry_and_with_a_smaller_choice():
    plain = [{"name": "ask_opening_hours", "confidence": 0.48}, {"name": "book_consultation", "confidence": 0.45}]
    assert candidates(plain) == ["ask_opening_hours", "book_consultation"]
    assert candidates(plain, allowed=[t for t in TOPIC_TITLES if t != "book_consultation"]) == ["ask_opening_hours"]
    assert candidates(None) == []
    assert candidates([{"name": "nlu_fallback", "confidence": 0.55}]) == []


# --- the vocabulary --------------------------------------------------------------------------------------
def test_every_answerable_topic_booking_and_a_person_have_a_short_title():
    assert set(TOPIC_TITLES) == set(ANSWERS) | {"book_consultation", "request_human"}
    for option, name in [*TOPIC_TITLES.items(), (SOMETHING_ELSE, SOMETHING_ELSE_TITLE)]:
        assert 0 < len(name) <= MAX_TITLE_LENGTH, option
    assert len(set(TOPIC_TITLES.values())) == len(TOPIC_TITLES), "two topics with the same title"


def test_payloads_are_the_intents_and_something_else_declines():
    assert payload("ask_longevity") == "/ask_longevity"
    assert payload(SOMETHING_ELSE) == "/out_of_scope"
    assert title(SOMETHING_ELSE) == "Something else"


# --- reading a typed reply ----------------------------------------------------------------------------
TITLES = ["How long it lasts", "Removing or fixing", "Something else"]


@pytest.mark.parametrize(
    "reply, index",
    [
        ("1", 0), ("2.", 1), (" 3 ", 2), ("2)", 1), ("#2", 1), ("one", 0), ("two", 1),
        ("the first one", 0), ("second", 1), ("the 2nd one please", 1), ("number 2", 1), ("option 3", 2),
        ("it's the first", 0), ("I meant the second one", 1), ("no, the second", 1), ("the last one", 2),
        ("How long it lasts", 0), ("removing or fixing!", 1), ("Something else", 2), ("none of these", 2),
        ("neither", 2), ("other", 2),
        ("4", None), ("fourth", None), ("yes", None), ("no", None), ("", None), ("?", None),
        ("2 sessions a year", None), ("I had 2 kids", None), ("how long does it last for someone like me", None),
        ("laser", None), ("07911 123456", None),
    ],
)
def test_chosen_option(reply, index):
    assert chosen_option(reply, TITLES) == index


def test_chosen_option_with_no_options():
    assert chosen_option("1", []) is None


# --- the offer and the choice -------------------------------------------------------------------------------
OFFER = Offer("does it go away", ["ask_longevity", "ask_removal"])


def test_offer_titles_numbered_text_and_slot_value():
    assert OFFER.options == ["ask_longevity", "ask_removal", "something_else"]
    assert OFFER.titles() == TITLES
    assert options_text(OFFER) == "1. How long it lasts\n2. Removing or fixing\n3. Something else"
    assert Offer.from_slot(OFFER.as_slot()) == OFFER
    assert OFFER.as_slot() == {"text": "does it go away", "offered": ["ask_longevity", "ask_removal"], "entities": {}}


@pytest.mark.parametrize("value", [None, "ask_longevity", {}, {"offered": "ask_longevity"}, {"offered": ["greet"]}])
def test_a_slot_value_that_is_not_an_offer_is_none(value):
    assert Offer.from_slot(value) is None


@pytest.mark.parametrize(
    "intent, text, just_offered, in_form, expected",
    [
        # a button counts while the offer stands, typed or not right after it
        ("ask_removal", "/ask_removal", False, False, "ask_removal"),
        ("ask_removal", "/ask_removal", True, True, "ask_removal"),
        ("out_of_scope", "/out_of_scope", False, False, SOMETHING_ELSE),
        ("out_of_scope", "/out_of_scope", False, True, SOMETHING_ELSE),
        ("ask_pain", "/ask_pain", True, False, None),  # a button of another message
        # a typed number or title, only right after the offer
        ("inform", "2", True, False, "ask_removal"),
        ("inform", "2", True, True, "ask_removal"),
        ("inform", "2", False, False, None),
        ("ask_removal", "Removing or fixing", True, True, "ask_removal"),
        ("nlu_fallback", "the first one", True, False, "ask_longevity"),
        ("inform", "none of these", True, False, SOMETHING_ELSE),
        ("inform", "3", True, False, SOMETHING_ELSE),
        # inside the form these answer its own question ("None of these", "Something else" buttons)
        ("inform", "none of these", True, True, None),
        ("inform", "Something else", True, True, None),
        ("inform", "3", True, True, None),
        # the NLU's reading of a typed reply: outside the form only
        ("ask_longevity", "will it fade over the years?", True, False, "ask_longevity"),
        ("ask_longevity", "will it fade over the years?", True, True, None),
        ("ask_longevity", "will it fade over the years?", False, False, None),
        ("deny", "nope", True, False, SOMETHING_ELSE),
        ("deny", "nope", True, True, None),
        ("affirm", "yes", True, False, None),  # yes to which of two?
        ("ask_pain", "does it hurt?", True, False, None),  # another question
    ],
)
def test_choice(intent, text, just_offered, in_form, expected):
    assert choice(OFFER, intent, text, just_offered, in_form) == expected


def test_a_yes_to_a_single_topic_chooses_it_and_no_offer_means_no_choice():
    assert choice(Offer("touch ups?", ["ask_cost"]), "affirm", "yes please", True) == "ask_cost"
    assert choice(None, "ask_longevity", "/ask_longevity", True) is None


def test_settle_records_the_choice_and_clears_the_offer():
    assert settle(OFFER, "ask_removal") == {
        CHOICE_SLOT: {"text": "does it go away", "offered": ["ask_longevity", "ask_removal"], "chosen": "ask_removal"},
        OFFER_SLOT: None,
    }
    assert settle(OFFER, SOMETHING_ELSE)[CHOICE_SLOT]["chosen"] == "something_else"
    assert settle(OFFER, None) == {OFFER_SLOT: None}
    assert settle(None, None) == {}


# --- the conversation so far ------------------------------------------------------------------------------
def test_offered_last_turn():
    offered = offer_turn("does it go away", ["ask_longevity", "ask_removal"])
    assert offered_last_turn(offered + [{"event": "action", "name": "action_listen"}, user_event("inform", "2")])
    later = offered + [user_event("greet", "hi"), {"event": "bot"}, user_event("inform", "2")]
    assert not offered_last_turn(later)
    cleared = offered[:1] + [{"event": "slot", "name": "clarification_offer", "value": None}, user_event("inform", "2")]
    assert not offered_last_turn(cleared)
    new_session = offered + [{"event": "session_started"}, user_event("inform", "2")]
    assert not offered_last_turn(new_session)
    assert not offered_last_turn([user_event("inform", "2")])


def test_unclear_in_a_row_counts_fallbacks_but_not_a_typed_choice():
    fallback = user_event("nlu_fallback", "asdf")
    chose = {"event": "slot", "name": "clarification_choice", "value": {"chosen": "ask_cost"}}
    assert unclear_in_a_row([]) == 0
    assert unclear_in_a_row([user_event("greet"), fallback]) == 1
    assert unclear_in_a_row([fallback, fallback]) == 2
    assert unclear_in_a_row([fallback, user_event("ask_pain"), fallback]) == 1
    assert unclear_in_a_row([fallback, user_event("nlu_fallback", "2"), chose, fallback]) == 1
    assert unclear_in_a_row([fallback, {"event": "session_started"}, fallback]) == 1
