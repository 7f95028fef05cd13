"""The full-text index of published posts: SQLite FTS5 embedded, PostgreSQL tsvector at scale.

One table, `post_search`, holds a row per published post (the first post of a topic carries the
topic's title too). It holds what a reader sees of the post before opening any content warning
(forum.data.markdown.visible_text), so no result is found by, or quotes, words behind one, and
without the private-use characters that mark matches in a snippet, so a post can't mark its
own. A post enters it when it is published and leaves it when it is held,
removed or deleted; an edit or a new title replaces its row. This happens in the same
transaction as the change, from a session hook (`keep_index_with`), so every way of changing
a post keeps the index. Topic visibility and members-only boards are checked when searching,
so hiding a topic or closing a board hides its posts at once.

Results come newest first, by post id. Both databases can then stop at the page's last row:
FTS5 walks its index in rowid order, and PostgreSQL walks the primary key when a term is common
or the GIN index when it is rare, so a search does not grow slower as the forum grows.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from itertools import chain
from typing import Any

from markupsafe import Markup
from sqlalchemy import Boolean, Connection, bindparam, event, inspect, or_, select, text
from sqlalchemy.orm import Session

from forum.data.markdown import visible_text
from forum.data.models import Post, PostStatus, Topic

TABLE = "post_search"
MAX_TERMS = 8
MAX_TERM_CHARS = 80
# private-use characters mark the matched words in a snippet before it is HTML-escaped
_MARK_START, _MARK_END = "\ue000", "\ue001"
_NO_MARKS = {ord(_MARK_START): None, ord(_MARK_END): None}
_TERM = re.compile(r'"([^"]*)"|([^\s"]+)')
_WORD = re.compile(r"\w+")

SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
    "title, body, tokenize = 'porter unicode61 remove_diacritics 2')"
)
# PostgreSQL keeps the indexed text too: ts_headline makes the snippets from it
POSTGRESQL_CREATE = (
    f"CREATE TABLE {TABLE} (post_id INTEGER PRIMARY KEY "
    "REFERENCES posts (id) ON DELETE CASCADE, document TSVECTOR NOT NULL, body TEXT NOT NULL)",
    f"CREATE INDEX ix_{TABLE}_document ON {TABLE} USING gin (document)",
)
# the document of a post: the topic's title (first posts only) weighted above the body
POSTGRESQL_DOCUMENT = (
    "setweight(to_tsvector('english', {title}), 'A') || to_tsvector('english', {body})"
)


def create_search_table(connection: Connection) -> None:
    match connection.dialect.name:
        case "sqlite":
            connection.exec_driver_sql(SQLITE_CREATE)
        case "postgresql":
            for statement in POSTGRESQL_CREATE:
                connection.exec_driver_sql(statement)


def drop_search_table(connection: Connection) -> None:
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")


def searchable_text(body: str) -> str:
    """What the index holds of a post's body: the text outside content warnings, unmarked."""
    return visible_text(body).translate(_NO_MARKS)


def rebuild_search_index(connection: Connection) -> None:
    """Fill the index from scratch from every published post (after a bulk load or restore).

    One statement copies every post as it is; the few whose text differs from what the index
    holds (a content warning, a marker character) are then indexed again, one by one."""
    title = "CASE WHEN p.number = 1 THEN t.title ELSE '' END"
    source = "FROM posts p JOIN topics t ON t.id = p.topic_id WHERE p.status = 'published'"
    connection.exec_driver_sql(f"DELETE FROM {TABLE}")
    match connection.dialect.name:
        case "sqlite":
            connection.exec_driver_sql(
                f"INSERT INTO {TABLE} (rowid, title, body) SELECT p.id, {title}, p.body {source}"
            )
        case "postgresql":
            document = POSTGRESQL_DOCUMENT.format(title=title, body="p.body")
            connection.exec_driver_sql(
                f"INSERT INTO {TABLE} (post_id, document, body) "
                f"SELECT p.id, {document}, p.body {source}"
            )
    differing = connection.execute(
        select(Post.id, Post.topic_id, Post.number, Post.status, Post.body).where(
            Post.status == PostStatus.PUBLISHED,
            or_(*(Post.body.contains(mark) for mark in (":::", _MARK_START, _MARK_END))),
        )
    ).all()
    _reindex(connection, differing, [])


def is_search_table(name: str | None) -> bool:
    """The index and SQLite's shadow tables of it are not models: migrations make them."""
    return bool(name) and (name == TABLE or name.startswith(f"{TABLE}_"))


def include_in_schema_comparison(obj: Any, name: str | None, type_: str, *_: Any) -> bool:
    """Alembic's `include_object`: compare everything but the search index."""
    table_name = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return not (is_search_table(name) or is_search_table(table_name))


@event.listens_for(Post.__table__, "after_create")
def _create_with_posts(target: Any, connection: Connection, **_: Any) -> None:
    """`db.create_all()` (tests, a first run without migrations) makes the index too."""
    create_search_table(connection)


@event.listens_for(Post.__table__, "before_drop")
def _drop_with_posts(target: Any, connection: Connection, **_: Any) -> None:
    drop_search_table(connection)


# keeping the index -----------------------------------------------------------------------


def _changed(obj: Any, *names: str) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def keep_index_with(session: Any) -> None:
    """Keep the index in every flush of `session` (Flask-SQLAlchemy's scoped session)."""
    if not event.contains(session, "after_flush", _keep_search_index):
        event.listen(session, "after_flush", _keep_search_index)


def _keep_search_index(session: Session, flush_context: Any) -> None:
    """Replace the index rows of every post whose status, text or topic title was flushed."""
    connection = session.connection()
    if connection.dialect.name not in ("sqlite", "postgresql"):
        return
    changed_posts: dict[int, Post] = {}
    retitled_topics: list[int] = []
    for obj in chain(session.new, session.dirty):
        if isinstance(obj, Post) and (obj in session.new or _changed(obj, "status", "body")):
            changed_posts[obj.id] = obj
        elif isinstance(obj, Topic) and obj not in session.new and _changed(obj, "title"):
            retitled_topics.append(obj.id)
    removed = [obj.id for obj in session.deleted if isinstance(obj, Post)]
    rows = [
        (post.id, post.topic_id, post.number, post.status, post.body)
        for post in changed_posts.values()
    ]
    if retitled_topics:
        rows += connection.execute(
            select(Post.id, Post.topic_id, Post.number, Post.status, Post.body).where(
                Post.topic_id.in_(retitled_topics),
                Post.number == 1,
                Post.id.notin_(changed_posts),
            )
        ).all()
    _reindex(connection, rows, removed)


def _reindex(connection: Connection, rows: Iterable[Any], removed: list[int]) -> None:
    rows = list(rows)
    stale = removed + [row[0] for row in rows]
    if not stale:
        return
    key = "rowid" if connection.dialect.name == "sqlite" else "post_id"
    connection.execute(
        text(f"DELETE FROM {TABLE} WHERE {key} IN ({','.join(str(int(i)) for i in stale)})")
    )
    published = [row for row in rows if row[3] == PostStatus.PUBLISHED]
    if not published:
        return
    titles = dict(
        connection.execute(
            select(Topic.id, Topic.title).where(
                Topic.id.in_({row[1] for row in published if row[2] == 1})
            )
        ).all()
    )
    values = [
        {
            "id": row[0],
            "title": titles.get(row[1], "") if row[2] == 1 else "",
            "body": searchable_text(row[4]),
        }
        for row in published
    ]
    if connection.dialect.name == "sqlite":
        insert = f"INSERT INTO {TABLE} (rowid, title, body) VALUES (:id, :title, :body)"
    else:
        document = POSTGRESQL_DOCUMENT.format(title=":title", body=":body")
        insert = f"INSERT INTO {TABLE} (post_id, document, body) VALUES (:id, {document}, :body)"
    connection.execute(text(insert), values)


# searching ------------------------------------------------------------------------------


def search_terms(query: str) -> list[str]:
    """A reader's query as terms: "quoted phrases" and single words, all of which must match.

    Operators and punctuation are not syntax here, so no input can be a malformed query.
    """
    terms = []
    for phrase, word in _TERM.findall(query):
        words = _WORD.findall(phrase or word)
        if words:
            terms.append(" ".join(words)[:MAX_TERM_CHARS])
    return list(dict.fromkeys(terms))[:MAX_TERMS]


@dataclass(frozen=True)
class SearchResult:
    post_id: int
    topic_id: int
    number: int
    created_at: datetime
    topic_title: str
    board_slug: str
    board_name: str
    # a warning on the whole post: its words stay behind it, and the result shows the warning
    content_warning: str | None
    snippet: Markup


def _snippet_html(raw: str | None) -> Markup:
    marked = escape(raw or "").replace(_MARK_START, "<mark>").replace(_MARK_END, "</mark>")
    return Markup(marked)


def _as_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def search_posts(
    session: Session,
    terms: list[str],
    *,
    members: bool,
    before: int | None,
    limit: int,
    blocked: Iterable[int] = (),
    moderating: bool = False,
) -> list[SearchResult]:
    """Published posts matching every term, newest first, older than post id `before`.

    Guests (`members=False`) never see posts on members-only boards, and no one sees posts of
    a topic that is not published. Posts by the `blocked` members are left out, in the query
    so that a page stays full, except, for a moderator, in a topic with crisis language
    (as forum.data.blocks.unblocked).
    """
    if not terms:
        return []
    dialect = session.get_bind().dialect.name
    params: dict[str, Any] = {"limit": limit, "before": before or 2**62}
    # a post whose details a moderator hid from readers is not found either
    visible = "t.status = 'published' AND p.status = 'published' AND p.hidden_from_readers IS NULL"
    if not members:
        visible += " AND NOT b.members_only"
    if blocked := sorted(blocked):
        params.update(blocked=blocked, moderating=moderating)
        visible += (
            " AND (p.author_id IS NULL OR p.author_id NOT IN :blocked"
            " OR (:moderating AND t.has_crisis))"
        )
    columns = "p.id, p.topic_id, p.number, p.created_at, t.title, b.slug, b.name, p.content_warning"
    joins = "JOIN topics t ON t.id = p.topic_id JOIN boards b ON b.id = t.board_id"
    if dialect == "sqlite":
        params["match"] = " AND ".join('"' + term.replace('"', "") + '"' for term in terms)
        statement = f"""
            SELECT {columns},
                   snippet({TABLE}, 1, '{_MARK_START}', '{_MARK_END}', ' … ', 16)
            FROM {TABLE} JOIN posts p ON p.id = {TABLE}.rowid {joins}
            WHERE {TABLE} MATCH :match AND {TABLE}.rowid < :before AND {visible}
            ORDER BY {TABLE}.rowid DESC LIMIT :limit"""
    elif dialect == "postgresql":
        params.update({f"term{i}": term for i, term in enumerate(terms)})
        query = " && ".join(f"phraseto_tsquery('english', :term{i})" for i in range(len(terms)))
        options = f"StartSel={_MARK_START}, StopSel={_MARK_END}, MaxWords=30, MinWords=12"
        statement = f"""
            WITH found AS (
                SELECT {columns}, s.body
                FROM {TABLE} s JOIN posts p ON p.id = s.post_id {joins}
                WHERE s.document @@ ({query}) AND s.post_id < :before AND {visible}
                ORDER BY s.post_id DESC LIMIT :limit)
            SELECT id, topic_id, number, created_at, title, slug, name, content_warning,
                   ts_headline('english', body, ({query}), '{options}')
            FROM found ORDER BY id DESC"""
    else:
        return []
    query_text = text(statement)
    if blocked:
        query_text = query_text.bindparams(
            bindparam("blocked", expanding=True), bindparam("moderating", type_=Boolean)
        )
    rows = session.execute(query_text, params).all()
    return [
        SearchResult(
            post_id=row[0],
            topic_id=row[1],
            number=row[2],
            created_at=_as_datetime(row[3]),
            topic_title=row[4],
            board_slug=row[5],
            board_name=row[6],
            content_warning=row[7],
            snippet=_snippet_html(None if row[7] else row[8]),
        )
        for row in rows
    ]
