"""Experiment specs: a TOML file validated into an immutable object, with located errors.

A spec names a base scenario, the parameters to vary (by the dotted names ``quotasim
explain`` prints), a design, replications per point, months and the outputs to keep::

    name = "lhs-baseline"
    scenario = "baseline"              # built-in name or a .toml path (relative to this file)
    months = 120
    seed = 2024                        # root of every design draw and run seed
    replications = 1
    max_runs = 5000                    # refuse designs larger than this

    [set]                              # fixed changes to the base scenario
    "population.n_trade_officials" = 1000

    [design]
    method = "lhs"                     # grid | lhs | sobol | morris
    samples = 1000

    [parameters]
    "ratchet.up_rate" = { low = 0.1, high = 0.9 }
    "behaviour.rule" = { values = ["fixed", "adaptive"] }

    [outputs]
    monthly = ["remitted_usd", "state_receipts_usd"]   # default: every monthly column
    reviews = false

Each problem becomes a :class:`quotasim.ScenarioError` naming the spec file, the field path
(``parameters.ratchet.up_rate.low``), the value and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .. import columns
from ..errors import ScenarioError, describe_validation_error
from ..scenario import Scenario, content_hash, load_scenario
from ..tomlfile import check_depth, read_toml

__all__ = ["ExperimentSpec", "Varied", "load_spec", "DEFAULT_MAX_RUNS"]

DEFAULT_MAX_RUNS = 100_000
#: No spec may raise max_runs beyond this: ten million runs is months of this machine's time,
#: and the journal and catalogue of a sweep grow with its runs.
MAX_RUNS_CAP = 10_000_000
#: The design is built in memory (points x parameters, float64): at most 800 MB of it.
MAX_DESIGN_VALUES = 100_000_000
#: Columns every monthly part carries whatever the spec keeps: they identify the row.
ALWAYS_KEPT = ("month", "date")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Varied(_Frozen):
    """One varied parameter: a range [low, high] or a list of values."""

    low: float | None = Field(None, strict=True, description="lower end of the range")
    high: float | None = Field(None, strict=True, description="upper end of the range")
    values: tuple[Any, ...] | None = Field(None, description="the values to try, in order")
    levels: int | None = Field(None, ge=2, le=10_000, strict=True, description="grid design: evenly spaced values over the range")

    @model_validator(mode="after")
    def _range_or_values(self) -> "Varied":
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


class GridDesign(_Frozen):
    """Every combination: a range contributes ``levels`` evenly spaced values, a list its values."""

    method: Literal["grid"]
    levels: int = Field(5, ge=2, le=10_000, strict=True, description="values per range, unless a parameter sets its own")


class LatinHypercubeDesign(_Frozen):
    """``samples`` points, each range cut into ``samples`` strata hit once (scipy.stats.qmc)."""

    method: Literal["lhs"]
    samples: int = Field(ge=1, le=10_000_000, strict=True)


class SobolDesign(_Frozen):
    """Saltelli's extension of a Sobol' sequence (SALib): ``samples * (D + 2)`` points, or
    ``samples * (2D + 2)`` with second-order indices."""

    method: Literal["sobol"]
    samples: int = Field(ge=2, le=10_000_000, strict=True, description="base samples N, a power of two")
    second_order: bool = Field(False, strict=True)

    @model_validator(mode="after")
    def _power_of_two(self) -> "SobolDesign":
        if self.samples & (self.samples - 1):
            raise ValueError(f"samples must be a power of two for a Sobol' sequence (e.g. "
                             f"{1 << (self.samples.bit_length() - 1)} or {1 << self.samples.bit_length()})")
        return self


class MorrisDesign(_Frozen):
    """``trajectories`` one-at-a-time paths of D + 1 points on a ``levels`` grid (SALib)."""

    method: Literal["morris"]
    trajectories: int = Field(ge=2, le=1_000_000, strict=True)
    levels: int = Field(4, ge=2, le=100, strict=True, description="grid levels, an even number")

    @model_validator(mode="after")
    def _even(self) -> "MorrisDesign":
        if self.levels % 2:
            raise ValueError("levels must be even (Morris' step is levels / (2 (levels - 1)))")
        return self


Design = Annotated[Union[GridDesign, LatinHypercubeDesign, SobolDesign, MorrisDesign], Field(discriminator="method")]


class Outputs(_Frozen):
    """What each run keeps: monthly columns (all by default) and optionally the reviews table."""

    monthly: tuple[str, ...] | Literal["all"] = "all"
    reviews: bool = Field(False, strict=True)

    @model_validator(mode="after")
    def _known_columns(self) -> "Outputs":
        if self.monthly != "all":
            unknown = [name for name in self.monthly if name not in columns.MONTHLY]
            if unknown:
                raise ValueError(f"unknown monthly column(s) {', '.join(unknown)}; allowed: "
                                 f"{', '.join(columns.MONTHLY)} (docs/outputs.md)")
        return self

    def monthly_columns(self) -> tuple[str, ...]:
        names = tuple(columns.MONTHLY) if self.monthly == "all" else self.monthly
        return ALWAYS_KEPT + tuple(name for name in names if name not in ALWAYS_KEPT)


class ExperimentSpec(_Frozen):
    """A validated, immutable experiment. Build it with :func:`load_spec`."""

    name: str = Field(min_length=1, strict=True)
    description: str = Field("", strict=True)
    scenario: str = Field("baseline", description="base scenario: built-in name or path to a .toml file")
    set: dict[str, Any] = Field(default_factory=dict, description="fixed dotted-name overrides of the base scenario")
    months: int | None = Field(None, ge=1, le=1_200, strict=True)
    seed: int = Field(0, ge=0, strict=True, description="root seed of the design draw and of every run seed")
    replications: int = Field(1, ge=1, le=100_000, strict=True)
    common_random_numbers: bool = Field(
        False, strict=True, description="replication r uses the same seed at every point (common random numbers)")
    max_runs: int = Field(DEFAULT_MAX_RUNS, ge=1, le=MAX_RUNS_CAP, strict=True,
                          description="refuse designs with more runs than this (a guard against typos)")
    design: Design
    parameters: dict[str, Varied] = Field(min_length=1)
    outputs: Outputs = Outputs()
    #: The spec file (or "<dict>"), for messages; and the resolved base scenario.
    source: str = "<dict>"
    base: Scenario = Field(default=None, exclude=True)  # type: ignore[assignment]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.parameters)

    def fingerprint(self) -> str:
        """SHA-256 of what decides the results: the spec's content and the base scenario's."""
        # The base scenario's hash stands for scenario, set and months: a stored spec that
        # points at the resolved base scenario has the same fingerprint as the original.
        content = self.model_dump(mode="json", exclude={"source", "name", "description", "max_runs", "scenario",
                                                         "set", "months"})
        text = json.dumps({"spec": content, "base": content_hash(self.base)}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def load_spec(source: str | Path | dict, *, base_dir: str | Path | None = None,
              label: str | None = None) -> ExperimentSpec:
    """Read, validate and resolve an experiment spec (a TOML path or its parsed contents).

    ``base_dir`` is where a relative ``scenario`` path is looked up (default: beside the
    spec file, or the working folder for a dict); ``label`` names a dict in messages.

    Raises
    ------
    ScenarioError
        Naming the spec file, the field path, the value and what is allowed.
    """
    data, read_label, read_dir = _read(source)
    label = label or read_label
    check_depth(data, label)
    base_dir = Path(base_dir) if base_dir is not None else read_dir
    data["parameters"] = _flatten_parameters(data.get("parameters"), label)
    data["set"] = _flatten_set(data.get("set", {}), label)
    try:
        spec = ExperimentSpec.model_validate({**data, "source": label})
    except ValidationError as exc:
        raise describe_validation_error(exc, label) from None
    base = _base_scenario(spec, base_dir, label)
    parameters = {name: _check_varied(base, name, varied, label) for name, varied in spec.parameters.items()}
    spec = spec.model_copy(update={"base": base, "parameters": parameters})
    _check_size(spec, label)
    return spec


# ------------------------------------------------------------------ internals
def _read(source: str | Path | dict) -> tuple[dict, str, Path]:
    if isinstance(source, dict):
        return dict(source), "<dict>", Path.cwd()
    path = Path(source)
    return read_toml(path, str(path), "experiment spec"), str(path), path.parent


_VARIED_KEYS = {"low", "high", "values", "levels"}


def _flatten(block: dict, is_leaf) -> dict[str, Any]:
    """Nested tables to dotted names: TOML's dotted keys (ratchet.up_rate = ...) and quoted
    keys ("ratchet.up_rate" = ...) name the same parameter."""
    flat: dict[str, Any] = {}

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict) and not is_leaf(node):
            for key, value in node.items():
                walk(f"{prefix}.{key}" if prefix else key, value)
        else:
            flat[prefix] = node
    walk("", block)
    return flat


def _flatten_parameters(block: Any, label: str) -> Any:
    if not isinstance(block, dict):
        return block  # pydantic reports the wrong type or the missing table
    return _flatten(block, lambda node: not node or bool(_VARIED_KEYS & node.keys()))


def _flatten_set(block: Any, label: str) -> dict:
    if not isinstance(block, dict):
        raise ScenarioError(label, "set", block, 'a table of dotted parameter names and values, e.g. "ratchet.up_rate" = 0.3')
    return _flatten(block, lambda node: False)


def _base_scenario(spec: ExperimentSpec, base_dir: Path, label: str) -> Scenario:
    """The scenario every point starts from: ``scenario`` + ``set`` + ``months``."""
    candidate = base_dir / spec.scenario
    source = str(candidate) if (candidate.suffix == ".toml" or candidate.exists()) else spec.scenario
    overrides = dict(spec.set)
    if spec.months is not None:
        overrides["months"] = spec.months
    try:
        return load_scenario(source, overrides)
    except ScenarioError as exc:
        raise _relocate(exc, label, overrides) from None


def _relocate(exc: ScenarioError, label: str, overrides: dict[str, Any]) -> ScenarioError:
    """Re-point a scenario error at the spec field that caused it: a ``set`` entry, ``months``,
    or else the base scenario itself."""
    problems = []
    for file, field, value, allowed in exc.problems:
        key = field.split("[")[0]
        if key == "months" and "months" in overrides:
            problems.append((label, "months", value, allowed))
        elif file == "--set" or key in overrides:
            problems.append((label, f"set.{field}", value, allowed))
        else:
            problems.append((label, "scenario", value, f"{allowed} (in {file}, field {field})"))
    first, *rest = problems
    return ScenarioError(*first, more=rest)


def _field_annotation(dotted: str) -> Any:
    model: type[BaseModel] = Scenario
    annotation: Any = None
    for part in dotted.split("."):
        annotation = model.model_fields[part].annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
    return annotation


def _check_varied(base: Scenario, name: str, varied: Varied, label: str) -> Varied:
    """The name must be a parameter; a range needs a number; every value must be valid."""
    field = f"parameters.{name}"
    if name in ("name", "description", "sources", "start", "timeline"):
        raise ScenarioError(label, field, name, "a model parameter (`quotasim explain` lists them); "
                                                "this field describes the scenario, it is not a parameter")
    probe = varied.low if varied.is_range else varied.values[0]
    try:
        load_scenario(base.model_dump(mode="json"), {name: probe})
    except ScenarioError as exc:
        reason = exc.problems[0][3]
        if exc.problems[0][0] == "--set" and ("unknown parameter" in reason or "table" in reason):
            raise ScenarioError(label, field, name, reason) from None
    annotation = _field_annotation(name)
    if varied.is_range:
        if annotation not in (int, float):
            raise ScenarioError(label, field, {"low": varied.low, "high": varied.high},
                                f"a range needs a numeric parameter; {name} is {_type_name(annotation)}: "
                                "give values = [...] instead")
        if annotation is int and not (float(varied.low).is_integer() and float(varied.high).is_integer()):
            raise ScenarioError(label, f"{field}.low", varied.low, f"whole numbers: {name} is an integer parameter")
        ends = {"low": varied.low, "high": varied.high}
        if annotation is int:
            ends = {k: int(v) for k, v in ends.items()}
        for end, value in ends.items():
            _check_value(base, name, value, label, f"{field}.{end}")
        return varied.model_copy(update=ends)
    values = tuple(float(v) if annotation is float and isinstance(v, int) and not isinstance(v, bool) else v
                   for v in varied.values)
    if len(set(map(_key, values))) != len(values):
        raise ScenarioError(label, f"{field}.values", list(values), "each value once")
    for index, value in enumerate(values):
        _check_value(base, name, value, label, f"{field}.values[{index}]")
    return varied.model_copy(update={"values": values})


def _check_value(base: Scenario, name: str, value: Any, label: str, field: str) -> None:
    try:
        load_scenario(base.model_dump(mode="json"), {name: value})
    except ScenarioError as exc:
        raise ScenarioError(label, field, value, exc.problems[0][3]) from None


def _type_name(annotation: Any) -> str:
    if annotation is bool:
        return "a switch (true/false)"
    if get_origin(annotation) is Literal:
        return "a choice of " + ", ".join(map(repr, get_args(annotation)))
    if get_origin(annotation) is tuple:
        return "a list of numbers"
    return getattr(annotation, "__name__", str(annotation))


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _check_size(spec: ExperimentSpec, label: str) -> None:
    from .design import n_points
    points = n_points(spec)
    if points * len(spec.parameters) > MAX_DESIGN_VALUES:
        raise ScenarioError(label, "design", spec.design.method,
                            f"the design has {points:,} points x {len(spec.parameters)} parameters; at most "
                            f"{MAX_DESIGN_VALUES:,} values are held in memory: reduce samples, levels or parameters")
    runs = points * spec.replications
    if runs > spec.max_runs:
        raise ScenarioError(label, "max_runs", spec.max_runs,
                            f"the design asks for {points:,} points x {spec.replications} replications = {runs:,} runs; "
                            f"raise max_runs to at least {runs:,} or reduce samples, levels or replications")
