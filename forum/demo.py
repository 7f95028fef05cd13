"""Demo content, so someone who starts Harbor for the first time sees a living forum."""

import secrets
import tomllib
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from forum.data.clock import utcnow
from forum.data.models import Board, PostStatus, User
from forum.data.moderated import ScoringState
from forum.data.posting import add_reply, start_topic
from forum.extensions import db
from forum.practice.library import write_tool

DEMO_CONTENT = Path(__file__).with_name("demo_content.toml")


def _member(pseudonym: str) -> User:
    user = User(pseudonym=pseudonym, pseudonym_key=pseudonym.casefold())
    user.set_password(secrets.token_urlsafe(24))  # demo members can't be logged into
    db.session.add(user)
    return user


def seed_demo() -> None:
    """Add the demo boards, members and topics, published, with their counters kept."""
    content = tomllib.loads(DEMO_CONTENT.read_text())
    boards = {}
    for position, spec in enumerate(content["boards"], start=1):
        # a board the migrations made already (the "Right now" board) is used as it is
        board = db.session.scalar(select(Board).where(Board.slug == spec["slug"]))
        if board is None:
            board = Board(position=position, **spec)
            db.session.add(board)
        boards[spec["slug"]] = board
    members = {name: _member(name) for name in content["members"]}
    for spec in content.get("recovery", []):
        member = members[spec["member"]]
        member.recovery_started_on = utcnow().date() - timedelta(days=spec["days"])
        member.show_day_count = spec["show_day_count"]
        member.offers_mentoring = spec["offers_mentoring"]
        member.welcomes_newcomers = spec["welcomes_newcomers"]
    db.session.flush()
    start = utcnow() - timedelta(days=len(content["topics"]))
    for offset, spec in enumerate(content["topics"]):
        first = start_topic(
            boards[spec["board"]],
            members[spec["author"]],
            spec["title"],
            spec["body"],
            content_warning=spec.get("content_warning"),
        )
        first.created_at = start + timedelta(days=offset)
        first.topic.created_at = first.topic.last_post_at = first.created_at
        first.set_status(PostStatus.PUBLISHED)
        for hours, reply_spec in enumerate(spec["replies"], start=1):
            reply = add_reply(first.topic, members[reply_spec["author"]], reply_spec["body"])
            reply.created_at = first.created_at + timedelta(hours=3 * hours)
            reply.set_status(PostStatus.PUBLISHED)
    _seed_tools(content.get("tools", []), members)
    db.session.commit()


def _seed_tools(specs: list[dict], members: dict[str, User]) -> None:
    """The coping tools written for Harbor's demo: published, some featured."""
    for spec in specs:
        tool = write_tool(members[spec["author"]], spec["title"], spec["body"], spec["tags"])
        tool.status = PostStatus.PUBLISHED
        tool.scoring = ScoringState.DONE
        tool.featured = spec.get("featured", False)
