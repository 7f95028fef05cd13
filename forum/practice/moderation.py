"""Coping tools in the moderators' one review queue.

A tool is a moderated text (`CopingTool` mixes in `ModeratedText`): the views send it through
the moderation flow as posts are sent (forum.web.compose.Draft), the scoring workers find it
with every other moderated table, and this module declares what its review items show and
offer. A moderator decides on a tool as on a post: approve into the library, remove (its
writer is told why), warn, silence, suspend, escalate, reach out.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.data.review import ReviewItem
from forum.extensions import db
from forum.practice.models import CopingTool
from forum.web import reviewables


def _load_tools(ids: list[int]) -> dict[int, CopingTool]:
    tools = db.session.scalars(
        select(CopingTool).options(joinedload(CopingTool.author)).where(CopingTool.id.in_(ids))
    )
    return {tool.id: tool for tool in tools}


def _tool_context(item: ReviewItem) -> dict[str, Any]:
    return {"tool": item.subject}


reviewables.register(
    reviewables.Reviewable(
        review_type=CopingTool.review_type,
        noun="coping tool",
        headline=lambda tool: f"Coping tool: {tool.title}",
        template="practice/review_tool.html",
        load=_load_tools,
        context=_tool_context,
        actions=reviewables.COMMON,
    )
)
