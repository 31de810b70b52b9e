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
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .. import columns
from ..errors import ScenarioError, describe_validation_error
from ..scenario import Scenario, content_hash, load_scenario, parameter_field
from ..tomlfile import check_depth, read_toml
from .design import DesignMethod, Varied, n_points

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


class Outputs(_Frozen):
    """What each run keeps: monthly columns (all by default) and optionally the reviews table."""

    monthly: tuple[str, ...] | Literal["all"] = "all"
    reviews: bool = Field(False, strict=True)

    @model_validator(mode="after")
    def _known_columns(self) -> Outputs:
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
    design: DesignMethod
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


def _check_varied(base: Scenario, name: str, varied: Varied, label: str) -> Varied:
    """The name must be a parameter; a range needs a number; every value must be valid."""
    field = f"parameters.{name}"
    if name in ("name", "description", "sources", "start", "timeline"):
        raise ScenarioError(label, field, name, "a model parameter (`quotasim explain` lists them); "
                                                "this field describes the scenario, it is not a parameter")
    probe = varied.low if varied.is_range else varied.choices[0]
    try:
        load_scenario(base.model_dump(mode="json"), {name: probe})
    except ScenarioError as exc:
        reason = exc.problems[0][3]
        if exc.problems[0][0] == "--set" and ("unknown parameter" in reason or "table" in reason):
            raise ScenarioError(label, field, name, reason) from None
    annotation = parameter_field(name).annotation
    if varied.is_range:
        if annotation not in (int, float):
            raise ScenarioError(label, field, {"low": varied.low, "high": varied.high},
                                f"a range needs a numeric parameter; {name} is {_type_name(annotation)}: "
                                "give values = [...] instead")
        low, high = varied.ends
        if annotation is int and not (float(low).is_integer() and float(high).is_integer()):
            raise ScenarioError(label, f"{field}.low", low, f"whole numbers: {name} is an integer parameter")
        ends: dict[str, float] = {"low": low, "high": high}
        if annotation is int:
            ends = {k: int(v) for k, v in ends.items()}
        for end, value in ends.items():
            _check_value(base, name, value, label, f"{field}.{end}")
        return varied.model_copy(update=ends)
    values = tuple(float(v) if annotation is float and isinstance(v, int) and not isinstance(v, bool) else v
                   for v in varied.choices)
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
