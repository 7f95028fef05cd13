"""Safe messaging: a moderator hides a post's details (of a method, say) from readers.

After Samaritans' and #chatsafe's guidance: details of a method put vulnerable readers at risk.
The post stays for its writer and the moderators, readers see the moderator's reason in its
place, and each step is in the audit log and can be undone.
"""

from flask import Blueprint, abort, flash, redirect, request
from flask_login import current_user, login_required
from werkzeug import Response

from forum.data.models import Post
from forum.data.review import AuditEntry
from forum.extensions import db
from forum.web.compose import post_url

bp = Blueprint("safe_messaging", __name__)

REASON_MAX_CHARS = 300


def _moderated_post(post_id: int) -> Post:
    if not (current_user.is_authenticated and current_user.is_moderator):
        abort(403, "Only moderators can hide a post's details.")
    post = db.session.get(Post, post_id)
    if post is None:
        abort(404)
    return post


def _audit(post: Post, action: str, reason: str) -> None:
    db.session.add(
        AuditEntry(
            actor_id=current_user.id,
            action=action,
            subject_type=post.review_type,
            subject_id=post.id,
            member_id=post.author_id,
            reason=reason,
        )
    )


@bp.route("/p/<int:post_id>/hide-details", methods=["POST"])
@login_required
def hide_details(post_id: int) -> Response:
    post = _moderated_post(post_id)
    reason = " ".join(request.form.get("reason", "").split())[:REASON_MAX_CHARS]
    if not reason:
        abort(400, "Say why, in a few words: readers see it in the post's place.")
    post.hidden_from_readers = reason
    _audit(post, "hide_details", reason)
    db.session.commit()
    flash("Hidden from readers. The writer and moderators still see the post.", "success")
    return redirect(post_url(post))


@bp.route("/p/<int:post_id>/show-details", methods=["POST"])
@login_required
def show_details(post_id: int) -> Response:
    post = _moderated_post(post_id)
    if post.hidden_from_readers:
        _audit(post, "show_details", f"was hidden: {post.hidden_from_readers}")
        post.hidden_from_readers = None
        db.session.commit()
    flash("Readers see the post again.", "success")
    return redirect(post_url(post))
