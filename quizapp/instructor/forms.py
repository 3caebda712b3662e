"""The instructor's forms. Every POST, even a one-button action, is a FlaskForm (CSRF)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class ClassForm(FlaskForm):
    name = StringField(
        "Class name", validators=[DataRequired("Give the class a name."), Length(max=120)]
    )
    quizzes = SelectMultipleField(
        "Quizzes this class takes",
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired("Choose at least one quiz.")],
    )


class RenameForm(FlaskForm):
    name = StringField("New name", validators=[DataRequired(), Length(max=120)])


class ActionForm(FlaskForm):
    """A button that changes one thing (open or close joining, archive); only CSRF to check."""
