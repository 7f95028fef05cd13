"""Online meetings' forms. Flask-WTF adds a CSRF token to each one."""

import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from forum.data.local_time import is_known_zone
from forum.meetings.formats import FORMATS
from forum.meetings.schedule import WEEKDAYS

LINE_MAX_CHARS = 2_000
PLAN_MAX_CHARS = 4_000


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _clock_time(form: FlaskForm, field: StringField) -> None:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", field.data or ""):
        raise ValidationError("Give the time as HH:MM, for example 19:00.")


def _zone(form: FlaskForm, field: StringField) -> None:
    if not is_known_zone(field.data):
        raise ValidationError("Use a time zone name such as Europe/London or America/Chicago.")


class ProposeForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[DataRequired("Give the meeting a title."), Length(max=120)],
        filters=[_strip],
    )
    format = RadioField(
        "Format",
        choices=[SelectChoice(f.key, f"{f.name}: {f.about}") for f in FORMATS.values()],
        default="open_share",
    )
    members_only = BooleanField("Members only (guests can't see it on the schedule)")
    repeats = RadioField(
        "How often",
        choices=[SelectChoice("weekly", "Every week"), SelectChoice("once", "Once")],
        default="weekly",
    )
    weekday = SelectField(
        "Weekday (every week)",
        choices=[SelectChoice(str(i), day) for i, day in enumerate(WEEKDAYS)],
    )
    starts_on = DateField("Date (once)", validators=[Optional()])
    at_time = StringField("Time", default="19:00", validators=[_clock_time], filters=[_strip])
    time_zone = StringField("Time zone", validators=[_zone], filters=[_strip])
    duration_minutes = IntegerField(
        "Length in minutes", default=60, validators=[NumberRange(15, 240, "15 to 240 minutes.")]
    )
    reading = TextAreaField(
        "The reading you post at the opening (optional)",
        validators=[Length(max=3000)],
    )
    greeting = TextAreaField(
        "What the greeter says to late-comers",
        default="Glad you made it. We're in the shares; raise your hand whenever you like.",
        validators=[Length(max=500)],
    )
    co_hosts = StringField(
        "Co-hosts (pseudonyms, separated by commas)", validators=[Length(max=300)]
    )
    greeter = StringField("Greeter (a pseudonym)", validators=[Length(max=32)], filters=[_strip])

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        """A one-off needs its date (Optional() would end the field's own checks first)."""
        valid = super().validate(extra_validators)
        if self.repeats.data == "once" and self.starts_on.data is None:
            self.starts_on.errors = [
                *self.starts_on.errors,
                "Choose the date of a one-off meeting.",
            ]
            return False
        return valid


class LineForm(FlaskForm):
    body = TextAreaField(
        "Your share",
        validators=[
            DataRequired("Write something first."),
            Length(max=LINE_MAX_CHARS, message=f"Keep a line to {LINE_MAX_CHARS:,} characters."),
        ],
    )
    post_anyway = BooleanField("Send anyway: I understand what I'm sharing")


class EndForm(FlaskForm):
    keep_transcript = BooleanField(
        "Keep a members-only transcript for 24 hours (otherwise every line is deleted now)"
    )


class PlanForm(FlaskForm):
    plan = TextAreaField(
        "My plan for the next 7 days",
        validators=[DataRequired("Write a line or two first."), Length(max=PLAN_MAX_CHARS)],
    )
