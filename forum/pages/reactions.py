"""The reaction buttons under a post (the rules are in forum/data/reactions.py)."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from werkzeug import Response

from forum.data.models import Post, PostStatus
from forum.data.reactions import REACTIONS, react, reaction_counts
from forum.extensions import db
from forum.pages.visibility import topic_or_404
from forum.ratelimit import limiter

bp = Blueprint("reactions", __name__)
bp.add_app_template_global(reaction_counts)


@bp.route("/p/<int:post_id>/react", methods=["POST"])
@login_required
@limiter.limit("120 per hour", key_func=lambda: f"react:{current_user.id}")
def react_to_post(post_id: int) -> Response:
    post = db.session.get(Post, post_id)
    if post is None or post.status != PostStatus.PUBLISHED:
        abort(404)
    topic_or_404(post.topic_id)
    kind = request.form.get("kind", "")
    if kind not in REACTIONS:
        abort(400, "Unknown reaction.")
    if post.author_id == current_user.id:
        abort(403, "Reactions are for other members' posts.")
    if post.findings is not None and post.findings.crisis.is_crisis:
        # safe messaging: a reply, not a "me too", is the answer to someone in crisis
        abort(403, "This post takes replies, not reactions: a few words can mean a lot.")
    now_mine = react(post, current_user, kind)
    db.session.commit()
    if now_mine is None:
        flash(f"You took back “{REACTIONS[kind]}”.", "success")
    else:
        flash(f"You sent “{REACTIONS[now_mine]}”.", "success")
    return redirect(url_for("boards.show_post", post_id=post.id))
