"""Full-text search index: SQLite FTS5 table, or PostgreSQL tsvector table with a GIN index

Revision ID: 7041a36eb605
Revises: dfd755e004cc
Create Date: 2026-11-21 16:20:00.000000

The index is no model (SQLite's is a virtual table), so it is written out here per database and
filled from the posts already published. forum/search_index.py keeps it afterwards.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "7041a36eb605"
down_revision = "dfd755e004cc"
branch_labels = None
depends_on = None

TITLE = "CASE WHEN p.number = 1 THEN t.title ELSE '' END"
PUBLISHED = "FROM posts p JOIN topics t ON t.id = p.topic_id WHERE p.status = 'published'"


def upgrade():
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
