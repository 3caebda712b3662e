"""The forms a learner posts: starting an attempt and answering a statement."""

import unicodedata
from collections.abc import Mapping

from flask import request
from wtforms import BooleanField, HiddenField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..security import Form
from .scoring import CERTAINTY


def _strip(value):
    return value.strip() if isinstance(value, str) else value


# format characters (bidi overrides, zero-width), line and paragraph separators, private-use,
# unassigned and surrogate code points: invisible, or shown differently than they read
_HIDDEN = {"Cf", "Zl", "Zp", "Co", "Cn", "Cs"}


def plain_text(_form, field) -> None:
    """A name shown to others: no character that hides or reorders what is shown."""
    if any(unicodedata.category(c) in _HIDDEN for c in field.data or ""):
        raise ValidationError("Please type the name again without invisible or special characters.")


class StartForm(Form):
    display_name = StringField(
        "Your name (optional)",
        validators=[Optional(), Length(max=80), plain_text],
        description="Shown on your results. Leave it blank to stay anonymous.",
        filters=[_strip],
    )
    class_code = HiddenField()


class JoinForm(Form):
    display_name = StringField(
        "Your name",
        validators=[
            DataRequired("Please give the name your instructor knows you by."),
            Length(max=80),
            plain_text,
        ],
        description="Your instructor sees this name beside your scores.",
        filters=[_strip],
    )


def _code(label: str, missing: str, longest: int, description: str) -> StringField:
    """A typed code: never autocompleted or corrected, shown in capitals on a phone."""
    return StringField(
        label,
        validators=[DataRequired(missing), Length(max=longest)],
        description=description,
        filters=[_strip],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class JoinCodeForm(Form):
    code = _code(
        "Class code",
        "Type the code your instructor gave you.",
        20,
        "Six letters and digits, like KXM-4TP; any case, dash optional.",
    )


class WayBackForm(Form):
    code = _code(
        "Your way-back code",
        "Type the code you were given.",
        40,
        "15 letters and digits, like ABCDE-FGHJK-MNPQR; any case, dashes optional.",
    )
    switch = BooleanField("Switch this device")  # confirmed: leave this device's own work


ANSWERS = {"myth": "Myth", "fact": "Fact"}
_LEVELS = {str(level): level for level in CERTAINTY}  # as the certainty field is posted


class AnswerForm(Form):
    class Meta:
        csrf = False  # CSRFProtect checked the token before the view; the page writes its field

    answer = RadioField(
        "Is this statement a myth or a fact?",
        choices=[SelectChoice(value, label) for value, label in ANSWERS.items()],
        validators=[InputRequired()],
    )


class CertainAnswerForm(AnswerForm):
    """For a quiz with certainty-based marking: how sure, then myth or fact."""

    certainty = RadioField(
        "How sure are you?",
        choices=[SelectChoice(level, label) for level, (label, *_) in CERTAINTY.items()],
        coerce=int,
        validators=[
            InputRequired("Choose how sure you are (Low, Medium or High), then your answer again.")
        ],
    )


def posted_answer(posted: Mapping[str, str], certain: bool) -> tuple[str, int | None] | None:
    """The answer and certainty a post gives, when each is exactly one of the choices its page
    offers (an answer post, the request a learner sends most): taken without making the form,
    which took longer than storing the answer. Anything else, missing or spelled another way
    (the form takes " 2" as 2), is left to AnswerForm or CertainAnswerForm to judge."""
    answer = posted.get("answer")
    if answer not in ANSWERS:
        return None
    if not certain:
        return answer, None
    certainty = _LEVELS.get(posted.get("certainty"))
    return None if certainty is None else (answer, certainty)


def answer_from_post(certain: bool) -> tuple[tuple[str, int | None] | None, AnswerForm | None]:
    """The answer (and certainty) this request posts, and the form when one had to judge it;
    no answer, and the form with its errors, when the post is not a whole one. A post that
    `posted_answer` takes as it is makes no form."""
    given = posted_answer(request._get_current_object().form, certain)  # see security.PROXIES
    if given is not None:
        return given, None
    form = (CertainAnswerForm if certain else AnswerForm)()
    if not form.validate_on_submit():
        return None, form
    return (form.answer.data, form.certainty.data if certain else None), form


class ActionForm(Form):
    """A button that does one thing (submit, retry, close joining); only CSRF to check."""
