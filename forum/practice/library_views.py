"""The coping-tools library's pages: browse by tag, read, write, "this helped me", and, for
moderators, featuring. Writing and editing go through the moderation flow as a post does; a
held or flagged tool is an item in the moderators' review queue (forum/practice/moderation.py)."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug import Response

from forum.data.moderated import PostStatus
from forum.extensions import db
from forum.practice import library
from forum.practice.forms import ToolForm
from forum.practice.models import CopingTool
from forum.ratelimit import limiter
from forum.web.compose import Draft, after_submit, ensure_can_post, helplines_first_for
from moderation.submission import Place

bp = Blueprint("library", __name__, url_prefix="/library")


def _tool_or_404(tool_id: int) -> CopingTool:
    tool = db.session.get(CopingTool, tool_id)
    if tool is None or not tool.visible_to(current_user):
        abort(404)
    return tool


def _tool_limit() -> str:
    return current_app.config["HARBOR_TOOL_LIMIT"]


def _tool_url(tool: CopingTool) -> str:
    return url_for("practice.library.tool", tool_id=tool.id)


@bp.route("")
def index() -> str:
    tag = request.args.get("tag")
    if tag not in library.TAGS:
        tag = None
    newest = request.args.get("sort") == "new"
    tools = list(db.session.scalars(library.published_tools(tag, newest)))
    member = current_user if current_user.is_authenticated else None
    return render_template(
        "practice/library.html",
        tools=tools,
        tags=library.TAGS,
        tag=tag,
        newest=newest,
        helped=library.helped_by(member, tools),
    )


def _sent(tool: CopingTool) -> Response:
    """The tool's page next: helplines first after crisis language, else a word on where it
    stands."""
    if tool.status == PostStatus.HELD and not tool.findings.crisis.is_crisis:
        flash("Thank you. A moderator will read your tool before it joins the library.", "info")
    elif tool.status == PostStatus.PUBLISHED:
        flash("Your tool is in the library. Thank you for sharing what works.", "success")
    elif tool.status == PostStatus.PENDING:
        flash("Thank you. Your tool joins the library once it has been checked.", "info")
    return after_submit(tool, _tool_url(tool))


def _draft(form: ToolForm) -> Draft:
    return Draft.of(
        Place.COPING_TOOL,
        form.body.data,
        title=form.title.data,
        confirmed=form.post_anyway.data,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
@limiter.limit(_tool_limit, key_func=lambda: f"tool:{current_user.id}", methods=["POST"])
def new() -> str | Response:
    form = ToolForm()
    draft = None
    if form.validate_on_submit():
        ensure_can_post()
        draft = _draft(form)
        if not draft.needs_confirmation:
            tool = library.write_tool(
                current_user, form.title.data, form.body.data, form.tags.data or []
            )
            draft.send(tool)
            return _sent(tool)
    return render_template(
        "practice/tool_form.html", form=form, details=draft.details if draft else [], tool=None
    )


@bp.route("/<int:tool_id>")
def tool(tool_id: int) -> str:
    tool = _tool_or_404(tool_id)
    member = current_user if current_user.is_authenticated else None
    return render_template(
        "practice/tool.html",
        tool=tool,
        helped=tool.id in library.helped_by(member, [tool]),
        helplines_first=helplines_first_for(CopingTool.review_type, {tool.id}) is not None,
    )


@bp.route("/<int:tool_id>/edit", methods=["GET", "POST"])
@login_required
@limiter.limit(_tool_limit, key_func=lambda: f"tool:{current_user.id}", methods=["POST"])
def edit(tool_id: int) -> str | Response:
    tool = _tool_or_404(tool_id)
    if tool.author_id != current_user.id:
        abort(403, "You can only change your own tools.")
    form = ToolForm(obj=tool)
    if not form.is_submitted():
        form.tags.data = tool.tag_names
    draft = None
    if form.validate_on_submit():
        ensure_can_post()
        draft = _draft(form)
        if not draft.needs_confirmation:
            library.edit_tool(tool, form.title.data, form.body.data, form.tags.data or [])
            draft.send(tool)
            return _sent(tool)
    return render_template(
        "practice/tool_form.html", form=form, details=draft.details if draft else [], tool=tool
    )


@bp.route("/<int:tool_id>/helped", methods=["POST"])
@login_required
@limiter.limit("60 per hour", key_func=lambda: f"helped:{current_user.id}")
def helped(tool_id: int) -> Response:
    tool = _tool_or_404(tool_id)
    if library.toggle_helped(tool, current_user):
        flash("Thank you: the writer will know it helped someone.", "success")
    else:
        flash("Taken back.", "info")
    db.session.commit()
    return redirect(_tool_url(tool))


@bp.route("/<int:tool_id>/feature", methods=["POST"])
@login_required
def feature(tool_id: int) -> Response:
    if not current_user.is_moderator:
        abort(403, "Only moderators can feature tools.")
    tool = _tool_or_404(tool_id)
    featured = request.form.get("featured") == "yes"
    library.set_featured(tool, current_user, featured)
    db.session.commit()
    flash(
        "Featured: it shows first in the library." if featured else "No longer featured.",
        "success",
    )
    return redirect(_tool_url(tool))
