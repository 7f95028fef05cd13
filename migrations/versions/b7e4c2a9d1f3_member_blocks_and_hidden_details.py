"""Member blocks, and details a moderator hid from readers (issue 14)

Revision ID: b7e4c2a9d1f3
Revises: e38d5c694fcb
Create Date: 2026-12-01 13:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e4c2a9d1f3"
down_revision = "e38d5c694fcb"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "member_blocks",
        sa.Column("blocker_id", sa.Integer(), nullable=False),
        sa.Column("blocked_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["blocked_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["blocker_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("blocker_id", "blocked_id"),
    )
    with op.batch_alter_table("member_blocks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_member_blocks_blocked_id"), ["blocked_id"], unique=False
        )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hidden_from_readers", sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("hidden_from_readers")
    with op.batch_alter_table("member_blocks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_blocks_blocked_id"))
    op.drop_table("member_blocks")
