"""Notification pages: the unread count in the navigation, following and muting a topic."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required
from werkzeug import Response

from forum.data.notifications import UNREAD_SHOWN_UP_TO, set_muted, unread_count
from forum.extensions import db
from forum.pages.visibility import topic_or_404
from forum.ratelimit import limiter

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def unread_messages() -> dict:
    if not current_user.is_authenticated:
        return {}
    count = unread_count(current_user.id)
    label = f"{UNREAD_SHOWN_UP_TO}+" if count > UNREAD_SHOWN_UP_TO else str(count)
    return {"unread_messages": label if count else None}


@bp.route("/t/<int:topic_id>/follow", methods=["POST"])
@login_required
@limiter.limit("60 per hour", key_func=lambda: f"follow:{current_user.id}")
def follow(topic_id: int) -> Response:
    """Follow or mute a topic (form field `mute`: "yes" mutes, anything else follows)."""
    topic = topic_or_404(topic_id)
    muted = request.form.get("mute") == "yes"
    set_muted(topic.id, current_user.id, muted)
    db.session.commit()
    if muted:
        flash("Topic muted: you won't get messages about its replies.", "success")
    else:
        flash("You're following this topic: new replies will show in your messages.", "success")
    return redirect(url_for("boards.topic", topic_id=topic.id))
