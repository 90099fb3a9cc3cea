"""The health questions asked before a consultation, and reading the answers.

CONTENT.md: active scalp conditions, keloid tendency, pregnancy, blood thinners, chemotherapy,
uncontrolled diabetes and recent or unexplained hair loss need the practitioner's review before
any treatment is booked; allergies are asked too, because numbing cream, gloves and pigment can
each cause a reaction the patch test does not cover. `SCREENING_QUESTIONS` is the one list: the
question (utter_ask_screening) and the consent text (utter_consent_data) are both filled from it. A "yes" never blocks a request: it flags it for the practitioner and the client is told
why. The assistant does not diagnose; it only records what the client says.

Matching is deterministic (regular expressions), like the red flags: easy to review, and a
spare flag costs a practitioner a minute where a missed one could matter.
"""

import re
from typing import List, Optional

# Flag name -> patterns. The order is the order they are listed to staff.
SCREENING_PATTERNS = {
    "scalp_condition": (
        r"\b(psoriasis|eczema|dermatitis|folliculitis|ringworm|tinea|rash|sores?|scalp (condition|problem|infection|issue))\b",
        r"\binfect(ed|ion)\b",
        r"\b(active|current) (scalp )?condition\b",
    ),
    "keloid": (r"\bkeloids?\b", r"\b(raised|thick|lumpy|hypertrophic) scar", r"\bscar(s)? (badly|easily)\b"),
    "pregnancy": (r"\bpregnan(t|cy)\b", r"\bbreast[- ]?feeding\b", r"\bexpecting\b"),
    "blood_thinners": (
        r"\bblood[- ]?thinn(er|ers|ing)\b",
        r"\b(warfarin|apixaban|rivaroxaban|edoxaban|dabigatran|clopidogrel|heparin|anticoagulants?|eliquis|xarelto)\b",
        r"\b(daily )?aspirin\b",
    ),
    "chemotherapy": (r"\bchemo(therapy)?\b", r"\bradiotherapy\b", r"\bcancer (treatment|drugs)\b"),
    "diabetes": (r"\bdiabet(es|ic)\b",),
    "hair_loss": (
        r"\b(sudden(ly)?|unexplained|recent(ly)?|rapid(ly)?|overnight|in clumps|handfuls|patch(es|y))\b.{0,40}\b(hair|loss|losing|lost|falling|shedding|bald)\b",
        r"\b(hair|loss|losing|lost|falling|shedding)\b.{0,40}\b(sudden(ly)?|unexplained|recent(ly)?|rapid(ly)?|overnight|in clumps|handfuls|patch(es|y))\b",
        r"\b(lost|losing) (a lot|loads|most) of (my )?hair\b",
    ),
    "allergy": (
        r"\ballerg(y|ies|ic)\b",
        r"\b(react(ed|ion)|sensitiv(e|ity)) to (ink|pigment|numbing|lidocaine|latex|gloves|a tattoo|tattoos)\b",
    ),
}
SCREENING_FLAGS = tuple(SCREENING_PATTERNS)

# Flag name -> (the line in the question's list, the few words the consent text names it by).
SCREENING_QUESTIONS = {
    "scalp_condition": ("an active scalp condition (such as psoriasis, eczema or an infection)", "scalp conditions"),
    "keloid": ("a tendency to keloids (thick, raised scars)", "raised scars"),
    "pregnancy": ("pregnancy or breastfeeding", "pregnancy or breastfeeding"),
    "blood_thinners": ("taking blood thinners", "blood thinners"),
    "chemotherapy": ("chemotherapy, now or recently", "chemotherapy"),
    "diabetes": ("diabetes that isn't well controlled", "diabetes"),
    "hair_loss": ("recent, sudden or unexplained hair loss", "recent hair loss"),
    "allergy": ("allergies (for example to numbing cream, latex or tattoo ink)", "allergies"),
}


def screening_list() -> str:
    """The question's list, one item a line."""
    return "\n".join(f"- {line}" for line, _ in SCREENING_QUESTIONS.values())


def health_topics() -> str:
    """What the health questions ask about, in a sentence: "scalp conditions, …, and allergies"."""
    topics = [topic for _, topic in SCREENING_QUESTIONS.values()]
    return ", ".join(topics[:-1]) + " and " + topics[-1]

_COMPILED = {
    flag: [re.compile(pattern, re.IGNORECASE) for pattern in patterns]
    for flag, patterns in SCREENING_PATTERNS.items()
}
_NONE = re.compile(
    r"^\s*(none|no+|nope|nah|nothing|neither|n/?a|all good|i'?m fine|none of (them|those|these|the above)|"
    r"none (of them |of these |of those )?appl(y|ies)|no,? none|no to all|not (that i know|any of (them|those|these)))\b",
    re.IGNORECASE,
)
_SOME = re.compile(r"^\s*(yes|yeah|yep|one or more|some|a few|one of them|i do|i have)\b", re.IGNORECASE)


def screening_flags(text: str) -> List[str]:
    """The screening items an answer mentions, in a fixed order, each once."""
    text = " ".join((text or "").split())
    return [flag for flag, patterns in _COMPILED.items() if any(p.search(text) for p in patterns)]


def screening_answer(intent: str, text: str) -> Optional[List[str]]:
    """The flags an answer to the screening question gives: [] for "none", None when unclear.

    An answer that says yes without saying which (for example "yes, one") returns ["unspecified"]:
    the practitioner is asked to go through the list with the client.
    """
    flags = screening_flags(text)
    if flags:
        return flags
    if _NONE.match(text or "") or intent == "deny":
        return []
    if _SOME.match(text or "") or intent == "affirm":
        return ["unspecified"]
    return None
