"""Personal details hidden in what staff read, unless they choose to reveal them (audited).

E-mail addresses and phone numbers are found in any text (phone numbers with the `phonenumbers`
library's matcher, GB as the default region); names are the ones the conversation itself
supplies: the client_name slot, PERSON entities spaCy found, and the names on its requests.
"""

import re
from typing import Iterable

import phonenumbers

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
EMAIL_MASK = "[e-mail hidden]"
PHONE_MASK = "[phone hidden]"
NAME_MASK = "[name hidden]"


def mask(text: str, names: Iterable[str] = ()) -> str:
    """The text with e-mail addresses, phone numbers and the given names replaced."""
    if not text:
        return text
    text = EMAIL.sub(EMAIL_MASK, text)
    pieces, last = [], 0
    for match in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE):
        pieces.append(text[last:match.start])
        pieces.append(PHONE_MASK)
        last = match.end
    text = "".join(pieces) + text[last:]
    for name in sorted({name.strip() for name in names if name and len(name.strip()) > 1}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", NAME_MASK, text, flags=re.IGNORECASE)
    return text
