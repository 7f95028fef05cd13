"""What moderation reads: one submission, the fields it is made of, and where it is posted.

Every check (crisis language, identifying details, the model's scores, the policy) takes the
same typed value, so a post, a reply, an edit and a private message are read alike, and a new
check cannot forget a field (the content warning is a field like the others).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Place(StrEnum):
    """Where the text will be read."""

    TOPIC = "topic"  # the first post of a new topic, with its title
    REPLY = "reply"
    PRIVATE_MESSAGE = "private_message"  # between a mentor and a newcomer
    COPING_TOOL = "coping_tool"  # a member's "what worked for me" in the library, with its name
    MEETING = "meeting"  # a line in a live online meeting, read at once by everyone there


class Field(StrEnum):
    """A part of a submission, in reading order."""

    TITLE = "title"
    CONTENT_WARNING = "content_warning"
    BODY = "body"


@dataclass(frozen=True)
class Standing:
    """What the policy may weigh about the writer: never who they are."""

    new_member: bool = False


@dataclass(frozen=True)
class Submission:
    """A text as it is about to be stored: its fields, its place, and its writer's standing."""

    place: Place
    body: str
    title: str = ""
    content_warning: str = ""
    author: Standing = Standing()
    has_links: bool = False

    def fields(self) -> tuple[tuple[Field, str], ...]:
        """The fields that hold text, in reading order."""
        values = {
            Field.TITLE: self.title,
            Field.CONTENT_WARNING: self.content_warning,
            Field.BODY: self.body,
        }
        return tuple((field, text) for field, text in values.items() if text.strip())

    @property
    def text(self) -> str:
        """The whole submission as one text, for the checks that read context across fields."""
        return "\n\n".join(text for _, text in self.fields())
