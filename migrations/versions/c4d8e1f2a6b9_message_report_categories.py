"""Mentorship message reports: the same categories as a post's report

A member's earlier "I'm worried about this person" reports of a message get the category
"worried"; every other earlier one "other".

Revision ID: c4d8e1f2a6b9
Revises: 7908dabf67e6
Create Date: 2026-12-01 14:05:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4d8e1f2a6b9"
down_revision = "7908dabf67e6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("message_reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("category", sa.String(length=24), server_default="other", nullable=False)
        )
    op.execute("UPDATE message_reports SET category = 'worried' WHERE kind = 'worried'")


def downgrade():
    with op.batch_alter_table("message_reports", schema=None) as batch_op:
        batch_op.drop_column("category")
