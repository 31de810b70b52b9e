"""Designs: the points of an experiment, drawn by SALib and scipy.stats.qmc.

Each design method is a class that knows its own size and draws its own samples
(:meth:`Sampler.size`, :meth:`Sampler.generate`), as the samplers of EMA Workbench do; a
spec names one by its ``method`` (``grid``, ``lhs``, ``sobol``, ``morris``). This module
knows nothing of specs: the spec module builds on it, never the other way round.

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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Protocol

import numpy as np
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, model_validator
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from scipy.stats import qmc

__all__ = ["Varied", "Sampler", "GridDesign", "LatinHypercubeDesign", "SobolDesign", "MorrisDesign", "DesignMethod",
           "Design", "build_design", "n_points", "salib_problem", "DESIGN_STREAM"]

#: spawn_key under the spec seed that draws the design (runs use ``seeds.replication_seed``).
DESIGN_STREAM = 0


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Varied(_Frozen):
    """One varied parameter: a range [low, high] or a list of values."""

    low: float | None = Field(None, strict=True, description="lower end of the range")
    high: float | None = Field(None, strict=True, description="upper end of the range")
    values: tuple[Any, ...] | None = Field(None, description="the values to try, in order")
    levels: int | None = Field(None, ge=2, le=10_000, strict=True, description="grid design: evenly spaced values over the range")

    @model_validator(mode="after")
    def _range_or_values(self) -> Varied:
        has_range = self.low is not None or self.high is not None
        if has_range == (self.values is not None):
            raise ValueError("give either low and high (a range) or values (a list), not both or neither")
        if has_range:
            if self.low is None or self.high is None:
                raise ValueError("a range needs both low and high")
            if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
                raise ValueError("low must be finite and below high")
        else:
            if not self.values:
                raise ValueError("values must list at least one value")
            if self.levels is not None:
                raise ValueError("levels applies to a range; a list of values is used as it is")
        return self

    @property
    def is_range(self) -> bool:
        return self.values is None

    @property
    def ends(self) -> tuple[float, float]:
        """``(low, high)`` of a range (the validator saw to it that a range has both)."""
        assert self.low is not None and self.high is not None, "a list of values has no ends"
        return self.low, self.high

    @property
    def choices(self) -> tuple[Any, ...]:
        """The values of a list (the validator saw to it that a list has them)."""
        assert self.values is not None, "a range has no list of values"
        return self.values


class Sampler(_Frozen):
    """A design method: how many points it gives and how it draws them, for some varied parameters.

    ``generate`` returns ``X``, shape (points, parameters), in the bounds of ``problem``
    (:func:`salib_problem`); ``seed`` is the design's own seed.
    """

    method: str

    def size(self, parameters: Mapping[str, Varied]) -> int:  # pragma: no cover - interface
        raise NotImplementedError

    def generate(self, parameters: Mapping[str, Varied], problem: dict, seed: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


class GridDesign(Sampler):
    """Every combination: a range contributes ``levels`` evenly spaced values, a list its values."""

    method: Literal["grid"]
    levels: int = Field(5, ge=2, le=10_000, strict=True, description="values per range, unless a parameter sets its own")

    def size(self, parameters: Mapping[str, Varied]) -> int:
        return math.prod(len(_grid_values(v, self.levels)) for v in parameters.values())

    def generate(self, parameters: Mapping[str, Varied], problem: dict, seed: int) -> np.ndarray:
        axes = [_grid_codes(v, self.levels) for v in parameters.values()]
        return np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, len(axes))


class LatinHypercubeDesign(Sampler):
    """``samples`` points, each range cut into ``samples`` strata hit once (scipy.stats.qmc)."""

    method: Literal["lhs"]
    samples: int = Field(ge=1, le=10_000_000, strict=True)

    def size(self, parameters: Mapping[str, Varied]) -> int:
        return self.samples

    def generate(self, parameters: Mapping[str, Varied], problem: dict, seed: int) -> np.ndarray:
        unit = qmc.LatinHypercube(d=problem["num_vars"], rng=np.random.default_rng(seed)).random(self.samples)
        lower, upper = np.array(problem["bounds"]).T
        return qmc.scale(unit, lower, upper)


class SobolDesign(Sampler):
    """Saltelli's extension of a Sobol' sequence (SALib): ``samples * (D + 2)`` points, or
    ``samples * (2D + 2)`` with second-order indices."""

    method: Literal["sobol"]
    samples: int = Field(ge=2, le=10_000_000, strict=True, description="base samples N, a power of two")
    second_order: bool = Field(False, strict=True)

    @model_validator(mode="after")
    def _power_of_two(self) -> SobolDesign:
        if self.samples & (self.samples - 1):
            raise ValueError(f"samples must be a power of two for a Sobol' sequence (e.g. "
                             f"{1 << (self.samples.bit_length() - 1)} or {1 << self.samples.bit_length()})")
        return self

    def size(self, parameters: Mapping[str, Varied]) -> int:
        d = len(parameters)
        return self.samples * ((2 * d + 2) if self.second_order else (d + 2))

    def generate(self, parameters: Mapping[str, Varied], problem: dict, seed: int) -> np.ndarray:
        return sobol_sample.sample(problem, self.samples, calc_second_order=self.second_order, seed=seed)


class MorrisDesign(Sampler):
    """``trajectories`` one-at-a-time paths of D + 1 points on a ``levels`` grid (SALib)."""

    method: Literal["morris"]
    trajectories: int = Field(ge=2, le=1_000_000, strict=True)
    levels: int = Field(4, ge=2, le=100, strict=True, description="grid levels, an even number")

    @model_validator(mode="after")
    def _even(self) -> MorrisDesign:
        if self.levels % 2:
            raise ValueError("levels must be even (Morris' step is levels / (2 (levels - 1)))")
        return self

    def size(self, parameters: Mapping[str, Varied]) -> int:
        return self.trajectories * (len(parameters) + 1)

    def generate(self, parameters: Mapping[str, Varied], problem: dict, seed: int) -> np.ndarray:
        return morris_sample.sample(problem, self.trajectories, num_levels=self.levels, seed=seed)


#: The design methods a spec may name, told apart by ``method``.
DesignMethod = Annotated[GridDesign | LatinHypercubeDesign | SobolDesign | MorrisDesign,
                         Field(discriminator="method")]


class DesignInputs(Protocol):
    """What a design is drawn from (an ``ExperimentSpec`` has these)."""

    @property
    def parameters(self) -> Mapping[str, Varied]: ...

    @property
    def design(self) -> Sampler: ...

    @property
    def seed(self) -> int: ...


@dataclass(frozen=True)
class Design:
    """The points of an experiment: ``X`` for the analysers, decoded values for the runs."""

    names: tuple[str, ...]
    X: np.ndarray            # (points, parameters), in the SALib problem's bounds
    problem: dict
    parameters: Mapping[str, Varied]

    def __len__(self) -> int:
        return self.X.shape[0]

    def values(self, point: int) -> dict[str, Any]:
        """Dotted name -> value for one point (plain Python types, ready for load_scenario)."""
        return {name: _decode(self.parameters[name], self.X[point, j]) for j, name in enumerate(self.names)}

    def points_table(self) -> pa.Table:
        """One row per point: ``point`` and each parameter's value (lists shown as JSON text)."""
        data: dict[str, Any] = {"point": np.arange(len(self), dtype=np.int64)}
        for j, name in enumerate(self.names):
            column = [_decode(self.parameters[name], x) for x in self.X[:, j]]
            data[name] = [str(v) if isinstance(v, (list, tuple)) else v for v in column]
        return pa.table(data)


def salib_problem(parameters: Mapping[str, Varied]) -> dict:
    """The SALib ``problem`` dict: names and bounds in the encoded space above."""
    bounds = []
    for varied in parameters.values():
        if not varied.is_range:
            bounds.append([0.0, float(len(varied.choices))])
        elif _is_int(varied):
            low, high = varied.ends
            bounds.append([float(low), float(high) + 1.0])
        else:
            low, high = varied.ends
            bounds.append([float(low), float(high)])
    return {"num_vars": len(parameters), "names": list(parameters), "bounds": bounds}


def n_points(spec: DesignInputs) -> int:
    """How many points the design has, without drawing it."""
    return spec.design.size(spec.parameters)


def build_design(spec: DesignInputs) -> Design:
    """Draw the design of ``spec`` (deterministic in the spec)."""
    problem = salib_problem(spec.parameters)
    seed = int(np.random.SeedSequence(spec.seed, spawn_key=(DESIGN_STREAM,)).generate_state(1)[0])
    X = spec.design.generate(spec.parameters, problem, seed)
    return Design(names=tuple(spec.parameters), X=np.ascontiguousarray(X, dtype=float), problem=problem,
                  parameters=dict(spec.parameters))


# ------------------------------------------------------------------ internals
def _is_int(varied: Varied) -> bool:
    return varied.is_range and isinstance(varied.low, int) and isinstance(varied.high, int)


def _grid_values(varied: Varied, default_levels: int) -> list:
    if not varied.is_range:
        return list(varied.choices)
    levels = varied.levels or default_levels
    low, high = varied.ends
    points = np.linspace(low, high, levels)
    if _is_int(varied):
        return sorted({int(round(p)) for p in points})
    return [float(p) for p in points]


def _grid_codes(varied: Varied, default_levels: int) -> list[float]:
    """Grid values in the encoded space: the value for ranges, the index for lists."""
    values = _grid_values(varied, default_levels)
    return [float(i) for i in range(len(values))] if not varied.is_range else [float(v) for v in values]


def _decode(varied: Varied, x: float) -> Any:
    if not varied.is_range:
        index = min(int(math.floor(x)), len(varied.choices) - 1)
        value = varied.choices[index]
        return list(value) if isinstance(value, tuple) else value
    if _is_int(varied):
        return min(int(math.floor(x)), varied.ends[1])
    return float(x)
