"""The house style of the report and the dashboard, declared once: labels and units of headline figures (from the
column declarations, ``quotasim.columns``), the unit a reader reads money in, colours with one
meaning everywhere, and the rule that magnitudes are drawn from zero.

* **Labels and units** — :func:`metric_label` and :func:`metric_unit` turn a headline figure's
  name (``state_receipts_usd per year``) into words (``state receipts``) and its unit
  (``USD M per year``); figures and tables read both here.
* **Money** is shown in USD millions per year: headline figures are per year, and monthly
  trajectories are drawn at their annual rate (the month's flow × 12), so the two read on one
  scale.
* **Colours** — a scenario keeps its colour in every figure (:func:`scenario_colour`; the
  reference is always the first); attainment groups run from red (furthest below target) to
  green (at or above it): red never marks success.
* **Axes** of magnitudes (money, counts, backlogs) start at zero (:func:`from_zero`).
"""

from __future__ import annotations

from .codes import TIER_NAMES
from .columns import MONTHLY

__all__ = ["metric_label", "metric_unit", "metric_kind", "unit_group", "scenario_colour", "ATTAINMENT_COLOURS",
           "ANNUAL", "MILLION", "from_zero", "SPREAD_LABEL", "MEAN_LABEL"]

MILLION = 1e6
ANNUAL = 12              # a month's flow × 12: its annual rate
#: Colour of scenario k, in every figure: the reference first (grey-blue), then the others.
_SCENARIO_COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#8172b3", "#937860", "#da8bc3", "#8c8c8c")
#: Attainment groups, from furthest below target (red) to at or above it (green).
ATTAINMENT_COLOURS = {"below 70 %": "#c44e52", "70–80 %": "#e8a04c", "80–100 %": "#a6c8e0", "100 % and above": "#55a868"}
SPREAD_LABEL = "middle 90 % of replications"
MEAN_LABEL = "95 % interval of the mean"


def scenario_colour(index: int) -> str:
    return _SCENARIO_COLOURS[index % len(_SCENARIO_COLOURS)]


def metric_kind(metric: str) -> str:
    """How a headline figure is shown: usd, share or number."""
    return "usd" if "_usd" in metric else "share" if ("attainment" in metric or metric.startswith("share")) else "number"


def _parts(metric: str) -> tuple[str, bool, str]:
    """(column name, per year?, tier) of a headline figure's name."""
    name, _, tier = metric.partition(" · ")
    per_year = name.endswith(" per year")
    return name.removesuffix(" per year"), per_year, tier


def metric_label(metric: str) -> str:
    """Words for a headline figure: the declared title, the tier if any (``earned, central tier``)."""
    name, per_year, tier = _parts(metric)
    words = {"officials_active_end": "officials in post at the end", "median_attainment": "median company attainment",
             "share_companies_at_target": "reviews at or above target"}
    label = MONTHLY[name].title if name in MONTHLY else words.get(name, name.replace("_", " "))
    if per_year:
        label = label.removesuffix(" per month")        # a figure per year is labelled without the month
    return f"{label}, {tier} tier" if tier in TIER_NAMES else label


def metric_unit(metric: str, difference: bool = False) -> str:
    """The unit a reader reads a headline figure in (differences of shares: percentage points)."""
    name, per_year, _ = _parts(metric)
    kind = metric_kind(metric)
    if kind == "usd":
        return "USD M per year" if per_year else "USD M"
    if kind == "share":
        return "percentage points" if difference else "%"
    unit = MONTHLY[name].unit if name in MONTHLY else "officials"
    return f"{unit} per year" if per_year else unit


def unit_group(metric: str) -> str:
    """The panel of the forest plot a difference belongs to: one per unit."""
    return metric_unit(metric, difference=True)


def from_zero(ax) -> None:
    """Start the y axis at zero when everything drawn is non-negative (a magnitude)."""
    low, high = ax.get_ylim()
    if low > 0 or (low < 0 and all(min(line.get_ydata(), default=0) >= 0 for line in ax.get_lines())):
        ax.set_ylim(0, max(high, 1e-9))
