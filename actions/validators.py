"""Reading the client's answers to the consultation questions.

Each function takes what the client typed (and, where it helps, what the NLU found) and returns
the clean value, or None when the answer does not say it. They are pure and small so each can be
tested with a table of real answers. Phone numbers and e-mail addresses are checked by
`phonenumbers` and `email-validator`, not by hand-written patterns.
"""

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence

import phonenumbers
from email_validator import EmailNotValidError, validate_email

DEFAULT_PHONE_REGION = "GB"
MIN_AGE, MAX_AGE = 18, 120
NAME_LENGTH = (2, 60)
FREE_TEXT_LENGTH = (2, 300)

AFFIRM, DENY = "affirm", "deny"

_YES = re.compile(
    r"^\s*(y|ya|yes+|yeah|yep|yup|sure|ok(ay)?|of course|correct|definitely|i (do|am|agree)|agreed?|"
    r"that'?s (fine|right|ok)|go ahead|fine)\b",
    re.IGNORECASE,
)
_NO = re.compile(r"^\s*(n|no+|nope|nah|i (don'?t|do not)( agree)?|i'?d rather not)\b", re.IGNORECASE)


def yes_or_no(intent: str, text: str) -> Optional[bool]:
    """True for a yes, False for a no, None when the answer is neither."""
    if intent == AFFIRM or _YES.match(text or ""):
        return True
    if intent == DENY or _NO.match(text or ""):
        return False
    return None


# --- consent ----------------------------------------------------------------------------------
# UK GDPR art. 9: consent to health questions must be explicit. Only a plain yes counts ("yes",
# "I agree", "yes, go ahead"); anything that adds a condition, an exception or a question ("yes
# but not the health questions", "ok if you don't share it", "sure, what happens to my data?") is
# not a clear yes, and the question is asked again. A no is a no, however it is worded.
_CONSENT_YES_WORDS = (
    r"y|yes+|yeah|yep|yup|ok|okay|sure|fine|agreed|i agree|i do|i consent|i give consent|of course|absolutely|"
    r"definitely|certainly|go ahead|please go ahead|yes please|that'?s fine|that is fine|that'?s ok(ay)?|"
    r"no problem|no worries|happy to|i'?m happy to|i am happy to"
)
# Words that may follow a yes without changing it ("yes please", "ok thanks").
_CONSENT_POLITE = r"please|thanks|thank you|cheers"
_CONSENT_YES = re.compile(
    rf"^(?:{_CONSENT_YES_WORDS})(?:[\s,.!]+(?:{_CONSENT_YES_WORDS}|{_CONSENT_POLITE}))*[\s.!]*$", re.IGNORECASE
)
_CONSENT_NO = re.compile(
    r"^\s*(n|no+(?![\s,]+(problem|worries))|nope|nah|no thanks|no thank you|i (don'?t|do not)( agree| consent)?|i'?d rather not|rather not|"
    r"not really|i (won'?t|will not)|never)\b",
    re.IGNORECASE,
)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})


def consent_answer(intent: str, text: str) -> Optional[bool]:
    """True only for a plain yes (or the "I agree" button), False for a no, None for anything else."""
    text = " ".join((text or "").translate(_APOSTROPHES).split())
    if not text or text.startswith("/"):  # a button or a structured message: its intent is the answer
        return {AFFIRM: True, DENY: False}.get(text.lstrip("/") or intent)
    if _CONSENT_YES.match(text):
        return True
    if _CONSENT_NO.match(text):
        return False
    return None


# --- age ---------------------------------------------------------------------------------------
# Only a plain answer counts as 18 or over: the law (Tattooing of Minors Act 1969) does not allow
# "nearly". Each pattern is checked in the order `is_adult` lists them.
_EIGHTEEN = r"(18|eighteen)"
# Already 18 in the past tense: "I turned 18 in March", "I was 18 last year".
_WAS_18 = re.compile(rf"\b(turned|became|was)\s+{_EIGHTEEN}\b", re.IGNORECASE)
# Not 18 yet, said as a time to come: "nearly 18", "I'll be 18", "turning 18", "18 next month",
# "18 in two weeks", "18 on Friday", "18 by the appointment", "18 soon".
_NOT_YET_18 = re.compile(
    rf"\b(nearly|almost|not quite|just under|soon|be|becoming|turn|turns|turning)\s+{_EIGHTEEN}\b"
    rf"|\b{_EIGHTEEN}\s+(next|in|on|by|soon|tomorrow|come|from|after)\b"
    rf"|\b{_EIGHTEEN}\s+this\s+(week|weekend|month|year|spring|summer|autumn|winter)\b",
    re.IGNORECASE,
)
# Under 18, said plainly: "under 18", "not 18 yet", "not yet", "not an adult".
_UNDER_18 = re.compile(
    rf"\b(under|below|less than|not yet|not over)\s*{_EIGHTEEN}\b|\bnot {_EIGHTEEN}\b"
    r"|^\s*not yet\b|\bnot an adult\b",
    re.IGNORECASE,
)
# Vague: "about 18", "18ish", "around that", "old enough I think", "sort of": asked again plainly.
_VAGUE = re.compile(
    r"\b(about|around|roughly|approx(imately)?|more or less|give or take|or so|something like|maybe|"
    r"probably|perhaps|i think|i guess|i suppose|sort of|kind of|kinda|old enough)\b|\d+\s*-?\s*ish\b|\beighteen-?ish\b",
    re.IGNORECASE,
)
# 18 or over, said plainly: "over 18", "18 or over", "18+", "I'm an adult".
_ADULT = re.compile(
    rf"\b(over|above|older than|at least)\s*{_EIGHTEEN}\b|\b{_EIGHTEEN}\s*(or|and)\s*(over|above|older)\b|\b18\+"
    r"|\b(an adult|a grown[- ]?up)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\d.+])(\d{1,3})(?![\d.])")


def is_adult(intent: str, text: str) -> Optional[bool]:
    """True only when the answer plainly says 18 or over; False when it says under 18 (including
    "nearly 18" or "18 next month"); None when it is vague, does not say, or is implausible."""
    text = text or ""
    if _WAS_18.search(text):
        return True
    if _NOT_YET_18.search(text) or _UNDER_18.search(text):
        return False
    if _VAGUE.search(text):
        return None
    if _ADULT.search(text):
        return True
    ages = [int(number) for number in _NUMBER.findall(text)]
    if len(ages) == 1:
        return ages[0] >= MIN_AGE if 1 <= ages[0] <= MAX_AGE else None
    if ages:
        return None
    return yes_or_no(intent, text)


# --- name --------------------------------------------------------------------------------------
_NAME_PREFIX = re.compile(
    r"^\s*(hi|hello|hey)?[\s,!.]*(my name is|my name's|name's|name is|i'?m|i am|it'?s|it is|this is|call me|"
    r"you can call me|just)\s+",
    re.IGNORECASE,
)
_NAME_SUFFIX = re.compile(r"\s*(is fine|is ok|thanks|thank you|please)?[\s.!]*$", re.IGNORECASE)
_NAME_PUNCTUATION = {"-", "'", " ", "\u2019", "."}
MAX_NAME_WORDS = 5
# Answers that pass as letters and spaces but are not anyone's name.
_NOT_NAMES = re.compile(
    r"^(yes|yeah|yep|no|nope|nah|ok|okay|sure|hi|hello|hey|thanks|thank you|stop|cancel|help|why|what|"
    r"not sure|don'?t know|dunno|i don'?t know|no thanks|rather not|none|nothing|anonymous|test)$",
    re.IGNORECASE,
)


def clean_name(text: str) -> Optional[str]:
    """A name of 2-60 letters, spaces, hyphens and apostrophes ("Zoë O'Brien-Smith"), or None."""
    text = unicodedata.normalize("NFC", text or "")
    text = _NAME_SUFFIX.sub("", _NAME_PREFIX.sub("", text, count=1))
    name = " ".join(text.split()).replace("\u2019", "'")
    if not NAME_LENGTH[0] <= len(name) <= NAME_LENGTH[1]:
        return None
    if not all(char.isalpha() or char in _NAME_PUNCTUATION for char in name):
        return None
    if not name[0].isalpha() or sum(char.isalpha() for char in name) < 2:
        return None
    if len(name.split()) > MAX_NAME_WORDS or _NOT_NAMES.match(name):
        return None
    return name


# --- contact details ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Contact:
    """A phone number (E.164) and/or an e-mail address, as found in one answer."""

    phone: Optional[str] = None
    email: Optional[str] = None
    problem: Optional[str] = None  # "phone" or "email": something that looked like one was not valid

    @property
    def found(self) -> bool:
        return bool(self.phone or self.email)


_EMAIL_CANDIDATE = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")
_PHONE_CANDIDATE = re.compile(r"\+?\(?\d[\d\s().-]{4,}\d")


def parse_contact(text: str, region: str = DEFAULT_PHONE_REGION) -> Contact:
    """The phone number and e-mail address in an answer, normalised; invalid ones reported."""
    text = text or ""
    email, problem = None, None
    for candidate in _EMAIL_CANDIDATE.findall(text):
        try:
            email = validate_email(candidate.rstrip("."), check_deliverability=False).normalized
            break
        except EmailNotValidError:
            problem = "email"
    without_email = _EMAIL_CANDIDATE.sub(" ", text)
    phone = None
    for match in phonenumbers.PhoneNumberMatcher(without_email, region, leniency=phonenumbers.Leniency.VALID):
        phone = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        break
    if phone is None and _PHONE_CANDIDATE.search(without_email):
        problem = problem or "phone"
    if phone or email:
        problem = None if not problem or (problem == "email" and email) else problem
    return Contact(phone=phone, email=email, problem=problem)


# --- choices -----------------------------------------------------------------------------------
def _first_match(text: str, choices: Sequence[tuple]) -> Optional[str]:
    for value, pattern in choices:
        if re.search(pattern, text or "", re.IGNORECASE):
            return value
    return None


CONSULTATION_FORMATS = ("studio", "video")
_FORMATS = (
    ("video", r"\b(video|zoom|teams|facetime|online|virtual(ly)?|remote(ly)?|skype|webcam|whatsapp video)\b"),
    ("studio", r"\b(studio|clinic|in person|in-person|face to face|face-to-face|come in|visit|pop in|there)\b"),
)


def consultation_format(text: str) -> Optional[str]:
    """"studio" or "video"."""
    return _first_match(text, _FORMATS)


CONTACT_METHODS = ("call", "text", "email")
_METHODS = (
    ("email", r"\b(e-?mail|mail)\b"),
    ("text", r"\b(text|txt|sms|message|whats ?app|texting)\b"),
    ("call", r"\b(call|ring|phone|telephone|speak)\b"),
)


def contact_method(text: str) -> Optional[str]:
    """"call", "text" or "email"."""
    return _first_match(text, _METHODS)


def contact_methods_for(phone: Optional[str], email: Optional[str]) -> List[str]:
    """The ways the clinic can reach the client with the details given."""
    return (["call", "text"] if phone else []) + (["email"] if email else [])


CONCERNS = ("hairline", "crown", "full_head", "thinning", "alopecia", "scar", "correction", "other")
_CONCERNS = (
    ("correction", r"\b(correct(ion|ing)?|fix(ing)?|cover(ing)? up|redo|bad|botched|previous|earlier|elsewhere|another clinic)\b.{0,40}\b(smp|micropigmentation|tattoo|work|job)\b|\b(smp|micropigmentation)\b.{0,40}\b(gone wrong|done elsewhere|fix(ed)?|correct(ed|ion)?)\b"),
    ("scar", r"\bscar(s|ring)?\b|\b(fue|fut|strip)\b|\bburns?\b"),
    ("alopecia", r"\balopecia\b"),
    ("full_head", r"\b(full[- ]?head|whole head|completely bald|fully bald|all over|bald head|no hair)\b"),
    ("crown", r"\b(crown|back of (my|the) head|bald spot)\b"),
    ("thinning", r"\b(thin(ning)?|density|diffuse|fuller|sparse)\b"),
    ("hairline", r"\b(hair ?line|reced(ing|e|ed)|temples?|widow'?s peak|front)\b"),
    ("other", r"\b(something else|other|not sure|don'?t know|unsure)\b"),
)
# What the NLU's lookup entities (data/nlu/lookups/) say, for answers the patterns miss.
_ENTITY_CONCERNS = {
    "hairline": "hairline",
    "crown": "crown",
    "full_head": "full_head",
    "thinning": "thinning",
    "scar": "scar",
    "alopecia": "alopecia",
    "touch_up": "correction",
}


def concern(text: str, entity_values: Iterable[str] = ()) -> Optional[str]:
    """One of CONCERNS, or None when the answer names none."""
    found = _first_match(text, _CONCERNS)
    if found:
        return found
    for value in entity_values:
        if value in _ENTITY_CONCERNS:
            return _ENTITY_CONCERNS[value]
    return None


# The answers the client can change at the read-back, as the slots that hold them.
_FIELDS = (
    ("contact_method", r"\b(contact|reach)(ed)? (method|by|me by)\b|\bhow (you|to) contact\b|\bmethod\b"),
    ("client_name", r"\bname\b"),
    ("contact_details", r"\b(phone|number|mobile|e-?mail|contact details?|details)\b"),
    ("consultation_format", r"\b(studio|video|in person|format|type of consultation|online)\b"),
    ("preferred_times", r"\b(times?|days?|dates?|when|availability|morning|afternoon|evening)\b"),
    ("concern", r"\b(concern|hairline|crown|head|thinning|alopecia|scar|treatment|area|what i want|help with)\b"),
    ("screening", r"\b(health|medical|screening|condition|medication|answers?)\b"),
)


def field_to_change(text: str) -> Optional[str]:
    """Which answer (its slot) the client wants to change at the read-back."""
    return _first_match(text, _FIELDS)


# --- free text ---------------------------------------------------------------------------------
_MARKUP = re.compile(r"<[^>]*>")


def free_text(text: str) -> Optional[str]:
    """A short free-text answer with markup removed and spaces tidied, or None if empty or too long."""
    cleaned = " ".join(_MARKUP.sub(" ", text or "").split())
    if not any(char.isalnum() for char in cleaned):
        return None
    if not FREE_TEXT_LENGTH[0] <= len(cleaned) <= FREE_TEXT_LENGTH[1]:
        return None
    return cleaned


# --- leaving -----------------------------------------------------------------------------------
_STOP = re.compile(
    r"^\s*(stop|cancel|quit|exit|forget it|never ?mind|nevermind|leave it|abort|stop (it|this|that|please)|"
    r"cancel (it|this|that|please|the (booking|request))|please (stop|cancel))\s*[.!]*\s*$",
    re.IGNORECASE,
)


def wants_to_stop(intent: str, text: str, confidence: float = 1.0, threshold: float = 0.8) -> bool:
    """Whether the answer asks to stop the questions (a clear stop word, or a confident `stop`)."""
    return bool(_STOP.match(text or "")) or (intent == "stop" and confidence >= threshold)
