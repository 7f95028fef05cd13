"""The coping-tools library: members' "what worked for me", tagged, marked "this helped me"
(there is no opposite), featured by moderators. Writing and editing go through moderation
(forum/practice/moderation.py)."""

from sqlalchemy import Select, delete, select, update

from forum.data.clock import utcnow
from forum.data.markdown import render_markdown
from forum.data.models import User
from forum.data.moderated import PostStatus
from forum.data.posting import PostingError
from forum.data.review import AuditEntry, key_of
from forum.data.sql import insert_unless_present
from forum.extensions import db
from forum.flow.queue import open_item
from forum.flow.review_actions import resolve_item
from forum.practice.models import CopingTool, CopingToolTag, ToolHelped

TITLE_MAX_CHARS = 120
BODY_MAX_CHARS = 10_000
TAGS = (
    "cravings",
    "first 30 days",
    "sleep",
    "anger",
    "stress",
    "social pressure",
    "loneliness",
    "slips and starting again",
    "mornings",
    "evenings",
    "family",
    "money",
)
TOOLS_PER_PAGE = 30


def _set_tags(tool: CopingTool, tags: list[str]) -> None:
    unknown = [tag for tag in tags if tag not in TAGS]
    if unknown:
        raise PostingError(f"Unknown tag: {unknown[0]}.", 400)
    tool.tags = [CopingToolTag(tag=tag) for tag in dict.fromkeys(tags)]


def write_tool(author: User, title: str, body: str, tags: list[str]) -> CopingTool:
    """A new tool, pending until moderation decides (the caller sends it through the flow)."""
    tool = CopingTool(
        author=author,
        title=title,
        body=body,
        body_html=render_markdown(body),
        status=PostStatus.PENDING,
        created_at=utcnow(),
    )
    _set_tags(tool, tags)
    db.session.add(tool)
    db.session.flush()
    return tool


def edit_tool(tool: CopingTool, title: str, body: str, tags: list[str]) -> None:
    """A new text for the tool: out of the library until moderation lets it through again."""
    if tool.status in (PostStatus.REMOVED, PostStatus.DELETED):
        raise PostingError("A removed tool can't be edited.", 403)
    if tool.status == PostStatus.PUBLISHED:
        tool.status = PostStatus.PENDING
    tool.title = title
    tool.body = body
    tool.body_html = render_markdown(body)
    tool.edited_at = utcnow()
    _set_tags(tool, tags)


def published_tools(tag: str | None = None, newest: bool = False) -> Select[tuple[CopingTool]]:
    """The library's list: featured first, then the most helpful (or the newest)."""
    order = (CopingTool.created_at.desc(),) if newest else (CopingTool.helped_count.desc(),)
    query = (
        select(CopingTool)
        .where(CopingTool.status == PostStatus.PUBLISHED)
        .order_by(CopingTool.featured.desc(), *order, CopingTool.id.desc())
        .limit(TOOLS_PER_PAGE)
    )
    if tag:
        query = query.where(
            CopingTool.id.in_(select(CopingToolTag.tool_id).where(CopingToolTag.tag == tag))
        )
    return query


def tools_for_a_craving(limit: int = 3) -> list[CopingTool]:
    """For the SOS page: the library's tools for cravings, featured and most helpful first."""
    return list(db.session.scalars(published_tools("cravings").limit(limit)))


def helped_by(user: User | None, tools: list[CopingTool]) -> set[int]:
    if user is None or not tools:
        return set()
    return set(
        db.session.scalars(
            select(ToolHelped.tool_id).where(
                ToolHelped.user_id == user.id, ToolHelped.tool_id.in_([t.id for t in tools])
            )
        )
    )


def toggle_helped(tool: CopingTool, user: User) -> bool:
    """Mark "this helped me", or take it back; True when it is now marked."""
    if tool.status != PostStatus.PUBLISHED:
        raise PostingError("This tool is not in the library.", 404)
    if tool.author_id == user.id:
        raise PostingError("This is your own tool: others can say it helped them.", 400)
    added = insert_unless_present(ToolHelped, tool_id=tool.id, user_id=user.id)
    if not added:
        db.session.execute(
            delete(ToolHelped).where(ToolHelped.tool_id == tool.id, ToolHelped.user_id == user.id)
        )
    db.session.execute(
        update(CopingTool)
        .where(CopingTool.id == tool.id)
        .values(helped_count=CopingTool.helped_count + (1 if added else -1))
        .execution_options(synchronize_session=False)
    )
    db.session.expire(tool, ["helped_count"])
    return added


def set_featured(tool: CopingTool, moderator: User, featured: bool) -> None:
    if tool.status != PostStatus.PUBLISHED:
        raise PostingError("Only a tool in the library can be featured.", 409)
    tool.featured = featured
    db.session.add(
        AuditEntry(
            actor_id=moderator.id,
            action="feature_tool" if featured else "unfeature_tool",
            member_id=tool.author_id,
            **key_of(tool),
        )
    )


def erase_tools_of(user: User) -> None:
    """On deleting an account with "erase my posts": their tools go too, and any review item
    about one is closed (nothing is left to decide)."""
    for tool in db.session.scalars(select(CopingTool).where(CopingTool.author_id == user.id)):
        item = open_item(tool)
        if item is not None:
            resolve_item(item, "author_erased", by_moderator=False)
        db.session.delete(tool)
