"""Reading and writing the forum: boards, topics, replies."""

from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
)
from flask_login import current_user, login_required
from sqlalchemy import bindparam, exists, not_, select, tuple_
from sqlalchemy.orm import joinedload, load_only
from werkzeug import Response

from forum.data.blocks import blocked_by, blocks_bound, unblocked
from forum.data.models import PendingEdit, Post, PostStatus, Topic, User
from forum.data.notifications import follow_state
from forum.data.posting import (
    add_reply,
    delete_post_by_author,
    edit_post,
    start_topic,
)
from forum.data.reactions import reactions_of
from forum.extensions import db
from forum.fellowship.welcome import first_posts_among
from forum.pages.posting_limits import take_turn
from forum.pages.visibility import board_or_404, topic_or_404, visible_boards
from forum.web.compose import (
    CONTENT_WARNING_SUGGESTIONS,
    Draft,
    EditPostForm,
    PostingForm,
    ReplyForm,
    TopicForm,
    after_submit,
    ensure_can_post,
    helplines_first_for,
    post_url,
)
from forum.web.keyset import page_and_cursor, parse_cursor
from forum.web.pauses import pause_of
from moderation.submission import Place

bp = Blueprint("boards", __name__)
bp.add_app_template_global(CONTENT_WARNING_SUGGESTIONS, "content_warning_suggestions")

# what a topic page shows of a post: not its moderation record (scores, decision: JSON to parse)
# every column the topic page reads (templates/boards/_post.html): any other would be loaded
# by a query of its own, per post
POST_ON_PAGE = (
    Post.topic_id,
    Post.number,
    Post.author_id,
    Post.body_html,
    Post.created_at,
    Post.edited_at,
    Post.status,
    Post.content_warning,
    Post.reactions_hear_you,
    Post.reactions_me_too,
    Post.reactions_strength,
    Post.hidden_from_readers,
)
AUTHOR_ON_PAGE = (User.pseudonym, User.show_day_count, User.recovery_started_on)
# built once, as forum.pages.visibility explains
POSTS_ON_TOPIC_PAGE = (
    select(Post)
    .options(load_only(*POST_ON_PAGE), joinedload(Post.author).load_only(*AUTHOR_ON_PAGE))
    .where(
        Post.topic_id == bindparam("topic_id"),
        Post.number.between(bindparam("first"), bindparam("last")),
    )
    .order_by(Post.number)
)
_ON_BOARD = (Topic.board_id == bindparam("board_id"), Topic.status == PostStatus.PUBLISHED)
# a member's blocks are left out in the query, so each keyset page is full (forum.data.blocks)
TOPICS_ON_BOARD = (
    select(Topic)
    .options(joinedload(Topic.author))
    .where(*_ON_BOARD, unblocked(Topic.author_id, Topic.has_crisis))
    .order_by(Topic.last_post_at.desc(), Topic.id.desc())
    .limit(bindparam("limit"))
)
BLOCKED_TOPICS_ON_BOARD = select(
    exists().where(*_ON_BOARD, not_(unblocked(Topic.author_id, Topic.has_crisis)))
)
TOPICS_ON_BOARD_BEFORE = TOPICS_ON_BOARD.where(
    tuple_(Topic.last_post_at, Topic.id) < tuple_(bindparam("before_at"), bindparam("before_id"))
)


@bp.route("/")
def index() -> str:
    boards = db.session.scalars(visible_boards()).all()
    return render_template("boards/index.html", boards=boards)


@bp.route("/b/<slug>")
def board(slug: str) -> str:
    """A board's topics, newest activity first, paginated by keyset (cost independent of depth)."""
    board = board_or_404(slug)
    per_page = current_app.config["HARBOR_TOPICS_PER_PAGE"]
    hiding = blocks_bound(current_user)
    page_params = {"board_id": board.id, "limit": per_page + 1, **hiding}
    if before := request.args.get("before"):
        before_at, before_id = parse_cursor(before, datetime, int)
        page_params.update(before_at=before_at, before_id=before_id)
    topics = db.session.scalars(
        TOPICS_ON_BOARD_BEFORE if before else TOPICS_ON_BOARD, page_params
    ).all()
    topics, older = page_and_cursor(topics, per_page, lambda topic: (topic.last_post_at, topic.id))
    hides_blocked = bool(hiding["blocked"]) and db.session.scalar(
        BLOCKED_TOPICS_ON_BOARD, {"board_id": board.id, **hiding}
    )
    return render_template(
        "boards/board.html",
        board=board,
        topics=topics,
        older=older,
        paged=bool(before),
        hides_blocked=hides_blocked,
    )


@bp.route("/b/<slug>/new", methods=["GET", "POST"])
@login_required
def new_topic(slug: str) -> str | Response:
    board = board_or_404(slug)
    form = TopicForm()
    if request.method == "GET" and (title := request.args.get("title")):
        # a prefilled title, as a milestone offer links here with one
        form.title.data = title[: current_app.config["HARBOR_TITLE_MAX_CHARS"]]
    draft = None
    if form.validate_on_submit():
        draft = draft_of(form, Place.TOPIC, title=form.title.data)
        ensure_can_post(draft)
        if not draft.needs_confirmation:
            take_turn(current_user, "topic", crisis=draft.shows_help)
            post = start_topic(
                board,
                current_user,
                form.title.data,
                form.body.data,
                content_warning=form.content_warning.data,
            )
            post.topic.support_wanted = form.support_wanted.data or None
            draft.send(post)
            return after_submit(post, post_url(post))
    return render_template(
        "boards/new_topic.html",
        board=board,
        form=form,
        details=draft.details if draft else [],
        pause=pause_of(current_user),
    )


@bp.route("/t/<int:topic_id>")
def topic(topic_id: int) -> str:
    """A page of a topic: post numbers are positions, so page N is one index range."""
    topic = topic_or_404(topic_id)
    per_page = current_app.config["HARBOR_POSTS_PER_PAGE"]
    last_page = max(1, -(-topic.post_count // per_page))
    page = request.args.get("page", 1, type=int)
    if page == -1:
        page = last_page
    if page < 1 or page > last_page:
        abort(404)
    first = (page - 1) * per_page + 1
    posts = db.session.scalars(
        POSTS_ON_TOPIC_PAGE,
        {"topic_id": topic.id, "first": first, "last": first + per_page - 1},
    ).all()
    posts = [post for post in posts if post.visible_to(current_user)]
    my_edits = pending_edits_of(current_user, posts)
    crisis_posts = crisis_posts_among(posts) if topic.has_crisis else frozenset()
    # the writer of a crisis post sees helplines first on the very next page
    crisis_post_id = helplines_first_for(Post.review_type, {post.id for post in posts})
    helplines_first = next((post for post in posts if post.id == crisis_post_id), None)
    return render_template(
        "boards/topic.html",
        topic=topic,
        posts=posts,
        page=page,
        last_page=last_page,
        # guests are offered no form, so none is made (nor a CSRF token for it)
        form=ReplyForm() if current_user.is_authenticated else None,
        helplines_first=helplines_first,
        my_edits=my_edits,
        # a page still being checked refreshes itself, but never away from the helplines a
        # writer in crisis is reading (the reloaded page would not show them again)
        waiting=helplines_first is None
        and (
            any(post.status == PostStatus.PENDING for post in posts)
            or any(not edit.held for edit in my_edits.values())
        ),
        new_here=first_posts_among(posts, current_user),
        my_reactions=reactions_of(current_user, posts),
        following=follow_state(topic.id, current_user),
        crisis_posts=crisis_posts,
        blocked=blocked_by(current_user),
        pause=pause_of(current_user),
    )


def crisis_posts_among(posts: list[Post]) -> frozenset[int]:
    """The posts with crisis language: no reactions are offered on them (safe messaging), and
    a moderator's block never hides them from the moderator. Asked only of a topic that has
    one, as it reads each post's findings."""
    ids = [post.id for post in posts]
    rows = db.session.execute(select(Post.id, Post.findings).where(Post.id.in_(ids)))
    return frozenset(post_id for post_id, found in rows if found and found.crisis.is_crisis)


def pending_edits_of(member: User, posts: list[Post]) -> dict[int, PendingEdit]:
    """The member's own edits waiting on this page's posts: they see them, others don't."""
    mine = [post.id for post in posts if member.is_authenticated and post.author_id == member.id]
    if not mine:
        return {}
    edits = db.session.scalars(select(PendingEdit).where(PendingEdit.post_id.in_(mine)))
    return {edit.post_id: edit for edit in edits}


@bp.route("/t/<int:topic_id>/reply", methods=["POST"])
@login_required
def reply(topic_id: int) -> str | Response:
    topic = topic_or_404(topic_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return render_template("boards/reply.html", topic=topic, form=form, details=[]), 400
    draft = draft_of(form, Place.REPLY)
    ensure_can_post(draft)
    if draft.needs_confirmation:
        return render_template("boards/reply.html", topic=topic, form=form, details=draft.details)
    take_turn(current_user, "reply", crisis=draft.shows_help)
    post = add_reply(topic, current_user, form.body.data, form.content_warning.data)
    draft.send(post)
    return after_submit(post, post_url(post))


def draft_of(form: PostingForm, place: Place, title: str = "") -> Draft:
    return Draft.of(
        place,
        form.body.data,
        title=title,
        content_warning=form.content_warning.data,
        confirmed=form.post_anyway.data,
    )


def own_post_or_404(post_id: int) -> Post:
    post = db.session.get(Post, post_id)
    if post is None or not post.visible_to(current_user):
        abort(404)
    topic_or_404(post.topic_id)
    if post.author_id != current_user.id:
        abort(403, "You can only change your own posts.")
    return post


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit(post_id: int) -> str | Response:
    post = own_post_or_404(post_id)
    waiting = post.pending_edit  # the writer goes on from their latest words
    form = EditPostForm(obj=waiting or post)
    if request.method == "GET" and post.is_first:
        form.title.data = (waiting.title if waiting else None) or post.topic.title
    draft = None
    if form.validate_on_submit():
        title = form.title.data if post.is_first else None
        if post.is_first and not title:
            form.title.errors.append("Give your topic a title.")
        else:
            place = Place.TOPIC if post.is_first else Place.REPLY
            draft = draft_of(form, place, title=title or "")
            ensure_can_post(draft)
            if not draft.needs_confirmation:
                take_turn(current_user, "edit", crisis=draft.shows_help)
                edit_post(post, form.body.data, title, content_warning=form.content_warning.data)
                draft.send(post)
                flash("Your post is updated.", "success")
                return after_submit(post, post_url(post))
    return render_template(
        "boards/edit.html",
        post=post,
        form=form,
        details=draft.details if draft else [],
        pause=pause_of(current_user),
    )


@bp.route("/p/<int:post_id>/delete", methods=["POST"])
@login_required
def delete(post_id: int) -> Response:
    post = own_post_or_404(post_id)
    delete_post_by_author(post)
    db.session.commit()
    flash("Your post is deleted. A note says it was removed by its author.", "success")
    return redirect(post_url(post))


@bp.route("/p/<int:post_id>")
def show_post(post_id: int) -> Response:
    post = db.session.get(Post, post_id)
    if post is None or not post.visible_to(current_user):
        abort(404)
    topic_or_404(post.topic_id)
    return redirect(post_url(post))
