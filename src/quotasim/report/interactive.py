"""Interactive copies of the report's main figures (Plotly), inlined so the file opens offline.

The static figures (matplotlib: SVG in the page, PNG and SVG files for papers) stay the record;
these add hover read-outs and zoom. They follow the same house style (``style``): one colour
per scenario, money in USD M per year, magnitudes from zero, the spread between runs and the
interval of the mean as two labelled bands, and one forest panel per unit. plotly.js is
written into the page once, inline: no network is needed to open it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .bands import CONFIDENCE
from .style import ANNUAL, MEAN_LABEL, MILLION, SPREAD_LABEL, metric_label, scenario_colour, unit_group

__all__ = ["money", "differences", "to_html", "plotly_js"]


def _rgba(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def money(sets, columns: list[tuple[str, str]]):
    """Money flows month by month at their annual rate, one panel per flow, bands of both kinds."""
    from plotly.subplots import make_subplots
    columns = [(c, t) for c, t in columns if any(c in s.monthly for s in sets)]
    if not columns:
        return None
    ncols = min(len(columns), 3)
    nrows = -(-len(columns) // ncols)
    figure = make_subplots(rows=nrows, cols=ncols, subplot_titles=[t for _, t in columns])
    scale = MILLION / ANNUAL
    for k, (column, _) in enumerate(columns):
        row, col = k // ncols + 1, k % ncols + 1
        for index, s in enumerate(sets):
            if column not in s.monthly:
                continue
            b = s.band(column)
            dates = s.dates()
            x = [dates.get(m, m) for m in b.x]
            colour = scenario_colour(index)
            bands = [(b.spread_low, b.spread_high, 0.15, SPREAD_LABEL)] if b.spread_low is not None and b.n > 1 else []
            bands.append((b.low, b.high, 0.4, MEAN_LABEL if b.kind == "interval" else "5–95 % of runs"))
            for low, high, alpha, label in bands:
                figure.add_scatter(x=x + x[::-1], y=list(np.r_[high, low[::-1]] / scale), fill="toself", mode="none",
                                   fillcolor=_rgba(colour, alpha), name=f"{s.label}: {label}", legendgroup=s.label,
                                   showlegend=k == 0, hoverinfo="skip", row=row, col=col)
            figure.add_scatter(x=x, y=b.centre / scale, mode="lines", line={"color": colour}, name=s.label,
                               legendgroup=s.label, showlegend=k == 0, row=row, col=col,
                               hovertemplate="%{x}: %{y:,.4g} USD M per year<extra>" + s.label + "</extra>")
        figure.update_yaxes(title_text="USD M per year", rangemode="tozero", row=row, col=col)
    figure.update_layout(height=330 * nrows, margin={"t": 60, "b": 40}, legend={"orientation": "h", "y": -0.12},
                         title="Earnings and where they went, at their annual rate (interactive)")
    return figure


def differences(table: pd.DataFrame):
    """The forest plot: paired differences with 95 % intervals, one panel per unit."""
    from plotly.subplots import make_subplots
    shown = table[np.isfinite(table["difference"])].copy()
    if shown.empty:
        return None
    shown["unit"] = shown["metric"].map(unit_group)
    units = list(dict.fromkeys(shown["unit"]))
    sizes = [shown[shown["unit"] == u]["metric"].nunique() for u in units]
    figure = make_subplots(rows=len(units), cols=1, row_heights=[n + 1 for n in sizes], vertical_spacing=0.06,
                           subplot_titles=[f"difference, {u}" for u in units])
    reference = table["reference"].iloc[0]
    for row, unit in enumerate(units, start=1):
        factor = 1 / MILLION if unit.startswith("USD M") else 100.0 if unit == "percentage points" else 1.0
        mine = shown[shown["unit"] == unit]
        for index, name in enumerate(dict.fromkeys(shown["scenario"])):
            rows = mine[mine["scenario"] == name]
            x = rows["difference"].to_numpy(float) * factor
            figure.add_scatter(x=x, y=[metric_label(m) for m in rows["metric"]], mode="markers",
                               marker={"color": scenario_colour(index + 1)}, name=f"{name} − {reference}",
                               showlegend=row == 1, row=row, col=1,
                               error_x={"type": "data", "symmetric": False,
                                        "array": rows["high"].to_numpy(float) * factor - x,
                                        "arrayminus": x - rows["low"].to_numpy(float) * factor},
                               hovertemplate="%{y}: %{x:+,.4g} " + unit + "<extra></extra>")
        figure.add_vline(x=0, line_color="black", line_width=1, row=row, col=1)
        figure.update_yaxes(autorange="reversed", row=row, col=1)
    figure.update_layout(height=sum(28 * n + 70 for n in sizes) + 80, margin={"t": 70},
                         title=f"Paired differences from {reference}: mean and {CONFIDENCE:.0%} interval (interactive)")
    return figure


def to_html(figures: dict) -> dict[str, str]:
    """Each figure as an HTML fragment, without plotly.js (:func:`plotly_js` goes once at the top of
    the page, so the figures render wherever they sit in it)."""
    import plotly.io as pio
    return {name: pio.to_html(figure, include_plotlyjs=False, full_html=False,
                              config={"displaylogo": False, "responsive": True})
            for name, figure in figures.items() if figure is not None}


def plotly_js() -> str:
    """plotly.js itself, to inline once in the page: no network is needed to open the report."""
    from plotly.offline import get_plotlyjs
    return get_plotlyjs()
