"""Daily practice's forms. Flask-WTF adds a CSRF token to each one."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from forum.data.local_time import UTC_NAME, is_known_zone
from forum.practice import journal, library, pledge, sos
from forum.practice.models import WentHow


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (a <select multiple> is hard to use on a phone)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PledgeForm(FlaskForm):
    words = StringField(
        "Your pledge for today",
        default=pledge.WORD_SUGGESTIONS[2],
        validators=[
            DataRequired(message="Write your pledge in a few words."),
            Length(max=pledge.WORDS_MAX_CHARS),
        ],
        filters=[_strip],
    )


class ReviewForm(FlaskForm):
    pledge_id = HiddenField()
    difficulty = RadioField(
        "How hard was today?",
        choices=[
            SelectChoice("1", "1: easy"),
            SelectChoice("2", "2"),
            SelectChoice("3", "3: some of it was hard"),
            SelectChoice("4", "4"),
            SelectChoice("5", "5: very hard"),
        ],
        validators=[InputRequired(message="Choose how hard today was, 1 to 5.")],
    )
    went = RadioField(
        "How did it go?",
        choices=[
            SelectChoice(WentHow.KEPT.value, "I kept my pledge"),
            SelectChoice(WentHow.USED.value, "I drank or used"),
            SelectChoice(WentHow.UNSAID.value, "I'd rather not say"),
        ],
        validators=[InputRequired(message="Choose one: any answer is fine.")],
    )
    note = TextAreaField(
        "A line of notes (only you see it)",
        validators=[Length(max=pledge.NOTE_MAX_CHARS)],
        filters=[_strip],
    )


class PracticeSettingsForm(FlaskForm):
    time_zone = SelectField("Your time zone", validate_choice=False)
    show_streak = BooleanField("Show me my streak of days pledged (only you ever see it)")

    def validate_time_zone(self, field: SelectField) -> None:
        if field.data and field.data != UTC_NAME and not is_known_zone(field.data):
            raise ValidationError("Choose a time zone from the list.")


class PartnerForm(FlaskForm):
    pseudonym = StringField(
        "Their pseudonym",
        validators=[DataRequired(message="Whose? Write their pseudonym."), Length(max=32)],
        filters=[_strip],
    )


class ReasonsForm(FlaskForm):
    reasons = TextAreaField(
        "Reasons I'm doing this (one a line)",
        validators=[Length(max=sos.REASONS_MAX_CHARS)],
    )


class HelpRightNowForm(FlaskForm):
    helps_right_now = BooleanField(
        "Tell me when someone posts in “Right now” because they are having a craving"
    )


class JournalForm(FlaskForm):
    mood = RadioField(
        "Mood",
        choices=[
            SelectChoice(str(value), f"{value}: {label}") for value, label in journal.MOODS.items()
        ],
        validators=[InputRequired(message="Choose your mood, 1 to 5.")],
    )
    craving = RadioField(
        "Craving strength",
        choices=[SelectChoice(str(value), str(value)) for value in range(11)],
        validators=[InputRequired(message="Choose how strong any craving is, 0 to 10.")],
    )
    body = TextAreaField(
        "What's on your mind",
        validators=[Length(max=journal.BODY_MAX_CHARS)],
    )
    triggers = CheckboxesField(
        "Triggers", choices=[SelectChoice(tag, tag) for tag in journal.TRIGGER_SUGGESTIONS]
    )
    other_triggers = StringField(
        "Other triggers (comma-separated)", validators=[Length(max=200)], filters=[_strip]
    )


class ToolForm(FlaskForm):
    title = StringField(
        "Name of the tool",
        validators=[
            DataRequired(message="Give your tool a name."),
            Length(max=library.TITLE_MAX_CHARS),
        ],
        filters=[_strip],
    )
    body = TextAreaField(
        "What worked for me, and how to do it",
        validators=[
            DataRequired(message="Say what you do, in your own words."),
            Length(max=library.BODY_MAX_CHARS),
        ],
    )
    tags = CheckboxesField("Tags", choices=[SelectChoice(tag, tag) for tag in library.TAGS])
    post_anyway = BooleanField("Post anyway: I understand what I'm sharing")


class DecideToolForm(FlaskForm):
    action = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(
        "Reason (the writer is told, if it is removed)", validators=[Length(max=500)]
    )
