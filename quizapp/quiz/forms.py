"""The forms a learner posts: starting an attempt and answering a statement."""

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional


class StartForm(FlaskForm):
    display_name = StringField(
        "Your name (optional)",
        validators=[Optional(), Length(max=80)],
        description="Shown on your results. Leave it blank to stay anonymous.",
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )


class AnswerForm(FlaskForm):
    answer = RadioField(
        "Is this statement a myth or a fact?",
        choices=[SelectChoice("myth", "Myth"), SelectChoice("fact", "Fact")],
        validators=[InputRequired()],
    )
