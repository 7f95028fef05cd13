"""Issue 14: the review queue a volunteer can work, and moderator wellbeing.

A member's items together with one reach-out; a crisis claimed before it is decided, reaching
out with and after the decision; text, counts, filters and bulk decisions in the list; remove
and warn at once; report categories; plain words; lifting a silence early; asking a colleague
in; private notes; a nudge to take a break. Every step goes through the pages' own forms.
"""

import re
from datetime import timedelta

from sqlalchemy import select

from forum.data.clock import utcnow
from forum.data.models import Board, Post, PostStatus, Role, User
from forum.data.notifications import Notification
from forum.data.review import AuditEntry, DebriefNote, Report, ReviewHelper, ReviewItem
from forum.data.site_settings import get_setting
from forum.extensions import db
from forum.flow.runtime import RELOAD_KEY, run_worker
from moderation.scoring import ScoringService
from tests.conftest import FixedScorer, FormClient, make_app, make_user

CRISIS = "I have the pills ready and I want to end it all tonight"


def post_topic(client, body, title="A topic", **extra):  # noqa: ANN001, ANN003, ANN201
    return client.submit("/b/day-by-day/new", {"title": title, "body": body, **extra})


def text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def item_ids(app) -> list[int]:  # noqa: ANN001
    with app.app_context():
        return list(db.session.scalars(select(ReviewItem.id).order_by(ReviewItem.id)))


def item_of(app, title: str) -> int:  # noqa: ANN001
    with app.app_context():
        from forum.data.models import Topic

        post = db.session.scalar(select(Post).join(Topic).where(Topic.title == title))
        return db.session.scalar(
            select(ReviewItem.id).where(
                ReviewItem.subject_type == "post", ReviewItem.subject_id == post.id
            )
        )


def messages_of(app, pseudonym: str) -> list[Notification]:  # noqa: ANN001
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification)
                .join(User, User.id == Notification.user_id)
                .where(User.pseudonym == pseudonym)
                .order_by(Notification.id)
            )
        )


def logged(app, action: str) -> list[AuditEntry]:  # noqa: ANN001
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
        )


def moderator(app, new_forms, name: str = "Mod"):  # noqa: ANN001, ANN201
    make_user(app, name, Role.MODERATOR)
    client = new_forms()
    client.login(name)
    return client


def act(client, item_id: int, data: dict, **kwargs):  # noqa: ANN001, ANN003, ANN201
    return client.submit(f"/review/{item_id}", data, action=f"/review/{item_id}/act", **kwargs)


def claim(client, item_id: int):  # noqa: ANN001, ANN201
    return client.submit(f"/review/{item_id}", {}, action=f"/review/{item_id}/claim")


def test_a_members_crisis_posts_are_one_group_with_one_reach_out(
    moderated_app, forms, new_forms, boards
):
    app = moderated_app
    forms.signup("Sam")
    for n in range(3):
        post_topic(forms, f"{CRISIS} ({n})", title=f"Night {n}")
    other = new_forms()
    other.signup("Riley")
    post_topic(other, "Something HOSTILE here", title="Riley post")
    mod = moderator(app, new_forms)

    queue = text(mod.get("/review/"))
    assert re.search(r"Sam: 3 crisis posts (within a minute or two|in \d+ minutes)", queue)
    group = queue[queue.index("Sam: 3 crisis posts") : queue.index("Riley post")]
    assert all(f"Night {n}" in group for n in range(3))  # the three together, before Riley
    with app.app_context():
        sam = db.session.scalar(select(User.id).where(User.pseudonym == "Sam"))
    assert f'href="/review/member/{sam}"' in queue

    member_page = f"/review/member/{sam}"
    page = text(mod.get(member_page))
    assert "Reach out once" in page and page.count('class="queue-item') == 3
    sent = mod.submit(
        member_page,
        {"message": "Hi Sam, I'm a volunteer here and I'm thinking of you tonight."},
        action=f"{member_page}/reach_out",
    )
    assert sent.status_code == 303
    notes = [n for n in messages_of(app, "Sam") if n.subject == "A moderator is thinking of you"]
    assert len(notes) == 1 and "thinking of you tonight" in notes[0].body
    entries = logged(app, "reach_out")
    assert len(entries) == 3 and len({entry.review_item_id for entry in entries}) == 3
    after = text(mod.get(member_page))
    assert "Already reached out: Mod" in after
    assert after.count("Reached out privately") == 1  # one message, listed once
    # the next volunteer opening any of Sam's items sees it was done
    first = item_of(app, "Night 0")
    assert "Already reached out: Mod" in text(mod.get(f"/review/{first}"))


def test_a_crisis_is_claimed_before_it_is_decided_and_reaching_out_stays_open(
    moderated_app, forms, new_forms, boards
):
    app = moderated_app
    forms.signup("Sam")
    post_topic(forms, CRISIS, title="Tonight")
    mod = moderator(app, new_forms)
    (item_id,) = item_ids(app)

    page = text(mod.get(f"/review/{item_id}"))
    assert "Claim this item" in page and 'value="approve"' not in page
    refused = act(mod, item_id, {"action": "approve"}, follow_redirects=True)
    assert refused.status_code == 200  # the item again, with the reason: not an error page
    assert "Claim this crisis item before deciding it" in text(refused)
    assert logged(app, "approve") == []

    assert claim(mod, item_id).status_code == 302
    page = text(mod.get(f"/review/{item_id}"))
    assert 'value="approve"' in page and 'name="also_reach_out"' in page
    decided = act(
        mod,
        item_id,
        {
            "action": "approve",
            "reason": "peers are answering",
            "also_reach_out": "yes",
            "message": "Hi Sam, a volunteer here. Helplines are on the help page.",
        },
    )
    assert decided.status_code == 302 and decided.location.endswith(f"/review/{item_id}")
    with app.app_context():
        assert db.session.get(ReviewItem, item_id).resolution == "approved"
    after = act(mod, item_id, {"action": "reach_out", "message": "Checking in again, Sam."})
    assert after.status_code == 302  # no "reopen it first"
    bodies = [n.body for n in messages_of(app, "Sam") if n.kind == "moderator"]
    assert bodies == [
        "Hi Sam, a volunteer here. Helplines are on the help page.",
        "Checking in again, Sam.",
    ]
    log = text(mod.get("/review/log"))
    assert "Approved" in log and "Reached out privately" in log and "Claimed" in log


def test_the_list_shows_text_counts_and_filters(moderated_app, forms, new_forms, boards):
    app = moderated_app
    forms.signup("Writer")
    post_topic(forms, "Something HOSTILE about the meeting", title="Held", content_warning="anger")
    post_topic(forms, CRISIS, title="Crisis")
    mod = moderator(app, new_forms)
    queue = text(mod.get("/review/"))
    # the text, behind its content warning; the crisis closed until opened
    assert "Content warning: anger" in queue and "Something HOSTILE about the meeting" in queue
    assert re.search(r'<details class="distressing">\s*<summary>May be distressing: Talk of', queue)
    assert 'Crisis <span class="count">(1)</span>' in queue
    assert 'Automatic flag <span class="count">(1)</span>' in queue

    held = item_of(app, "Held")
    claim(mod, held)
    mine = text(mod.get("/review/?claimed=mine"))
    unclaimed = text(mod.get("/review/?claimed=unclaimed"))
    assert f'href="/review/{held}"' in mine and "Crisis #1" not in mine
    assert f'href="/review/{held}"' not in unclaimed and "Crisis #1" in unclaimed
    crisis_only = text(mod.get("/review/?kind=crisis&claimed=unclaimed"))
    assert "Crisis #1" in crisis_only and "Held #1" not in crisis_only


def test_bulk_remove_takes_the_spam_and_never_a_crisis(moderated_app, forms, new_forms, boards):
    app = moderated_app
    forms.signup("Spammer")
    for n in range(2):
        post_topic(forms, f"Buy HOSTILE pills {n}", title=f"Spam {n}")
    other = new_forms()
    other.signup("Sam")
    post_topic(other, CRISIS, title="Crisis")
    mod = moderator(app, new_forms)
    queue = text(mod.get("/review/"))
    crisis = item_of(app, "Crisis")
    assert f'name="item_id" value="{crisis}"' not in queue  # no tick box on a crisis
    spam = [item_of(app, f"Spam {n}") for n in range(2)]
    assert all(f'name="item_id" value="{i}"' in queue for i in spam)
    done = mod.client.post(
        "/review/bulk",
        data={
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', queue).group(1),
            "item_id": [*spam, crisis],
            "decision": "remove",
            "reason": "Spam or advertising",
            "back": "/review/",
        },
        follow_redirects=True,
    )
    page = text(done)
    assert "2 items removed." in page and "is a crisis" in page
    with app.app_context():
        statuses = dict(db.session.execute(select(Post.id, Post.status)).all())
        assert sorted(statuses.values()) == [
            PostStatus.PUBLISHED,
            PostStatus.REMOVED,
            PostStatus.REMOVED,
        ]
        assert db.session.get(ReviewItem, crisis).status == "open"
    assert sum("Spam or advertising" in n.body for n in messages_of(app, "Spammer")) == 2


def test_remove_and_warn_in_one_step(moderated_app, forms, new_forms, boards):
    app = moderated_app
    forms.signup("Writer")
    post_topic(forms, "Something HOSTILE here")
    mod = moderator(app, new_forms)
    (item_id,) = item_ids(app)
    assert 'value="remove_warn"' in text(mod.get(f"/review/{item_id}"))
    response = act(
        mod,
        item_id,
        {
            "action": "remove_warn",
            "reason": "threatening another member",
            "warning": "Please keep it kind: a second time means a pause.",
        },
    )
    assert response.status_code == 302
    bodies = [n.body for n in messages_of(app, "Writer")]
    assert any("threatening another member" in body for body in bodies)
    assert "Please keep it kind: a second time means a pause." in bodies
    assert [e.action for e in logged(app, "remove") + logged(app, "warn")] == ["remove", "warn"]


def test_reporters_choose_a_category(app, forms, new_forms, boards):
    forms.signup("Writer")
    post_topic(forms, "An ordinary post")
    with app.app_context():
        post_id = db.session.scalar(select(Post.id))
    reporter = new_forms()
    reporter.signup("Reporter")
    page = text(reporter.get(f"/p/{post_id}/report"))
    for words in (
        "Harassment or bullying",
        "Identifying details",
        "Spam or advertising",
        "Worried about this person",
        "Something else",
    ):
        assert words in page
    refused = reporter.submit(f"/p/{post_id}/report", {"category": "other"})
    assert refused.status_code == 400 and "in a few words" in text(refused)
    assert reporter.submit(f"/p/{post_id}/report", {"category": "harassment"}).status_code == 302
    worried = new_forms()
    worried.signup("Friend")
    assert worried.get(f"/p/{post_id}/report?kind=worried").status_code == 200
    assert (
        worried.submit(f"/p/{post_id}/report?kind=worried", {"category": "worried"}).status_code
        == 302
    )
    with app.app_context():
        assert sorted(db.session.scalars(select(Report.category))) == ["harassment", "worried"]
        item = db.session.scalar(select(ReviewItem))
        assert set(item.kinds) == {"crisis", "report"}
    mod = moderator(app, new_forms)
    item_page = text(mod.get(f"/review/{item_ids(app)[0]}"))
    assert "Harassment or bullying" in item_page and "Worried about this person" in item_page


def test_volunteers_read_plain_words(app, forms, new_forms, boards):
    forms.signup("Open")
    draft = {"title": "Day 30", "body": f"I'm Jonathan Smithers, call 07700 900123. {CRISIS}"}
    forms.submit("/b/day-by-day/new", draft)
    forms.submit("/b/day-by-day/new", {**draft, "post_anyway": "y"})
    mod = moderator(app, new_forms)
    (item_id,) = item_ids(app)
    for page in (text(mod.get("/review/")), text(mod.get(f"/review/{item_id}"))):
        assert "suicide_self_harm" not in page and "full_name" not in page
        assert "Talk of suicide or self-harm" in page or "talk of suicide or self-harm" in page
    assert "A phone number" in text(mod.get(f"/review/{item_id}"))
    dashboard = text(mod.get("/review/dashboard"))
    assert "flask --app" not in dashboard and "Where could the automatic holds sit?" in dashboard


def test_a_silence_is_lifted_early_with_a_reason(moderated_app, forms, new_forms, boards):
    app = moderated_app
    forms.signup("Writer")
    post_topic(forms, "Something HOSTILE here")
    mod = moderator(app, new_forms)
    (item_id,) = item_ids(app)
    act(mod, item_id, {"action": "silence", "days": "7", "reason": "cool off"})
    assert post_topic(forms, "another one", title="Again").status_code == 403
    page = text(mod.get(f"/review/{item_id}"))
    assert 'value="lift"' in page and "End the silence early" in page
    refused = act(mod, item_id, {"action": "lift", "reason": ""})
    assert refused.status_code == 400 and "Say why" in text(refused)
    assert act(mod, item_id, {"action": "lift", "reason": "they apologised"}).status_code == 302
    assert post_topic(forms, "another one", title="Again").status_code == 302
    assert any(n.subject == "You can post again" for n in messages_of(app, "Writer"))
    (entry,) = logged(app, "lift_restrictions")
    assert entry.reason == "they apologised" and entry.review_item_id == item_id

    # and from the member's page, for a suspension
    act(mod, item_id, {"action": "suspend", "days": "3", "reason": "again"})
    with app.app_context():
        writer = db.session.scalar(select(User.id).where(User.pseudonym == "Writer"))
    member_page = f"/review/member/{writer}"
    assert "End the suspension early" in text(mod.get(member_page))
    lifted = mod.submit(member_page, {"reason": "a misunderstanding"}, action=f"{member_page}/lift")
    assert lifted.status_code == 303
    with app.app_context():
        assert db.session.get(User, writer).suspended_until is None
    assert new_forms().login("Writer").status_code == 302


def test_another_moderator_is_asked_in_on_a_crisis(moderated_app, forms, new_forms, boards):
    app = moderated_app
    forms.signup("Sam")
    post_topic(forms, CRISIS, title="Tonight")
    first = moderator(app, new_forms, "Alex")
    second = moderator(app, new_forms, "Blair")
    (item_id,) = item_ids(app)
    claim(first, item_id)
    with app.app_context():
        blair = db.session.scalar(select(User.id).where(User.pseudonym == "Blair"))
    page = text(first.get(f"/review/{item_id}"))
    assert f'<option value="{blair}">Blair' in page
    asked = act(
        first, item_id, {"action": "ask_moderator", "helper": str(blair), "reason": "with me?"}
    )
    assert asked.status_code == 302
    (note,) = messages_of(app, "Blair")
    assert "Alex asks for your help" in note.subject and note.link == f"/review/{item_id}"
    assert "Asked in: Blair (by Alex" in text(first.get(f"/review/{item_id}"))
    # Blair can work on it beside Alex, though Alex holds the claim
    decided = act(second, item_id, {"action": "approve", "reason": "we looked together"})
    assert decided.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(ReviewHelper.moderator_id)) == blair
        assert db.session.get(ReviewItem, item_id).resolution == "approved"


def test_a_debrief_note_is_seen_only_by_its_writer(moderated_app, forms, new_forms, boards):
    app = moderated_app
    forms.signup("Sam")
    post_topic(forms, CRISIS, title="Tonight")
    first = moderator(app, new_forms, "Alex")
    second = moderator(app, new_forms, "Blair")
    (item_id,) = item_ids(app)
    saved = act(first, item_id, {"action": "debrief", "note": "This one stayed with me."})
    assert saved.status_code == 302
    assert "This one stayed with me." in text(first.get(f"/review/{item_id}"))
    assert "This one stayed with me." not in text(second.get(f"/review/{item_id}"))
    assert "This one stayed with me." not in text(second.get("/review/log"))
    with app.app_context():
        assert db.session.scalar(select(DebriefNote.body)) == "This one stayed with me."
    export = first.get("/account/data/export").get_json()
    assert export["moderation_private_notes"][0]["note"] == "This one stayed with me."


def test_a_long_or_heavy_stretch_brings_a_gentle_nudge(app, new_forms, boards):
    mod = moderator(app, new_forms)
    assert "Time for a breather?" not in text(mod.get("/review/"))
    with app.app_context():
        mod_id = db.session.scalar(select(User.id).where(User.pseudonym == "Mod"))
        now = utcnow()
        db.session.add_all(
            AuditEntry(actor_id=mod_id, action="warn", created_at=now - timedelta(minutes=m))
            for m in range(0, 70, 10)  # an hour and ten minutes, never a pause of twenty
        )
        db.session.commit()
    queue = text(mod.get("/review/"))
    assert "Time for a breather?" in queue and "for 60 minutes" in queue
    resting = mod.submit("/review/", {}, action="/review/break", follow_redirects=True)
    assert "Take care of yourself" in text(resting) and "Time for a breather?" not in text(resting)


def test_five_crisis_decisions_bring_the_nudge(moderated_app, forms, new_forms, boards):
    app = moderated_app
    forms.signup("Sam")
    for n in range(5):
        post_topic(forms, f"{CRISIS} ({n})", title=f"Night {n}")
    mod = moderator(app, new_forms)
    for item_id in item_ids(app)[:4]:
        claim(mod, item_id)
        act(mod, item_id, {"action": "approve", "reason": "peers answering"})
    assert "Time for a breather?" not in text(mod.get("/review/"))
    last = item_ids(app)[4]
    claim(mod, last)
    act(mod, last, {"action": "approve", "reason": "peers answering"})
    page = text(mod.get(f"/review/{last}"))
    assert "Time for a breather?" in page and "decided 5 crisis items" in page


def worked(app, pseudonym: str, minutes_ago: range | list[int]) -> None:
    """Audit entries of a moderator's queue work, `minutes_ago` each."""
    with app.app_context():
        actor = db.session.scalar(select(User.id).where(User.pseudonym == pseudonym))
        now = utcnow()
        db.session.add_all(
            AuditEntry(actor_id=actor, action="warn", created_at=now - timedelta(minutes=m))
            for m in minutes_ago
        )
        db.session.commit()


def test_the_break_and_on_duty_thresholds_are_settings(tmp_path, database, monkeypatch):
    monkeypatch.setenv("HARBOR_BREAK_AFTER_MINUTES", "30")
    monkeypatch.setenv("HARBOR_ON_DUTY_MINUTES", "30")
    app = make_app(tmp_path, database)
    forms = FormClient(app.test_client())
    with app.app_context():
        db.session.add(Board(slug="day-by-day", name="Day by day"))
        db.session.commit()
    forms.signup("Sam")
    post_topic(forms, CRISIS, title="Tonight")
    mod = moderator(app, lambda: FormClient(app.test_client()))
    for name in ("Recent", "Earlier"):
        make_user(app, name, Role.MODERATOR)
    worked(app, "Mod", range(0, 40, 10))  # forty minutes: under the default hour
    worked(app, "Recent", [10])
    worked(app, "Earlier", [45])  # on duty by the default two hours, not by thirty minutes
    (item_id,) = item_ids(app)
    page = text(mod.get(f"/review/{item_id}"))
    assert "Time for a breather?" in page and "for 30 minutes" in page
    assert re.search(r">Recent \(on duty\)</option>", page)
    assert re.search(r">Earlier</option>", page)


def test_bulk_goes_back_only_to_a_page_of_harbor(moderated_app, forms, new_forms, boards):
    app = moderated_app
    forms.signup("Spammer")
    post_topic(forms, "Buy HOSTILE pills")
    mod = moderator(app, new_forms)
    (item_id,) = item_ids(app)
    response = mod.submit(
        "/review/",
        {"item_id": str(item_id), "decision": "approve", "back": "//elsewhere.example/"},
        action="/review/bulk",
    )
    assert response.status_code == 303 and response.location.endswith("/review/")
    nothing = mod.submit("/review/", {"decision": "remove"}, action="/review/bulk")
    assert "Tick the items" in text(mod.get(nothing.location))


def test_reaching_out_when_nothing_is_open_is_still_logged(moderated_app, forms, new_forms, boards):
    app = moderated_app
    forms.signup("Sam")
    with app.app_context():
        sam = db.session.scalar(select(User.id).where(User.pseudonym == "Sam"))
    mod = moderator(app, new_forms)
    page = f"/review/member/{sam}"
    assert "Nothing of theirs is waiting." in text(mod.get(page))
    sent = mod.submit(page, {"message": "Thinking of you, Sam."}, action=f"{page}/reach_out")
    assert sent.status_code == 303
    (entry,) = logged(app, "reach_out")
    assert entry.member_id == sam and entry.review_item_id is None
    empty = mod.submit(page, {"message": "  "}, action=f"{page}/reach_out")
    assert empty.status_code == 400 and "Write the message" in text(empty)


def outside_details(page: str) -> str:
    """The page with every <details> block closed to its summary: what a moderator reads
    before opening one."""
    innermost = re.compile(r"<details[^>]*>((?:(?!<details).)*?)</details>", re.S)

    def summary(match: re.Match) -> str:
        found = re.search(r"<summary>(.*?)</summary>", match.group(1), re.S)
        return found.group(1) if found else ""

    while (shorter := innermost.sub(summary, page)) != page:
        page = shorter
    return page


def test_distressing_words_stay_closed_until_opened(moderated_app, forms, new_forms, boards):
    app = moderated_app
    forms.signup("Sam")
    post_topic(forms, CRISIS, title="Tonight")
    mod = moderator(app, new_forms)
    (item_id,) = item_ids(app)
    claim(mod, item_id)
    for url in ("/review/", f"/review/{item_id}"):
        page = text(mod.get(url))
        assert "end it all tonight" in page  # there, for whoever opens it
        assert "end it all tonight" not in outside_details(page), url
        assert "Talk of suicide or self-harm" in outside_details(page)


def test_with_separate_workers_the_retry_button_reaches_the_worker(app, new_forms):
    """Web processes never load the model at scale: the button asks, the next worker round
    loads it again."""

    app.config["HARBOR_SCORING"] = "worker"
    attempts = []

    def loader() -> FixedScorer:
        attempts.append(1)
        if len(attempts) == 1:
            raise FileNotFoundError("no checkpoint yet")
        return FixedScorer({})

    worker_service = ScoringService(loader)
    assert not worker_service.wait_until_loaded(timeout=30)
    with app.app_context():
        run_worker(worker_service, forever=False)  # publishes "unavailable"
    mod = moderator(app, new_forms)
    queue = text(mod.get("/review/"))
    assert "Automatic holds are off" in queue and "no checkpoint yet" not in queue
    mod.submit("/review/", {"back": "/review/"}, action="/review/model/reload")
    with app.app_context():
        assert get_setting(RELOAD_KEY, False) is True
        run_worker(worker_service, forever=False)
        assert worker_service.wait_until_loaded(timeout=30) and len(attempts) == 2
        assert get_setting(RELOAD_KEY, False) is False
        run_worker(worker_service, forever=False)  # publishes "ready"
    assert "Automatic holds are off" not in text(mod.get("/review/"))
    assert [entry.action for entry in logged(app, "model_reload")] == ["model_reload"]
