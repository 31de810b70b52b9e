"""Errors a user can act on: which file, which field, what value, what is allowed."""

from __future__ import annotations

import difflib
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

__all__ = ["ScenarioError", "ScenarioWarning", "describe_validation_error", "validation_problems", "did_you_mean"]


class ScenarioWarning(UserWarning):
    """Input that loads but is probably not what was meant (e.g. a timeline entry after the run ends)."""


def did_you_mean(name: str, allowed, n: int = 3) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``allowed`` to ``name`` (difflib), else ``""``."""
    close = difflib.get_close_matches(str(name), [str(a) for a in allowed], n=n, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?"


class ScenarioError(ValueError):
    """A bad scenario or experiment input, located.

    Attributes
    ----------
    problems : list of (file, field, value, allowed)
        One entry per problem found; ``str(error)`` lists them one a line.
    """

    def __init__(self, file: str, field: str, value: Any, allowed: str,
                 more: list[tuple[str, str, Any, str]] | None = None) -> None:
        self.problems = [(file, field, value, allowed)] + list(more or [])
        super().__init__(self._render())

    def _render(self) -> str:
        lines = [f"{file}: {field} = {_show(value)}: {allowed}" for file, field, value, allowed in self.problems]
        return "invalid input\n  " + "\n  ".join(lines)


def describe_validation_error(exc: ValidationError, file: str, prefix: str = "",
                              model: type[BaseModel] | None = None) -> ScenarioError:
    """Turn pydantic's errors into one ScenarioError naming each field path; with ``model`` (the
    model validated), an unknown key gets the closest known ones as suggestions."""
    return ScenarioError(*_first_and_rest(validation_problems(exc, file, prefix, model)))


def validation_problems(exc: ValidationError, file: str, prefix: str = "",
                        model: type[BaseModel] | None = None) -> list[tuple[str, str, Any, str]]:
    """pydantic's errors as (file, field, value, allowed) problems, every one of them."""
    problems = []
    for error in exc.errors(include_url=False):
        loc = error["loc"]
        if error["type"] == "missing" and loc and isinstance(loc[-1], int):
            # A list with too few values: point at the list, not at the absent element.
            loc, error = loc[:-1], {**error, "type": "too_short",
                                   "msg": f"too few values ({loc[-1]} given): one per category, "
                                          "in the order `quotasim explain` lists them"}
        path = ".".join(_loc_part(part) for part in loc).replace(".[", "[")
        if prefix:
            path = f"{prefix}{path}"
        allowed = _allowed(error)
        if error["type"] == "extra_forbidden" and model is not None:
            fields = _fields_at(model, loc[:-1])
            allowed += did_you_mean(str(loc[-1]), fields) if fields else ""
        problems.append((file, path or "(top level)", error.get("input"), allowed))
    return problems


def _first_and_rest(problems: list) -> tuple:
    first, *rest = problems
    return (*first, rest)


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names of the (nested) model at path ``loc`` of ``model``, or [] if not a model."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or part not in current.model_fields:
            return []
        annotation = current.model_fields[part].annotation
        inner = [a for a in get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        current = inner[0] if inner else annotation
    return list(current.model_fields) if isinstance(current, type) and issubclass(current, BaseModel) else []


def _loc_part(part: Any) -> str:
    return f"[{part}]" if isinstance(part, int) else str(part)


def _allowed(error: dict) -> str:
    kind, message = error["type"], error["msg"]
    if kind == "extra_forbidden":
        return "unknown field (`quotasim explain` lists every parameter)"
    if kind == "missing":
        return "required field is missing"
    return message[0].lower() + message[1:] if message else kind


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
