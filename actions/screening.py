"""The health questions asked before a consultation, and reading the answers.

CONTENT.md: active scalp conditions, keloid tendency, pregnancy, blood thinners, chemotherapy,
uncontrolled diabetes and recent or unexplained hair loss need the practitioner's review before
booking. A "yes" never blocks a request: it flags it for the practitioner and the client is told
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
}
SCREENING_FLAGS = tuple(SCREENING_PATTERNS)

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
