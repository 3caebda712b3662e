"""The forms of the LTI pages: a teacher picks a quiz for a link, an admin confirms a
registration. Every POST is a FlaskForm (CSRF), in the framed session."""

from wtforms import HiddenField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length

from ..quiz.forms import plain_text
from ..security import Form

POLICY_CHOICES = [
    SelectChoice("best", "The best attempt"),
    SelectChoice("latest", "The latest attempt"),
    SelectChoice("first", "The first attempt"),
]


class QuizChoiceForm(Form):
    """Which quiz a link opens, and which attempt its grade reports."""

    quiz = RadioField(
        "Quiz",
        validate_choice=False,
        validators=[DataRequired("Choose the quiz this activity opens.")],
    )
    policy = RadioField(
        "Which attempt the LMS gradebook shows",
        choices=POLICY_CHOICES,
        default="best",
        validate_choice=False,
        validators=[AnyOf([c.value for c in POLICY_CHOICES], "Choose which attempt counts.")],
    )

    def set_quizzes(self, banks) -> "QuizChoiceForm":
        self.quiz.choices = [SelectChoice(bank.id, bank.info.title) for bank in banks]
        self.quiz.validators = [
            *self.quiz.validators,
            AnyOf([bank.id for bank in banks], "Choose one of the quizzes listed."),
        ]
        return self


class PickForm(QuizChoiceForm):
    """Deep linking: the activity's title in the course as well."""

    title = StringField("Title in the course (optional)", validators=[Length(max=120), plain_text])


class RegisterForm(Form):
    """Dynamic Registration: the admin confirms; the addresses ride along, checked again."""

    openid_configuration = HiddenField(validators=[DataRequired()])
    registration_token = HiddenField()
