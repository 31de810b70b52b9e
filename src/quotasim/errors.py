"""Errors a user can act on: which file, which field, what value, what is allowed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

__all__ = ["ScenarioError", "describe_validation_error"]


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


def describe_validation_error(exc: ValidationError, file: str, prefix: str = "") -> ScenarioError:
    """Turn pydantic's errors into one ScenarioError naming each field path."""
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
        problems.append((file, path or "(top level)", error.get("input"), allowed))
    first, *rest = problems
    return ScenarioError(*first, more=rest)


def _loc_part(part: Any) -> str:
    return f"[{part}]" if isinstance(part, int) else str(part)


def _allowed(error: Mapping[str, Any]) -> str:
    kind, message = error["type"], error["msg"]
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; `quotasim explain` lists every parameter)"
    if kind == "missing":
        return "required field is missing"
    return message[0].lower() + message[1:] if message else kind


def _show(value: Any) -> str:
    try:
        text = repr(value)
    except RecursionError:   # a value nested too deeply to print: say so, never crash
        return f"({type(value).__name__} nested too deeply to show)"
    return text if len(text) <= 80 else text[:77] + "..."
