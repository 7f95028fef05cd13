"""Plain words for every internal label a moderator could otherwise read.

One mapping, used by every review page (the `plain` and `plain_reason` template filters): the
kinds of review, report categories, the detectors' labels (crisis categories, identifying
details, the model's scores), audit-log actions and resolutions. Volunteers read
"Talk of suicide or self-harm", never `suicide_self_harm`.
"""

import re

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

# internal labels inside a stored reason: any word with an underscore, a model label before
# its score ("threat 0.93 ≥ hold threshold"), the list after "identifying details:"
_UNDERSCORED = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
_SCORED_LABEL = re.compile(r"^([a-z_]+)(?= \d\.\d\d ≥)")
_IDENTIFYING_LIST = re.compile(r"(identifying details: )([a-z_, ]+)$")
# the crisis detector's reason names its category with spaces ("suicide self harm")
_SPACED_CATEGORY = re.compile("|".join(re.escape(c.value.replace("_", " ")) for c in Category))


def plain(label: str | None) -> str:
    """The plain words for a label; an unknown label with its underscores made spaces."""
    if not label:
        return ""
    return PLAIN_WORDS.get(str(label), str(label).replace("_", " "))


def _lower(words: str) -> str:
    return words[0].lower() + words[1:] if words else words


def plain_reason(text: str | None) -> str:
    """A stored reason in plain words: "posted with identifying details: full_name, email"
    reads "... a full name, an email address"; a writer's or reporter's own words are left
    as they are."""
    text = _SCORED_LABEL.sub(lambda m: plain(m.group(1)), text or "")
    text = _IDENTIFYING_LIST.sub(
        lambda m: m.group(1) + ", ".join(_lower(plain(k.strip())) for k in m.group(2).split(",")),
        text,
    )
    text = _SPACED_CATEGORY.sub(lambda m: _lower(plain(m.group(0).replace(" ", "_"))), text)
    return _UNDERSCORED.sub(
        lambda m: _lower(PLAIN_WORDS[m.group(0)]) if m.group(0) in PLAIN_WORDS else m.group(0),
        text,
    )
