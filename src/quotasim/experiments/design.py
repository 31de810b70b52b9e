"""Designs: the points of an experiment, drawn by SALib and scipy.stats.qmc.

Every design is first a matrix ``X`` in the space the sensitivity analysers work in (one
column per varied parameter, bounded by the SALib ``problem``), then decoded into the
parameter values a run uses:

* a range of a float parameter: ``X`` is the value itself;
* a range of an integer parameter: bounds ``[low, high + 1)``, value ``floor(x)``, so each
  whole number gets an equal share of the range;
* a list of ``k`` values: bounds ``[0, k)``, value ``values[floor(x)]``.

The draw is seeded from the spec's seed alone (a ``SeedSequence`` child of its own), so
the same spec always gives the same points, on any machine.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from scipy.stats import qmc

from .spec import ExperimentSpec, GridDesign, LatinHypercubeDesign, MorrisDesign, SobolDesign, Varied

__all__ = ["Design", "build_design", "n_points", "salib_problem", "DESIGN_STREAM"]

#: spawn_key under the spec seed that draws the design (runs use ``seeds.replication_seed``).
DESIGN_STREAM = 0


@dataclass(frozen=True)
class Design:
    """The points of an experiment: ``X`` for the analysers, decoded values for the runs."""

    names: tuple[str, ...]
    X: np.ndarray            # (points, parameters), in the SALib problem's bounds
    problem: dict

    def __len__(self) -> int:
        return self.X.shape[0]

    def values(self, spec: ExperimentSpec, point: int) -> dict[str, Any]:
        """Dotted name -> value for one point (plain Python types, ready for load_scenario)."""
        return {name: _decode(spec.parameters[name], self.X[point, j]) for j, name in enumerate(self.names)}

    def points_table(self, spec: ExperimentSpec) -> pa.Table:
        """One row per point: ``point`` and each parameter's value (lists shown as JSON text)."""
        data: dict[str, Any] = {"point": np.arange(len(self), dtype=np.int64)}
        for j, name in enumerate(self.names):
            column = [_decode(spec.parameters[name], x) for x in self.X[:, j]]
            data[name] = [str(v) if isinstance(v, (list, tuple)) else v for v in column]
        return pa.table(data)


def salib_problem(spec: ExperimentSpec) -> dict:
    """The SALib ``problem`` dict: names and bounds in the encoded space above."""
    bounds = []
    for name, varied in spec.parameters.items():
        if not varied.is_range:
            bounds.append([0.0, float(len(varied.values))])
        elif _is_int(varied):
            bounds.append([float(varied.low), float(varied.high) + 1.0])
        else:
            bounds.append([float(varied.low), float(varied.high)])
    return {"num_vars": len(spec.parameters), "names": list(spec.parameters), "bounds": bounds}


def n_points(spec: ExperimentSpec) -> int:
    """How many points the design has, without drawing it."""
    design, d = spec.design, len(spec.parameters)
    if isinstance(design, GridDesign):
        return math.prod(len(_grid_values(v, design.levels)) for v in spec.parameters.values())
    if isinstance(design, LatinHypercubeDesign):
        return design.samples
    if isinstance(design, SobolDesign):
        return design.samples * ((2 * d + 2) if design.second_order else (d + 2))
    return design.trajectories * (d + 1)


def build_design(spec: ExperimentSpec) -> Design:
    """Draw the design of ``spec`` (deterministic in the spec)."""
    problem = salib_problem(spec)
    seed = int(np.random.SeedSequence(spec.seed, spawn_key=(DESIGN_STREAM,)).generate_state(1)[0])
    design = spec.design
    if isinstance(design, GridDesign):
        axes = [_grid_codes(v, design.levels) for v in spec.parameters.values()]
        X = np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, len(axes))
    elif isinstance(design, LatinHypercubeDesign):
        unit = qmc.LatinHypercube(d=problem["num_vars"], rng=np.random.default_rng(seed)).random(design.samples)
        lower, upper = np.array(problem["bounds"]).T
        X = qmc.scale(unit, lower, upper)
    elif isinstance(design, SobolDesign):
        X = sobol_sample.sample(problem, design.samples, calc_second_order=design.second_order, seed=seed)
    else:
        assert isinstance(design, MorrisDesign)
        X = morris_sample.sample(problem, design.trajectories, num_levels=design.levels, seed=seed)
    return Design(names=tuple(spec.parameters), X=np.ascontiguousarray(X, dtype=float), problem=problem)


# ------------------------------------------------------------------ internals
def _is_int(varied: Varied) -> bool:
    return varied.is_range and isinstance(varied.low, int) and isinstance(varied.high, int)


def _grid_values(varied: Varied, default_levels: int) -> list:
    if not varied.is_range:
        return list(varied.values)
    levels = varied.levels or default_levels
    points = np.linspace(varied.low, varied.high, levels)
    if _is_int(varied):
        return sorted({int(round(p)) for p in points})
    return [float(p) for p in points]


def _grid_codes(varied: Varied, default_levels: int) -> list[float]:
    """Grid values in the encoded space: the value for ranges, the index for lists."""
    values = _grid_values(varied, default_levels)
    return [float(i) for i in range(len(values))] if not varied.is_range else [float(v) for v in values]


def _decode(varied: Varied, x: float) -> Any:
    if not varied.is_range:
        index = min(int(math.floor(x)), len(varied.values) - 1)
        value = varied.values[index]
        return list(value) if isinstance(value, tuple) else value
    if _is_int(varied):
        return min(int(math.floor(x)), varied.high)
    return float(x)
