"""A room's Server-Sent Events: each line published, with its number as the event id, and a
nudge when who-is-where changes.

A page that connects (or reconnects: EventSource sends Last-Event-ID by itself) first gets
every line after the last it saw, from the database, then what the broker brings. A number
that skips ahead means something was missed (Redis was down, the stream fell behind): the gap
is read from the database, so a page never loses a line or shows two out of order. The stream
holds no database connection while it waits, so a gunicorn thread per listener is the only
cost (forum/gunicorn_config.py).
"""

from collections.abc import Iterator

from sqlalchemy import select

from forum.extensions import db
from forum.meetings.broker import rooms
from forum.meetings.events import ENDED, LINE, sse_line
from forum.meetings.models import MeetingOccasion, MeetingParticipant, ParticipantState
from forum.meetings.room import line_html, lines_after

# a comment line this often keeps proxies from closing a quiet stream, finds clients gone,
# and checks the database for lines a lost event would have announced
KEEPALIVE_SECONDS = 15.0
RETRY_MS = 2000


def _state_now(occasion_id: int, participant_id: int) -> str | None:
    """The listener's state in the room; None once the meeting has ended."""
    state = db.session.scalar(
        select(MeetingParticipant.state).where(MeetingParticipant.id == participant_id)
    )
    ended = db.session.scalar(
        select(MeetingOccasion.ended_at).where(MeetingOccasion.id == occasion_id)
    )
    db.session.close()
    return None if ended is not None else state


def room_events(occasion_id: int, participant_id: int, last_seen: int) -> Iterator[str]:
    """The room's events for one listener. Someone in the waiting room hears only that
    something changed (their page reloads when they are let in); nobody removed hears more."""
    state = _state_now(occasion_id, participant_id)
    waiting = state == ParticipantState.WAITING
    subscription = rooms().subscribe(occasion_id)
    try:
        yield f"retry: {RETRY_MS}\n\n"
        last = last_seen

        def catch_up() -> Iterator[str]:
            nonlocal last
            if waiting:
                return
            for line in lines_after(occasion_id, last):
                last = line.seq
                yield sse_line(line.seq, line_html(line))
            db.session.close()  # no connection held while the stream waits

        yield from catch_up()
        while True:
            event = subscription.get(timeout=KEEPALIVE_SECONDS)
            if subscription.overflowed:
                return  # the page reconnects and replays from the database
            if event is None:
                if _state_now(occasion_id, participant_id) != state:
                    yield "event: state\ndata: {}\n\n"
                    return
                yield ": still here\n\n"
                yield from catch_up()
                continue
            if event.kind == LINE:
                if waiting or event.seq <= last:
                    continue  # read from the database already
                if event.seq > last + 1:
                    yield from catch_up()
                    continue
                last = event.seq
                yield event.sse
            elif event.kind == ENDED:
                yield event.sse
                return
            else:
                yield event.sse
                if _state_now(occasion_id, participant_id) != state:
                    return  # let in, removed, or the meeting ended: the page reloads
    finally:
        subscription.close()
