"""Red flags: things a client mentions that need a GP's or dermatologist's view before SMP.

CONTENT.md: sudden, patchy or unexplained hair loss should be checked by a GP or dermatologist
first; an active scalp infection, pregnancy or chemotherapy needs medical advice and the
practitioner's review before booking. The assistant does not diagnose: it adds a note
(`utter_see_gp_<flag>` in the domain) to whatever it answers.

Matching is deliberately deterministic (regular expressions over the message) rather than
learned: a missed note matters more than a spare one, and the patterns are easy to review.
"""

import re
from typing import List

_HAIR_LOSS = r"(hair\s*loss|hair|balding|bald|losing|lost|loss|falling out|fall(?:ing)? out|shedding|thinning)"

RED_FLAG_PATTERNS = {
    "sudden_hair_loss": (
        rf"\bsudden(?:ly)?\b.{{0,40}}\b{_HAIR_LOSS}\b",
        rf"\b{_HAIR_LOSS}\b.{{0,40}}\b(sudden(?:ly)?|overnight|out of nowhere|in clumps|handfuls)\b",
        r"\b(fall(?:ing|s)?|came|coming) out in (clumps|handfuls)\b",
        r"\b(lost|losing) (most|all|loads|a lot) of (my )?hair (in|over) (a|the last|the past) (few )?(days?|weeks?)\b",
        r"\bunexplained (hair )?loss\b",
    ),
    "patchy_hair_loss": (
        r"\b(bald|hairless|smooth|round|coin[- ]sized) (patch|patches|spot|spots)\b",
        r"\bpatch(y|es)\b.{0,40}\b(appeared|appearing|came|showed up|popped up|new|recent(ly)?|spreading)\b",
        r"\b(new|recent|spreading)\b.{0,20}\bpatch(y|es)?\b",
        r"\bpatchy (hair ?loss|hair|bald)",
        r"\bhair\b.{0,30}\bin patches\b",
    ),
    "scalp_infection": (
        r"\b(scalp|head) (infection|is infected|abscess)\b",
        r"\binfect(ed|ion)\b.{0,20}\b(on|of|in) (my|the) (scalp|head)\b",
        r"\binfected (scalp|head|spots?|follicles?|sores?)\b",
        r"\b(folliculitis|ringworm|tinea capitis)\b",
        r"\b(psoriasis|eczema|dermatitis)\b.{0,30}\b(flare|flaring|flared|bad|active|bleeding|weeping)\b",
        r"\b(flare|flaring|flared)\b.{0,30}\b(psoriasis|eczema|dermatitis)\b",
    ),
    "pregnancy": (
        r"\bpregnan(t|cy)\b",
        r"\bexpecting (a|our|my) (baby|child|first|second|third)\b",
        r"\b(trying|trying hard) (for|to have) a baby\b",
        r"\bbreast[- ]?feeding\b",
    ),
    "chemotherapy": (
        r"\bchemo(therapy)?\b",
        r"\bradiotherapy\b",
        r"\b(cancer|oncology) (treatment|treatments|drugs)\b",
    ),
}

_COMPILED = {
    flag: [re.compile(pattern, re.IGNORECASE) for pattern in patterns]
    for flag, patterns in RED_FLAG_PATTERNS.items()
}


def detect_red_flags(text: str) -> List[str]:
    """The red flags a message mentions, in a fixed order, each once."""
    text = " ".join((text or "").split())
    return [flag for flag, patterns in _COMPILED.items() if any(p.search(text) for p in patterns)]
