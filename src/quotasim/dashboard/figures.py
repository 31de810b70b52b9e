"""The dashboard's figures (Plotly): one panel per quantity, each with its own legend and axis titles.

In every panel this run is drawn in the reference colour of the house style
(:mod:`quotasim.style`): the mean of its replications, and with two or more the middle 90 %
of them as a band; the previous run is grey and dashed, labelled ``previous: <scenario>``.
Totals are shown for the full system: a run at population scale 0.1 is summed back up by
1/0.1, and every panel's title says so (:func:`scale_note`). Money is drawn at its annual rate
in USD millions (the month's flow × 12), people leaving and cancelled deals as totals since
the start (monthly counts of a small population are integer spikes), backlogs as they stand;
every axis of these magnitudes starts at zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ..columns import MONTHLY
from ..style import ANNUAL, MILLION, SPREAD_LABEL, metric_label, metric_unit, scenario_colour
from .jobs import Job

__all__ = ["Panel", "PANELS", "panel_figure", "scale_note", "headline", "PREVIOUS_COLOUR", "THIS_RUN_COLOUR"]

THIS_RUN_COLOUR = scenario_colour(0)
PREVIOUS_COLOUR = "#8c8c8c"      # grey: the previous run, in every panel
_BAND = "rgba(76, 114, 176, 0.22)"   # THIS_RUN_COLOUR, translucent


@dataclass(frozen=True)
class Panel:
    column: str        # a monthly column (quotasim.columns.MONTHLY)
    how: str           # "rate": a money flow at its annual rate; "total": a count since the start; "level": a gauge

    @property
    def id(self) -> str:
        return "panel-" + self.column.replace("_", "-")

    @property
    def label(self) -> str:
        return metric_label(self.column if self.how == "level" else self.column + " per year")   # no "per month"

    @property
    def unit(self) -> str:
        if self.how == "rate":
            return metric_unit(self.column + " per year")
        if self.how == "total":
            return f"{MONTHLY[self.column].unit} since the start"
        return metric_unit(self.column)

    def values(self, monthly, scale: float) -> np.ndarray:
        """The panel's series of one run's monthly table (pandas), for the full system."""
        column = monthly[self.column].to_numpy(dtype=float) / scale
        if self.how == "rate":
            return column * ANNUAL / MILLION
        if self.how == "total":
            return np.cumsum(column)
        return column


PANELS: tuple[Panel, ...] = (
    Panel("state_receipts_usd", "rate"), Panel("earned_usd", "rate"), Panel("kept_by_officials_usd", "rate"),
    Panel("rents_usd", "rate"), Panel("recalled", "total"), Panel("arrested", "total"),
    Panel("defected", "total"), Panel("gave_up", "total"), Panel("pipeline_backlog", "level"),
    Panel("deals_cancelled", "total"),
)


def scale_note(scale: float | None) -> str:
    """What the figures' totals stand for, stated beside each of them."""
    if scale is None:
        return "totals for the full system"
    if scale == 1:
        return "the scenario's full population"
    return f"scaled to the full system from a {scale * 100:g} % population (×{1 / scale:.3g})"


def _runs(job: Job, panel: Panel) -> tuple[object, np.ndarray]:
    """Dates and an array (replications × months) of the panel's series."""
    tables = [run.to_pandas() for run in job.runs]
    return tables[0]["date"], np.vstack([panel.values(table, job.scale) for table in tables])


def _replications(n: int) -> str:
    return "" if n == 1 else f", mean of {n} replications"


def panel_figure(panel: Panel, current: Job | None, previous: Job | None) -> go.Figure:
    """One quantity: this run (mean, and its spread when replicated) and the previous run."""
    figure = go.Figure()
    if current is not None and current.runs:
        dates, series = _runs(current, panel)
        if len(series) > 1:
            low, high = np.percentile(series, [5, 95], axis=0)
            figure.add_trace(go.Scatter(x=dates, y=high, mode="lines", line={"width": 0}, showlegend=False,
                                        hoverinfo="skip", name="95th percentile"))
            figure.add_trace(go.Scatter(x=dates, y=low, mode="lines", line={"width": 0}, fill="tonexty",
                                        fillcolor=_BAND, hoverinfo="skip",
                                        name=f"this run: {SPREAD_LABEL} ({len(series)})"))
        figure.add_trace(go.Scatter(x=dates, y=series.mean(axis=0), mode="lines",
                                    name=f"this run: {current.name}{_replications(len(series))}",
                                    line={"color": THIS_RUN_COLOUR, "width": 2.5}))
    if previous is not None and previous.runs:      # drawn on top, so that it shows where the two agree; listed first
        dates, series = _runs(previous, panel)
        figure.add_trace(go.Scatter(x=dates, y=series.mean(axis=0), mode="lines", legendrank=1,
                                    name=f"previous: {previous.name}{_replications(len(series))}",
                                    line={"color": PREVIOUS_COLOUR, "dash": "dash", "width": 2}))
    job = current or previous
    note = scale_note(job.scale if job is not None else None)
    if job is None:
        figure.add_annotation(text="no run yet", showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
                              font={"size": 14, "color": "#888"})
    figure.update_layout(
        title={"text": f"{panel.label}<br><span style='font-size:11px'>{note}</span>", "x": 0.01, "font": {"size": 14}},
        xaxis={"title": {"text": "date"}}, yaxis={"title": {"text": panel.unit}, "rangemode": "tozero"},
        height=330, margin={"l": 60, "r": 10, "t": 56, "b": 40}, template="plotly_white", showlegend=True,
        legend={"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0, "font": {"size": 11}, "traceorder": "normal"})
    return figure


def headline(job: Job) -> dict[str, float]:
    """Per-year figures a reader compares between runs: the mean over the replications, for the full system."""
    assert job.runs, "a finished job has its monthly tables"
    figures: dict[str, list[float]] = {}
    for run in job.runs:
        m = run.to_pandas()
        years = max(len(m) / 12, 1e-9)
        for column in ("state_receipts_usd", "earned_usd", "kept_by_officials_usd"):
            name = column + " per year"
            figures.setdefault(f"{metric_label(name)}, {metric_unit(name)}", []).append(
                m[column].sum() / years / MILLION / job.scale)
        for column in ("recalled", "arrested"):
            name = column + " per year"
            figures.setdefault(f"{metric_label(name)}, {metric_unit(name)}", []).append(
                m[column].sum() / years / job.scale)
    result = {name: float(np.mean(values)) for name, values in figures.items()}
    result["median attainment, %"] = float(np.median(job.attainment)) * 100 if job.attainment else float("nan")
    return result
