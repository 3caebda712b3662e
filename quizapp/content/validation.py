"""Turn pydantic's validation errors into positioned, author-facing messages."""

import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from . import yamlsource
from .errors import ContentError, ContentProblem
from .yamlsource import Positions

M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], data: Any, positions: Positions, path: str) -> M:
    """Validate data against model, raising a ContentError that points into the file."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        found = exc.errors()
        errors = [e for e in found if not _follows_from_another(e, found)]
        problems = [_problem(model, err, positions, path) for err in errors]
        raise ContentError(sorted(set(problems), key=lambda p: (p.line, p.col))) from None


def _problem(model: type[BaseModel], err: dict, positions: Positions, path: str):
    loc = err["loc"]
    kind = err["type"]
    line, col = yamlsource.locate(positions, loc, at_key=kind == "extra_forbidden")
    name = _describe(loc)
    if kind == "missing":
        message = f"missing required key '{loc[-1]}'" + (
            f" in {_describe(loc[:-1])}" if loc[:-1] else ""
        )
    elif kind == "extra_forbidden":
        allowed = sorted(_fields_at(model, loc[:-1]))
        message = f"unknown key '{loc[-1]}'" + yamlsource.did_you_mean(str(loc[-1]), allowed)
        if allowed:
            message += f"; allowed keys: {', '.join(allowed)}"
    elif kind == "string_pattern_mismatch" and "#" in str(err["ctx"]["pattern"]):
        message = f"{name} must look like 'article-slug#section-id'"
    elif kind == "string_pattern_mismatch":
        message = f"{name} must be a slug: lowercase letters, digits and single hyphens"
    elif kind == "literal_error":
        message = f"{name} must be {err['ctx']['expected']}, not {err['input']!r}"
    elif kind == "too_short" and isinstance(err.get("input"), (list, tuple)):
        message = f"{name} needs at least one entry"
    elif kind == "string_too_short" and err["ctx"]["min_length"] > 1:
        message = f"{name} must be at least {err['ctx']['min_length']} characters: say why"
    elif kind == "string_too_short":
        message = f"{name} must not be empty"
    elif kind == "value_error":
        message = f"{name} {err['ctx']['error']}"
    elif kind in _EXPECTED:
        message = f"{name} must be {_EXPECTED[kind]}, not {_kind_of(err['input'])}"
    else:
        message = f"{name}: {err['msg'][0].lower()}{err['msg'][1:]}"
    return ContentProblem(path, line, col, message)


_EXPECTED = {
    "string_type": "text",
    "bool_type": "true or false",
    "int_type": "a whole number",
    "tuple_type": "a list",
    "list_type": "a list",
    "model_type": "a mapping of keys",
    "dict_type": "a mapping of keys",
}


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, (int, float)):
        return f"{value} (a number)"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "empty" if value is None else type(value).__name__


def _follows_from_another(err: dict, errors: list[dict]) -> bool:
    """A list 'too short' only because its items failed: the items' errors say it all."""
    loc = err["loc"]
    return err["type"] == "too_short" and any(
        o is not err and o["loc"][: len(loc)] == loc for o in errors
    )


def _describe(loc: tuple) -> str:
    parts = []
    for step in loc:
        parts.append(f"[{step + 1}]" if isinstance(step, int) else f".{step}" if parts else step)
    return "'" + "".join(parts) + "'" if parts else "the file"


def _fields_at(model: type[BaseModel], loc: tuple) -> set[str]:
    """The keys allowed in the mapping at loc, found by walking the model's annotations."""
    current: Any = model
    for step in loc:
        if isinstance(step, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return set()
        field = current.model_fields.get(step)
        if field is None:
            return set()
        current = _model_in(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return set(current.model_fields)
    return set()


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
