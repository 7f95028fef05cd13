"""Issue 5: in a real browser, Harbor's pages call no other server and break no part of the CSP.

Headless Chromium, with the Content-Security-Policy enforced, loads the main pages as a reader
and as a member (logged in through the form). Every request the pages make is recorded: none
may leave 127.0.0.1. Any CSP violation (an inline style or script a template slipped in) or
dialog is recorded too: there must be none.
"""

import pytest
from sqlalchemy import select

from forum.data.models import Board, Topic
from forum.demo import seed_demo
from forum.extensions import db
from forum.security import CONTENT_SECURITY_POLICY
from tests.conftest import make_app, make_user
from tests.page_watch import PageWatch, live_server


@pytest.fixture
def demo_forum(tmp_path):  # noqa: ANN201
    app = make_app(tmp_path)
    with app.app_context():
        seed_demo()
        board = db.session.scalar(select(Board).order_by(Board.position))
        topic = db.session.scalar(select(Topic).where(Topic.board_id == board.id))
        paths = {"board": f"/b/{board.slug}", "topic": f"/t/{topic.id}"}
    make_user(app, "Browser Member")
    yield app, paths
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_main_pages_request_nothing_from_another_host(demo_forum, chromium):
    app, paths = demo_forum
    with live_server(app) as origin:
        context = chromium.new_context()  # the CSP is enforced
        watch = PageWatch(origin)
        watch.attach(context)
        page = context.new_page()
        document = page.goto(f"{origin}/")
        assert document.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert document.headers["referrer-policy"] == "no-referrer"
        reader_pages = ["/", paths["board"], paths["topic"], "/help/", "/signup", "/login"]
        for path in reader_pages:
            watch.visit(page, origin + path)

        page.goto(f"{origin}/help/")
        page.select_option("#region", "GB")
        page.click("form[action='/help/region'] button")
        page.wait_for_load_state("load")
        assert "Samaritans" in page.content()

        page.goto(f"{origin}/login")
        page.fill("#pseudonym", "Browser Member")
        page.fill("#password", "correct horse battery")
        page.click("main form button[type=submit]")
        page.wait_for_load_state("load")
        member_pages = ["/", paths["topic"], f"{paths['board']}/new", "/account", "/account/data"]
        for path in member_pages:
            watch.visit(page, origin + path)
        assert "Browser Member" in page.content()
        context.close()

    print(
        f"\nmain pages: {len(reader_pages) + len(member_pages)} pages, "
        f"{len(watch.requests)} requests, foreign={len(watch.foreign_requests)}, "
        f"csp violations and dialogs={len(watch.executions) + len(watch.dialogs)}"
    )
    assert watch.foreign_requests == []
    assert watch.executions == []  # no CSP violation, no dialog function called
    assert watch.dialogs == []
    assert watch.dom_problems == []
    assert any(url.endswith("/static/harbor.css") for url in watch.requests)


def test_the_watch_sees_csp_violations(chromium):
    """The zeros above mean something: a page that breaks the rules is caught."""
    origin = "http://harbor.test"
    html = (
        '<!doctype html><title>bad</title><p style="color: red">inline style</p>'
        "<script>alert(1)</script>"
        '<link rel="stylesheet" href="https://fonts.example.invalid/font.css">'
    )
    context = chromium.new_context()
    context.route(
        f"{origin}/**",
        lambda route: route.fulfill(
            body=html,
            content_type="text/html",
            headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY},
        ),
    )
    watch = PageWatch(origin)
    watch.attach(context)
    watch.visit(context.new_page(), f"{origin}/bad", settle_ms=200)
    context.close()
    violations = " ".join(watch.executions)
    assert "csp-violation:style-src" in violations and "csp-violation:script-src" in violations
    assert "alert(1)" not in violations  # the CSP stopped the script
