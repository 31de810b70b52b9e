"""Scenario discovery: which region of the parameters leads to an outcome of interest.

PRIM (the Patient Rule Induction Method, Friedman and Fisher 1999) as the EMA Workbench
implements it: starting from the whole design, it peels off thin slices of the parameter
space that hold few cases of interest, tracing a trade-off between *coverage* (the share
of all cases of interest inside the box) and *density* (the share of the box's points
that are cases of interest). We report the box with the highest coverage among those
whose density reaches the threshold, the parameters it restricts, and the trade-off curve;
when no box on the curve is that dense, the densest box, flagged as short of the threshold.

Two details of the workbench shape how it is called. Its ``threshold`` both marks the
cases of interest (``y >= threshold``) and decides whether the peeled box is returned at
all — a box short of it is replaced by the unpeeled "dump box". So it is given a tiny
positive threshold (cases of interest are exactly the 1s; the peeled box always comes
back) and the density threshold is applied here, to the whole peeling trajectory. And
its peeling stops at ``mass_min`` (5 % of the points by default): when cases of interest
are rare, no box that large can be dense, so the floor is lowered to half their share.

The case of interest is "output below (or above) a threshold", where the threshold is a
fraction of the output of the base scenario (run here with the experiment's replication
seeds) or, with ``reference="absolute"``, a value in the output's own units.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..results import write_atomic
from ..seeds import replication_seed
from ..simulation import simulate
from .catalogue import query
from .design import build_design
from .outcomes import AnalysisError, point_outcomes, reduce_monthly
from .store import ExperimentStore, load_stored_spec

with warnings.catch_warnings():
    # The workbench announces optional parallel backends it does not find; we use none.
    warnings.simplefilter("ignore")
    from ema_workbench.analysis import prim

__all__ = ["discover", "Discovery", "reference_value"]

# The workbench counts y >= threshold as a case of interest; y is 0/1, so any level in (0, 1]
# marks exactly the 1s, and a tiny one also keeps the peeled box from becoming the dump box.
_INTEREST = 1e-9


@dataclass
class Discovery:
    output: str
    statistic: str
    threshold: float              # in the output's units
    reference: float | None       # the base scenario's value, when the threshold is relative
    cases: int                    # points of interest
    points: int
    coverage: float
    density: float
    mass: float
    meets_density: bool           # False: no box on the trajectory reached the density threshold
    density_threshold: float
    box: pd.DataFrame             # restricted parameters: low, high (or values), the design's range, qp value
    trajectory: pd.DataFrame      # the peeling trajectory: coverage, density, mass, restricted dims
    table_path: Path
    figure_path: Path


def reference_value(root: str | Path, output: str, statistic: str) -> float:
    """The base scenario's ``output`` (reduced by ``statistic``), mean over the replication seeds."""
    spec = load_stored_spec(root)
    reducers: dict[str, Callable[[np.ndarray], Any]] = {"sum": np.sum, "mean": np.mean, "last": lambda a: a[-1]}
    reduce = reducers[statistic]
    values = []
    for replication in range(spec.replications):
        seed = replication_seed(spec.seed, replication)
        series = simulate(spec.base, seed).monthly[output].to_numpy().astype(float)
        values.append(float(reduce(series)))
    return float(np.mean(values))


def discover(root: str | Path, output: str = "state_receipts_usd", *, below: float | None = None,
             above: float | None = None, reference: str = "base", statistic: str = "sum",
             density_threshold: float = 0.8, mass_min: float | None = None) -> Discovery:
    """Find the parameter box where ``output`` falls below (or rises above) the threshold."""
    if (below is None) == (above is None):
        raise AnalysisError("give one of --below or --above")
    if reference not in ("base", "absolute"):
        raise AnalysisError(f"--reference {reference!r}: allowed: base (a fraction of the base scenario), absolute")
    root = Path(root)
    reduce_monthly(output, statistic)  # validates the names before any run
    spec = load_stored_spec(root)
    design = build_design(spec)
    y = point_outcomes(root, len(design), output, statistic)
    level = below if below is not None else above
    assert level is not None                 # exactly one of the two was given (checked above)
    base_value = reference_value(root, output, statistic) if reference == "base" else None
    threshold = level * base_value if base_value is not None else level
    interest = y < threshold if below is not None else y > threshold
    if interest.all() or not interest.any():
        raise AnalysisError(f"{int(interest.sum())} of {len(y)} points have {output} "
                            f"{'below' if below is not None else 'above'} {threshold:,.4g}: PRIM needs some points "
                            "in and some out; choose another threshold")
    x = _parameters_frame(root, spec)
    if mass_min is None:
        mass_min = min(0.05, 0.5 * float(interest.mean()))
    if not 0.0 < mass_min < 1.0:
        raise AnalysisError(f"--mass-min {mass_min}: allowed: a share of the points between 0 and 1")
    with warnings.catch_warnings():
        # The workbench's own pandas deprecations: nothing a user of ours can act on.
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="ema_workbench")
        warnings.filterwarnings("ignore", category=FutureWarning, module="ema_workbench")
        finder = prim.Prim(x, interest.astype(int), threshold=_INTEREST, mass_min=mass_min)
        box = finder.find_box()
    trajectory = box.peeling_trajectory.copy()
    dense = trajectory[trajectory["density"] >= density_threshold]
    chosen = int(dense["coverage"].idxmax() if len(dense) else trajectory["density"].idxmax())
    box.select(chosen)
    stats = trajectory.loc[chosen]
    meets = bool(len(dense))
    limits = _restricted(box, chosen, finder.box_init)
    stem = f"analysis/prim-{output}-{statistic}"
    table_path, figure_path = root / f"{stem}.csv", root / f"{stem}.png"
    write_atomic(table_path, lambda p: limits.to_csv(p, index=False))
    figure = box.show_tradeoff()
    write_atomic(figure_path, lambda p: figure.savefig(p, format="png", dpi=120, bbox_inches="tight"))
    import matplotlib.pyplot as plt
    plt.close(figure)
    ExperimentStore(root).add_files([f"{stem}.csv", f"{stem}.png"])
    return Discovery(output, statistic, float(threshold), base_value, int(interest.sum()), len(y),
                     float(stats["coverage"]), float(stats["density"]), float(stats["mass"]), meets,
                     float(density_threshold), limits,
                     trajectory[["coverage", "density", "mass", "res_dim"]], table_path, figure_path)


def _parameters_frame(root: Path, spec) -> pd.DataFrame:
    """The design's parameter values, one row per point; lists and switches as categories."""
    points = query(root, "SELECT * FROM points ORDER BY point").drop(columns="point")
    for name, varied in spec.parameters.items():
        if not varied.is_range and not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in varied.values):
            points[name] = points[name].astype(str).astype("category")
    return points.reset_index(drop=True)


def _restricted(box, index: int, initial: pd.DataFrame) -> pd.DataFrame:
    """Parameters the box restricts: its limits beside the design's range, and the
    quasi-p-value of each restriction (small: the restriction matters; large: PRIM peeled
    that parameter by chance and the box holds without it)."""
    limits = box.inspect(index, style="data")[0][1]
    limits.columns = [name for _, name in limits.columns]
    rows = []
    for name, row in limits.iterrows():
        qp = np.nanmin(np.asarray(row.iloc[2:4], dtype=float)) if row.iloc[2:4].notna().any() else np.nan
        low, high = row.iloc[0], row.iloc[1]
        if isinstance(low, set):
            rows.append({"parameter": name, "low": None, "high": None, "values": ", ".join(sorted(map(str, low))),
                         "full_low": None, "full_high": None, "qp_value": qp})
        else:
            rows.append({"parameter": name, "low": float(low), "high": float(high), "values": None,
                         "full_low": float(initial[name].iloc[0]), "full_high": float(initial[name].iloc[1]),
                         "qp_value": qp})
    return pd.DataFrame(rows, columns=["parameter", "low", "high", "values", "full_low", "full_high", "qp_value"])
