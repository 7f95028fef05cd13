"""The kind of replies a topic's writer asks for (Topic.support_wanted), shown to repliers
above the reply box."""

from typing import NamedTuple


class SupportWanted(NamedTuple):
    label: str
    to_repliers: str


SUPPORT_WANTED = {
    "listen": SupportWanted(
        "Just listen",
        "They would like to be heard. Please don't give advice unless they ask for it.",
    ),
    "advice": SupportWanted("Advice welcome", "Suggestions and ideas are welcome, kindly put."),
    "experience": SupportWanted(
        "Share your experience",
        "Tell them what it was like for you: what helped, what didn't.",
    ),
    "mentor": SupportWanted(
        "A mentor's view",
        "They would value a reply from someone with longer recovery, or a mentor.",
    ),
}


def support_wanted_of(key: str | None) -> SupportWanted | None:
    return SUPPORT_WANTED.get(key or "")
