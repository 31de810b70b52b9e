"""The dashboard's figures (Plotly): this run's trajectories, the previous run's dashed beside them."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .jobs import Job

__all__ = ["trajectories", "headline", "PANELS"]

#: (title, unit, [(column, label, scale)]) per panel.
PANELS: tuple[tuple[str, list[tuple[str, str, float]]], ...] = (
    ("Money, USD million a month", [("earned_usd", "earned", 1e-6), ("state_receipts_usd", "state receipts", 1e-6),
                                    ("kept_by_officials_usd", "kept by officials", 1e-6),
                                    ("rents_usd", "rents", 1e-6)]),
    ("People leaving, a month", [("recalled", "recalled", 1), ("arrested", "arrested", 1),
                                 ("defected", "defected", 1), ("gave_up", "gave up", 1)]),
    ("Approval pipeline", [("pipeline_backlog", "backlog", 1), ("deals_cancelled", "cancelled a month", 1)]),
)
_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")


def trajectories(current: Job | None, previous: Job | None) -> go.Figure:
    figure = make_subplots(rows=1, cols=len(PANELS), subplot_titles=[title for title, _ in PANELS])
    for job, dash, tag in ((previous, "dash", "previous"), (current, "solid", "this run")):
        if job is None or job.monthly is None:
            continue
        monthly = job.monthly.to_pandas()
        for col, (_, series) in enumerate(PANELS, start=1):
            for (column, label, scale), colour in zip(series, _COLOURS):
                figure.add_trace(go.Scatter(
                    x=monthly["date"], y=monthly[column] * scale, mode="lines", name=f"{label} ({tag})",
                    line={"dash": dash, "color": colour, "width": 2 if dash == "solid" else 1.5},
                    legendgroup=tag, showlegend=True), row=1, col=col)
    if current is None and previous is None:
        figure.add_annotation(text="Run a scenario to see its trajectories here", showarrow=False,
                              xref="paper", yref="paper", x=0.5, y=0.5, font={"size": 16})
        figure.update_xaxes(visible=False)
        figure.update_yaxes(visible=False)
    figure.update_layout(height=420, margin={"l": 40, "r": 10, "t": 40, "b": 40},
                         legend={"orientation": "h", "y": -0.15}, template="plotly_white")
    return figure


def headline(job: Job) -> dict[str, float]:
    """Totals a reader compares between runs."""
    assert job.monthly is not None, "a finished job has its monthly table"
    m = job.monthly.to_pandas()
    attainment = job.reviews.column("attainment").to_numpy() if job.reviews is not None and job.reviews.num_rows else []
    years = max(len(m) / 12, 1e-9)
    return {
        "state receipts, USD million a year": m["state_receipts_usd"].sum() / years / 1e6,
        "earned, USD million a year": m["earned_usd"].sum() / years / 1e6,
        "kept by officials, USD million a year": m["kept_by_officials_usd"].sum() / years / 1e6,
        "recalled a year": m["recalled"].sum() / years,
        "arrested a year": m["arrested"].sum() / years,
        "median attainment, %": float(sorted(attainment)[len(attainment) // 2]) * 100 if len(attainment) else float("nan"),
    }
