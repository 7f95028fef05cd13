"""Full-text search over published posts and topic titles, newest first, rate-limited."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from forum.data.blocks import blocks_bound
from forum.data.search_index import MAX_TERMS, search_posts, search_terms
from forum.extensions import db
from forum.ratelimit import SEARCH_LIMIT, limiter
from forum.web.keyset import id_before, page_and_cursor

bp = Blueprint("search", __name__)

MAX_QUERY_CHARS = 200


@bp.route("/search")
@limiter.limit(SEARCH_LIMIT)
def search() -> tuple[str, int] | str:
    query = request.args.get("q", "").strip()
    if len(query) > MAX_QUERY_CHARS:
        message = f"That search is too long: please use at most {MAX_QUERY_CHARS} characters."
        return render_template(
            "search/results.html", query=query[:MAX_QUERY_CHARS], problem=message
        ), 400
    before = id_before()
    terms = search_terms(query)
    if query and not terms:
        problem = "Search for words: letters or numbers, not only punctuation."
        return render_template("search/results.html", query=query, problem=problem), 400
    per_page = current_app.config["HARBOR_SEARCH_RESULTS_PER_PAGE"]
    hiding = blocks_bound(current_user)
    results = search_posts(
        db.session,
        terms,
        members=current_user.is_authenticated,
        before=before,
        limit=per_page + 1,
        **hiding,
    )
    results, older = page_and_cursor(results, per_page, lambda result: (result.post_id,))
    return render_template(
        "search/results.html",
        query=query,
        terms=terms,
        results=results,
        older=older,
        paged=before is not None,
        max_terms=MAX_TERMS,
        hides_blocked=bool(hiding["blocked"]),
    )
