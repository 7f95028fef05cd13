"""Online meetings: the schedule, hosts and bans, each holding, who came, the lines said

Revision ID: 0f85066ea7dc
Revises: c4d8e1f2a6b9
Create Date: 2026-12-01 13:09:12.791950

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0f85066ea7dc"
down_revision = "c4d8e1f2a6b9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("format", sa.String(length=24), nullable=False),
        sa.Column("members_only", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=True),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("at_time", sa.String(length=5), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("reading", sa.Text(), nullable=False),
        sa.Column("greeting", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["users.id"],
            name=op.f("fk_meetings_approved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["users.id"], name=op.f("fk_meetings_chair_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meetings_chair_id"), ["chair_id"], unique=False)
        batch_op.create_index("ix_meetings_status", ["status"], unique=False)

    op.create_table(
        "meeting_bans",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("banned_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["banned_by_id"],
            ["users.id"],
            name=op.f("fk_meeting_bans_banned_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_bans_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_meeting_bans_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "user_id", name=op.f("pk_meeting_bans")),
    )
    with op.batch_alter_table("meeting_bans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_bans_user_id"), ["user_id"], unique=False)

    op.create_table(
        "meeting_hosts",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_hosts_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_meeting_hosts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "user_id", name=op.f("pk_meeting_hosts")),
    )
    with op.batch_alter_table("meeting_hosts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_hosts_user_id"), ["user_id"], unique=False)

    op.create_table(
        "meeting_occasions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("locked", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("sharing_id", sa.Integer(), nullable=True),
        sa.Column("transcript_until", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_occasions_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sharing_id"],
            ["users.id"],
            name=op.f("fk_meeting_occasions_sharing_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_occasions")),
    )
    with op.batch_alter_table("meeting_occasions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_meeting_occasions_meeting", ["meeting_id", "ended_at"], unique=False
        )

    op.create_table(
        "meeting_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occasion_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("crisis", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("scoring", sa.String(length=16), nullable=False),
        sa.Column("scoring_lease_until", sa.DateTime(), nullable=True),
        sa.Column("scoring_lease_token", sa.String(length=16), nullable=True),
        sa.Column("scoring_attempts", sa.Integer(), nullable=False),
        sa.Column("scored_by", sa.String(length=120), nullable=True),
        sa.Column("scored_at", sa.DateTime(), nullable=True),
        sa.Column("findings", sa.JSON(), nullable=True),
        sa.Column("decision", sa.JSON(), nullable=True),
        sa.Column("moderator_approved", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_meeting_lines_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["occasion_id"],
            ["meeting_occasions.id"],
            name=op.f("fk_meeting_lines_occasion_id_meeting_occasions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_lines")),
    )
    with op.batch_alter_table("meeting_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_lines_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_meeting_lines_room", ["occasion_id", "seq"], unique=False)

    op.create_table(
        "meeting_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occasion_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
        sa.Column("muted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("hand_raised_at", sa.DateTime(), nullable=True),
        sa.Column("plan", sa.Text(), nullable=True),
        sa.Column("plan_written_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["occasion_id"],
            ["meeting_occasions.id"],
            name=op.f("fk_meeting_participants_occasion_id_meeting_occasions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_meeting_participants_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_participants")),
        sa.UniqueConstraint("occasion_id", "user_id", name="uq_meeting_participant"),
    )
    with op.batch_alter_table("meeting_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_participants_user_id"), ["user_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("meeting_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_participants_user_id"))

    op.drop_table("meeting_participants")
    with op.batch_alter_table("meeting_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_lines_room")
        batch_op.drop_index(batch_op.f("ix_meeting_lines_author_id"))

    op.drop_table("meeting_lines")
    with op.batch_alter_table("meeting_occasions", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_occasions_meeting")

    op.drop_table("meeting_occasions")
    with op.batch_alter_table("meeting_hosts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_hosts_user_id"))

    op.drop_table("meeting_hosts")
    with op.batch_alter_table("meeting_bans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_bans_user_id"))

    op.drop_table("meeting_bans")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index("ix_meetings_status")
        batch_op.drop_index(batch_op.f("ix_meetings_chair_id"))

    op.drop_table("meetings")
