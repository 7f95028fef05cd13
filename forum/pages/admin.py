"""The admin's pages: boards (create, order, rename, members-only), moderators, indexing."""

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from werkzeug import Response

from forum.data.models import Board, Role, User
from forum.data.site_settings import get_setting, set_setting
from forum.extensions import db
from forum.pages.access import admin_required
from forum.pages.auth import find_user
from forum.pages.forms import BoardForm, RoleForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:60] or "board"


def unique_slug(name: str) -> str:
    base = slug = slugify(name)
    suffix = 2
    while db.session.scalar(select(Board.id).where(Board.slug == slug)):
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug


@bp.route("/")
@admin_required
def dashboard() -> str:
    boards = db.session.scalars(select(Board).order_by(Board.position, Board.id)).all()
    moderators = db.session.scalars(
        select(User).where(User.role != Role.MEMBER).order_by(User.pseudonym_key)
    ).all()
    return render_template(
        "admin/dashboard.html",
        boards=boards,
        moderators=moderators,
        board_form=BoardForm(),
        role_form=RoleForm(),
        indexing=get_setting("allow_indexing", False),
    )


@bp.route("/boards", methods=["POST"])
@admin_required
def create_board() -> Response:
    form = BoardForm()
    if form.validate_on_submit():
        last = db.session.scalar(select(func.max(Board.position))) or 0
        board = Board(
            slug=unique_slug(form.name.data),
            name=form.name.data,
            description=form.description.data or "",
            members_only=form.members_only.data,
            position=last + 1,
        )
        db.session.add(board)
        db.session.commit()
        flash(f"Board “{board.name}” created.", "success")
    else:
        flash(_first_error(form), "error")
    return redirect(url_for("admin.dashboard"))


@bp.route("/boards/<int:board_id>", methods=["POST"])
@admin_required
def update_board(board_id: int) -> Response:
    board = db.get_or_404(Board, board_id)
    form = BoardForm()
    if form.validate_on_submit():
        board.name = form.name.data
        board.description = form.description.data or ""
        board.members_only = form.members_only.data
        db.session.commit()
        flash(f"Board “{board.name}” saved.", "success")
    else:
        flash(_first_error(form), "error")
    return redirect(url_for("admin.dashboard"))


@bp.route("/boards/<int:board_id>/move", methods=["POST"])
@admin_required
def move_board(board_id: int) -> Response:
    """Swap a board with its neighbour above or below."""
    boards = list(db.session.scalars(select(Board).order_by(Board.position, Board.id)))
    index = next((i for i, b in enumerate(boards) if b.id == board_id), None)
    if index is None:
        abort(404)
    other = index - 1 if request.form.get("direction") == "up" else index + 1
    if 0 <= other < len(boards):
        boards[index], boards[other] = boards[other], boards[index]
    for position, board in enumerate(boards, start=1):
        board.position = position
    db.session.commit()
    return redirect(url_for("admin.dashboard"))


@bp.route("/moderators", methods=["POST"])
@admin_required
def set_moderator() -> Response:
    form = RoleForm()
    make = request.form.get("action") != "remove"
    user = find_user(form.pseudonym.data or "") if form.validate_on_submit() else None
    if user is None:
        flash("No member has that pseudonym.", "error")
    elif user.is_admin:
        flash(f"{user.pseudonym} is an admin; admins moderate already.", "info")
    else:
        user.role = Role.MODERATOR if make else Role.MEMBER
        db.session.commit()
        flash(f"{user.pseudonym} is {'now' if make else 'no longer'} a moderator.", "success")
    return redirect(url_for("admin.dashboard"))


@bp.route("/indexing", methods=["POST"])
@admin_required
def set_indexing() -> Response:
    allow = request.form.get("allow") == "yes"
    set_setting("allow_indexing", allow)
    db.session.commit()
    flash("Search engines may now index public pages." if allow else "Pages carry noindex.", "info")
    return redirect(url_for("admin.dashboard"))


def _first_error(form: BoardForm) -> str:
    for field, errors in form.errors.items():
        return f"{getattr(form, field).label.text}: {errors[0]}"
    return "The form could not be accepted."
