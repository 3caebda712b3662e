"""The instructor's forms. Every POST, even a one-button action, is a FlaskForm (CSRF).

Each message says what to do, as GOV.UK's error messages do; the page lists them at the top.
"""

from wtforms import EmailField, PasswordField, RadioField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..quiz.forms import plain_text
from ..security import Form
from .accounts import MIN_PASSWORD, AccountError, checked_email

FEEDBACK_CHOICES = [
    SelectChoice("", "As each quiz sets it"),
    SelectChoice("immediate", "Immediate: the verdict and explanation after each statement"),
    SelectChoice(
        "deferred", "Deferred: nothing until the learner submits; answers can change until then"
    ),
]
NAME_THE_CLASS = "Give the class a name."
GIVE_AN_EMAIL = "Enter an email address, like name@example.org."
LONG_ENOUGH = f"Choose a password of at least {MIN_PASSWORD} characters."


def email_address(_form, field) -> None:
    try:
        checked_email(field.data or "")
    except AccountError:
        raise ValidationError(GIVE_AN_EMAIL) from None


def _feedback() -> RadioField:
    return RadioField(
        "When learners see the verdicts",
        choices=FEEDBACK_CHOICES,
        default="",
        validate_choice=False,  # AnyOf says it in words a person can act on
        validators=[
            AnyOf([c.value for c in FEEDBACK_CHOICES], "Choose when learners see the verdicts.")
        ],
    )


def _class_name(label: str) -> StringField:
    return StringField(
        label, validators=[DataRequired(NAME_THE_CLASS), Length(max=120), plain_text]
    )


# Field order is the order of creation: the sign-up form asks the email before the password.
_your_email = EmailField(
    "Your email",
    validators=[DataRequired(GIVE_AN_EMAIL), Length(max=254), email_address],
    description="You sign in with it.",
)
_new_password = PasswordField(
    "Password",
    validators=[
        DataRequired(LONG_ENOUGH),
        Length(min=MIN_PASSWORD, message=LONG_ENOUGH),
        Length(max=1024, message="Choose a password of at most 1024 characters."),
    ],
    description=f"At least {MIN_PASSWORD} characters. A few unrelated words are easy to "
    "remember and hard to guess.",
)
_confirm = PasswordField(
    "Type the password again",
    validators=[
        DataRequired("Type the password again."),
        EqualTo("password", "The passwords do not match: type the same password twice."),
    ],
)


class LoginForm(Form):
    email = EmailField(
        "Email", validators=[DataRequired("Enter your email address."), Length(max=254)]
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=1024)]
    )


class ClassForm(Form):
    name = _class_name("Class name")
    quizzes = SelectMultipleField(
        "Quizzes this class takes",
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired("Choose at least one quiz.")],
    )
    feedback = _feedback()


class FeedbackForm(Form):
    feedback = _feedback()


class RenameForm(Form):
    name = _class_name("New name")


class InviteForm(Form):
    email = EmailField(
        "Your colleague's email",
        validators=[DataRequired(GIVE_AN_EMAIL), Length(max=254), email_address],
        description="Their account will sign in with this email.",
    )


class PasswordForm(Form):
    """An invited colleague chooses the password of their new account."""

    password = _new_password
    confirm = _confirm


class SignupForm(Form):
    email = _your_email
    password = _new_password
    confirm = _confirm
