"""Search index (SQLite FTS5, or PostgreSQL tsvector with GIN); partial indexes for the
scoring queue and the moderators' log

Revision ID: 7041a36eb605
Revises: 1e090afc1855
Create Date: 2026-11-21 16:20:00.000000

The search index is no model (SQLite's is a virtual table), so it is written out here per
database and filled from the posts already published; forum/search_index.py keeps it afterwards.
The partial indexes replace a whole-table index on posts.scoring that workers could not use.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7041a36eb605"
down_revision = "1e090afc1855"
branch_labels = None
depends_on = None

TITLE = "CASE WHEN p.number = 1 THEN t.title ELSE '' END"
PUBLISHED = "FROM posts p JOIN topics t ON t.id = p.topic_id WHERE p.status = 'published'"


NOT_SCORED = "scoring != 'done'"
MODERATOR_ACTION = "action != 'auto_decision'"


def upgrade():
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_scoring")
        batch_op.create_index(
            "ix_posts_scoring_queue",
            ["id"],
            unique=False,
            sqlite_where=sa.text(NOT_SCORED),
            postgresql_where=sa.text(NOT_SCORED),
        )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_log_moderator_actions",
            ["id"],
            unique=False,
            sqlite_where=sa.text(MODERATOR_ACTION),
            postgresql_where=sa.text(MODERATOR_ACTION),
        )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE post_search USING fts5("
            "title, body, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        op.execute(
            f"INSERT INTO post_search (rowid, title, body) SELECT p.id, {TITLE}, p.body {PUBLISHED}"
        )
    elif dialect == "postgresql":
        op.execute(
            "CREATE TABLE post_search (post_id INTEGER PRIMARY KEY "
            "REFERENCES posts (id) ON DELETE CASCADE, document TSVECTOR NOT NULL)"
        )
        op.execute(
            "INSERT INTO post_search (post_id, document) SELECT p.id, "
            f"setweight(to_tsvector('english', {TITLE}), 'A') "
            f"|| to_tsvector('english', p.body) {PUBLISHED}"
        )
        op.execute("CREATE INDEX ix_post_search_document ON post_search USING gin (document)")


def downgrade():
    op.execute("DROP TABLE IF EXISTS post_search")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_moderator_actions")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_scoring_queue")
        batch_op.create_index("ix_posts_scoring", ["scoring"], unique=False)
