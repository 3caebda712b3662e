"""The instructor's forms. Every POST, even a one-button action, is a FlaskForm (CSRF)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..quiz.forms import plain_text

FEEDBACK_CHOICES = [
    SelectChoice("", "As each quiz sets it"),
    SelectChoice("immediate", "Immediate: the verdict and explanation after each statement"),
    SelectChoice(
        "deferred", "Deferred: nothing until the learner submits; answers can change until then"
    ),
]


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class ClassForm(FlaskForm):
    name = StringField(
        "Class name",
        validators=[DataRequired("Give the class a name."), Length(max=120), plain_text],
    )
    quizzes = SelectMultipleField(
        "Quizzes this class takes",
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired("Choose at least one quiz.")],
    )
    feedback = RadioField("When learners see the verdicts", choices=FEEDBACK_CHOICES, default="")


class FeedbackForm(FlaskForm):
    feedback = RadioField("When learners see the verdicts", choices=FEEDBACK_CHOICES, default="")


class RenameForm(FlaskForm):
    name = StringField("New name", validators=[DataRequired(), Length(max=120), plain_text])
