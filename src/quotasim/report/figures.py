"""The report's figures, each a ``matplotlib.figure.Figure`` built without pyplot (no global
state; safe in worker threads and notebooks).

Every figure takes a list of :class:`Trajectories` — one per scenario, or one for a sweep —
and draws each scenario in its own colour, with its band (see :mod:`.bands`), so a single
run, replications and a side-by-side comparison share one code path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..calendar import month_text
from ..codes import TIER_NAMES
from ..columns import MONTHLY
from .bands import CONFIDENCE, Band, band
from .style import (
    ANNUAL,
    ATTAINMENT_COLOURS,
    MEAN_LABEL,
    SPREAD_LABEL,
    from_zero,
    metric_label,
    scenario_colour,
    unit_group,
)

__all__ = ["Trajectories", "money", "attainment", "exits", "pipeline", "tiers", "differences", "sensitivity",
           "ATTAINMENT_GROUPS"]

MILLION = 1e6
#: Attainment groups the reports single out: the 100 % group and the 70–80 % group (seed 001).
ATTAINMENT_GROUPS = (("below 70 %", 0.0, 0.7), ("70–80 %", 0.7, 0.8), ("80–100 %", 0.8, 1.0),
                     ("100 % and above", 1.0, np.inf))


def _titled(*names: str) -> tuple[tuple[str, str], ...]:
    """(column, its label) for each name, labels from the declarations (``quotasim.columns``)."""
    return tuple((name, MONTHLY[name].title) for name in names)


MONEY = _titled("earned_usd", "remitted_usd", "levied_usd", "kept_by_officials_usd", "rents_usd", "shared_upward_usd")
EXITS = _titled("recalled", "arrested", "defected", "gave_up")
PIPELINE = _titled("pipeline_backlog", "deals_cancelled", "deals_completed")


@dataclass
class Trajectories:
    """One scenario's runs (or a sweep's): monthly and review rows tagged by ``run``."""

    label: str
    monthly: pd.DataFrame
    reviews: pd.DataFrame | None
    run: str = "seed"            # the column naming a run: seed (replications) or run_id (a sweep)
    kind: str = "interval"       # band kind: interval (replications) or range (a sweep)

    def __post_init__(self) -> None:
        # Runs are drawn on the calendar: x is the calendar month (year * 12 + month - 1), so that
        # scenarios are compared month by month on the same dates, whatever their starts.
        if "date" in self.monthly and "calendar_month" not in self.monthly:
            labels = self.monthly["date"].map(month_text)
            self.monthly = self.monthly.assign(calendar_month=[int(t[:4]) * 12 + int(t[5:7]) - 1 for t in labels])

    def band(self, column: str, frame: pd.DataFrame | None = None, by: str | None = None, aggregate: str = "sum") -> Band:
        data = self.monthly if frame is None else frame
        by = by or ("calendar_month" if "calendar_month" in data else "month")
        return band(data, column, by=by, run=self.run, kind=self.kind, aggregate=aggregate)

    def dates(self) -> dict[int, str]:
        """x (calendar month) -> its ``YYYY-MM`` label."""
        if "calendar_month" not in self.monthly:
            return {int(m): str(m) for m in self.monthly["month"]}
        return {int(x): f"{x // 12:04d}-{x % 12 + 1:02d}" for x in self.monthly["calendar_month"]}


def money(sets: list[Trajectories]) -> Figure | None:
    """Monthly earnings and where they went, USD millions, one panel per flow."""
    shown = [(c, t) for c, t in MONEY if any(c in s.monthly and s.monthly[c].abs().sum() > 0 for s in sets)
             or c == "earned_usd"]   # a flow that is zero throughout (no directive: nothing shared upward) is left out
    return _panels(sets, shown, "USD M per year (annual rate)", scale=MILLION / ANNUAL,
                   title="Earnings and where they went, month by month at their annual rate (USD M per year)")


def exits(sets: list[Trajectories]) -> Figure | None:
    """Cumulative recalls, arrests, defections and give-ups since the start."""
    cumulative = [Trajectories(s.label, _cumulative(s, [c for c, _ in EXITS]), s.reviews, s.run, s.kind) for s in sets]
    return _panels(cumulative, EXITS, "officials since the start", title="Recalls, arrests, defections and give-ups "
                                                                          "(cumulative)")


def pipeline(sets: list[Trajectories]) -> Figure | None:
    """The approval pipeline (M18): backlog at the month's end, cancellations and completions."""
    return _panels(sets, PIPELINE, "deals", title="The approval pipeline: backlog and cancellations")


def attainment(sets: list[Trajectories]) -> Figure:
    """Per scenario: the attainment distribution over all reviews, and each review's groups."""
    rows = [s for s in sets if s.reviews is not None and not s.reviews.empty]
    figure = Figure(figsize=(11, 3.2 * max(len(rows), 1)), layout="constrained")
    axes = figure.subplots(max(len(rows), 1), 2, squeeze=False)
    for (hist_ax, bar_ax), s in zip(axes, rows):
        values = np.clip(s.reviews["attainment"].to_numpy(float), 0, 2) * 100
        weights = np.full(len(values), 100.0 / len(values))
        hist_ax.hist(values, bins=np.arange(0, 205, 5), weights=weights, color=scenario_colour(sets.index(s)))
        for edge in (70, 80, 100):
            hist_ax.axvline(edge, color="black", linewidth=0.7, linestyle="--")
        hist_ax.set_xlim(0, 205)
        hist_ax.set_xlabel("attainment, % of quota ((remitted + own pocket) / quota); 200 % and above at 200")
        hist_ax.set_ylabel("% of company reviews")
        hist_ax.set_title(f"{s.label}: all reviews, pooled")
        shares = _group_shares(s)
        bottom = np.zeros(len(shares))
        x = np.arange(len(shares))
        for name, _, _ in ATTAINMENT_GROUPS:
            bar_ax.bar(x, shares[name], bottom=bottom, label=name, color=ATTAINMENT_COLOURS[name])
            bottom += shares[name].to_numpy()
        _period_ticks(bar_ax, list(shares.index))
        bar_ax.set_ylabel("% of companies (mean over runs)")
        bar_ax.set_ylim(0, 100)
        bar_ax.set_title(f"{s.label}: attainment groups at each review")
        bar_ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if not rows:
        axes[0, 0].set_title("no reviews in these runs")
    return figure


def tiers(sets: list[Trajectories]) -> Figure:
    """Tier by tier, per half-year: share of all earnings, and median attainment (M25–M28)."""
    rows = [s for s in sets if s.reviews is not None and not s.reviews.empty]
    figure = Figure(figsize=(13, 6), layout="constrained")
    axes = figure.subplots(2, len(TIER_NAMES), sharey="row", squeeze=False)
    tables = [_tier_table(s) for s in rows]
    # Reviews on the calendar: every scenario's half-years placed among all of them, by date.
    labels = sorted({p for per in tables for p in per["period"].unique()})
    calendars = [labels for _ in tables]
    for column, tier in enumerate(TIER_NAMES):
        for index, (s, per, periods) in enumerate(zip(rows, tables, calendars)):
            mine = per[per["tier"] == tier]
            if mine.empty:
                continue
            mine = mine.assign(x=mine["period"].map({p: i for i, p in enumerate(periods)}))
            _draw(axes[0, column], s.band("earned_share", frame=mine, by="x"), s.label, scenario_colour(index), scale=0.01)
            _draw(axes[1, column], s.band("median_attainment", frame=mine, by="x"), s.label, scenario_colour(index),
                  scale=0.01)
        for ax in axes[:, column]:
            _period_ticks(ax, labels)
        axes[0, column].set_title(tier)
    axes[0, 0].set_ylabel("% of all earnings")
    axes[1, 0].set_ylabel("median attainment, %")
    for ax in axes[1]:
        ax.axhline(100, color="black", linewidth=0.6, linestyle="--")
    for ax in axes.ravel():
        from_zero(ax)
    _figure_legend(figure, rows)
    figure.suptitle("Tier by tier: who gains and who pays (central = first class)")
    return figure


def differences(table: pd.DataFrame) -> Figure:
    """A forest plot of the paired differences: each scenario minus the reference, per headline
    figure, with its 95 % interval; one panel per unit (USD M per year, officials per year,
    percentage points, …), so that no axis mixes money, counts and shares."""
    shown = table[np.isfinite(table["difference"])].copy()
    shown["unit"] = shown["metric"].map(unit_group)
    units = list(dict.fromkeys(shown["unit"]))
    scenarios = list(dict.fromkeys(shown["scenario"]))
    sizes = [shown[shown["unit"] == u]["metric"].nunique() for u in units]
    figure = Figure(figsize=(9, 0.34 * sum(sizes) * max(len(scenarios), 1) + 1.1 * len(units) + 1), layout="constrained")
    axes = figure.subplots(len(units), 1, squeeze=False, height_ratios=[max(n, 1) + 1 for n in sizes]).ravel()
    reference = table["reference"].iloc[0] if len(table) else ""
    for ax, unit in zip(axes, units):
        mine = shown[shown["unit"] == unit]
        metrics = list(dict.fromkeys(mine["metric"]))
        rows = np.arange(len(metrics))[::-1]
        step = 0.7 / max(len(scenarios), 1)
        factor = _forest_factor(unit)
        for index, name in enumerate(scenarios):
            rows_of = mine[mine["scenario"] == name].set_index("metric").reindex(metrics)
            y = rows - index * step
            x = rows_of["difference"].to_numpy(float) * factor
            err = np.vstack([x - rows_of["low"].to_numpy(float) * factor, rows_of["high"].to_numpy(float) * factor - x])
            ax.errorbar(x, y, xerr=np.nan_to_num(np.abs(err)), fmt="o", color=scenario_colour(index + 1), capsize=3,
                        markersize=4, label=f"{name} − {reference}")
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(rows - step * (len(scenarios) - 1) / 2, [metric_label(m) for m in metrics], fontsize=8)
        ax.set_xlabel(f"difference, {unit}", fontsize=8)
        ax.grid(axis="x", linewidth=0.3)
        ax.set_ylim(-1, len(metrics))
    _figure_legend(figure, [], handles_from=axes[0])
    figure.suptitle(f"Paired differences from {reference}: mean and {CONFIDENCE:.0%} interval over common seeds")
    return figure


def _forest_factor(unit: str) -> float:
    return 1 / MILLION if unit.startswith("USD M") else 100.0 if unit == "percentage points" else 1.0


def sensitivity(table: pd.DataFrame) -> Figure:
    """Rank correlation of each varied parameter with each outcome, with its interval."""
    outputs = list(dict.fromkeys(table["output"]))
    parameters = list(dict.fromkeys(table["parameter"]))
    ncols = min(len(outputs), 2)
    nrows = -(-len(outputs) // ncols)
    figure = Figure(figsize=(5.5 * ncols + 1, nrows * (0.45 * len(parameters) + 1.4) + 0.6), layout="constrained")
    axes = figure.subplots(nrows, ncols, sharey=True, squeeze=False).ravel()
    rows = np.arange(len(parameters))[::-1]
    for ax, output in zip(axes, outputs):
        mine = table[table["output"] == output].set_index("parameter").reindex(parameters)
        err = np.vstack([mine["rho"] - mine["low"], mine["high"] - mine["rho"]])
        ax.barh(rows, mine["rho"], xerr=np.nan_to_num(err), capsize=2,
                color=np.where(mine["rho"] >= 0, "#4c72b0", "#c44e52"))
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_xlim(-1, 1)
        ax.set_title(output, fontsize=9)
        ax.set_xlabel("Spearman rank correlation")
        ax.set_yticks(rows, parameters, fontsize=8)
    for ax in axes[len(outputs):]:
        ax.set_visible(False)
    figure.suptitle("Sensitivity: rank correlation of each parameter with each outcome (sum over the run, "
                    "95 % interval)")
    return figure


# ------------------------------------------------------------------ helpers
def _panels(sets: list[Trajectories], columns, ylabel: str, scale: float = 1.0, title: str = "") -> Figure | None:
    """One panel per column that some run kept (a sweep may keep few); None when none was kept."""
    columns = [(c, t) for c, t in columns if any(c in s.monthly for s in sets)]
    if not columns:
        return None
    n = len(columns)
    ncols = 2 if n == 4 else min(n, 3)
    nrows = -(-n // ncols)
    figure = Figure(figsize=(4.2 * ncols, 3.1 * nrows), layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, (column, caption) in zip(axes, columns):
        for index, s in enumerate(sets):
            if column in s.monthly:
                _draw(ax, s.band(column), s.label, scenario_colour(index), scale)
        ax.set_title(caption, fontsize=10)
        ax.set_ylabel(ylabel, fontsize=8)
        _month_ticks(ax, sets)
        from_zero(ax)
    for ax in axes[n:]:
        ax.set_visible(False)
    _figure_legend(figure, sets)
    figure.suptitle(title)
    return figure


def _draw(ax, b: Band, label: str, colour: str, scale: float = 1.0) -> None:
    """The centre line; for replications, the spread between runs (light) and the interval of
    the mean (dark); for a sweep, the range over its runs."""
    if b.spread_low is not None and b.spread_high is not None and b.n > 1:
        ax.fill_between(b.x, b.spread_low / scale, b.spread_high / scale, color=colour, alpha=0.13, linewidth=0)
    ax.fill_between(b.x, b.low / scale, b.high / scale, color=colour, alpha=0.4 if b.kind == "interval" else 0.2,
                    linewidth=0)
    ax.plot(b.x, b.centre / scale, color=colour, linewidth=1.4, label=f"{label} ({b.description})")


def _figure_legend(figure, sets, handles_from=None) -> None:
    """One legend below the panels, never over the data: each scenario's line, and what the
    bands are (the spread between runs, the interval of the mean)."""
    from matplotlib.patches import Patch
    if handles_from is not None:
        handles, labels = handles_from.get_legend_handles_labels()
    else:
        handles, labels = [], []
        for ax in figure.axes:
            for handle, label in zip(*ax.get_legend_handles_labels()):
                if label not in labels:
                    handles.append(handle)
                    labels.append(label)
        if sets and any(s.kind == "interval" for s in sets):
            handles += [Patch(color="grey", alpha=0.13), Patch(color="grey", alpha=0.4)]
            labels += [f"band: {SPREAD_LABEL}", f"band: {MEAN_LABEL}"]
        elif sets:
            handles.append(Patch(color="grey", alpha=0.2))
            labels.append("band: 5–95 % of the sweep's runs")
    if handles:
        figure.legend(handles, labels, loc="outside lower center", ncols=min(len(handles), 3), fontsize=8)


def _month_ticks(ax, sets: list[Trajectories]) -> None:
    """Calendar months on the x axis: every scenario on its own dates, so that differing calendars
    show as such (and are said so under the axis), never shifted onto each other's."""
    calendars = [s.dates() for s in sets]
    dates = {m: d for calendar in calendars for m, d in calendar.items()}
    months = sorted(dates)
    if not months:
        return
    step = 12 if len(months) > 24 else 6 if len(months) > 8 else 1
    ticks = [m for m in months if (m - months[0]) % step == 0]
    ax.set_xticks(ticks, [dates[m] for m in ticks], rotation=45, fontsize=7)
    if len({(min(c), max(c)) for c in calendars if c}) > 1:
        ax.set_xlabel("calendar month (the scenarios cover different periods)", fontsize=7)


def _period_ticks(ax, periods: list[str]) -> None:
    step = max(1, len(periods) // 10)
    ticks = list(range(0, len(periods), step))
    ax.set_xticks(ticks, [periods[i] for i in ticks], rotation=45, fontsize=7)


def _cumulative(s: Trajectories, columns: list[str]) -> pd.DataFrame:
    frame = s.monthly.sort_values([s.run, "month"]).copy()
    present = [c for c in columns if c in frame]
    frame[present] = frame.groupby(s.run)[present].cumsum()
    return frame


def _group_shares(s: Trajectories) -> pd.DataFrame:
    """% of companies in each attainment group, per review period, averaged over runs."""
    reviews = s.reviews
    groups = {}
    for name, low, high in ATTAINMENT_GROUPS:
        inside = (reviews["attainment"] >= low) & (reviews["attainment"] < high)
        groups[name] = inside.groupby([reviews["period"], reviews[s.run]]).mean() * 100
    per_run = pd.DataFrame(groups)
    return per_run.groupby(level=0).mean().sort_index()


def _tier_table(s: Trajectories) -> pd.DataFrame:
    """Per run, period and tier: share of the period's earnings, and median attainment."""
    reviews = s.reviews.assign(tier=s.reviews["tier"].astype(str))
    keys = [s.run, "period"]
    per = reviews.groupby(keys + ["tier"], observed=True).agg(earned=("earned_usd", "sum"),
                                                               median_attainment=("attainment", "median")).reset_index()
    totals = per.groupby(keys)["earned"].transform("sum")
    per["earned_share"] = np.where(totals > 0, per["earned"] / totals.where(totals > 0, 1.0), 0.0)
    return per
