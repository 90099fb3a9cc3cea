"""Values for the consultation responses: the read-back summary, the booking link, the consent version.

The sentences are the domain's responses; these are the short labels and values that fill their
placeholders, kept together so the read-back and the confirmation say the same thing.
"""

import hashlib
from typing import Any, Dict, List, Optional
from urllib.parse import quote

from actions.answers import clinic_values
from actions.profile import ClinicProfile, retention_period
from actions.screening import health_topics

# The consent question, bubble by bubble (actions.consultation.ActionAskConsent sends them).
CONSENT_RESPONSES = ("utter_consent_data", "utter_ask_consent")

FORMAT_LABELS = {"studio": "in the studio", "video": "by video call"}
METHOD_LABELS = {"call": "phone call", "text": "text message", "email": "e-mail"}
# utter_consultation_submitted: "They'll call you within one working day".
METHOD_VERBS = {"call": "call you", "text": "text you", "email": "e-mail you"}
CONCERN_LABELS = {
    "hairline": "receding hairline",
    "crown": "crown",
    "full_head": "full head",
    "thinning": "thinning / density",
    "alopecia": "alopecia",
    "scar": "scar camouflage",
    "correction": "correcting earlier SMP",
    "other": "something else",
}
SCREENING_LABELS = {
    "scalp_condition": "active scalp condition",
    "keloid": "keloid or raised scars",
    "pregnancy": "pregnancy or breastfeeding",
    "blood_thinners": "blood thinners",
    "chemotherapy": "chemotherapy",
    "diabetes": "diabetes",
    "hair_loss": "recent or unexplained hair loss",
    "allergy": "allergies",
    "unspecified": "one or more (to go through with the practitioner)",
}


def contact_summary(phone: Optional[str], email: Optional[str]) -> str:
    return " and ".join(value for value in (phone, email) if value)


def concern_label(concern: Optional[str], detail: Optional[str]) -> str:
    label = CONCERN_LABELS.get(concern or "", concern or "")
    return f"{label} ({detail})" if concern == "other" and detail else label


def screening_label(flags: List[str]) -> str:
    if not flags:
        return "none of them apply"
    return ", ".join(SCREENING_LABELS.get(flag, flag) for flag in flags) + " (noted for the practitioner)"


def summary_values(slots: Dict[str, Any]) -> Dict[str, Any]:
    """The placeholders of utter_ask_confirmed, from the form's slots."""
    return {
        "client_name": slots.get("client_name") or "",
        "contact_summary": contact_summary(slots.get("phone"), slots.get("email")),
        "format_label": FORMAT_LABELS.get(slots.get("consultation_format") or "", ""),
        "preferred_times": slots.get("preferred_times") or "",
        "method_label": METHOD_LABELS.get(slots.get("contact_method") or "", ""),
        "concern_label": concern_label(slots.get("concern"), slots.get("concern_detail")),
        "screening_label": screening_label(slots.get("screening") or []),
    }


def intro_values(profile: ClinicProfile) -> Dict[str, Any]:
    """utter_consultation_intro: what the consultation is."""
    consultation = profile.consultation
    return {
        "consultation_price": consultation.price,
        "consultation_minutes": consultation.length_minutes,
        "consultation_formats": consultation.formats,
    }


def consent_values(profile: ClinicProfile) -> Dict[str, Any]:
    """utter_consent_data and utter_ask_consent: what is kept (the health questions named from
    actions.screening), who receives it, for how long, how to withdraw, and the privacy notice."""
    return {
        **clinic_values(profile),
        "health_topics": health_topics(),
        "retention_period": retention_period(profile.retention_days),
        "privacy_notice_url": profile.privacy_notice_url,
    }


def record_kept_values(profile: ClinicProfile) -> Dict[str, Any]:
    """The responses that tell a client this chat is kept (under 18, no consent, cancel)."""
    return {**clinic_values(profile), "retention_period": retention_period(profile.retention_days)}


def render(template: str, values: Dict[str, Any]) -> str:
    """A response's text with its {placeholders} filled, as Rasa fills them."""
    return template.format(**values)


def consent_wording(responses: Dict[str, Any], profile: ClinicProfile) -> str:
    """The consent text exactly as the client sees it: every bubble, rendered, with its buttons."""
    values = consent_values(profile)
    parts = []
    for name in CONSENT_RESPONSES:
        variation = (responses.get(name) or [{}])[0]
        parts.append(render(variation.get("text") or "", values))
        titles = [button.get("title", "") for button in variation.get("buttons") or []]
        if titles:
            parts.append("[" + "] [".join(titles) + "]")
    return "\n\n".join(parts)


def submitted_values(profile: ClinicProfile, slots: Dict[str, Any]) -> Dict[str, Any]:
    """utter_consultation_submitted: what happens next, and the deposit and cancellation policy."""
    return {
        **clinic_values(profile),
        "client_name": slots.get("client_name") or "",
        "method_verb": METHOD_VERBS.get(slots.get("contact_method") or "", "contact you"),
        "response_time": profile.consultation.response_time,
        "deposit_policy": profile.deposit_policy,
        "cancellation_policy": profile.cancellation_policy,
    }


def booking_link(profile: ClinicProfile, name: Optional[str], email: Optional[str]) -> str:
    """The booking page, with the client's name and e-mail filled in where the profile allows."""
    template = profile.booking_link_template
    if not template:
        return str(profile.booking_url)
    return template.format(name=quote(name or "", safe=""), email=quote(email or "", safe=""))


def consent_version(consent_text: str) -> str:
    """A short, stable name for the consent wording the client saw (rendered, with the clinic's
    values): it changes whenever a word of it changes, including the retention period or the
    privacy notice's address."""
    digest = hashlib.sha256(consent_text.encode("utf-8")).hexdigest()
    return f"consent-{digest[:12]}"
