"""The phases of one month, each a function ``phase(state, p, key) -> None``.

Every phase updates ``state`` in place and returns nothing. Each declares, once, the
mechanisms of ``shared/MECHANISMS.md`` it carries (:func:`mechanisms`); the engine's
schedule lists the phases in order and ``docs/model.md``'s schedule table is generated from
those declarations (``engine.schedule_markdown``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

__all__ = ["mechanisms", "mechanisms_of"]

F = TypeVar("F", bound=Callable)
_MID = re.compile(r"M([1-9]|[12][0-9]|30)")


def mechanisms(*mids: str) -> Callable[[F], F]:
    """Declare the M-ids (M1-M30) a phase carries; an id outside M1-M30 is an error."""
    bad = [mid for mid in mids if not _MID.fullmatch(mid)]
    if bad:
        raise ValueError(f"not mechanism ids (M1-M30): {bad}")

    def mark(phase: F) -> F:
        phase.mids = tuple(mids)  # type: ignore[attr-defined]
        return phase
    return mark


def mechanisms_of(phase: Callable) -> tuple[str, ...]:
    """The M-ids a phase declared; a phase that declared none is an error."""
    try:
        return phase.mids  # type: ignore[attr-defined]
    except AttributeError:
        raise TypeError(f"phase {phase.__name__} declares no mechanisms (use @mechanisms())") from None
