"""Room lines in the moderators' one review queue: a line with crisis language is first
there, and a held line waits there. A moderator decides on a line as on a post."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.data.review import ReviewItem
from forum.extensions import db
from forum.meetings.models import MeetingLine, MeetingOccasion
from forum.web import reviewables


def _load_lines(ids: list[int]) -> dict[int, MeetingLine]:
    lines = db.session.scalars(
        select(MeetingLine)
        .options(
            joinedload(MeetingLine.author),
            joinedload(MeetingLine.occasion).joinedload(MeetingOccasion.meeting),
        )
        .where(MeetingLine.id.in_(ids))
    )
    return {line.id: line for line in lines}


def _line_context(item: ReviewItem) -> dict[str, Any]:
    return {"line": item.subject}


reviewables.register(
    reviewables.Reviewable(
        review_type=MeetingLine.review_type,
        noun="line in a meeting",
        headline=lambda line: f"In the meeting “{line.occasion.meeting.title}”",
        template="meetings/review_line.html",
        load=_load_lines,
        context=_line_context,
        actions=reviewables.COMMON,
    )
)
