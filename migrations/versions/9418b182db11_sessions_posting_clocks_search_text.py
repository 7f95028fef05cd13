"""Server-side sessions (replacing users.session_token), posting clocks, and a search index of
the text outside content warnings

Revision ID: 9418b182db11
Revises: 3b7c1d9e5a21
Create Date: 2026-12-01 09:49:04.582353

Every log-in becomes a member_sessions row (forum/data/member_sessions.py), so log-out and "log out
everywhere" end it on the server; a member's token on their own row had signed out only other
devices, and only on a password change. posting_clocks holds when each member last posted a
topic, a reply or an edit, claimed atomically with the post (forum/data/posting_clocks.py).
The search index is rebuilt to hold only what readers see before opening a content warning
(PostgreSQL's keeps that text too, for its snippets). Upgrading signs every member out once:
the old cookies name no session.
"""

import sqlalchemy as sa
from alembic import op

from forum.data.search_index import rebuild_search_index

# revision identifiers, used by Alembic.
revision = "9418b182db11"
down_revision = "3b7c1d9e5a21"
branch_labels = None
depends_on = None

RANDOM_TOKEN = {
    "sqlite": "lower(hex(randomblob(16)))",
    "postgresql": "md5(random()::text || clock_timestamp()::text)",
}


def upgrade():
    op.create_table(
        "member_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_member_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_member_sessions_token_hash")),
    )
    with op.batch_alter_table("member_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "posting_clocks",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_posting_clocks_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_posting_clocks")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_token")

    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE post_search ADD COLUMN body TEXT NOT NULL DEFAULT ''")
        op.execute("ALTER TABLE post_search ALTER COLUMN body DROP DEFAULT")
    rebuild_search_index(op.get_bind())


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE post_search DROP COLUMN body")
    # each member gets a fresh random token: an empty one would match an empty cookie
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_token", sa.String(length=32), nullable=False, server_default="")
        )
    random_token = RANDOM_TOKEN[op.get_bind().dialect.name]
    op.execute(f"UPDATE users SET session_token = {random_token}")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("session_token", server_default=None)
    op.drop_table("posting_clocks")
    with op.batch_alter_table("member_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_sessions_user_id"))
    op.drop_table("member_sessions")
