"""Asking instead of guessing: which topics to offer when the NLU is unsure, and reading the reply.

When the FallbackClassifier is unsure (intent `nlu_fallback`), the message's `intent_ranking` still
holds the classifier's own ranking after the fallback entry. `candidates()` picks the topics worth
offering from it; the client chooses one with a button (its payload is the intent, answered by the
usual rules), by typing its number or title (`chosen_option()`), or "Something else".

The offer is kept in the `clarification_offer` slot (`Offer.as_slot()`): the message's text and
entities and the intents offered. Whichever action answers the next message calls `settle()`:
when the client chose one of the options, the choice is recorded in the `clarification_choice`
slot, {"text": <the unclear message>, "offered": [<intents>], "chosen": <intent or
"something_else">}, which the staff console shows beside the message and turns into a training
example. Either way the offer is then cleared.

Everything here is pure: dictionaries in, dictionaries out, so each rule has a table of tests.
"""

import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence

from actions.topics import SOMETHING_ELSE, TOPIC_TITLES, payload, title

FALLBACK_INTENT = "nlu_fallback"
OFFER_SLOT = "clarification_offer"
CHOICE_SLOT = "clarification_choice"
DECLINED_SLOT = "declined"

# The candidate rule. Going down the ranking (nlu_fallback left out), only topics the assistant can
# answer or act on count (TOPIC_TITLES). The first, most likely topic needs at least FIRST_MIN:
# below that there is nothing worth offering (nonsense such as "?" or "hmm??" spreads 0.1 to 0.27
# over topics). Each further topic needs at least OTHER_MIN. Every topic also needs at least
# RELATIVE_TO_TOP of the most likely intent's confidence, whatever that intent is, so a message that
# is most likely a greeting or an answer does not get a menu of topics it barely touches. At most
# MAX_TOPICS are offered, then "Something else". Measured on the held-out test set, the fallback
# set and 26 vague questions with the 2026-12-04 model: none of the 8 nonsense messages that fell back got an offer;
# 6 of the 9 in-scope messages that fell back did, each with its right topic among those offered
# (the other 3 were a greeting, a goodbye and a "never": nothing to offer is right there).
FIRST_MIN = 0.3
OTHER_MIN = 0.15
RELATIVE_TO_TOP = 0.4
MAX_TOPICS = 3


def candidates(
    ranking: Iterable[Dict[str, Any]],
    allowed: Iterable[str] = TOPIC_TITLES,
    limit: int = MAX_TOPICS,
) -> List[str]:
    """The topics to offer, most likely first; empty when none is likely enough."""
    scored = [
        (str(entry.get("name") or ""), float(entry.get("confidence") or 0.0))
        for entry in ranking or []
        if entry.get("name") != FALLBACK_INTENT
    ]
    if not scored:
        return []
    top = max(confidence for _, confidence in scored)
    allowed = set(allowed)
    chosen: List[str] = []
    for name, confidence in sorted(scored, key=lambda item: -item[1]):
        if name not in allowed or name in chosen:
            continue
        needed = OTHER_MIN if chosen else FIRST_MIN
        if len(chosen) == limit or confidence < needed or confidence < RELATIVE_TO_TOP * top:
            break
        chosen.append(name)
    return chosen


# --- reading a typed reply ---------------------------------------------------------------------------
_NUMBERS = {
    "1": 0, "one": 0, "first": 0, "1st": 0,
    "2": 1, "two": 1, "second": 1, "2nd": 1,
    "3": 2, "three": 2, "third": 2, "3rd": 2,
    "4": 3, "four": 3, "fourth": 3, "4th": 3,
}
# Words around a choice that say nothing about which one: "I meant the second one, please".
_FILLER = frozenset(
    "i id im ill meant mean want like would please thanks thank you the a an number no nr num option choice "
    "is it its that this pick choose go with take have about ok okay yes yeah oh er um sorry just".split()
)
_NONE_OF_THESE = re.compile(r"^(none( of (these|them|those|the above))?|neither( of (these|them|those))?|other)$")


def _words(text: str) -> List[str]:
    return re.findall(r"[a-z0-9]+", (text or "").lower().replace("'", "").replace("\u2019", ""))


def _meaningful(text: str) -> List[str]:
    words = [word for word in _words(text) if word not in _FILLER]
    if len(words) > 1:  # "the first one": "one" is only a number on its own
        words = [word for word in words if word != "one"]
    return words


def chosen_option(reply: str, titles: Sequence[str]) -> Optional[int]:
    """Which of the numbered options a typed reply picks ("2", "the first one", a title), or None.

    The last title is "Something else", also picked by "none of these", "neither", "other" or
    "the last one".
    """
    words = _words(reply)
    if not words or len(words) > 8 or not titles:
        return None
    meaningful = _meaningful(reply)
    if len(meaningful) == 1 and meaningful[0] in _NUMBERS:
        number = _NUMBERS[meaningful[0]]
        return number if number < len(titles) else None
    if meaningful == ["last"] or _NONE_OF_THESE.match(" ".join(words)):
        return len(titles) - 1
    for index, option in enumerate(titles):
        if meaningful and meaningful == _meaningful(option):
            return index
    return None


# --- the offer and the client's choice ----------------------------------------------------------------
@dataclass(frozen=True)
class Offer:
    """A clarification the assistant made: the unclear message and the intents offered, in order."""

    text: str
    offered: List[str]
    entities: Dict[str, List[str]] = field(default_factory=dict)

    @property
    def options(self) -> List[str]:
        """What the client can choose: the offered intents, then "something else"."""
        return [*self.offered, SOMETHING_ELSE]

    def titles(self) -> List[str]:
        return [title(option) for option in self.options]

    def as_slot(self) -> Dict[str, Any]:
        return {"text": self.text, "offered": list(self.offered), "entities": dict(self.entities)}

    @classmethod
    def from_slot(cls, value: Any) -> Optional["Offer"]:
        if not isinstance(value, dict) or not isinstance(value.get("offered"), list):
            return None
        offered = [intent for intent in value["offered"] if intent in TOPIC_TITLES]
        entities = value.get("entities") if isinstance(value.get("entities"), dict) else {}
        return cls(str(value.get("text") or ""), offered, entities) if offered else None


def options_text(offer: Offer) -> str:
    """The numbered options, one a line, so the clarification reads well without buttons."""
    return "\n".join(f"{number}. {name}" for number, name in enumerate(offer.titles(), start=1))


def choice(
    offer: Optional[Offer], intent: str, text: str, just_offered: bool, in_form: bool = False
) -> Optional[str]:
    """The option the client's message chooses (an offered intent or "something_else"), or None.

    A button sends its option's payload ("/ask_longevity", "/out_of_scope" for "Something else")
    and counts while the offer stands. A typed reply counts only right after the offer
    (`just_offered`: "2" a few messages later is not an answer to it): its number, ordinal or
    title; outside the form also "none of these", an offered intent the NLU found, a no (none of
    these) or, when one topic was offered, a yes. Inside the form (`in_form`) the form asks its own
    question again after the offer, so a yes, a no, "none of these" and "something else" answer
    that question (its buttons include "None of these" and "Something else"), not the offer.
    """
    if offer is None:
        return None
    text = (text or "").strip()
    for option in offer.options:
        if text == payload(option):
            return option
    if not just_offered or text.startswith("/"):
        return None
    index = chosen_option(text, offer.titles())
    if index is not None and not (in_form and offer.options[index] == SOMETHING_ELSE):
        return offer.options[index]
    if in_form:
        return None
    if intent in offer.offered:
        return intent
    if intent == "deny":
        return SOMETHING_ELSE
    if intent == "affirm" and len(offer.offered) == 1:
        return offer.offered[0]
    return None


def settle(offer: Optional[Offer], chosen: Optional[str]) -> Dict[str, Any]:
    """The slots to set once the client has replied to an offer: the choice (if any), the offer cleared."""
    if offer is None:
        return {}
    if chosen is None:
        return {OFFER_SLOT: None}
    return {CHOICE_SLOT: {"text": offer.text, "offered": list(offer.offered), "chosen": chosen}, OFFER_SLOT: None}


def offered_last_turn(events: Sequence[Dict[str, Any]]) -> bool:
    """Whether the assistant's reply to the previous message made a clarification offer.

    `events` are the tracker's events up to and including the latest user message.
    """
    users_seen = 0
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            users_seen += 1
            if users_seen == 2:
                return False
        elif kind == "session_started" and users_seen:
            return False
        elif users_seen == 1 and kind == "slot" and event.get("name") == OFFER_SLOT and event.get("value"):
            return True
    return False


def unclear_in_a_row(events: Sequence[Dict[str, Any]]) -> int:
    """How many of the latest user messages in a row the assistant did not understand.

    A message counts when its intent is `nlu_fallback` and it did not choose a clarification option
    (a typed "2" falls back in the NLU but was understood). The count restarts with each session.
    """
    unclear: List[bool] = []
    for event in events:
        kind = event.get("event")
        if kind == "session_started":
            unclear = []
        elif kind == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            unclear.append(intent == FALLBACK_INTENT)
        elif kind == "slot" and event.get("name") == CHOICE_SLOT and event.get("value") and unclear:
            unclear[-1] = False
    count = 0
    for was_unclear in reversed(unclear):
        if not was_unclear:
            break
        count += 1
    return count
