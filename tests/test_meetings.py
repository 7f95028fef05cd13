"""Issue 16: online meetings through the real forms, on both databases: proposing and
approving, the schedule in the reader's zone, the room (hands, shares, the waiting room, host
controls and their audit entries), crisis lines, the end, the 7-day plan, My data, and the
stream replaying what a page missed."""

import json
import re
from datetime import timedelta

from sqlalchemy import select

from forum.data.clock import utcnow
from forum.data.models import Role, User
from forum.data.notifications import Notification
from forum.data.review import AuditEntry, ReviewItem
from forum.extensions import db
from forum.meetings.broker import rooms
from forum.meetings.models import (
    Meeting,
    MeetingBan,
    MeetingLine,
    MeetingOccasion,
    MeetingParticipant,
)
from tests.conftest import FormClient, make_app, make_user

CRISIS_LINE = "I want to end my life tonight, I have the pills here."


def member(app, new_forms, name: str, days: int = 60, posts: int = 3, role=Role.MEMBER):  # noqa: ANN001, ANN201
    """A logged-in member whose account is `days` old with `posts` posts."""
    make_user(app, name, role)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.pseudonym == name))
        user.created_at = utcnow() - timedelta(days=days)
        user.post_count = posts
        db.session.commit()
    client = new_forms()
    assert client.login(name).status_code == 302
    return client


def propose(client, title: str = "Tuesday open share", **fields):  # noqa: ANN001, ANN201
    data = {
        "title": title,
        "format": "open_share",
        "repeats": "weekly",
        "weekday": "1",
        "at_time": "19:00",
        "time_zone": "Europe/London",
        "duration_minutes": "60",
        "greeting": "Glad you're here.",
        "co_hosts": "",
        "greeter": "",
        **fields,
    }
    return client.submit("/meetings/propose", data)


def meeting_id(app, title: str = "Tuesday open share") -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(Meeting.id).where(Meeting.title == title))


def approve(moderator, mid: int):  # noqa: ANN001, ANN201
    return moderator.submit("/meetings", {"decision": "approve"}, action=f"/meetings/{mid}/decide")


def page(client, url: str) -> str:  # noqa: ANN001
    return client.get(url).get_data(as_text=True)


def act(client, mid: int, action: str, data: dict):  # noqa: ANN001, ANN201
    response = client.submit(f"/meetings/{mid}", data, action=f"/meetings/{mid}/{action}")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def participant_id(app, name: str) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(
            select(MeetingParticipant.id)
            .join(User, User.id == MeetingParticipant.user_id)
            .where(User.pseudonym == name)
            .order_by(MeetingParticipant.id.desc())
        )


def room_with(app, new_forms):  # noqa: ANN001, ANN201
    """An approved weekly meeting chaired by Chair Rowan with co-host Cove and greeter Wren,
    opened."""
    chair = member(app, new_forms, "Chair Rowan")
    cohost = member(app, new_forms, "Cove")
    greeter = member(app, new_forms, "Wren")
    moderator = member(app, new_forms, "Mod Ash", role=Role.MODERATOR)
    assert propose(chair, co_hosts="Cove", greeter="Wren", reading="").status_code == 302
    mid = meeting_id(app)
    assert approve(moderator, mid).status_code == 302
    act(chair, mid, "open", {})
    act(cohost, mid, "join", {})
    act(greeter, mid, "join", {})
    return mid, chair, cohost, greeter, moderator


def test_a_member_proposes_a_moderator_approves_and_guests_see_open_meetings_in_their_zone(
    app, new_forms
):
    young = member(app, new_forms, "Young Fern", days=5)
    assert young.get("/meetings/propose").status_code == 302
    assert young.client.post("/meetings/propose", data={"title": "Too soon"}).status_code in (
        302,
        400,
    )
    assert meeting_id(app, "Too soon") is None
    assert "After 30 days" in page(young, "/meetings")

    chair = member(app, new_forms, "Chair Rowan")
    propose(chair)
    propose(
        chair,
        "Members' step study",
        members_only="y",
        format="step_study",
        reading="Tonight: step one, in my words. Honesty first.",
    )
    guest = new_forms()
    assert "Tuesday open share" not in page(guest, "/meetings")  # waiting for a moderator
    moderator = member(app, new_forms, "Mod Ash", role=Role.MODERATOR)
    assert "Waiting for a moderator" in page(moderator, "/meetings")
    approve(moderator, meeting_id(app))
    approve(moderator, meeting_id(app, "Members' step study"))

    schedule = page(guest, "/meetings")
    assert "Tuesday open share" in schedule and "chaired by Chair Rowan" in schedule
    assert "Members' step study" not in schedule
    assert "weekly on Tuesdays at 19:00, Europe/London time" in schedule
    assert re.search(r"Tue \d\d \w\w\w, 19:00", schedule)  # the guest reads UTC: same in winter
    assert guest.get(f"/meetings/{meeting_id(app, 'Members’ step study')}").status_code == 404
    with app.app_context():
        user = db.session.scalar(select(User).where(User.pseudonym == "Chair Rowan"))
        user.time_zone = "America/New_York"
        db.session.commit()
    assert re.search(r"Tue \d\d \w\w\w, 14:00", page(chair, "/meetings"))
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("meeting_approve") == 2
    study = meeting_id(app, "Members' step study")
    act(chair, study, "open", {})
    opened = page(chair, f"/meetings/{study}/room")
    assert "Tonight: step one, in my words." in opened and "Code of conduct" in opened


def test_hands_shares_a_late_comer_and_the_waiting_room(app, new_forms):
    mid, chair, cohost, greeter, moderator = room_with(app, new_forms)
    room = page(chair, f"/meetings/{mid}/room")
    assert "Welcome. This is an open share meeting" in room and "Code of conduct" in room

    sam = member(app, new_forms, "Sam")
    act(sam, mid, "join", {})
    act(sam, mid, "room/hand", {"up": "yes"})
    assert "Call on Sam" in page(chair, f"/meetings/{mid}/room")
    refused = sam.submit(
        f"/meetings/{mid}/room", {"body": "Too early"}, action=f"/meetings/{mid}/room/say"
    )
    assert refused.status_code == 302
    assert "Raise your hand" in page(sam, f"/meetings/{mid}/room")
    act(chair, mid, f"room/people/{participant_id(app, 'Sam')}", {"action": "call"})
    assert "It's your turn to share" in page(sam, f"/meetings/{mid}/room")
    act(sam, mid, "room/say", {"body": "Day 40 today. Grateful to be here."})
    act(sam, mid, "room/finish", {"how": "done"})
    room = page(cohost, f"/meetings/{mid}/room")
    assert room.index("Day 40 today") < room.index("Sam</strong> [done]")
    assert "Nobody is sharing just now" in room

    with app.app_context():  # the meeting opened a while ago: a late-comer is greeted
        occasion = db.session.scalar(select(MeetingOccasion))
        occasion.started_at -= timedelta(minutes=10)
        db.session.commit()
    late = member(app, new_forms, "Late Lou")
    act(late, mid, "join", {})
    assert "Welcome, Late Lou. Glad you're here." in page(late, f"/meetings/{mid}/room")

    intruder = member(app, new_forms, "Brand New", days=0, posts=0)
    act(intruder, mid, "join", {})
    waiting = page(intruder, f"/meetings/{mid}/room")
    assert "You're in the waiting room" in waiting and "Day 40 today" not in waiting
    assert "Let Brand New in" in page(cohost, f"/meetings/{mid}/room")
    act(cohost, mid, f"room/people/{participant_id(app, 'Brand New')}", {"action": "remove"})
    assert intruder.get(f"/meetings/{mid}/room").status_code == 302
    assert "removed you" in page(intruder, f"/meetings/{mid}")

    act(cohost, mid, f"room/people/{participant_id(app, 'Sam')}", {"action": "mute"})
    act(cohost, mid, "room/lock", {"locked": "yes"})
    another = member(app, new_forms, "Knocking")
    another.submit(f"/meetings/{mid}", {}, action=f"/meetings/{mid}/join")
    assert "locked the room" in page(another, f"/meetings/{mid}")
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert db.session.scalar(select(MeetingBan.user_id)) is not None
    assert {
        "meeting_open",
        "meeting_call",
        "meeting_remove",
        "meeting_mute",
        "meeting_lock",
    } <= actions
    assert "meeting remove" in page(moderator, "/review/log")

    act(chair, mid, "room/end", {})  # and the next meeting: the intruder stays out
    act(chair, mid, "open", {})
    intruder.submit(f"/meetings/{mid}", {}, action=f"/meetings/{mid}/join")
    assert "removed you from this meeting" in page(intruder, f"/meetings/{mid}")


def test_a_crisis_line_brings_helplines_alerts_the_chair_and_moderators(app, new_forms):
    mid, chair, cohost, greeter, moderator = room_with(app, new_forms)
    act(chair, mid, "room/say", {"body": CRISIS_LINE})  # a host may always write
    sam = member(app, new_forms, "Sam")
    act(sam, mid, "join", {})
    act(sam, mid, "room/hand", {"up": "yes"})
    act(chair, mid, f"room/people/{participant_id(app, 'Sam')}", {"action": "call"})
    act(sam, mid, "room/say", {"body": "I can't go on, I'm going to kill myself tonight."})
    own = page(sam, f"/meetings/{mid}/room")
    assert "You don't have to go through this alone" in own
    assert "You don't have to go through this alone" not in page(sam, f"/meetings/{mid}/room")
    chair_view = page(chair, f"/meetings/{mid}/room")
    assert (
        "Someone may be in crisis" in chair_view
        and "Sam</strong> wrote words of crisis" in chair_view
    )
    assert "reactions" not in chair_view.lower()
    with app.app_context():
        told = db.session.scalars(
            select(User.pseudonym)
            .join(Notification, Notification.user_id == User.id)
            .where(Notification.kind == "meeting_crisis")
        ).all()
        item = db.session.scalar(
            select(ReviewItem).where(ReviewItem.subject_type == MeetingLine.review_type)
        )
        item_id, kind = item.id, item.kind
    assert "Chair Rowan" in told and "Mod Ash" in told
    assert kind == "crisis"
    assert "In the meeting" in page(moderator, f"/review/{item_id}")


def test_crisis_language_out_of_turn_reaches_the_chair_not_the_room_and_details_are_asked(
    app, new_forms
):
    mid, chair, cohost, greeter, moderator = room_with(app, new_forms)
    sam = member(app, new_forms, "Sam")
    act(sam, mid, "join", {})
    act(sam, mid, "room/say", {"body": "Not my turn, but I want to die tonight."})
    assert "You don't have to go through this alone" in page(sam, f"/meetings/{mid}/room")
    chair_view = page(chair, f"/meetings/{mid}/room")
    assert "Sam</strong> wrote words of crisis" in chair_view
    assert "want to die tonight" not in chair_view
    with app.app_context():
        assert db.session.scalar(select(ReviewItem.priority)) >= 1000

    act(chair, mid, "room/say", {"body": "Text me on 07700 900123 after the meeting."})
    asked = page(chair, f"/meetings/{mid}/room")
    assert "This may identify someone" in asked
    assert "07700 900123" not in page(cohost, f"/meetings/{mid}/room")
    act(chair, mid, "room/say", {"body": "Text me on 07700 900123 after.", "post_anyway": "y"})
    assert "07700 900123" in page(cohost, f"/meetings/{mid}/room")


def test_a_held_line_never_reaches_the_room(moderated_app, new_forms):
    app = moderated_app
    mid, chair, cohost, greeter, moderator = room_with(app, new_forms)
    act(chair, mid, "room/say", {"body": "HOSTILE words at someone"})
    assert "HOSTILE" not in page(cohost, f"/meetings/{mid}/room")
    assert "A moderator will read what you wrote" in page(chair, f"/meetings/{mid}/room")


def test_the_end_deletes_the_lines_and_a_member_writes_a_private_plan(app, new_forms):
    mid, chair, cohost, greeter, moderator = room_with(app, new_forms)
    sam = member(app, new_forms, "Sam")
    act(sam, mid, "join", {})
    act(chair, mid, "room/say", {"body": "Thank you all for coming."})
    act(chair, mid, "room/end", {})
    with app.app_context():
        assert db.session.scalar(select(MeetingLine.id)) is None
        occasion_id = db.session.scalar(select(MeetingOccasion.id))
    assert (
        sam.get(f"/meetings/{mid}/room")
        .headers["Location"]
        .endswith(f"/meetings/{mid}/{occasion_id}/plan")
    )
    plan_url = f"/meetings/{mid}/{occasion_id}/plan"
    assert "Nothing said in it was kept" in page(sam, plan_url)
    saved = sam.submit(plan_url, {"plan": "Call my sponsor on Thursday; a walk every morning."})
    assert saved.status_code == 302
    recovery = page(sam, "/recovery")
    assert "Meetings you went to" in recovery and "a walk every morning" in recovery
    assert "a walk every morning" not in page(chair, "/recovery")
    data = json.loads(sam.get("/account/data/export").get_data(as_text=True))
    assert data["meetings"]["attended"][0]["seven_day_plan"].startswith("Call my sponsor")

    act(chair, mid, "open", {})
    act(chair, mid, "room/say", {"body": "Kept for a day."})
    act(chair, mid, "room/end", {"keep_transcript": "y"})
    with app.app_context():
        kept = db.session.scalars(select(MeetingOccasion).order_by(MeetingOccasion.id)).all()[-1]
        assert kept.transcript_until is not None
        latest = kept.id
    assert "Kept for a day." in page(chair, f"/meetings/{mid}/{latest}/plan")


def test_the_stream_replays_what_a_page_missed_after_its_last_event_id(app, new_forms):
    mid, chair, cohost, greeter, moderator = room_with(app, new_forms)
    for n in range(3):
        act(chair, mid, "room/say", {"body": f"Line number {n}."})
    response = chair.client.get(
        f"/meetings/{mid}/room/events", headers={"Last-Event-ID": "3"}, buffered=False
    )
    assert response.mimetype == "text/event-stream"
    chunks = response.response
    received = ""
    for chunk in chunks:
        received += chunk.decode() if isinstance(chunk, bytes) else chunk
        if received.count("event: line") >= 2:
            break
    response.close()
    ids = re.findall(r"^id: (\d+)$", received, re.M)
    assert ids[:2] == ["4", "5"]
    assert "Line number 1." in received and "Line number 0." not in received


def test_a_one_off_meeting_is_listed_once_and_a_declined_one_never(app, new_forms):
    chair = member(app, new_forms, "Chair Rowan")
    moderator = member(app, new_forms, "Mod Ash", role=Role.MODERATOR)
    soon = (utcnow() + timedelta(days=3)).date().isoformat()
    assert propose(chair, "Newcomers evening", repeats="once", starts_on=soon).status_code == 302
    missing = chair.submit("/meetings/propose", {"title": "No date", "repeats": "once"})
    assert "Choose the date of a one-off meeting" in missing.get_data(as_text=True)
    propose(chair, "Not this one")
    approve(moderator, meeting_id(app, "Newcomers evening"))
    moderator.submit(
        "/meetings",
        {"decision": "decline"},
        action=f"/meetings/{meeting_id(app, 'Not this one')}/decide",
    )
    schedule = page(new_forms(), "/meetings")
    assert "Newcomers evening" in schedule and "weekly on" not in schedule
    assert "Not this one" not in schedule
    with app.app_context():
        told = db.session.scalars(select(Notification.subject)).all()
    assert any("was not approved" in subject for subject in told)


def test_with_redis_unreachable_a_room_still_hears_its_own_process(tmp_path, database):
    app = make_app(tmp_path, database, HARBOR_REDIS_URL="redis://127.0.0.1:1/0")
    forms = lambda: FormClient(app.test_client())  # noqa: E731
    mid, chair, cohost, greeter, moderator = room_with(app, forms)
    with app.app_context():
        occasion_id = db.session.scalar(select(MeetingOccasion.id))
        listening = rooms().subscribe(occasion_id)
    act(chair, mid, "room/say", {"body": "Still here without Redis."})
    event = listening.get(timeout=5)
    listening.close()
    assert event is not None and "Still here without Redis." in event.html


def test_deleting_an_account_deletes_its_lines_attendance_and_plans(app, new_forms):
    mid, chair, cohost, greeter, moderator = room_with(app, new_forms)
    act(chair, mid, "room/say", {"body": "A line kept in the transcript."})
    act(chair, mid, "room/say", {"body": "I want to end my life tonight."})  # under review
    act(chair, mid, "room/end", {"keep_transcript": "y"})
    with app.app_context():
        occasion_id = db.session.scalar(select(MeetingOccasion.id))
    chair.submit(f"/meetings/{mid}/{occasion_id}/plan", {"plan": "Walk every morning."})
    deleted = chair.submit(
        "/account/data",
        {"posts": "keep", "password": "correct horse battery"},
        action="/account/delete",
    )
    assert deleted.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(MeetingLine.id)) is None
        assert (
            db.session.scalar(
                select(MeetingParticipant.id).where(MeetingParticipant.plan.is_not(None))
            )
            is None
        )
        assert db.session.scalar(select(Meeting.chair_id)) is None
