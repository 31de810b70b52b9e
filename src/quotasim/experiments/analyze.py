"""Global sensitivity analysis of an experiment with SALib's analysers.

* ``sobol`` (a ``sobol`` design): first-order ``S1`` and total ``ST`` indices with
  bootstrap confidence intervals — the share of the output's variance each parameter
  explains alone, and with all its interactions;
* ``morris`` (a ``morris`` design): ``mu_star`` (mean absolute elementary effect, with its
  interval) and ``sigma`` (non-linearity and interactions);

The design matrix is drawn again from the stored spec (the draw is deterministic), and
the output per point comes from the catalogue. Results go to ``DIR/analysis/`` as a CSV
table and a PNG figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze

from ..results import write_atomic
from .design import MorrisDesign, SobolDesign, build_design
from .outcomes import AnalysisError, point_outcomes
from .store import ExperimentStore, load_stored_spec

__all__ = ["analyze", "Analysis", "METHODS"]

METHODS = ("sobol", "morris")
RESAMPLES = 1000


@dataclass
class Analysis:
    method: str
    output: str
    statistic: str
    table: pd.DataFrame            # one row per parameter, most influential first
    table_path: Path
    figure_path: Path
    second_order: pd.DataFrame | None = None


def analyze(root: str | Path, method: str = "sobol", output: str = "remitted_usd", statistic: str = "sum",
            confidence: float = 0.95) -> Analysis:
    """Sensitivity indices of ``output`` (reduced by ``statistic`` over each run) to every varied parameter."""
    if method not in METHODS:
        raise AnalysisError(f"--method {method!r}: allowed: {', '.join(METHODS)}")
    root = Path(root)
    spec = load_stored_spec(root)
    if spec.design.method != method:
        raise AnalysisError(f"--method {method} needs an experiment with design method = \"{method}\"; this one's is "
                            f"{spec.design.method!r} (for any design, `quotasim discover` finds the parameter regions "
                            "behind an outcome)")
    design = build_design(spec)
    y = point_outcomes(root, len(design), output, statistic)
    seed = spec.seed
    sampler = spec.design                # its method is the one asked for (checked above)
    if isinstance(sampler, SobolDesign):
        indices = sobol_analyze.analyze(design.problem, y, calc_second_order=sampler.second_order,
                                        num_resamples=RESAMPLES, conf_level=confidence, seed=seed)
        table = pd.DataFrame({"parameter": design.names, "S1": indices["S1"], "S1_conf": indices["S1_conf"],
                              "ST": indices["ST"], "ST_conf": indices["ST_conf"]}).sort_values("ST", ascending=False)
        second = None
        if sampler.second_order:
            second = indices.to_df()[2].reset_index().rename(columns={"index": "pair"})
        figure = _bars(table, ("S1", "ST"), f"Sobol' indices of {output} ({statistic} over the run)")
    elif isinstance(sampler, MorrisDesign):
        indices = morris_analyze.analyze(design.problem, design.X, y, num_resamples=RESAMPLES, conf_level=confidence,
                                         num_levels=sampler.levels, seed=seed)
        table = pd.DataFrame({"parameter": design.names, "mu_star": indices["mu_star"],
                              "mu_star_conf": indices["mu_star_conf"], "mu": indices["mu"],
                              "sigma": indices["sigma"]}).sort_values("mu_star", ascending=False)
        second = None
        figure = _morris_plane(table, output, statistic)
    table = table.reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    stem = f"analysis/{method}-{output}-{statistic}"
    table_path, figure_path = root / f"{stem}.csv", root / f"{stem}.png"
    written = [f"{stem}.csv", f"{stem}.png"]
    write_atomic(table_path, lambda p: table.to_csv(p, index=False))
    write_atomic(figure_path, lambda p: figure.savefig(p, format="png", dpi=120, bbox_inches="tight"))
    if second is not None:
        write_atomic(root / f"{stem}-second-order.csv", lambda p: second.to_csv(p, index=False))
        written.append(f"{stem}-second-order.csv")
    ExperimentStore(root).add_files(written)
    return Analysis(method, output, statistic, table, table_path, figure_path, second)


def _bars(table: pd.DataFrame, measures: tuple[str, str], title: str) -> Figure:
    """Two bars per parameter with their confidence intervals, most influential on top."""
    figure = Figure(figsize=(7, 0.45 * len(table) + 1.5))
    ax = figure.subplots()
    rows = np.arange(len(table))[::-1]
    height = 0.38
    for offset, name in ((height / 2, measures[0]), (-height / 2, measures[1])):
        ax.barh(rows + offset, table[name], height=height, xerr=table[f"{name}_conf"], capsize=2, label=name)
    ax.set_yticks(rows, table["parameter"])
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_xlabel("index (bars: 95 % bootstrap interval)")
    ax.set_title(title)
    ax.legend(loc="lower right")
    return figure


def _morris_plane(table: pd.DataFrame, output: str, statistic: str) -> Figure:
    """mu* against sigma: far right matters, high up acts non-linearly or in interactions."""
    figure = Figure(figsize=(7, 5))
    ax = figure.subplots()
    ax.errorbar(table["mu_star"], table["sigma"], xerr=table["mu_star_conf"], fmt="o", capsize=2)
    for _, row in table.iterrows():
        ax.annotate(row["parameter"], (row["mu_star"], row["sigma"]), fontsize=8, xytext=(3, 3),
                    textcoords="offset points")
    ax.set_xlabel("mu* (mean |elementary effect|)")
    ax.set_ylabel("sigma (spread of effects)")
    ax.set_title(f"Morris screening of {output} ({statistic} over the run)")
    return figure
