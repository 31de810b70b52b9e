"""Build the report: read the folders (or take run sets already in memory), make every
figure, write them as PNG and SVG, and render one self-contained HTML file.

Sections, in order: headline figures with intervals; monthly money flows; the attainment
distribution at each review; recalls, arrests, defections and give-ups; the approval
pipeline; tier by tier; for several scenarios, their differences; for a sweep, the
sensitivity figure; and the appendix, the assumptions ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..citations import keys as citation_keys
from ..explain import cited_sources, ledger
from ..results import package_version
from ..validation.stats import estimate
from . import figures, style
from .bands import CONFIDENCE, RANGE
from .compare import calendar_caution, compare_sets
from .headline import headline
from .html import png_data_uri, render_html, save_figure
from .sensitivity import rank_correlations
from .sources import ReportError, RunSet, SweepSource, load_sources

__all__ = ["Report", "build_report", "render_runs", "render_sweep", "figures_folder", "check_destination",
           "headline_rows", "metric_kind"]


@dataclass
class Report:
    """What was written, and the figures themselves (for tests and notebooks)."""

    path: Path
    figures_dir: Path
    figures: dict[str, Figure]
    differences: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None
    files: list[Path] = field(default_factory=list)


def figures_folder(out: Path) -> Path:
    return out.with_name(f"{out.stem}_figures")


def check_destination(out: str | Path, overwrite: bool = False) -> Path:
    """Refuse to replace an existing report (or write into a folder) unless asked; before any work."""
    out = Path(out)
    if out.is_dir():
        raise ReportError(f"{out}: is a folder; -o takes the report's file name, e.g. {out / 'report.html'}")
    if out.suffix.lower() not in (".html", ".htm"):
        raise ReportError(f"{out}: the report is an HTML file; give a name ending in .html")
    if out.exists() and not overwrite:
        raise ReportError(f"{out}: exists; pass --overwrite to replace it")
    figures = figures_folder(out)
    if figures.exists() and not figures.is_dir():
        raise ReportError(f"{figures}: exists and is not a folder; the report's figures go there: move it or "
                          "choose another -o")
    if figures.is_dir() and any(figures.iterdir()) and not overwrite:
        raise ReportError(f"{figures}: holds files (figures of an earlier report?); pass --overwrite to replace "
                          "them or choose another -o")
    return out


def build_report(paths: Sequence[str | Path], out: str | Path, overwrite: bool = False) -> Report:
    """Report on run folders, folders of replications, or one sweep folder (see :mod:`.sources`)."""
    out = check_destination(out, overwrite)
    source = load_sources(list(paths))
    if isinstance(source, SweepSource):
        return render_sweep(source, out)
    return render_runs(source, out)


def render_runs(sets: list[RunSet], out: str | Path, differences: pd.DataFrame | None = None,
                title: str | None = None) -> Report:
    """The report of one or more scenarios' replications; with several, their differences
    against the first (computed here unless given)."""
    out = Path(out)
    trajectories = [figures.Trajectories(s.label, s.monthly(), s.reviews()) for s in sets]
    made = _common_figures(trajectories)
    if len(sets) > 1:
        differences = compare_sets(sets) if differences is None else differences
        made["differences"] = figures.differences(differences)
    scenarios = [{"label": s.label, "description": s.scenario.description, "start": s.scenario.start,
                  "months": s.scenario.months, "seeds": s.seeds, "folders": [str(f) for f in s.folders],
                  "timeline": _timeline_rows(s.scenario),
                  "headline": headline_rows(s)} for s in sets]
    context = {"title": title or "quotasim report: " + " vs ".join(s.label for s in sets), "scenarios": scenarios,
               "interactive": _interactive(trajectories, differences if len(sets) > 1 else None),
               "differences": _difference_rows(differences) if differences is not None else None,
               "calendar_caution": calendar_caution(sets),
               "ledger": _ledger_rows([s.label for s in sets], [s.scenario for s in sets]),
               "ledger_labels": [s.label for s in sets], "sources": _sources([s.scenario for s in sets])}
    return _write(out, made, context, differences=differences)


def render_sweep(sweep: SweepSource, out: str | Path) -> Report:
    """The report of a sweep: trajectories' spread over the design, sensitivity, the base ledger."""
    out = Path(out)
    trajectories = [figures.Trajectories(sweep.label, sweep.monthly, sweep.reviews, run="run_id", kind="range")]
    made = _common_figures(trajectories)
    correlations = rank_correlations(sweep.points, sweep.monthly)
    if not correlations.empty:
        made["sensitivity"] = figures.sensitivity(correlations)
    varied = {name: _varied_text(v) for name, v in sweep.spec.parameters.items()}
    analyses = sorted((sweep.root / "analysis").glob("*.png")) if (sweep.root / "analysis").is_dir() else []
    context = {"title": f"quotasim report: sweep {sweep.label}",
               "sweep": {"name": sweep.label, "description": sweep.manifest.get("description", ""),
                         "design": sweep.manifest.get("design"), "points": sweep.manifest.get("points"),
                         "replications": sweep.manifest.get("replications"), "runs": int(sweep.monthly["run_id"].nunique()),
                         "folder": str(sweep.root), "varied": varied, "start": sweep.scenario.start,
                         "months": sweep.scenario.months,
                         "timeline": _timeline_rows(sweep.scenario),
                         "not_ranked": [n for n in varied if n not in set(correlations["parameter"])],
                         "analyses": [{"name": p.stem, "uri": png_data_uri(p)} for p in analyses]},
               "scenarios": [], "differences": None,
               "sensitivity": correlations.to_dict("records"),
               "ledger": _ledger_rows([sweep.label], [sweep.scenario], varied), "ledger_labels": ["base value"],
               "sources": _sources([sweep.scenario])}
    return _write(out, made, context, sensitivity=correlations)


# ------------------------------------------------------------------ internals
#: The figures a report leads with; the rest follow in the detail.
KEY_FIGURES = ("state_receipts_usd per year", "earned_usd per year", "remitted_usd per year",
               "kept_by_officials_usd per year", "median_attainment", "share_companies_at_target", "recalled per year",
               "arrested per year", "officials_active_end")

CAPTIONS = {
    "money": "Money flows month by month at their annual rate (the month's flow × 12), USD millions per year, "
             "axes from zero (M1, M12, M15, M18, M28). Accounting: earned = remitted + levied + kept + shared upward + "
             "rents + lost. Line: mean over replications; dark band: 95 % interval of the mean; light band: the "
             "middle 90 % of replications (where one run, one possible history, falls).",
    "attainment": "Attainment, % of quota ((remitted + own pocket) / quota) at each half-year review (M1, M2, M22). "
                  "Dashed lines at 70 %, 80 % and 100 %: the 70–80 % group and the 100 % group; green is at or "
                  "above target, red furthest below.",
    "exits": "Officials leaving post, cumulative: recalls (M10, M14, M15), arrests (M23, M29), defections (M9), "
             "give-ups (M11).",
    "pipeline": "The four-stage approval pipeline (M18): backlog at each month's end, cancellations and completions.",
    "tiers": "Tier by tier: each tier's share of all earnings, and its median attainment, per half-year (M25–M28).",
    "differences": "Forest plot: each scenario minus the first, per headline figure, with its 95 % interval (paired "
                   "over common seeds when the seeds match); one panel per unit, so money, counts and shares are "
                   "never on one axis. An interval that does not cross zero is a difference the replications "
                   "resolve.",
    "sensitivity": "Spearman rank correlation of each varied parameter with each outcome (sum over the run, mean over "
                   "a point's replications), with 95 % intervals.",
}


def _interactive(trajectories, differences: pd.DataFrame | None) -> dict[str, str]:
    """Interactive (Plotly) copies of the money and differences figures, as inline HTML."""
    from . import interactive
    made = {"money": interactive.money(trajectories, list(figures.MONEY))}
    if differences is not None:
        made["differences"] = interactive.differences(differences)
    fragments = interactive.to_html(made)
    return {**fragments, "plotly_js": interactive.plotly_js()} if fragments else {}


def _sources(scenarios) -> list[dict]:
    """Every source the scenarios' ledgers cite, once, as full citations with an anchor id."""
    found = {c["key"]: c for scenario in scenarios for c in cited_sources(scenario)}
    return [dict(found[key], anchor=_anchor(key)) for key in sorted(found)]


def _anchor(key: str) -> str:
    return "source-" + "".join(ch if ch.isalnum() else "-" for ch in key)


def _source_links(tag: str) -> list[dict]:
    """A ledger row's source tag as links to the citations it names (or the tag itself)."""
    named = citation_keys(tag)
    return [{"text": key, "anchor": _anchor(key)} for key in named] or [{"text": tag, "anchor": None}]


def _common_figures(trajectories) -> dict[str, Figure]:
    """The figures the data allow: a sweep may have kept only some monthly columns and no reviews."""
    reviews = any(t.reviews is not None and not t.reviews.empty for t in trajectories)
    made = {"money": figures.money(trajectories),
            "attainment": figures.attainment(trajectories) if reviews else None,
            "exits": figures.exits(trajectories), "pipeline": figures.pipeline(trajectories),
            "tiers": figures.tiers(trajectories) if reviews else None}
    return {name: figure for name, figure in made.items() if figure is not None}


def _write(out: Path, made: dict[str, Figure], context: dict, **extra) -> Report:
    folder = figures_folder(out)
    files = [path for name, figure in made.items() for path in save_figure(figure, folder, name)]
    context.update(figures=[{"name": name, "figure": figure, "caption": CAPTIONS.get(name, ""),
                             "png": f"{folder.name}/{name}.png", "svg": f"{folder.name}/{name}.svg"}
                            for name, figure in made.items()],
                   generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), version=package_version(),
                   confidence=CONFIDENCE)
    render_html(out, **context)
    return Report(out, folder, made, files=files + [out], **extra)


def metric_kind(metric: str) -> str:
    """How a headline figure is shown: usd, share or number (``style.metric_kind``)."""
    return style.metric_kind(metric)


def headline_rows(s: RunSet) -> list[dict]:
    """Each headline figure of a run set: mean and interval over its replications."""
    per_run = [headline(run) for run in s.runs]
    rows = []
    for metric in per_run[0]:
        values = [v[metric] for v in per_run if metric in v]
        e = estimate(values)
        spread = (float(np.quantile(values, RANGE[0])), float(np.quantile(values, RANGE[1]))) if e.n > 1 else (None, None)
        rows.append({"metric": metric, "kind": metric_kind(metric), "mean": e.mean, "label": style.metric_label(metric),
                     "unit": style.metric_unit(metric), "key": metric in KEY_FIGURES,
                     "low": e.low if e.n > 1 else None, "high": e.high if e.n > 1 else None, "n": e.n,
                     "spread_low": spread[0], "spread_high": spread[1]})
    return rows


def _difference_rows(table: pd.DataFrame) -> list[dict]:
    rows = []
    for record in table.to_dict("records"):
        row = {str(key): value for key, value in record.items()}
        rows.append(dict(row, kind=metric_kind(row["metric"]), label=style.metric_label(row["metric"]),
                         unit=style.metric_unit(row["metric"], difference=True), key=row["metric"] in KEY_FIGURES,
                         excludes_zero=bool(row["low"] > 0 or row["high"] < 0)))
    return rows


def _ledger_rows(labels: list[str], scenarios, varied: dict[str, str] | None = None) -> list[dict]:
    """Every parameter in force in any scenario: one value column per scenario."""
    rows: dict[str, dict] = {}
    for index, scenario in enumerate(scenarios):
        for row in ledger(scenario):
            entry = rows.setdefault(row["parameter"], {**row, "values": [None] * len(scenarios)})
            entry["values"][index] = row["value"]
    for entry in rows.values():
        entry["differs"] = len({repr(v) for v in entry["values"]}) > 1
        entry["varied"] = (varied or {}).get(entry["parameter"])
        entry["source_links"] = _source_links(entry["source"])
    return list(rows.values())


def _timeline_rows(scenario) -> list[dict]:
    """Dated interventions: parameters the ledger shows at their starting value change here."""
    return [{"date": step.date, "set": ", ".join(f"{k} = {v}" for k, v in step.set.items()), "note": step.note}
            for step in scenario.timeline]


def _varied_text(varied) -> str:
    if varied.is_range:
        return f"{varied.low:g} to {varied.high:g}"
    return ", ".join(map(str, varied.values))
