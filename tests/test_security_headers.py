"""Issue 5: headers that keep pages to Harbor's own server, cookies, and templates fit for CSP."""

import re
from datetime import timedelta

from flask import template_rendered
from sqlalchemy import select

from forum import PACKAGE_ROOT, create_app
from forum.data.clock import utcnow
from forum.data.models import Post, Role, User
from forum.data.review import ReviewItem
from forum.extensions import db
from forum.security import CONTENT_SECURITY_POLICY
from tests.conftest import FormClient, make_app, make_user
from tests.hardening_support import free_port
from tests.html_audit import audit_page

TEMPLATES = PACKAGE_ROOT / "templates"
EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def assert_security_headers(response, url: str) -> None:
    headers = response.headers
    assert headers["Content-Security-Policy"] == EXPECTED_CSP, url
    assert headers["Referrer-Policy"] == "no-referrer", url
    assert headers["X-Content-Type-Options"] == "nosniff", url
    assert headers["X-Frame-Options"] == "DENY", url
    assert "camera=()" in headers["Permissions-Policy"], url


def test_the_policy_is_the_one_the_issue_asks_for():
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert "unsafe-eval" not in CONTENT_SECURITY_POLICY


def test_every_kind_of_response_carries_the_headers(app, forms, boards):
    forms.signup("Header")
    topic_url = forms.submit("/b/day-by-day/new", {"title": "T", "body": "B"}).location
    topic_url = topic_url.split("#")[0]
    responses = {
        url: forms.get(url)
        for url in (
            "/",
            "/b/day-by-day",
            topic_url,
            "/help/",
            "/account",
            "/account/data",
            "/account/data/export",
            "/static/harbor.css",
            "/no-such-page",
        )
    }
    responses["POST without a token"] = forms.client.post("/b/day-by-day/new", data={})
    responses["guest signup page"] = FormClient(app.test_client()).get("/signup")
    for url, response in responses.items():
        assert_security_headers(response, url)
        assert "Strict-Transport-Security" not in response.headers, url
    assert responses["/no-such-page"].status_code == 404
    assert responses["POST without a token"].status_code == 400


def session_contents(app, set_cookie: str) -> dict:
    value = set_cookie.split(";", 1)[0].split("=", 1)[1]
    return app.session_interface.get_signing_serializer(app).loads(value)


def test_session_cookies_are_httponly_and_samesite_lax(app, forms):
    response = forms.signup("Cookie")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    contents = session_contents(app, cookie)
    assert "_user_id" in contents and "_id" not in contents  # no hash of the address
    forms.logout()
    response = forms.submit(
        "/login", {"pseudonym": "Cookie", "password": "correct horse battery", "remember": "y"}
    )
    remember = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")
    )
    assert "HttpOnly" in remember and "SameSite=Lax" in remember
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "_id" not in session_contents(app, cookie)
    # a visit that restores the session from the remember cookie adds no hash either
    forms.client.delete_cookie("session")
    response = forms.get("/account")
    assert response.status_code == 200
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "_id" not in session_contents(app, cookie)


def test_https_setting_adds_hsts_and_secure_cookies(tmp_path, monkeypatch):
    monkeypatch.setenv("HARBOR_HTTPS", "on")
    app = make_app(tmp_path)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    client = FormClient(app.test_client())
    client.client.environ_base["wsgi.url_scheme"] = "https"
    response = client.get("/signup", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert_security_headers(response, "/signup")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    password = "correct horse battery"
    response = client.client.post(
        "/signup",
        data={
            "csrf_token": token.group(1),
            "pseudonym": "Secure",
            "password": password,
            "confirm": password,
        },
        base_url="https://localhost",
    )
    assert response.status_code == 200  # the recovery codes
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("session=", "harbor_device="):
        cookie = next(h for h in cookies if h.startswith(name))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _rich_forum(app, forms, new_forms, boards) -> dict[str, str]:
    """A forum with a crisis topic, a held post, a report and an identifying-details warning."""
    forms.signup("Writer")
    crisis = forms.submit(
        "/b/day-by-day/new",
        {"title": "Tonight", "body": "I have the pills ready and I want to end it all tonight"},
    ).location.split("#")[0]
    ordinary = forms.submit(
        "/b/day-by-day/new", {"title": "Day 3", "body": "Made it to **day 3**."}
    ).location.split("#")[0]
    warning = forms.submit(
        "/b/day-by-day/new", {"title": "Hi", "body": "Write to me at jane.doe@example.com"}
    )
    assert "Before you post" in warning.get_data(as_text=True)
    with app.app_context():
        post_id = db.session.scalar(select(Post.id).order_by(Post.id.desc()))
    reader = new_forms()
    reader.signup("Reader")
    reader.submit(f"/p/{post_id}/report", {"reason": "checking the report page"})
    make_user(app, "Mod", Role.MODERATOR)
    make_user(app, "Admin", Role.ADMIN)
    with app.app_context():
        item_id = db.session.scalar(select(ReviewItem.id))
        writer = db.session.scalar(select(User).where(User.pseudonym == "Writer"))
        writer.created_at = utcnow() - timedelta(days=30)
        writer_id = writer.id
        db.session.commit()
    return {
        "crisis": crisis,
        "ordinary": ordinary,
        "edit": f"/p/{post_id}/edit",
        "report": f"/p/{post_id}/report",
        "item": f"/review/{item_id}",
        "member": f"/review/member/{writer_id}",
    }


OWN_SCRIPT = re.compile(r'<script src="/static/[\w.-]+\.js"( defer)?></script>')


def test_no_page_holds_inline_script_style_or_handlers(app, forms, new_forms, boards):
    """Every page template is rendered (checked below), and none writes inline script, style
    or handlers, nor loads anything from another host."""
    rendered: set[str] = set()

    def record(sender, template, **extra) -> None:  # noqa: ANN001, ANN003
        rendered.add(template.name)

    template_rendered.connect(record, app)
    urls = _rich_forum(app, forms, new_forms, boards)
    guest = ["/", "/b/day-by-day", urls["crisis"], urls["ordinary"], "/help/", "/signup"]
    guest += ["/login", "/recover", "/no-such-page", "/search?q=sober"]
    member = ["/", urls["crisis"], urls["edit"], urls["report"], "/b/day-by-day/new", "/account"]
    member += ["/account/messages", "/account/data", "/account/password", "/account/blocked"]
    moderator = [urls["item"], urls["member"], "/review/", "/review/dashboard", "/review/log"]
    pages = {("guest", url): new_forms().get(url) for url in guest}
    pages.update({("member", url): forms.get(url) for url in member})
    pages[("member", "identifying warning")] = forms.submit(
        "/b/day-by-day/new", {"title": "Hi", "body": "Call me on 07700 900123"}
    )
    pages[("member", "reply warning")] = forms.submit(
        urls["ordinary"], {"body": "Call me on 07700 900123"}, action=f"{urls['ordinary']}/reply"
    )
    pages[("member", "recovery codes")] = new_forms().signup("Newcomer")
    mod = new_forms()
    mod.login("Mod")
    pages.update({("moderator", url): mod.get(url) for url in moderator})
    admin = new_forms()
    admin.login("Admin")
    pages[("admin", "/admin/")] = admin.get("/admin/")
    pages.update(_fellowship_pages(app, new_forms, mod))
    pages[("member", "database down")] = _database_down_page(record)
    pages.update(_practice_pages(app, new_forms, mod))
    pages.update(_meetings_pages(app, new_forms))
    for (who, url), response in pages.items():
        html = response.get_data(as_text=True)
        assert "<html" in html, (who, url, response.status_code)
        lowered = html.lower()
        # script only from Harbor's own files: every <script> has a /static/ src and no body
        inline_scripts = lowered.count("<script") - len(OWN_SCRIPT.findall(lowered))
        assert inline_scripts == 0 and "<style" not in lowered, (who, url)
        assert audit_page(html).problems == [], (who, url)
    templates = {
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if not path.name.startswith("_") and path.name != "base.html"  # partials, the layout
    }
    assert templates - rendered == set()


def _database_down_page(record):  # noqa: ANN001, ANN202
    """The 503 page of a Harbor whose database does not answer, handing words back."""
    down = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://harbor@127.0.0.1:{free_port()}/x",
            "HARBOR_BACKGROUND_SWEEP": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    template_rendered.connect(record, down)
    words = {"pseudonym": "Somebody", "password": "x", "body": "I want to end it all"}
    response = down.test_client().post("/login", data=words)
    assert response.status_code == 503
    return response


def _fellowship_pages(app, new_forms, mod) -> dict:  # noqa: ANN001
    """Milestones, check-in, mentorship, conversation and welcome pages, as their users see them."""
    from forum.fellowship.models import ConversationMessage
    from tests.fellowship_support import member, mentor, user_id

    guide = mentor(new_forms, "Sponsor")
    newcomer = member(new_forms, "Newbie")
    mentor_id = user_id(app, "Sponsor")
    pages = {("member", "ask"): newcomer.get(f"/mentors/{mentor_id}/ask")}
    newcomer.submit(f"/mentors/{mentor_id}/ask", {"note": "Day 9. Could we talk?"})
    with app.app_context():
        message = db.session.scalar(select(ConversationMessage))
        pair, message_id = message.mentorship_id, message.id
    guide.submit("/mentorship", {}, action=f"/mentorship/{pair}/accept")
    for url in ("/recovery", "/today", "/mentors", "/mentorship", f"/mentorship/{pair}"):
        pages[("mentor", url)] = guide.get(url)
    pages[("mentor", "report message")] = guide.get(f"/mentorship/messages/{message_id}/report")
    guide.submit(f"/mentorship/messages/{message_id}/report", {"reason": "an example report"})
    with app.app_context():
        item_id = db.session.scalar(
            select(ReviewItem.id).where(
                ReviewItem.subject_type == "message", ReviewItem.subject_id == message_id
            )
        )
    pages[("moderator", "reported message")] = mod.get(f"/review/{item_id}")
    pages[("moderator", "/welcome")] = mod.get("/welcome")
    return pages


def _meetings_pages(app, new_forms) -> dict:  # noqa: ANN001
    """The meetings schedule, a proposal, a meeting, a live room (with a crisis alert and
    someone waiting), the waiting room, a room line's review item and the close's plan."""
    from forum.meetings.models import MeetingLine, MeetingOccasion
    from tests.test_meetings import act, member, room_with

    mid, chair, cohost, greeter, moderator = room_with(app, new_forms)
    waiting = member(app, new_forms, "Brand New", days=0, posts=0)
    act(waiting, mid, "join", {})
    act(chair, mid, "room/say", {"body": "I want to end my life tonight."})
    with app.app_context():
        item_id = db.session.scalar(
            select(ReviewItem.id).where(ReviewItem.subject_type == MeetingLine.review_type)
        )
    room = f"/meetings/{mid}/room"
    pages = {
        ("guest", "/meetings"): new_forms().get("/meetings"),
        ("member", "/meetings/propose"): chair.get("/meetings/propose"),
        ("member", f"/meetings/{mid}"): cohost.get(f"/meetings/{mid}"),
        ("member", room): chair.get(room),
        ("member", "waiting room"): waiting.get(room),
        ("moderator", f"/review/{item_id}"): moderator.get(f"/review/{item_id}"),
    }
    act(chair, mid, "room/end", {"keep_transcript": "y"})
    with app.app_context():
        occasion_id = db.session.scalar(select(MeetingOccasion.id))
    pages[("member", "plan")] = chair.get(f"/meetings/{mid}/{occasion_id}/plan")
    return pages


def _practice_pages(app, new_forms, mod) -> dict:  # noqa: ANN001
    """Pledge, partner, SOS, reasons, journal (with its chart) and library pages, and a coping
    tool's review item."""
    from forum.flow.queue import file
    from forum.practice.models import CopingTool
    from moderation.policy import Reason, ReviewKind
    from tests.fellowship_support import member

    practising = member(new_forms, "Practising")
    practising.submit("/pledge", {"words": "Just for today."})
    practising.submit("/journal", {"mood": "3", "craving": "6", "body": "A <b>hard</b> evening."})
    practising.submit("/", {}, action="/sos")
    tool = practising.submit(
        "/library/new",
        {"title": "Ice in my hand", "body": "Hold an ice cube.", "tags": ["cravings"]},
    )
    tool_path = tool.location
    pages = {
        ("member", url): practising.get(url)
        for url in ("/pledge", "/pledge/settings", "/partner", "/sos", "/sos/reasons", "/journal")
    }
    pages[("member", "/library")] = practising.get("/library")
    pages[("member", "a tool")] = practising.get(tool_path)
    pages[("member", "new tool")] = practising.get("/library/new")
    with app.app_context():
        tool = db.session.scalar(select(CopingTool))
        file(tool, [Reason(ReviewKind.REPORT, "a member flagged it, for this check")])
        db.session.commit()
        item_id = db.session.scalar(
            select(ReviewItem.id).where(ReviewItem.subject_type == "coping_tool")
        )
    pages[("moderator", "coping tool item")] = mod.get(f"/review/{item_id}")
    return pages
