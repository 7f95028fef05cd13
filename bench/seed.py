"""Seed a large forum for the benchmarks, fast: bulk inserts with the kept counters set.

    python bench/seed.py --database-url sqlite:////tmp/bench.sqlite3 --posts 1000000

The shape scales with --posts: 10 boards; one topic for every 20 posts (50,000 topics at
1,000,000 posts); one big topic with a two-hundredth of the posts (5,000 at 1,000,000). Every
post is published and scored, the counters shown on pages agree with the rows, and the search
index is filled. The schema is built by the migrations, as in production.
"""

import argparse
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import click
from sqlalchemy import create_engine, insert, make_url, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forum import create_app  # noqa: E402
from forum.data.models import Board, Post, Topic, User  # noqa: E402
from forum.data.search_index import rebuild_search_index  # noqa: E402
from forum.extensions import db  # noqa: E402

BOARDS = 10
MEMBERS = 1000
POSTS_PER_TOPIC = 20
BIG_TOPIC_SHARE = 200  # the big topic holds 1/200 of the posts
BATCH = 20_000
PASSWORD = "bench password 1234"

# words of the forum's own talk, so that searches for them find something at every size
WORDS = """
today sober sponsor meeting craving cravings relapse recovery step steps day days week weeks
month year grateful hope hard family friend friends work sleep morning evening night coffee
walk walking talk called phone group share shared honest honestly tired better worse still
again first time clean support program service home kitchen garden dog cat weather rain sun
kids partner mother father brother sister job boss shift drive car bus train park river gym
run running tea water dinner lunch breakfast book reading wrote journal prayer quiet anxious
anxiety calm angry happy sad lonely together proud scared brave small big little
"""
VOCABULARY = WORDS.split()
FILLER_WORDS = "i the a and to of it was my we that is in for with but not so just"
FILLER = FILLER_WORDS.split()


def reset_schema(url: str) -> None:
    """Start from nothing: a new SQLite file, or an empty PostgreSQL public schema."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def sentence(rng: random.Random) -> str:
    words = rng.choices(VOCABULARY, k=rng.randint(6, 12)) + rng.choices(FILLER, k=4)
    rng.shuffle(words)
    return " ".join(words).capitalize() + "."


def body_text(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))


def topic_sizes(posts: int, rng: random.Random) -> list[int]:
    """Posts per topic: the big topic first, then topics of about 20 posts that add up."""
    topics = max(2, posts // POSTS_PER_TOPIC)
    big = max(POSTS_PER_TOPIC, posts // BIG_TOPIC_SHARE)
    rest = posts - big
    others = topics - 1
    sizes = [rest // others + (1 if i < rest % others else 0) for i in range(others)]
    for i in range(0, others - 1, 2):  # vary sizes, keeping the total
        shift = rng.randint(0, min(sizes[i], sizes[i + 1]) - 1)
        sizes[i] -= shift
        sizes[i + 1] += shift
    return [big, *sizes]


def seed(url: str, posts: int, seed_value: int) -> dict[str, int]:
    rng = random.Random(seed_value)
    reset_schema(url)
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "HARBOR_BACKGROUND_SWEEP": False, "TESTING": False}
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        started = datetime(2025, 1, 1)
        member = User(pseudonym="x", pseudonym_key="x")
        member.set_password(PASSWORD)  # scrypt once; every member shares the hash
        users = [
            {
                "id": number,
                "pseudonym": f"member{number:04d}",
                "pseudonym_key": f"member{number:04d}",
                "password_hash": member.password_hash,
                "role": "member",
                "created_at": started,
                "topic_count": 0,
                "post_count": 0,
            }
            for number in range(1, MEMBERS + 1)
        ]
        boards = [
            {
                "id": number,
                "slug": f"board-{number}",
                "name": f"Board {number}",
                "description": f"Bench board number {number}.",
                "position": number,
                "members_only": False,
                "topic_count": 0,
                "post_count": 0,
                "last_post_at": None,
            }
            for number in range(1, BOARDS + 1)
        ]
        sizes = topic_sizes(posts, rng)
        topics = [
            {
                "id": index + 1,
                "board_id": 1 if index == 0 else (index % BOARDS) + 1,
                "author_id": rng.randint(1, MEMBERS),
                "title": sentence(rng)[:-1][:80],
                "created_at": None,
                "last_post_at": None,
                "status": "published",
                "locked": False,
                "post_count": 0,
                "reply_count": 0,
                "has_crisis": False,
            }
            for index in range(len(sizes))
        ]
        # post ids follow time and topics interleave, so every page mixes old and new; the
        # counters are worked out first, so parents are written once with their final values
        order = [index for index, size in enumerate(sizes) for _ in range(size)]
        rng.shuffle(order)
        step = timedelta(days=365) / posts
        plan: list[tuple[int, int, int]] = []  # (topic index, number, author) per post
        for post_id, topic_index in enumerate(order, start=1):
            topic = topics[topic_index]
            board = boards[topic["board_id"] - 1]
            created = started + step * post_id
            topic["post_count"] += 1
            number = topic["post_count"]
            author_id = topic["author_id"] if number == 1 else rng.randint(1, MEMBERS)
            user = users[author_id - 1]
            user["post_count"] += 1
            board["post_count"] += 1
            board["last_post_at"] = topic["last_post_at"] = created
            if number == 1:
                topic["created_at"] = created
                board["topic_count"] += 1
                user["topic_count"] += 1
            else:
                topic["reply_count"] += 1
            plan.append((topic_index, number, author_id))
        connection = db.session.connection()
        connection.execute(insert(Board), boards)
        connection.execute(insert(User), users)
        connection.execute(insert(Topic), topics)
        with click.progressbar(plan, label=f"Seeding {posts:,} posts") as bar:
            batch: list[dict] = []
            for post_id, (topic_index, number, author_id) in enumerate(bar, start=1):
                body = body_text(rng)
                created = started + step * post_id
                batch.append(
                    {
                        "id": post_id,
                        "topic_id": topic_index + 1,
                        "number": number,
                        "author_id": author_id,
                        "body": body,
                        "body_html": f"<p>{body}</p>",
                        "created_at": created,
                        "status": "published",
                        "scoring": "done",
                        "scoring_attempts": 1,
                        "scored_by": "bench-seed",
                        "scored_at": created,
                    }
                )
                if len(batch) == BATCH:
                    connection.execute(insert(Post), batch)
                    batch = []
            if batch:
                connection.execute(insert(Post), batch)
        _restart_sequences(connection)
        db.session.commit()
        click.echo("Filling the search index...", err=True)
        began = time.monotonic()
        rebuild_search_index(db.session.connection())
        db.session.commit()
        click.echo(f"Search index filled in {time.monotonic() - began:.0f} s.", err=True)
        _analyse(db.engine)
    return {"boards": len(boards), "topics": len(topics), "posts": posts, "big_topic": sizes[0]}


def _restart_sequences(connection) -> None:  # noqa: ANN001
    if connection.dialect.name != "postgresql":
        return
    for table in ("users", "boards", "topics", "posts"):
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        )


def _analyse(engine) -> None:  # noqa: ANN001
    """Fresh statistics, as a forum that has run a while would have."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE")
            )
        else:
            connection.execute(text("ANALYZE"))
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            connection.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    began = time.monotonic()
    shape = seed(args.database_url, args.posts, args.seed)
    click.echo(
        f"Seeded {shape['boards']} boards, {shape['topics']:,} topics, {shape['posts']:,} posts "
        f"(big topic: {shape['big_topic']:,}) in {time.monotonic() - began:.0f} s."
    )


if __name__ == "__main__":
    main()
