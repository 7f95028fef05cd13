"""The fellowship's forms. Flask-WTF adds a CSRF token to each one."""

from datetime import date, timedelta

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from forum.fellowship.milestones import utc_today
from forum.web.compose import PostingForm

EARLIEST_START = date(1900, 1, 1)
NOTE_MAX_CHARS = 500


class RecoveryDateForm(FlaskForm):
    started_on = DateField(
        "The day your recovery started",
        validators=[InputRequired(message="Choose a date.")],
    )
    show_day_count = BooleanField("Show my day count beside my pseudonym on my posts")

    def validate_started_on(self, field: DateField) -> None:
        if field.data is None:
            return  # not a date: the field already says so
        # Harbor counts days in UTC; a member east of it may already be a day ahead
        if field.data > utc_today() + timedelta(days=1):
            raise ValidationError(
                "That date is in the future. Choose the day your recovery started: today, or "
                "a day before."
            )
        if field.data < EARLIEST_START:
            raise ValidationError("That date is too far back. Please check the year.")


class StartAgainForm(FlaskForm):
    keep_showing = BooleanField("Keep showing my day count beside my pseudonym")


class HelpingForm(FlaskForm):
    offers_mentoring = BooleanField("Offer to mentor a newcomer")
    welcomes_newcomers = BooleanField(
        "Show me newcomers' first posts, so I can welcome them (a “new here” mark and a list)"
    )


def _message_length(form: FlaskForm, field: StringField) -> None:
    limit = current_app.config["HARBOR_MESSAGE_MAX_CHARS"]
    if len(field.data or "") > limit:
        raise ValidationError(
            f"A message can be at most {limit:,} characters; this one is {len(field.data):,}."
        )


class MentorRequestForm(PostingForm):
    note = TextAreaField(
        "A short note: a little about you and what you hope for",
        validators=[
            DataRequired(message="Write a few words first."),
            Length(max=NOTE_MAX_CHARS, message=f"Keep the note under {NOTE_MAX_CHARS} characters."),
        ],
    )


class MessageForm(PostingForm):
    body = TextAreaField(
        "Your message",
        validators=[DataRequired(message="Write something first."), _message_length],
    )


class MessageReportForm(FlaskForm):
    """The words of a message report; its category (REPORT_CATEGORIES) is read beside it, as
    the post report form reads it, and "Something else" needs the words."""

    reason = TextAreaField("In a few words", validators=[Length(max=500)])
