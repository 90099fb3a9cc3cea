"""The topics the assistant can offer when it is unsure what a message asks: one vocabulary.

Each intent the clarification may offer has a short title, shown on its button and in the
numbered list of the clarification (`utter_clarify` in domain.yml). Titles are at most
`MAX_TITLE_LENGTH` characters, so they fit the buttons of messaging apps as well as the website
chat; a test checks this, and that every topic the assistant can answer has a title. The last
option of every clarification is `SOMETHING_ELSE`: none of these, which leads to the honest decline.
"""

from typing import Dict

MAX_TITLE_LENGTH = 20

TOPIC_TITLES: Dict[str, str] = {
    "ask_what_is_smp": "What SMP is",
    "ask_procedure": "Sessions and process",
    "ask_pain": "Pain and discomfort",
    "ask_risks": "Risks and safety",
    "ask_aftercare": "Aftercare",
    "ask_cost": "Prices and payment",
    "ask_longevity": "How long it lasts",
    "ask_suitability": "Is it right for me?",
    "ask_results": "How natural it looks",
    "ask_removal": "Removing or fixing",
    "ask_alternatives": "Other options",
    "ask_location": "Where we are",
    "ask_opening_hours": "Opening hours",
    "ask_credentials": "Our team and work",
    "book_consultation": "Book a consultation",
    "request_human": "Talk to a person",
}

SOMETHING_ELSE = "something_else"
SOMETHING_ELSE_TITLE = "Something else"
# The "Something else" button sends this intent: the assistant declines honestly (action_decline).
SOMETHING_ELSE_INTENT = "out_of_scope"


def title(option: str) -> str:
    """The title of an offered intent, or of "something else"."""
    return SOMETHING_ELSE_TITLE if option == SOMETHING_ELSE else TOPIC_TITLES[option]


def payload(option: str) -> str:
    """What the option's button sends: Rasa's "/intent" form, answered by the usual rules."""
    return f"/{SOMETHING_ELSE_INTENT if option == SOMETHING_ELSE else option}"
