"""The forms people fill in. Flask-WTF adds a CSRF token to each one."""

import re

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from forum.data.markdown import CONTENT_WARNING_MAX_CHARS

PSEUDONYM_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\- ]{1,30}[A-Za-z0-9_]$")
PASSWORD_MIN = 10


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


class SignupForm(FlaskForm):
    pseudonym = StringField(
        "Pseudonym", validators=[DataRequired(), Length(min=3, max=32)], filters=[_strip]
    )
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(min=PASSWORD_MIN, max=200)]
    )
    confirm = PasswordField(
        "Password again", validators=[EqualTo("password", message="The passwords differ.")]
    )
    # A field people never see: simple bots fill every field they find.
    website = StringField("Leave this empty")

    def validate_pseudonym(self, field: StringField) -> None:
        if not PSEUDONYM_PATTERN.match(field.data):
            raise ValidationError(
                "Use 3 to 32 letters, digits, spaces, dots, dashes or underscores, "
                "starting with a letter or digit."
            )


class LoginForm(FlaskForm):
    pseudonym = StringField("Pseudonym", validators=[DataRequired(), Length(max=32)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me logged in on this device")


class RecoverForm(FlaskForm):
    pseudonym = StringField("Pseudonym", validators=[DataRequired(), Length(max=32)])
    code = StringField("One of your recovery codes", validators=[DataRequired(), Length(max=40)])
    password = PasswordField(
        "New password", validators=[DataRequired(), Length(min=PASSWORD_MIN, max=200)]
    )
    confirm = PasswordField(
        "New password again",
        validators=[EqualTo("password", message="The passwords differ.")],
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        "New password", validators=[DataRequired(), Length(min=PASSWORD_MIN, max=200)]
    )
    confirm = PasswordField(
        "New password again",
        validators=[EqualTo("password", message="The passwords differ.")],
    )


class DeleteAccountForm(FlaskForm):
    posts = RadioField(
        "Your posts",
        choices=[
            SelectChoice("erase", "Erase them: each leaves a note “removed by its author”"),
            SelectChoice("keep", "Leave them for others to read, signed “former member”"),
        ],
        validators=[InputRequired(message="Choose what happens to your posts.")],
    )
    password = PasswordField(
        "Your password, to confirm", validators=[DataRequired(), Length(max=200)]
    )


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


class ReplyForm(PostingForm):
    body = TextAreaField(
        "Your reply", validators=[DataRequired(message="Write something first."), _post_length]
    )


class EditPostForm(PostingForm):
    title = StringField("Title", validators=[_title_length], filters=[_strip])
    body = TextAreaField(
        "Your post", validators=[DataRequired(message="Write something first."), _post_length]
    )


class BoardForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)], filters=[_strip])
    description = StringField("Description", validators=[Length(max=300)], filters=[_strip])
    members_only = BooleanField("Members only (hidden from readers without an account)")


class BoardPositionForm(FlaskForm):
    position = IntegerField("Position", validators=[InputRequired()])


class RoleForm(FlaskForm):
    pseudonym = StringField("Pseudonym", validators=[DataRequired(), Length(max=32)])
