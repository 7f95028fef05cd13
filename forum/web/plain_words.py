"""Plain words for every internal label a moderator could otherwise read.

One mapping, used by every review page (the `plain` and `plain_reason` template filters): the
kinds of review, report categories, the detectors' labels (crisis categories, identifying
details, the model's scores), audit-log actions and resolutions. Volunteers read
"Talk of suicide or self-harm", never `suicide_self_harm`.
"""

import re

from flask import Flask

from moderation.crisis import Category
from moderation.identifying import EMAIL, FULL_NAME, PHONE, SOCIAL_PROFILE, STREET_ADDRESS
from moderation.policy import ReviewKind

PLAIN_WORDS: dict[str, str] = {
    # kinds of review
    ReviewKind.CRISIS: "Crisis",
    ReviewKind.POSSIBLE_CRISIS: "Possibly struggling",
    ReviewKind.AUTO_FLAG: "Automatic flag",
    ReviewKind.REPORT: "Member report",
    ReviewKind.IDENTIFYING: "Identifying details",
    # crisis categories
    Category.SUICIDE_SELF_HARM: "Talk of suicide or self-harm",
    Category.OVERDOSE_MEDICAL: "An overdose or medical emergency",
    Category.HARM_TO_OTHERS: "Talk of harming someone else",
    Category.DOMESTIC_ABUSE: "Violence or abuse at home",
    # identifying details
    EMAIL: "An email address",
    PHONE: "A phone number",
    STREET_ADDRESS: "A street address",
    SOCIAL_PROFILE: "A social media profile",
    FULL_NAME: "A full name",
    # the model's labels
    "toxicity": "Hostile or rude",
    "severe_toxicity": "Very hostile",
    "obscene": "Obscene language",
    "threat": "A threat",
    "insult": "An insult",
    "identity_attack": "An attack on who someone is",
    "sexual_explicit": "Sexually explicit",
    # report categories (the reporter chooses one)
    "worried": "Worried about this person",
    "harassment": "Harassment or bullying",
    "identifying_details": "Identifying details",
    "spam": "Spam or advertising",
    "other": "Something else",
    # audit-log actions
    "auto_decision": "Automatic decision",
    "claim": "Claimed",
    "approve": "Approved",
    "remove": "Removed",
    "edit": "Edited",
    "redact": "Redacted identifying details",
    "warn": "Warned privately",
    "silence": "Silenced",
    "suspend": "Suspended",
    "lift_restrictions": "Lifted a silence or suspension",
    "escalate": "Escalated to an admin",
    "reach_out": "Reached out privately",
    "reopen": "Reopened",
    "ask_moderator": "Asked another moderator in",
    "model_reload": "Asked the model to load again",
    # resolutions and statuses
    "approved": "Approved",
    "removed": "Removed",
    "open": "Open",
    "resolved": "Decided",
    "published": "Published",
    "held": "Held for review",
    "pending": "Waiting to be checked",
    "deleted": "Deleted",
}

_LABEL = re.compile(r"\b[a-z]+(?:_[a-z]+)*\b")
# words that are labels only where they stand alone as one (an underscore, or known names)
_IN_SENTENCES = {key for key in PLAIN_WORDS if "_" in key} | {
    "toxicity",
    "obscene",
    "threat",
    "insult",
}


def plain(label: str | None) -> str:
    """The plain words for a label; an unknown label with its underscores made spaces."""
    if not label:
        return ""
    return PLAIN_WORDS.get(str(label), str(label).replace("_", " "))


def plain_reason(text: str | None) -> str:
    """A stored reason ("posted with identifying details: full_name, email") in plain words
    ("... a full name, an email address")."""

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        if word not in _IN_SENTENCES:
            return word
        words = PLAIN_WORDS[word]
        return words[0].lower() + words[1:]

    return _LABEL.sub(swap, text or "")


def register(app: Flask) -> None:
    app.add_template_filter(plain, "plain")
    app.add_template_filter(plain_reason, "plain_reason")
