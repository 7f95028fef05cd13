"""Issue 4: crisis language brings up help at once, and puts the person first in the queue."""

import csv
import json
import re

from sqlalchemy import select

from forum.data.models import Board, Post, Role
from forum.data.review import ReviewItem
from forum.extensions import db
from moderation.crisis import Tier
from tests.conftest import FormClient, make_app, make_user

CRISIS_POST = "I can't do this anymore. I've got the pills ready and I want to end it all tonight."


def post_topic(forms, body, title="Tonight"):
    return forms.submit("/b/day-by-day/new", {"title": title, "body": body})


def test_crisis_post_brings_helplines_queue_top_and_reader_panel(app, forms, new_forms, boards):
    forms.signup("Struggling")
    post_topic(forms, "Something ordinary first", title="Ordinary")
    make_user(app, "Mod", Role.MODERATOR)
    response = post_topic(forms, CRISIS_POST)
    assert response.status_code == 302
    page = forms.get(response.location).get_data(as_text=True)
    helplines_at = page.index('class="helplines-first"')
    assert helplines_at < page.index("got the pills ready")
    assert 'href="tel:988"' in page and "741741" in page
    # the helplines come first once: the next view of the topic is the ordinary one
    assert 'class="helplines-first"' not in forms.get(response.location).get_data(as_text=True)

    with app.app_context():
        post = db.session.scalars(select(Post).order_by(Post.id.desc())).first()
        assert post.status == "published"  # published, so peers can answer
        assert post.findings.crisis.category == "suicide_self_harm"
        assert post.findings.crisis.tier == Tier.IMMINENT
        top = db.session.scalars(
            select(ReviewItem).order_by(ReviewItem.priority.desc(), ReviewItem.created_at)
        ).first()
        assert top.kind == "crisis" and (top.subject_type, top.subject_id) == ("post", post.id)
    mod = new_forms()
    mod.login("Mod")
    item_page = mod.get(f"/review/{top.id}").get_data(as_text=True)
    assert "Talk of suicide or self-harm" in item_page and "imminent" in item_page
    assert re.search(r"<mark>[^<]*pills ready[^<]*</mark>", item_page)
    assert "Reach out" in item_page and "You don&#39;t have to go through this alone" in item_page

    reader = new_forms().get(response.location).get_data(as_text=True)
    assert "resources-panel" in reader and "If you or someone here is struggling" in reader


def test_reach_out_is_sent_only_by_a_moderator(app, forms, new_forms, boards):
    forms.signup("Struggling")
    post_topic(forms, CRISIS_POST)
    assert "No messages." in forms.get("/account/messages").get_data(as_text=True)
    make_user(app, "Mod", Role.MODERATOR)
    mod = new_forms()
    mod.login("Mod")
    with app.app_context():
        item_id = db.session.scalar(select(ReviewItem.id))
    message = "Hi, I read your post and I'm thinking of you. Helplines: /help/"
    mod.submit(
        f"/review/{item_id}",
        {"action": "reach_out", "message": message},
        action=f"/review/{item_id}/act",
    )
    inbox = forms.get("/account/messages").get_data(as_text=True)
    assert "A moderator is thinking of you" in inbox and "thinking of you" in inbox


def test_worried_report_reaches_moderators_only(app, forms, new_forms, boards):
    forms.signup("Quiet")
    post_topic(forms, "Everything feels grey lately.")
    with app.app_context():
        post_id = db.session.scalar(select(Post.id))
    friend = new_forms()
    friend.signup("Friend")
    friend.submit(
        f"/p/{post_id}/report?kind=worried", {"reason": "they seem very low", "kind": "worried"}
    )
    with app.app_context():
        item = db.session.scalar(select(ReviewItem))
        assert item.kind == "crisis" and item.priority >= 1000
    assert "No messages." in forms.get("/account/messages").get_data(as_text=True)


def test_everyday_idioms_trigger_nothing(app, forms, new_forms, boards):
    forms.signup("Cheerful")
    idioms = [
        "This meeting killed it!",
        "I'd kill for a coffee right now.",
        "Dying to see you all on Thursday.",
        "My sponsor will murder me if I skip step work again.",
        "That craving nearly killed me but I stayed sober.",
    ]
    for n, text in enumerate(idioms):
        response = post_topic(forms, text, title=f"Idiom {n}")
        page = forms.get(response.location).get_data(as_text=True)
        assert 'class="helplines-first"' not in page and "resources-panel" not in page, text
    with app.app_context():
        assert db.session.scalar(select(ReviewItem)) is None
        assert not any(post.findings.crisis.is_crisis for post in db.session.scalars(select(Post)))


def test_help_page_and_region_choice_work_for_a_guest_without_javascript(app, forms):
    page = forms.get("/help/").get_data(as_text=True)
    assert "findahelpline.com" in page and 'href="tel:988"' in page
    assert "In an emergency" in page
    response = forms.submit("/help/", {"region": "GB"}, action="/help/region")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "harbor_region=GB" in cookie and "HttpOnly" in cookie
    page = forms.get("/help/").get_data(as_text=True)
    assert "116 123" in page and 'href="tel:999"' in page
    assert "988" not in page.split("About these numbers")[0]
    forms.submit("/help/", {"region": ""}, action="/help/region")
    assert 'href="tel:988"' in forms.get("/help/").get_data(as_text=True)


def test_every_page_links_to_help(app, forms, boards):
    for url in ("/", "/b/day-by-day", "/login", "/signup", "/help/", "/no-such-page"):
        assert 'href="/help/"' in forms.get(url).get_data(as_text=True), url


def test_draft_check_answers_the_page_script(app, forms, boards):
    forms.signup("Drafting")
    token = forms.token("/b/day-by-day/new")
    headers = {"X-CSRFToken": token}
    crisis = forms.client.post("/help/check-draft", data={"text": "i want to kms"}, headers=headers)
    assert crisis.get_json() == {"crisis": True}
    calm = forms.client.post(
        "/help/check-draft", data={"text": "killing it at work"}, headers=headers
    )
    assert calm.get_json() == {"crisis": False}
    page = forms.get("/b/day-by-day/new").get_data(as_text=True)
    assert 'id="draft-helplines"' in page and "hidden" in page and "draft-check.js" in page


def test_evaluate_crisis_command(app, tmp_path):
    sheet = tmp_path / "labelled.csv"
    with sheet.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(
            [
                ["i want to kill myself", "yes"],
                ["took the whole bottle of pills", "1"],
                ["this meeting killed it", "no"],
                ["I'd kill for a coffee", "false"],
            ]
        )
    runner = app.test_cli_runner()
    args = [
        "harbor",
        "evaluate-crisis",
        str(sheet),
        "--text-column",
        "text",
        "--label-column",
        "label",
    ]
    result = runner.invoke(args=args)
    assert result.exit_code == 0 and "recall: 1.0000" in result.output
    assert "by_tier:" in result.output and "imminent+ recall: 0.5000" in result.output
    figures = json.loads(runner.invoke(args=[*args, "--json"]).output)
    assert figures["recall"] == 1.0 and figures["false_positive_rate"] == 0.0
    assert figures["by_tier"]["imminent texts"] == 1  # the whole bottle of pills
    bad = runner.invoke(args=[*args[:3], "--text-column", "nope", "--label-column", "label"])
    assert bad.exit_code != 0 and "nope" in bad.output


def test_a_crisis_post_still_being_checked_keeps_its_helplines_on_the_screen(tmp_path, database):
    """A page being checked refreshes itself every few seconds; the helplines are shown once, so
    a refresh would take them away from the writer who is reading them."""
    app = make_app(tmp_path, database, HARBOR_SCORING="worker")  # nothing scored at submit
    forms = FormClient(app.test_client())
    with app.app_context():
        db.session.add(Board(slug="day-by-day", name="Day by day"))
        db.session.commit()
    forms.signup("Struggling")
    response = post_topic(forms, CRISIS_POST)
    page = forms.get(response.location).get_data(as_text=True)
    assert 'id="helplines-first"' in page and "it is being checked" in page
    assert 'http-equiv="refresh"' not in page
    # an ordinary post being checked still refreshes, to show when it is through
    other = FormClient(app.test_client())
    other.signup("Steady")
    ordinary = post_topic(other, "Day three, and the mornings are easier.", title="Day three")
    assert 'http-equiv="refresh"' in other.get(ordinary.location).get_data(as_text=True)
