"""The domain's responses: every placeholder is filled, no banned phrasing, a next step after answers."""

import re
import string
from pathlib import Path

import pytest
import yaml

from datetime import datetime, timezone

from actions.answers import ANSWERS, CONDITIONS, Question, Reply, answer, clinic_values
from actions.clarify import Offer
from actions.consultation import QUESTION_SLOTS
from actions.consultation_text import (
    booking_link, consent_values, intro_values, record_kept_values, submitted_values, summary_values,
)
from actions.screening import screening_list
from actions.fallback import clarification
from actions.handoff import handoff_failed_reply, handoff_reply
from actions.profile import DEFAULT_PROFILE_PATH, FREE_CONSULTATION, TREATMENTS
from actions.red_flags import RED_FLAG_PATTERNS
from actions.topics import SOMETHING_ELSE, SOMETHING_ELSE_TITLE, TOPIC_TITLES, payload

# shared/CONTENT.md: a test fails if any response or profile text contains one (whole words, any case).
BANNED = [
    "risk-free", "no risk", "no risks", "painless", "pain-free", "100% safe", "completely safe",
    "guaranteed results", "cure", "cures baldness", "regrow", "permanent solution", "offer ends",
    "limited time only",
]
BANNED_PATTERN = re.compile(
    "|".join(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])" for phrase in BANNED), re.IGNORECASE
)


# A chat bubble should fit a phone screen: no reply longer than this once its values are filled.
MAX_BUBBLE_LENGTH = 500


def with_laser_removal(profile, service, note=None):
    """The profile with another laser_removal service (offered, not_offered or referral)."""
    laser = profile.laser_removal.copy(update={"service": service, "note": note})
    return profile.copy(update={"laser_removal": laser})


def with_consultation_price(profile, price):
    return profile.copy(update={"consultation": profile.consultation.copy(update={"price": price})})


def every_reply(profile):
    """Every reply the actions can send, over all intents, entity values, red flags and the
    profile's choices (each laser_removal service)."""
    questions = [Question(intent) for intent in ANSWERS]
    questions += [Question("ask_cost", entities={"treatment": [t]}) for t in TREATMENTS]
    questions += [Question("ask_suitability", entities={"condition": [c]}) for c in CONDITIONS]
    questions += [
        Question("ask_location", "from preston"),
        Question("ask_location", "from leeds", {"GPE": ["Leeds"]}),
        Question("ask_pain", "pregnant, chemo, sudden hair loss, bald patch appeared, scalp infection"),
    ]
    replies = [reply for question in questions for reply in answer(question, profile)]
    for service in ("offered", "not_offered", "referral"):
        replies += answer(Question("ask_removal"), with_laser_removal(profile, service, profile.laser_removal.note))
        replies += answer(Question("ask_removal"), with_laser_removal(profile, service, None))
    common = clinic_values(profile)
    replies += [Reply(name, common) for name in ("utter_greet", "utter_fallback_rephrase", "utter_fallback_contact")]
    replies += [Reply("utter_demo_clinic")]
    replies += [clarification(Offer("does it go away", ["ask_longevity", "ask_removal", "request_human"]))]
    replies += [Reply(name, common) for name in ("utter_clarify_something_else", "utter_decline", "utter_decline_in_form")]
    replies += consultation_replies(profile)
    return replies


def consultation_replies(profile):
    """What the consultation form, the hand-off and erasure actions send, with their values."""
    answers = {
        "client_name": "Sam", "phone": "+447911123456", "email": "sam@example.com",
        "consultation_format": "video", "preferred_times": "evenings", "contact_method": "text",
        "concern": "other", "concern_detail": "eyebrows", "screening": ["pregnancy"],
    }
    common = clinic_values(profile)
    sunday = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)
    monday = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
    monday_closing = datetime(2026, 11, 23, 17, 10, tzinfo=timezone.utc)  # 20 minutes before closing
    boxing_day_substitute = datetime(2026, 12, 28, 12, 0, tzinfo=timezone.utc)
    replies = [
        Reply("utter_consultation_intro", intro_values(profile)),
        Reply("utter_consent_data", consent_values(profile)),
        Reply("utter_ask_consent", consent_values(profile)),
        Reply("utter_screening_intro"),
        Reply("utter_ask_screening", {"screening_list": screening_list()}),
        Reply("utter_under_18", record_kept_values(profile)),
        Reply("utter_consent_refused", record_kept_values(profile)),
        Reply("utter_ask_confirmed", summary_values(answers)),
        Reply("utter_consultation_submitted", submitted_values(profile, answers)),
        Reply("utter_booking_link", {"booking_link": booking_link(profile, "Sam", "sam@example.com")}),
        handoff_reply(profile, sunday),
        handoff_reply(profile, monday),
        handoff_reply(profile, monday_closing),
        handoff_reply(profile, boxing_day_substitute),
        handoff_failed_reply(profile),
    ]
    replies += [Reply(name, common) for name in (
        "utter_consultation_not_saved", "utter_consent_not_recorded",
        "utter_data_deleted", "utter_data_deleted_sent", "utter_delete_failed")]
    replies += [Reply(name) for name in ("utter_consultation_cancelled", "utter_under_18_again", "utter_screening_flagged",
                                         "utter_handoff_booking_not_sent",
                                         "utter_consultation_stuck", "utter_ask_contact_method_phone",
                                         "utter_ask_contact_method_any", "utter_wrong_contact_details_phone",
                                         "utter_wrong_contact_details_email")]
    for slot in QUESTION_SLOTS:
        replies += [Reply(f"utter_wrong_{slot}", common), Reply(f"utter_explain_{slot}", common)]
    return replies


def placeholders(text: str):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def texts(domain, name):
    return [variant["text"] for variant in domain.responses[name] if variant.get("text")]


def test_every_placeholder_is_filled_from_the_profile(domain, profile):
    for reply in every_reply(profile):
        for text in texts(domain, reply.response):
            missing = placeholders(text) - set(reply.values)
            assert not missing, f"{reply.response}: no value for {missing}"
            rendered = text.format(**reply.values)
            assert "{" not in rendered, f"{reply.response}: a placeholder left unfilled"
            assert not [k for k, v in reply.values.items() if v is None], f"{reply.response}: a value is None"


def test_every_response_with_placeholders_is_sent_by_an_action(domain, profile):
    sent = {reply.response for reply in every_reply(profile)}
    for name in domain.responses:
        if any(placeholders(text) for text in texts(domain, name)):
            assert name in sent, f"{name} has placeholders but no action fills them"


def test_every_answer_response_exists(domain, profile):
    for reply in every_reply(profile):
        assert reply.response in domain.responses


def test_each_answer_ends_with_a_next_step(domain, profile):
    """The last message of every answer offers buttons, and booking is one of them or its subject."""
    for intent in ANSWERS:
        last = answer(Question(intent), profile)[-1].response
        buttons = domain.responses[last][0].get("buttons") or []
        payloads = [button["payload"] for button in buttons]
        assert "/book_consultation" in payloads, f"{intent}: {last} offers no booking button"


def test_button_payloads_name_real_intents(domain):
    """"/intent" payloads name intents; plain-text payloads are answers, only offered inside the form.

    ("Cancel" and "Stop" are text, not "/stop": `rasa shell` exits on "/stop".)"""
    for name, variants in domain.responses.items():
        for variant in variants:
            for button in variant.get("buttons") or []:
                if button["payload"].startswith("/"):
                    assert button["payload"].lstrip("/") in domain.intents, f"{name}: {button}"
                else:
                    assert name.startswith(("utter_ask_", "utter_consultation_")), f"{name}: a text payload outside the form"


def test_clarification_buttons_name_real_intents_and_their_titles_are_clean(domain):
    for option in [*TOPIC_TITLES, SOMETHING_ELSE]:
        assert payload(option).lstrip("/") in domain.intents, option
    for title in [*TOPIC_TITLES.values(), SOMETHING_ELSE_TITLE]:
        assert not BANNED_PATTERN.search(title), title


def all_profile_text(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from all_profile_text(item)
    elif isinstance(value, list):
        for item in value:
            yield from all_profile_text(item)
    elif isinstance(value, str):
        yield value


@pytest.mark.parametrize("phrase", ["This is painless", "RISK-FREE", "a cure for baldness", "no risks at all", "Offer ends tonight"])
def test_banned_phrase_check_catches(phrase):
    assert BANNED_PATTERN.search(phrase)


@pytest.mark.parametrize("phrase", ["a secure booking", "procured", "curement", "it carries some risk", "scurry"])
def test_banned_phrase_check_ignores_other_words(phrase):
    assert not BANNED_PATTERN.search(phrase)


def test_no_response_contains_a_banned_phrasing(domain, profile):
    for name in domain.responses:
        for text in texts(domain, name):
            assert not BANNED_PATTERN.search(text), f"{name}: {BANNED_PATTERN.search(text).group()}"
        for variant in domain.responses[name]:
            for button in variant.get("buttons") or []:
                assert not BANNED_PATTERN.search(button["title"])
    for reply in every_reply(profile):
        for text in texts(domain, reply.response):
            assert not BANNED_PATTERN.search(text.format(**reply.values))


def test_no_profile_text_contains_a_banned_phrasing():
    data = yaml.safe_load(Path(DEFAULT_PROFILE_PATH).read_text(encoding="utf-8"))
    for text in all_profile_text(data):
        assert not BANNED_PATTERN.search(text), text


def rendered(domain, reply):
    """The texts of a reply as the client sees them (one per variation)."""
    return [text.format(**reply.values) for text in texts(domain, reply.response)]


def bubbles(domain, profile):
    """(response name, text, button titles) of every message the assistant can send: every reply
    the actions send, with its values, and every other response (rules and stories send those
    as they are)."""
    replies = every_reply(profile)
    sent = {reply.response for reply in replies}
    replies += [Reply(name) for name in domain.responses if name not in sent]
    for reply in replies:
        titles = [button["title"] for variant in domain.responses[reply.response] for button in variant.get("buttons") or []]
        titles += [button["title"] for button in reply.buttons]
        for text in rendered(domain, reply):
            yield reply.response, text, titles


def test_every_bubble_fits_a_phone_screen(domain, profile):
    too_long = {name: len(text) for name, text, _ in bubbles(domain, profile) if len(text) > MAX_BUBBLE_LENGTH}
    assert not too_long, f"over {MAX_BUBBLE_LENGTH} characters once filled (split them into two replies): {too_long}"


def test_every_bubble_is_filled_and_has_no_banned_phrasing(domain, profile):
    for name, text, titles in bubbles(domain, profile):
        assert "{" not in text and "}" not in text, f"{name}: a placeholder left unfilled: {text}"
        for words in [text, *titles]:
            found = BANNED_PATTERN.search(words)
            assert not found, f"{name}: banned phrasing '{found.group()}'"


def test_only_the_last_reply_of_an_answer_has_buttons(domain, profile):
    """Each bubble of a split answer follows on; the next steps come once, at the end."""
    questions = [Question(intent) for intent in ANSWERS]
    questions += [Question("ask_cost", entities={"treatment": [t]}) for t in TREATMENTS]
    questions += [Question("ask_suitability", entities={"condition": [c]}) for c in CONDITIONS]
    for question in questions:
        replies = answer(question, profile)
        for reply in replies[:-1]:
            assert not domain.responses[reply.response][0].get("buttons"), f"{question.intent}: {reply.response} has buttons"


def test_a_paid_consultation_is_never_called_free(domain, profile):
    paid = with_consultation_price(profile, "£30")
    assert clinic_values(paid)["consultation_phrase"] == "a consultation"
    for name, text, titles in bubbles(domain, paid):
        for words in [text, *titles]:
            assert not FREE_CONSULTATION.search(words), f"{name} calls the £30 consultation free: {words}"


def test_a_free_consultation_is_called_free(domain, profile):
    assert profile.consultation.price == "free"
    [greeting] = rendered(domain, Reply("utter_greet", clinic_values(profile)))
    assert "arrange a free consultation" in greeting


@pytest.mark.parametrize(
    "intent", ["ask_procedure", "ask_pain", "ask_risks", "ask_results", "ask_longevity", "ask_suitability", "ask_what_is_smp"]
)
def test_answers_about_the_procedure_pain_risks_and_results_say_experiences_vary(domain, profile, intent):
    text = " ".join(t for reply in answer(Question(intent), profile) for t in rendered(domain, reply)).lower()
    assert any(caveat in text for caveat in ("varies from person to person", "vary from person to person", "results vary", "is different"))


GET_HELP = re.compile(r"Get help if .*? call 999\.")


@pytest.mark.parametrize("intent", ["ask_risks", "ask_aftercare"])
def test_risks_and_aftercare_say_when_to_get_help(domain, profile, intent):
    text = " ".join(t for reply in answer(Question(intent), profile) for t in rendered(domain, reply))
    found = GET_HELP.search(text)
    assert found, f"{intent}: no 'when to get help'"
    for words in ("pus", "feverish", profile.phone, "GP", "NHS 111", "999"):
        assert words in found.group(), words


def test_when_to_get_help_is_worded_the_same_in_risks_and_aftercare(domain):
    risks = GET_HELP.search(texts(domain, "utter_risks_get_help")[0]).group()
    aftercare = GET_HELP.search(texts(domain, "utter_aftercare_healing")[0]).group()
    assert risks == aftercare


def test_risks_say_it_is_hard_to_undo_and_offer_removal(domain, profile):
    replies = answer(Question("ask_risks"), profile)
    assert "hard to undo" in " ".join(t for reply in replies for t in rendered(domain, reply))
    assert "/ask_removal" in [button["payload"] for button in domain.responses[replies[-1].response][0]["buttons"]]


@pytest.mark.parametrize(
    "service, says",
    [
        ("offered", "We offer laser removal here"),
        ("not_offered", "We don't offer laser removal here."),
        ("referral", "we can refer you to a laser clinic"),
    ],
)
def test_removal_says_whether_this_clinic_offers_laser(domain, profile, service, says):
    changed = with_laser_removal(profile, service, "Ask us for details.")
    text = " ".join(t for reply in answer(Question("ask_removal"), changed) for t in rendered(domain, reply))
    assert says in text and "Ask us for details." in text
    for caveat in ("several sessions", "costs extra", "uncomfortable", "shadow", "can't promise it will leave no trace"):
        assert caveat in text, caveat


def test_greeting_says_automated_and_no_medical_advice(domain):
    text = texts(domain, "utter_greet")[0]
    assert "{clinic_name}'s automated assistant" in text
    assert "can't give medical advice" in text


def test_every_red_flag_note_says_see_a_doctor(domain):
    for flag in RED_FLAG_PATTERNS:
        text = texts(domain, f"utter_see_gp_{flag}")[0]
        assert "GP" in text


def actions_in_rules_and_stories():
    root = Path(__file__).resolve().parent.parent / "data"
    names = set()
    for path in list(root.glob("rules/*.yml")) + list(root.glob("stories/*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in data.get("rules", []) + data.get("stories", []):
            names |= {step["action"] for step in block["steps"] if "action" in step}
    return names


HANDOFF_REPLIES = {"utter_handoff_open", "utter_handoff_closing", "utter_handoff_closed", "utter_handoff_bank_holiday"}
BUBBLE_LIMIT = 500


def test_each_hand_off_case_is_rendered(profile):
    """Open, closing soon, closed and a bank holiday: each hand-off reply is checked above."""
    assert HANDOFF_REPLIES <= {reply.response for reply in consultation_replies(profile)}


def test_hand_off_bubbles_fit_the_bubble_limit(domain, profile):
    """Rendered with the longest values they can get: a next opening more than a week away, the
    longest bank-holiday name."""
    longest = {"next_opening": "on Wednesday 30 September at 12:30pm", "bank_holiday": "Christmas Day, substitute day",
               "closing_time": "12:30pm"}
    replies = [reply for reply in consultation_replies(profile) if reply.response.startswith("utter_handoff_")]
    for reply in replies:
        values = {**reply.values, **{k: v for k, v in longest.items() if k in reply.values}}
        for text in texts(domain, reply.response):
            assert len(text.format(**values)) <= BUBBLE_LIMIT, f"{reply.response}: {len(text.format(**values))}"


def test_hand_off_replies_give_the_urgent_routes_and_stay_quiet_honestly(domain):
    for name in HANDOFF_REPLIES | {"utter_handoff_failed"}:
        text = texts(domain, name)[0]
        assert "NHS 111" in text and "999" in text, name
        assert "until then" not in text and "until they do" not in text, name
    for name in HANDOFF_REPLIES:
        assert "I'll stay quiet while you wait for the team." in texts(domain, name)[0], name
    assert "{hours_note}" in texts(domain, "utter_handoff_failed")[0]


def test_every_response_is_used(domain, profile):
    """Each response is sent by an action or a rule or story (utter_default: Rasa's own fallback)."""
    asked_by_the_form = {f"utter_ask_{slot}" for slot in QUESTION_SLOTS}
    used = {reply.response for reply in every_reply(profile)} | actions_in_rules_and_stories() | {"utter_default"}
    used |= asked_by_the_form
    unused = set(domain.responses) - used
    assert not unused, f"responses nothing sends: {sorted(unused)}"


# What the code keeps (records/): the chat stays in the tracker store until it is erased or purged,
# so no response may say that nothing was kept or saved (content review P2, P10, P11).
KEEPING_PROMISES = re.compile(
    r"(haven't|have not|didn't|did not) (kept|saved|stored)|without (saving|keeping|storing)"
    r"|nothing (is|was|has been) (kept|saved|stored)",
    re.IGNORECASE,
)


def test_no_response_says_nothing_was_kept(domain):
    for name in domain.responses:
        for text in texts(domain, name):
            assert not KEEPING_PROMISES.search(text), f"{name}: {KEEPING_PROMISES.search(text).group()}"


@pytest.mark.parametrize(
    "name", ["utter_under_18", "utter_consent_refused", "utter_explain_confirmed", "utter_consultation_cancelled"]
)
def test_endings_that_take_no_details_say_the_chat_is_kept_and_how_to_erase_it(domain, name):
    text = texts(domain, name)[0]
    assert "delete my data" in text and ("kept" in text or "erase" in text)


# --- under 18: no booking offered (content review P3) ---------------------------------------------
def offers_booking(variation):
    return any(button["payload"] == "/book_consultation" for button in variation.get("buttons") or [])


def test_responses_rules_send_offer_no_booking_to_a_client_under_18(domain):
    """Rasa picks the variation whose condition matches the slots: for a client who said they are
    under 18, no response a rule sends (or Rasa's own fallback) may offer the booking button."""
    from rasa.core.nlg.generator import ResponseVariationFilter

    choose = ResponseVariationFilter(domain.responses)
    sent_by_rules = (actions_in_rules_and_stories() | {"utter_default"}) & set(domain.responses)
    checked = 0
    for name in sorted(sent_by_rules):
        adult = choose.responses_for_utter_action(name, "socketio", {"under_18": None})
        under_18 = choose.responses_for_utter_action(name, "socketio", {"under_18": True})
        assert under_18 and not any(offers_booking(v) for v in under_18), f"{name} offers booking to an under-18"
        if any(offers_booking(v) for v in adult):
            checked += 1
            assert [v["text"] for v in under_18] == [v["text"] for v in adult] or name == "utter_inform_outside_booking"
    assert checked >= 5  # the responses that do offer booking to adults were all covered
