"""Composing a text: the forms, one typed draft carried through its checks, the next page.

As Misago's posting state does: a page builds a `Draft` from its form; the draft runs the fast
checks once (crisis language, identifying details) and says what the writer must confirm;
the page stores the text and hands it to the moderation flow with the findings the writer was
shown. Every page that takes a post or a message (boards, check-in, mentorship) uses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug import Response
from werkzeug.utils import redirect
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from forum.data.markdown import CONTENT_WARNING_MAX_CHARS, render_markdown
from forum.data.models import Post
from forum.data.moderated import Moderated
from forum.data.posting import PostingError
from forum.data.support_wanted import SUPPORT_WANTED
from forum.extensions import db
from forum.flow.checks import examine
from forum.flow.pipeline import submit
from forum.web import crisis_pass
from moderation.findings import Findings
from moderation.identifying import IdentifyingDetail
from moderation.submission import Place, Submission

HELPLINES_FIRST = "helplines_first"
# the id of the helplines panel a page shows first after a crisis text: the next page opens at it
HELPLINES_ANCHOR = "helplines-first"


def _post_length(form: FlaskForm, field: StringField) -> None:
    limit = current_app.config["HARBOR_POST_MAX_CHARS"]
    if len(field.data or "") > limit:
        raise ValidationError(
            f"A post can be at most {limit:,} characters; this one is {len(field.data):,}."
        )


def _title_length(form: FlaskForm, field: StringField) -> None:
    limit = current_app.config["HARBOR_TITLE_MAX_CHARS"]
    if len(field.data or "") > limit:
        raise ValidationError(
            f"A title can be at most {limit} characters; this one is {len(field.data):,}."
        )


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


# offered under the content-warning field; a writer may type any other words
CONTENT_WARNING_SUGGESTIONS = (
    "relapse details",
    "self-harm",
    "suicidal thoughts",
    "drug use",
    "drinking",
    "grief",
    "abuse",
    "medical details",
)


class PostingForm(FlaskForm):
    # shown only after the identifying-details guard found something in the draft
    post_anyway = BooleanField("Post anyway: I understand what I'm sharing")
    content_warning = StringField(
        "Content warning (optional)",
        validators=[
            Length(
                max=CONTENT_WARNING_MAX_CHARS,
                message=f"Keep the warning to {CONTENT_WARNING_MAX_CHARS} characters or fewer.",
            )
        ],
        filters=[_strip],
    )


class TopicForm(PostingForm):
    title = StringField(
        "Title",
        validators=[DataRequired(message="Give your topic a title."), _title_length],
        filters=[_strip],
    )
    body = TextAreaField(
        "Your post", validators=[DataRequired(message="Write something first."), _post_length]
    )
    support_wanted = RadioField(
        "What kind of replies would you like?",
        choices=[
            SelectChoice("", "Any kind of reply"),
            *(SelectChoice(key, wanted.label) for key, wanted in SUPPORT_WANTED.items()),
        ],
        default="",
    )


class ReplyForm(PostingForm):
    body = TextAreaField(
        "Your reply", validators=[DataRequired(message="Write something first."), _post_length]
    )


class EditPostForm(PostingForm):
    title = StringField("Title", validators=[_title_length], filters=[_strip])
    body = TextAreaField(
        "Your post", validators=[DataRequired(message="Write something first."), _post_length]
    )


@dataclass(frozen=True)
class Draft:
    """What the writer sent, what the checks found in it, and whether they confirmed it."""

    submission: Submission
    findings: Findings
    confirmed: bool  # the writer chose to post the identifying details found

    @classmethod
    def of(
        cls,
        place: Place,
        body: str,
        *,
        title: str = "",
        content_warning: str | None = "",
        confirmed: bool = False,
    ) -> Draft:
        submission = Submission(
            place=place,
            body=body,
            title=title or "",
            content_warning=content_warning or "",
            author=current_user.standing(),
            has_links="<a " in render_markdown(body),
        )
        draft = cls(submission, examine(submission), bool(confirmed))
        # a form sent back (identifying details to confirm) shows helplines above its warning
        # when the words hold crisis language (templates/boards/_identifying_warning.html)
        g.draft_shows_help = draft.shows_help
        return draft

    @property
    def details(self) -> list[IdentifyingDetail]:
        """The identifying details to show the writer, in reading order."""
        return [found.detail for found in self.findings.identifying]

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.findings.identifying) and not self.confirmed

    @property
    def shows_help(self) -> bool:
        """Crisis language, the gentle tier included: these words are never refused."""
        return self.findings.crisis.shows_help

    def send(self, subject: Moderated) -> Moderated:
        """Hand the stored text to the moderation flow with what the writer was shown, and
        tell the moderators what limit, if any, its crisis words were let past."""
        submit(subject, self.findings)
        crisis_pass.note_on(subject)
        db.session.commit()
        return subject


def ensure_can_post(draft: Draft | None = None) -> None:
    """A silenced member may read, not write; they are told until when. Crisis words are
    let through (crisis_pass), so the writer gets helplines and a moderator reads them."""
    if current_user.is_silenced():
        if draft is not None and draft.shows_help and crisis_pass.grant("a pause on posting"):
            return
        until = current_user.silenced_until.strftime("%Y-%m-%d %H:%M UTC")
        raise PostingError(f"A moderator has paused your posting until {until}.", 403)


def after_submit(subject: Moderated, next_url: str) -> Response:
    """The next page, with helplines first when the text held crisis language (a gentle note
    when the model alone thought it possible)."""
    findings = subject.findings
    if findings is not None and findings.crisis.shows_help:
        session[HELPLINES_FIRST] = [subject.review_type, subject.id]
        # the page opens at the helplines, on a phone too, with or without JavaScript
        next_url = f"{next_url.split('#')[0]}#{HELPLINES_ANCHOR}"
    return redirect(next_url)


def helplines_first_for(review_type: str, ids: set[int]) -> int | None:
    """The id of the text among `ids` whose writer must see helplines first on this page
    (once: the mark leaves the session as it is read)."""
    marked = session.get(HELPLINES_FIRST)
    if marked and marked[0] == review_type and marked[1] in ids:
        session.pop(HELPLINES_FIRST)
        return marked[1]
    return None


def post_url(post: Post) -> str:
    per_page = current_app.config["HARBOR_POSTS_PER_PAGE"]
    page = (post.number - 1) // per_page + 1
    return url_for(
        "boards.topic",
        topic_id=post.topic_id,
        page=page if page > 1 else None,
        _anchor=f"post-{post.id}",
    )
