"""The parameters an analyst moves in the dashboard, with the slider ranges shown.

Each slider's range lies within the parameter's declared bounds (``quotasim.params``;
checked at import), so a slider can never produce an invalid value; where the declared
bound is only a sanity cap (a pressure weight up to 20), the slider shows the range worth
exploring and a scenario file can still go beyond it. Labels, units and M-ids come from
the parameter declarations themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import annotated_types

from ..scenario import parameter_field

__all__ = ["Control", "CONTROLS", "RULES", "declared_bounds", "MAX_PEOPLE", "MAX_DASHBOARD_MONTHS",
           "MAX_REPLICATIONS"]

#: Caps of what the dashboard runs: about three seconds a run on a 2-core machine, so a
#: handful of sessions share it; larger runs belong to ``quotasim run`` or a sweep.
MAX_PEOPLE = 250_000
MAX_DASHBOARD_MONTHS = 240
#: Replications of one run (seeds seed .. seed + n - 1), run one after the other in one worker.
MAX_REPLICATIONS = 8


@dataclass(frozen=True)
class Control:
    name: str          # dotted parameter name
    low: float
    high: float
    step: float


CONTROLS = (
    Control("quota.remit_share", 0.0, 1.0, 0.05),
    Control("ratchet.up_rate", 0.0, 1.0, 0.05),
    Control("unconditional_demands.raise_all", 0.0, 0.1, 0.005),
    Control("pressure.gap_weight", 0.0, 5.0, 0.1),
    Control("rumour_recall.rate", 0.0, 0.1, 0.005),
    Control("goal_recall.probability", 0.0, 1.0, 0.05),
    Control("arrest.probability", 0.0, 1.0, 0.05),
    Control("environment.sanctions_china", 0.0, 1.0, 0.05),
)
RULES = ("fixed", "adaptive", "forward")


def declared_bounds(dotted: str) -> tuple[float | None, float | None]:
    """The (low, high) a parameter is declared with (None where unbounded)."""
    info = parameter_field(dotted)
    low = high = None
    for item in info.metadata:
        if isinstance(item, (annotated_types.Ge, annotated_types.Gt)):
            low = getattr(item, "ge", getattr(item, "gt", None))
        elif isinstance(item, (annotated_types.Le, annotated_types.Lt)):
            high = getattr(item, "le", getattr(item, "lt", None))
    return low, high


def _check_ranges() -> None:
    for control in CONTROLS:
        low, high = declared_bounds(control.name)
        if (low is not None and control.low < low) or (high is not None and control.high > high):
            raise AssertionError(f"{control.name}: slider {control.low}..{control.high} outside declared {low}..{high}")


_check_ranges()
