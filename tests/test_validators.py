"""Reading answers to the consultation questions: tables of real answers, good and bad."""

import pytest

from actions.validators import (
    clean_name,
    concern,
    consultation_format,
    contact_method,
    contact_methods_for,
    field_to_change,
    free_text,
    is_adult,
    parse_contact,
    wants_to_stop,
    yes_or_no,
    consent_answer,
)

LONG = "a" * 5000


@pytest.mark.parametrize(
    "text, name",
    [
        ("Zoë O'Brien-Smith", "Zoë O'Brien-Smith"),
        ("Zoë O\u2019Brien-Smith", "Zoë O'Brien-Smith"),
        ("my name is Dave", "Dave"),
        ("I'm Sarah", "Sarah"),
        ("it's   Priya   Patel ", "Priya Patel"),
        ("Siobhán Ní Bhriain", "Siobhán Ní Bhriain"),
        ("Mohammed Al-Farsi", "Mohammed Al-Farsi"),
        ("Jo", "Jo"),
        ("李小龍", "李小龍"),
    ],
)
def test_good_names(text, name):
    assert clean_name(text) == name


@pytest.mark.parametrize(
    "text",
    [
        "", "   ", "x", "Tom123", "a" * 61, LONG, "😀", "Dave 😀", "<script>alert(1)</script>",
        "Robert'); DROP TABLE requests;--", "dave@example.com", "07911 123456", "no", "yes", "not sure",
        "one two three four five six", "-Dave", "'; --",
    ],
)
def test_bad_names(text):
    assert clean_name(text) is None


@pytest.mark.parametrize(
    "text, phone, email",
    [
        ("07911 123456", "+447911123456", None),
        ("07911123456", "+447911123456", None),
        ("+44 7911 123456", "+447911123456", None),
        ("0044 7911 123456", "+447911123456", None),
        ("(01254) 123456", "+441254123456", None),
        ("+353 85 123 4567", "+353851234567", None),
        ("+1 415 555 2671", "+14155552671", None),
        ("my mobile is 07400 123456 thanks", "+447400123456", None),
        ("Dave.Smith@Example.com", None, "Dave.Smith@example.com"),
        ("email me at zoe_obs@example.co.uk.", None, "zoe_obs@example.co.uk"),
        ("call 07911123456 or dave@example.co.uk", "+447911123456", "dave@example.co.uk"),
    ],
)
def test_good_contact_details(text, phone, email):
    contact = parse_contact(text)
    assert (contact.phone, contact.email) == (phone, email)
    assert contact.found and contact.problem is None


@pytest.mark.parametrize(
    "text, problem",
    [
        ("0791112", "phone"),  # too short
        ("07911 12345678901", "phone"),  # too long
        ("07700 9OO123", "phone"),  # letters for digits
        ("07700 900123", "phone"),  # Ofcom's drama range: no real phone has it
        ("dave@example", "email"),
        ("dave@@example.com", "email"),
        ("abc", None),
        ("12345", None),
        ("", None),
        (LONG, None),
        ("<img src=x onerror=alert(1)>", None),
        ("' OR 1=1 --", None),
        ("📞📧", None),
    ],
)
def test_bad_contact_details(text, problem):
    contact = parse_contact(text)
    assert not contact.found
    assert contact.problem == problem


# Only a plain answer is 18 or over. Not yet 18, said any way, is under 18; vague is asked again.
AGE_ANSWERS = [
    # 18 or over, said plainly
    ("affirm", "/affirm", True),
    ("inform", "yes", True),
    ("inform", "yep I'm over 18", True),
    ("inform", "I'm 34", True),
    ("inform", "I'm 45", True),
    ("inform", "18", True),
    ("inform", "I am 18", True),
    ("inform", "over 18", True),
    ("inform", "yes I'm 18 or over", True),
    ("inform", "18+", True),
    ("inform", "I'm an adult", True),
    ("inform", "I turned 18 in March", True),
    ("inform", "eighteen and over", True),
    # under 18, said plainly
    ("deny", "/deny", False),
    ("inform", "no", False),
    ("inform", "16", False),
    ("inform", "17", False),
    ("inform", "I'm 17", False),
    ("inform", "I'm 16 years old", False),
    ("inform", "under 18", False),
    ("inform", "not 18 yet", False),
    ("inform", "not yet", False),
    ("inform", "I'm not an adult", False),
    # not 18 yet, said as a time to come: under 18
    ("inform", "nearly 18", False),
    ("inform", "almost 18", False),
    ("inform", "I'm almost eighteen", False),
    ("inform", "I'm 18 next month", False),
    ("inform", "I turn 18 on Friday", False),
    ("inform", "18 in two weeks", False),
    ("inform", "will be 18 in march", False),
    ("inform", "18 soon", False),
    ("inform", "17 and a half", False),
    ("inform", "I'll be 18 by the appointment", False),
    ("inform", "18 next year", False),
    ("inform", "turning 18", False),
    ("inform", "18 on my birthday next week", False),
    ("affirm", "yes, 18 next week", False),
    ("inform", "I'm 17, 18 in June", False),
    ("inform", "going to be 18 soon", False),
    ("inform", "18 tomorrow", False),
    ("inform", "18 this summer", False),
    ("inform", "not quite 18", False),
    ("affirm", "yeah nearly 18", False),
    # vague: asked again plainly
    ("inform", "about 18", None),
    ("inform", "18ish", None),
    ("inform", "around that", None),
    ("inform", "old enough I think", None),
    ("inform", "sort of", None),
    ("affirm", "yes I think so", None),
    ("inform", "roughly 20", None),
    ("inform", "maybe", None),
    # no age, or not a plausible one
    ("inform", "200", None),
    ("inform", "150", None),
    ("inform", "0", None),
    ("inform", "I'm 17 and my brother is 20", None),
    ("nlu_fallback", "😀", None),
]


def test_the_age_table_is_broad():
    assert len(AGE_ANSWERS) >= 40


@pytest.mark.parametrize("intent, text, adult", AGE_ANSWERS)
def test_age(intent, text, adult):
    assert is_adult(intent, text) is adult


@pytest.mark.parametrize(
    "intent, text, answer",
    [
        ("affirm", "/affirm", True),
        ("inform", "I agree", True),
        ("inform", "yes please", True),
        ("deny", "/deny", False),
        ("inform", "no thanks", False),
        ("inform", "I don't agree", False),
        ("inform", "what data?", None),
        ("inform", "", None),
    ],
)
def test_yes_or_no(intent, text, answer):
    assert yes_or_no(intent, text) is answer


@pytest.mark.parametrize(
    "text, value",
    [("In the studio", "studio"), ("By video call", "video"), ("zoom please", "video"),
     ("I'd rather come in person", "studio"), ("whatever", None)],
)
def test_consultation_format(text, value):
    assert consultation_format(text) == value


@pytest.mark.parametrize(
    "text, value",
    [("Phone call", "call"), ("Text message", "text"), ("whatsapp me", "text"), ("E-mail", "email"),
     ("email is best", "email"), ("ring me", "call"), ("pigeon", None)],
)
def test_contact_method(text, value):
    assert contact_method(text) == value


def test_contact_methods_follow_the_details_given():
    assert contact_methods_for("+447911123456", None) == ["call", "text"]
    assert contact_methods_for(None, "a@example.com") == ["email"]
    assert contact_methods_for("+447911123456", "a@example.com") == ["call", "text", "email"]


@pytest.mark.parametrize(
    "text, entities, value",
    [
        ("Receding hairline", [], "hairline"),
        ("my temples are going", [], "hairline"),
        ("Crown", [], "crown"),
        ("Full head", [], "full_head"),
        ("Thinning / density", [], "thinning"),
        ("Alopecia", [], "alopecia"),
        ("Scar camouflage", [], "scar"),
        ("a scar from my FUE transplant", [], "scar"),
        ("Correcting earlier SMP", [], "correction"),
        ("fix a bad SMP job from another clinic", [], "correction"),
        ("Something else", [], "other"),
        ("the top of my head", ["thinning"], "thinning"),
        ("eyebrows", [], None),
    ],
)
def test_concern(text, entities, value):
    assert concern(text, entities) == value


@pytest.mark.parametrize(
    "text, field",
    [("Name", "client_name"), ("Contact details", "contact_details"), ("my phone number", "contact_details"),
     ("Studio or video", "consultation_format"), ("Days and times", "preferred_times"),
     ("Contact method", "contact_method"), ("What I'd like help with", "concern"),
     ("Health questions", "screening"), ("the weather", None)],
)
def test_field_to_change(text, field):
    assert field_to_change(text) == field


@pytest.mark.parametrize(
    "text, value",
    [("weekday evenings", "weekday evenings"), ("  Saturday   morning ", "Saturday morning"),
     ("<b>Tuesday</b> after 5", "Tuesday after 5"), ("", None), ("?!", None), ("x", None), (LONG, None)],
)
def test_free_text(text, value):
    assert free_text(text) == value


@pytest.mark.parametrize(
    "intent, text, confidence, stop",
    [("inform", "stop", 0.3, True), ("inform", "Cancel.", 0.3, True), ("inform", "forget it", 0.2, True),
     ("stop", "I've changed my mind about booking", 0.93, True), ("stop", "hmm", 0.5, False),
     ("inform", "Stoppard", 0.9, False), ("inform", "can I cancel later?", 0.9, False)],
)
def test_wants_to_stop(intent, text, confidence, stop):
    assert wants_to_stop(intent, text, confidence) is stop


# UK GDPR art. 9: only a plain yes is explicit consent to the health questions; a qualified or
# conditional answer is asked again (None), and a no is a no.
CONSENT_ANSWERS = [
    ("affirm", "/affirm", True),
    ("inform", "yes", True),
    ("inform", "Yes.", True),
    ("inform", "yes please", True),
    ("inform", "I agree", True),
    ("inform", "i agree!", True),
    ("inform", "Yes, I agree", True),
    ("inform", "yes i consent", True),
    ("inform", "ok", True),
    ("inform", "okay thanks", True),
    ("inform", "sure", True),
    ("inform", "yep go ahead", True),
    ("inform", "that\u2019s fine", True),
    ("inform", "no problem, go ahead", True),
    ("inform", "of course", True),
    ("inform", "agreed", True),
    ("affirm", "yes but not the health questions", None),
    ("affirm", "yes if you don't share it", None),
    ("affirm", "sure, what happens to my data?", None),
    ("affirm", "ok as long as it's not sold", None),
    ("affirm", "yes except the medical bit", None),
    ("affirm", "I agree but only to the booking part", None),
    ("affirm", "yes, only for the consultation", None),
    ("affirm", "yes I guess", None),
    ("affirm", "maybe", None),
    ("affirm", "probably", None),
    ("affirm", "yes? what does that mean", None),
    ("inform", "what data?", None),
    ("inform", "who sees it", None),
    ("inform", "", None),
    ("affirm", "", True),  # an intent without text: a structured message, as a button sends
    ("inform", "/ask_cost", None),
    ("affirm", "yes unless you sell it", None),
    ("affirm", "no problem but not the health ones", None),
    ("deny", "/deny", False),
    ("inform", "no", False),
    ("inform", "no thanks", False),
    ("inform", "No thank you.", False),
    ("inform", "I don't agree", False),
    ("inform", "i do not consent", False),
    ("inform", "I'd rather not", False),
    ("inform", "nope", False),
    ("inform", "no, not the health questions", False),
    ("inform", "not really", False),
]


def test_the_consent_table_is_broad():
    answers = [expected for _, _, expected in CONSENT_ANSWERS]
    assert len(CONSENT_ANSWERS) >= 40 and answers.count(True) >= 12 and answers.count(None) >= 12


@pytest.mark.parametrize("intent, text, expected", CONSENT_ANSWERS)
def test_consent_answer(intent, text, expected):
    assert consent_answer(intent, text) is expected
