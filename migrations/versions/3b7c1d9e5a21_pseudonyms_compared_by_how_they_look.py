"""pseudonyms compared by how they look: users.name_key

Each member's name gets the key a reader would confuse it by ("caroI" and "carol" alike:
moderation/pseudonyms.py), so a new member can't take a name that passes for theirs.

Revision ID: 3b7c1d9e5a21
Revises: 8ce92bffa96f
Create Date: 2026-12-01 12:20:00

"""

import sqlalchemy as sa
from alembic import op

from moderation.pseudonyms import look_alike_key

# revision identifiers, used by Alembic.
revision = "3b7c1d9e5a21"
down_revision = "8ce92bffa96f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=64), nullable=True))
    users = sa.table(
        "users", sa.column("id", sa.Integer), sa.column("pseudonym"), sa.column("name_key")
    )
    connection = op.get_bind()
    for user_id, pseudonym in connection.execute(sa.select(users.c.id, users.c.pseudonym)).all():
        connection.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(name_key=look_alike_key(pseudonym)[:64])
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("name_key", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f("ix_users_name_key"), ["name_key"], unique=False)


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_name_key"))
        batch_op.drop_column("name_key")
