"""Issue 15: no input gives a 500, and a refused request leaves no half-written row.

Every route in the app's URL map, with every method it takes, is sent hostile values in its
URL, its query string and every form field Harbor knows (huge, empty, NUL, invalid UTF-8,
numbers past 2**63, Unicode format characters, the same field twice), as a guest, a member and
a moderator (an admin, so the admin pages are walked too), with a valid CSRF token or without.
Each answer must be below 500; when it refuses (400 or more), no table may have gained or lost
a row; and at the end the counters kept on rows still match the rows they count.

One sweep sends each route and method one fixed hostile form; then Hypothesis explores mixes
of values, HARBOR_HYPOTHESIS_EXAMPLES per role (CI's default keeps the suite well inside its
time; derandomised, so a run repeats exactly).
"""

import inspect as python_inspect
import os
from collections import Counter
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from werkzeug.datastructures import MultiDict
from wtforms.fields.core import UnboundField

from forum.data.models import Board, Post, PostStatus, Role, Topic, User
from forum.extensions import db
from forum.fellowship import forms as fellowship_forms
from forum.pages import forms as page_forms
from tests.conftest import FormClient, make_user
from tests.fellowship_support import member as signed_up_member
from tests.fellowship_support import mentor as signed_up_mentor
from tests.fellowship_support import user_id

EXAMPLES = int(os.environ.get("HARBOR_HYPOTHESIS_EXAMPLES", 60))
PASSWORD = "correct horse battery"
ROLES = ("guest", "member", "moderator")
# what a request may name outside a form class: buttons, choices, the preview and check-draft
RAW_FIELDS = ("kind", "action", "direction", "allow", "region", "text", "mute", "message", "days")
QUERY_FIELDS = ("q", "before", "after", "page", "kind", "next", "title")
# routes that end the client's session: signed in again after each
SESSION_ENDING = ("auth.logout", "auth.log_out_everywhere")

FORMAT_CHARACTERS = ["\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\u00ad", "\u061c"]
NUMBERS = [
    "0",
    "-1",
    "1",
    "2",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999",
    "1e309",
    "NaN",
    "1.5",
    "0x1F",
]
SHAPES = [
    "2026-13-45",
    "9999-12-31T23:59:59_2147483647",
    "0001-01-01T00:00:00_1",
    "1_2026-01-01T00:00:00_99999999999999999999",
    "yes",
    "y",
    "erase",
    "up",
    "approve",
    "suspend",
    "hear_you",
    "worried",
    "us",
    "//evil.example",
    "/%09/evil.example",
    "<script>alert(1)</script>",
    ":::cw\nhidden\n:::",
    "\ue000marked\ue001",
]


def form_fields() -> list[str]:
    """Every field of every form class Harbor has, and the raw fields views read."""
    names = set(RAW_FIELDS)
    for module in (page_forms, fellowship_forms):
        for _, form_class in python_inspect.getmembers(module, python_inspect.isclass):
            for name in dir(form_class):
                if isinstance(getattr(form_class, name, None), UnboundField):
                    names.add(name)
    return sorted(names)


FIELDS = form_fields()
# a form that passes most checks, for hostile values to replace a field or two of: deep paths
# are reached, not only the first refusal. No password is the right one (a hostile request
# must not change or delete an account the walk signs in with).
PLAUSIBLE = {
    "action": "approve",
    "allow": "yes",
    "body": "Steady words for today.",
    "code": "abcd-ef01-2345",
    "confirm": "another long password",
    "content_warning": "grief",
    "current": "not the password",
    "days": "3",
    "description": "A board for steady days.",
    "direction": "up",
    "keep_showing": "y",
    "kind": "report",
    "members_only": "y",
    "message": "Thinking of you today.",
    "mute": "yes",
    "name": "Steady days",
    "note": "Could we talk some time?",
    "offers_mentoring": "y",
    "password": "another long password",
    "position": "2",
    "post_anyway": "y",
    "posts": "keep",
    "pseudonym": "Walker Guide",
    "reason": "Please look at this.",
    "region": "us",
    "remember": "y",
    "show_day_count": "y",
    "started_on": "2025-01-01",
    "text": "Hello there.",
    "title": "A steady day",
    "website": "",
    "welcomes_newcomers": "y",
}

hostile_text = st.one_of(
    st.just(""),
    st.just(" \t\n "),
    st.sampled_from(NUMBERS),
    st.sampled_from(SHAPES),
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from(FORMAT_CHARACTERS + ["a", " ", "\x00"]), max_size=20),
    st.builds(lambda n: "x" * n, st.sampled_from([161, 5_001, 50_001, 300_000])),
    st.builds(lambda s: f"{s}\x00{s}", st.text(max_size=5)),
)


def plausible_with(hostile: list[tuple[str, str]], repeated: bool) -> MultiDict:
    """The plausible form, with the hostile values replacing (or, `repeated`, joining) its own."""
    form = MultiDict(PLAUSIBLE)
    for name, value in hostile:
        if repeated:
            form.add(name, value)
        else:
            form.setlist(name, [value])
    return form


class Forum:
    """A forum with something behind every kind of id, and a signed-in client per role."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app
        self.tokens: dict[int, str] = {}
        self.statuses: Counter[int] = Counter()
        make_user(app, "Admin Moderator", Role.ADMIN, password=PASSWORD)
        browsers = lambda: FormClient(app.test_client())  # noqa: E731
        guide = signed_up_mentor(browsers, "Walker Guide")
        newcomer = signed_up_member(browsers, "Hostile Member")
        newcomer.submit(f"/mentors/{user_id(app, 'Walker Guide')}/ask", {"note": "Could we talk?"})
        guide.submit("/mentorship", {}, action="/mentorship/1/accept")
        guide.submit("/account", {"body": "Of course."}, action="/mentorship/1/messages")
        topic = guide.submit("/b/day-by-day/new", {"title": "Guide's topic", "body": "Hello."})
        topic_url = topic.location.split("#")[0]
        guide.submit(topic_url, {"body": "A reply with HOSTILE words"}, action=f"{topic_url}/reply")
        newcomer.submit(topic_url, {"body": "Thanks."}, action=f"{topic_url}/reply")
        newcomer.submit("/p/1/report", {"reason": "a report to review"})
        self.clients = {
            "guest": None,
            "member": newcomer,
            "moderator": self._signed_in("Admin Moderator"),
        }

    def _signed_in(self, pseudonym: str) -> FormClient:
        client = FormClient(self.app.test_client())
        assert client.login(pseudonym, PASSWORD).status_code == 302
        return client

    def client(self, role: str) -> FormClient:
        """The role's client; a guest is a new browser each time (a sign-up signs it in)."""
        if role == "guest":
            return FormClient(self.app.test_client())
        return self.clients[role]

    def token(self, role: str, client: FormClient) -> str:
        """The client's CSRF token (one per session), from a page with a form."""
        if id(client) not in self.tokens:
            self.tokens[id(client)] = client.token("/login" if role == "guest" else "/account")
        return self.tokens[id(client)]

    def after(self, role: str, endpoint: str | None) -> None:
        if role != "guest" and endpoint in SESSION_ENDING:
            pseudonym = "Hostile Member" if role == "member" else "Admin Moderator"
            self.clients[role] = self._signed_in(pseudonym)

    def row_counts(self) -> dict[str, int]:
        with self.app.app_context():
            tables = sorted(db.metadata.tables)
            counts = db.session.execute(
                text("SELECT " + ", ".join(f"(SELECT count(*) FROM {name})" for name in tables))
            ).one()
            db.session.rollback()
            return dict(zip(tables, counts, strict=True))

    def counters_match_rows(self) -> None:
        """The counts kept on rows (posts in a topic, a board, a member's) match the rows."""
        with self.app.app_context():
            for topic in db.session.scalars(select(Topic)):
                numbers = db.session.scalar(
                    select(func.max(Post.number)).where(Post.topic_id == topic.id)
                )
                replies = db.session.scalar(
                    select(func.count()).where(
                        Post.topic_id == topic.id,
                        Post.number > 1,
                        Post.status == PostStatus.PUBLISHED,
                    )
                )
                assert topic.post_count == (numbers or 0), topic.id
                assert topic.reply_count == replies, topic.id
            for board in db.session.scalars(select(Board)):
                published = (
                    select(func.count())
                    .select_from(Post)
                    .join(Topic)
                    .where(Topic.board_id == board.id, Post.status == PostStatus.PUBLISHED)
                )
                assert board.post_count == db.session.scalar(published), board.slug
            for user in db.session.scalars(select(User)):
                posts = select(func.count()).where(
                    Post.author_id == user.id, Post.status == PostStatus.PUBLISHED
                )
                assert user.post_count == db.session.scalar(posts), user.pseudonym


def routes(app) -> list[tuple[str, str, str]]:  # noqa: ANN001
    """(endpoint, URL rule, method) for every route but static files."""
    return sorted(
        (rule.endpoint, rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def path_for(rule: str, values: list[str]) -> str:
    """The rule with each <converter:name> replaced by the next value, percent-encoded."""
    parts = rule.replace(">", "<").split("<")
    path = parts[0]
    for index, (_, literal) in enumerate(zip(parts[1::2], parts[2::2], strict=True)):
        path += quote(values[index % len(values)], safe="") + literal
    return path


def send(
    forum: Forum,
    role: str,
    route: tuple[str, str, str],
    url_values: list[str],
    query: MultiDict,
    form: MultiDict,
    with_token: bool,
    raw_body: bytes | None,
) -> None:
    """One request; it must not fail, and a refusal must write nothing."""
    endpoint, rule, method = route
    client = forum.client(role)
    if with_token:
        form = MultiDict([*form.items(multi=True), ("csrf_token", forum.token(role, client))])
    before = forum.row_counts()
    if raw_body is not None:
        response = client.client.open(
            path_for(rule, url_values),
            method=method,
            query_string=query,
            data=raw_body,
            content_type="application/x-www-form-urlencoded",
        )
    else:
        response = client.client.open(
            path_for(rule, url_values), method=method, query_string=query, data=form
        )
    forum.statuses[response.status_code] += 1
    assert response.status_code < 500, (role, method, rule, response.status_code)
    if response.status_code >= 400:
        assert forum.row_counts() == before, (role, method, rule, response.status_code)
    forum.after(role, endpoint)


@pytest.fixture
def forum(moderated_app, boards) -> Forum:  # noqa: ANN001
    return Forum(moderated_app)


def test_every_route_survives_one_hostile_form(forum: Forum):
    """The sweep: every route, method and role once, every field at once hostile."""
    hostile = MultiDict([(name, "\u202e" + "9" * 20 + "\u200b") for name in FIELDS])
    query = MultiDict([(name, "99999999999999999999") for name in QUERY_FIELDS])
    for role in ROLES:
        for route in routes(forum.app):
            for values in (["1"], ["99999999999999999999"], ["\u202e\x00"]):
                send(forum, role, route, values, query, hostile, True, None)
    forum.counters_match_rows()
    print(f"\nsweep: {sum(forum.statuses.values())} requests, by status {dict(forum.statuses)}")


@pytest.mark.parametrize("role", ROLES)
def test_hostile_values_in_any_mix_give_no_500(forum: Forum, role: str):
    all_routes = routes(forum.app)
    pairs = st.tuples(st.sampled_from(FIELDS), hostile_text)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        route=st.sampled_from(all_routes),
        url_values=st.lists(
            st.one_of(st.sampled_from(["1", "2", "3"]), st.sampled_from(["1", "2"]), hostile_text),
            min_size=1,
            max_size=2,
        ),
        query=st.lists(st.tuples(st.sampled_from(QUERY_FIELDS), hostile_text), max_size=3),
        # a plausible form with a field or two hostile, or a few hostile fields alone; the
        # same field may come twice, with different values
        form=st.one_of(
            st.builds(plausible_with, st.lists(pairs, min_size=1, max_size=3), st.booleans()),
            st.lists(pairs, max_size=6).map(MultiDict),
        ),
        with_token=st.sampled_from([True, True, True, False]),
        raw_body=st.one_of(
            st.none(),
            st.sampled_from([b"body=%FF%FE", b"body=\xff\xfe&title=\xc3", b"text=%00", b"=&&="]),
        ),
    )
    def hostile_request(route, url_values, query, form, with_token, raw_body) -> None:  # noqa: ANN001
        send(forum, role, route, url_values, MultiDict(query), form, with_token, raw_body)

    hostile_request()
    forum.counters_match_rows()
    print(f"\n{role}: {sum(forum.statuses.values())} requests, by status {dict(forum.statuses)}")
