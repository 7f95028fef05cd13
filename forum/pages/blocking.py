"""Blocking a member: their posts and messages are hidden for you, and they are not told."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug import Response

from forum.data import blocks
from forum.data.models import User
from forum.extensions import db
from forum.ratelimit import limiter

bp = Blueprint("blocking", __name__)


def _back(default: str) -> str:
    """Where the member was (a path on Harbor only, never another site)."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


@bp.route("/members/<int:member_id>/block", methods=["POST"])
@login_required
@limiter.limit("60 per hour", key_func=lambda: f"block:{current_user.id}")
def block(member_id: int) -> Response:
    member = db.session.get(User, member_id)
    if member is None:
        abort(404)
    if member.id == current_user.id:
        abort(400, "You can't block yourself.")
    blocks.block(current_user, member)
    db.session.commit()
    flash(
        f"You blocked {member.pseudonym}. Their posts and messages are hidden for you, and they "
        "are not told. You can unblock them in your account.",
        "success",
    )
    return redirect(_back(url_for(".blocked")))


@bp.route("/members/<int:member_id>/unblock", methods=["POST"])
@login_required
def unblock(member_id: int) -> Response:
    blocks.unblock(current_user, member_id)
    db.session.commit()
    flash("Unblocked: you see their posts and messages again.", "success")
    return redirect(url_for(".blocked"))


@bp.route("/account/blocked")
@login_required
def blocked() -> str:
    return render_template("auth/blocked.html", blocks=blocks.blocks_of(current_user))
