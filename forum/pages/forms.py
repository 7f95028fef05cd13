"""The forms people fill in. Flask-WTF adds a CSRF token to each one."""

import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    RadioField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

PSEUDONYM_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\- ]{1,30}[A-Za-z0-9_]$")
PASSWORD_MIN = 10


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


class BoardForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)], filters=[_strip])
    description = StringField("Description", validators=[Length(max=300)], filters=[_strip])
    members_only = BooleanField("Members only (hidden from readers without an account)")


class BoardPositionForm(FlaskForm):
    position = IntegerField("Position", validators=[InputRequired()])


class RoleForm(FlaskForm):
    pseudonym = StringField("Pseudonym", validators=[DataRequired(), Length(max=32)])
