"""A live preview of a draft, for the posting forms' script.

The server renders it with the same Markdown renderer and sanitiser as a real post, so the
preview can never show what a post would not; Markdown is never rendered in the browser.
"""

from flask import Blueprint, current_app, get_template_attribute, request
from flask_login import login_required

from forum.data.markdown import CONTENT_WARNING_MAX_CHARS, render_markdown
from forum.ratelimit import limiter

bp = Blueprint("preview", __name__)


@bp.route("/preview", methods=["POST"])
@login_required
@limiter.limit("60 per minute")
def preview() -> str:
    """The draft as its post body would be: HTML, with the whole-post warning if given."""
    text = request.form.get("text", "")[: current_app.config["HARBOR_POST_MAX_CHARS"]]
    warning = request.form.get("content_warning", "").strip()[:CONTENT_WARNING_MAX_CHARS]
    post_body = get_template_attribute("boards/_post_body.html", "post_body")
    return post_body(render_markdown(text), warning)
