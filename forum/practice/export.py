"""Daily practice's part of "My data": everything this package holds about a member, unsealed
for them. Deleting the account deletes all of it (the tables' ON DELETE CASCADE); coping
tools follow the member's choice for their posts."""

from typing import Any

from sqlalchemy import select

from forum.data.clock import exported
from forum.data.models import User
from forum.extensions import db
from forum.practice.journal import entries_of
from forum.practice.models import (
    AccountabilityPartner,
    CopingTool,
    Pledge,
    PracticeProfile,
    SosUse,
    ToolHelped,
)
from forum.practice.sealing import unseal_or_note
from forum.practice.sos import reasons_of


def practice_data(user: User) -> dict[str, Any]:
    profile = db.session.get(PracticeProfile, user.id)
    pledges = db.session.scalars(
        select(Pledge).where(Pledge.user_id == user.id).order_by(Pledge.day)
    ).all()
    partnerships = db.session.scalars(
        select(AccountabilityPartner)
        .where(
            (AccountabilityPartner.member_id == user.id)
            | (AccountabilityPartner.partner_id == user.id)
        )
        .order_by(AccountabilityPartner.id)
    ).all()
    tools = db.session.scalars(
        select(CopingTool).where(CopingTool.author_id == user.id).order_by(CopingTool.id)
    ).all()
    return {
        "settings": {
            "time_zone": user.time_zone,
            "show_streak": bool(profile and profile.show_streak),
            "told_of_right_now_posts": bool(profile and profile.helps_right_now),
        },
        "reasons": reasons_of(user),
        "pledges": [
            {
                "day": exported(pledge.day),
                "made_at": exported(pledge.made_at),
                "words": unseal_or_note(profile, "pledge", pledge.words_sealed),
                "reviewed_at": exported(pledge.reviewed_at),
                "how_hard": pledge.difficulty,
                "how_it_went": pledge.went,
                "note": unseal_or_note(profile, "pledge-note", pledge.note_sealed),
            }
            for pledge in pledges
        ],
        "journal": [
            {
                "day": exported(entry.day),
                "written_at": exported(entry.written_at),
                "mood": entry.mood,
                "craving": entry.craving,
                "triggers": entry.triggers,
                "body": entry.body,
            }
            for entry in reversed(entries_of(user))
        ],
        "craving_sos_used": [
            exported(used)
            for used in db.session.scalars(
                select(SosUse.used_at).where(SosUse.user_id == user.id).order_by(SosUse.id)
            )
        ],
        "accountability_partners": [
            {
                "you_are": "member" if row.member_id == user.id else "partner",
                "with": (row.partner if row.member_id == user.id else row.member).pseudonym,
                "status": row.status,
                "created_at": exported(row.created_at),
            }
            for row in partnerships
        ],
        "coping_tools_written": [
            {
                "id": tool.id,
                "title": tool.title,
                "body": tool.body,
                "tags": tool.tag_names,
                "status": tool.status,
                "created_at": exported(tool.created_at),
                "helped": tool.helped_count,
                "moderation": {
                    "findings": tool.findings.to_json() if tool.findings else None,
                    "decision": tool.decision.to_json() if tool.decision else None,
                },
            }
            for tool in tools
        ],
        "tools_you_said_helped": list(
            db.session.scalars(select(ToolHelped.tool_id).where(ToolHelped.user_id == user.id))
        ),
    }
