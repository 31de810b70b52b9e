"""The targets file: statistics to match and parameters to fit, validated with located errors."""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..calendar import month_label, months_between, parse_month
from ..columns import MONTHLY
from ..errors import ScenarioError, describe_validation_error
from ..scenario import Scenario, load_scenario, set_parameter
from ..tomlfile import read_toml

__all__ = ["Target", "Free", "TargetsSpec", "load_targets", "builtin_targets"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Target(_Strict):
    """A statistic of the monthly table over a period, and the figure the record gives."""

    name: str
    statistic: str = Field(description="a column of monthly.parquet (docs/outputs.md), or columns joined by '+'")
    period: str = Field(description="YYYY, or YYYY-MM..YYYY-MM (inclusive)")
    aggregate: Literal["sum", "mean"] = "sum"
    value: float = Field(gt=0, allow_inf_nan=False, description="the record's figure, finite and positive")
    tolerance: float = Field(gt=0, le=10, allow_inf_nan=False, description="relative error accepted, e.g. 0.15")
    source: str = ""
    extensive: bool = Field(True, description="the statistic grows with the population (money, people): a run at a "
                                              "reduced scale is scaled back")

    @model_validator(mode="after")
    def _known(self) -> Target:
        for column in self.columns:
            if column not in MONTHLY or column in ("month", "date"):
                raise ValueError(f"statistic {column!r} is not a numeric column of monthly.parquet "
                                 "(see docs/outputs.md)")
        self.months()
        return self

    @property
    def columns(self) -> tuple[str, ...]:
        """The monthly columns whose sum is the statistic."""
        return tuple(part.strip() for part in self.statistic.split("+"))

    def months(self) -> tuple[str, str]:
        """First and last month of the period, YYYY-MM."""
        if ".." in self.period:
            first, last = (part.strip() for part in self.period.split("..", 1))
        elif len(self.period) == 4 and self.period.isdigit():
            first, last = f"{self.period}-01", f"{self.period}-12"
        else:
            raise ValueError(f"period {self.period!r}: expected YYYY or YYYY-MM..YYYY-MM")
        if parse_month(first) > parse_month(last):
            raise ValueError(f"period {self.period!r} ends before it starts")
        return first, last


class Free(_Strict):
    """A parameter to fit: a dotted name, optionally the timeline entry (by date) it sits in."""

    parameter: str
    at: str | None = Field(None, description="date of the timeline entry whose value is fitted")
    low: float = Field(allow_inf_nan=False)
    high: float = Field(allow_inf_nan=False)
    log: bool = False

    @model_validator(mode="after")
    def _range(self) -> Free:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if not math.isfinite(self.high - self.low):
            raise ValueError(f"the range {self.low:g} to {self.high:g} is too wide to search: its width is not a "
                             "finite number")
        if self.log and self.low <= 0:
            raise ValueError("a log-scale range needs low > 0")
        return self

    @property
    def label(self) -> str:
        return f"{self.parameter}@{self.at}" if self.at else self.parameter


class TargetsSpec(_Strict):
    description: str = ""
    scenario: str | None = None
    target: tuple[Target, ...] = Field(min_length=1)
    free: tuple[Free, ...] = Field(min_length=1)


def builtin_targets() -> list[str]:
    folder = resources.files("quotasim") / "targets"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_targets(source: str | Path, scenario: Scenario | None = None) -> TargetsSpec:
    """Load and validate a targets file (a path or a built-in name); check free parameters against ``scenario``."""
    path = Path(source)
    if not path.exists() and str(source) in builtin_targets():
        path = Path(str(resources.files("quotasim") / "targets" / f"{source}.toml"))
    label = str(source)
    if not path.exists():
        raise ScenarioError(label, "(file)", str(path), f"no such file; built-in targets: {', '.join(builtin_targets())}")
    data = read_toml(path, label, "targets file")
    try:
        spec = TargetsSpec.model_validate(_lists_as_tuples(data))
    except ValidationError as exc:
        raise describe_validation_error(exc, label) from None
    if scenario is not None:
        for index, free in enumerate(spec.free):
            for end in ("low", "high"):   # both ends: the search may try anything between them
                try:
                    apply_free(scenario, {free: getattr(free, end)}, label=label, index=index)
                except ScenarioError as exc:
                    _, field, value, allowed = exc.problems[0]
                    raise ScenarioError(label, f"free[{index}].{end} ({free.label})", value,
                                        f"{field}: {allowed}") from None
        _check_periods(spec, scenario, label)
    return spec


def _check_periods(spec: TargetsSpec, scenario: Scenario, label: str) -> None:
    """Every target's period within the months the scenario runs."""
    last = month_label(scenario.start, scenario.months - 1)
    for index, target in enumerate(spec.target):
        first_month, last_month = target.months()
        if months_between(scenario.start, first_month) < 0 or months_between(last, last_month) > 0:
            raise ScenarioError(label, f"target[{index}].period", target.period,
                                f"a period within the run of {scenario.name!r}, {scenario.start} to {last}")


def apply_free(scenario: Scenario, values: dict[Free, float], label: str = "targets", index: int | None = None) -> Scenario:
    """``scenario`` with the free parameters set to ``values`` (timeline entries addressed by date)."""
    data = scenario.model_dump(mode="json")
    for position, (free, value) in enumerate(values.items()):
        where = f"free[{index if index is not None else position}]"
        if free.at is None:
            set_parameter(data, free.parameter, value)
            continue
        entries = [e for e in data["timeline"] if e["date"] == free.at and free.parameter in e["set"]]
        if not entries:
            raise ScenarioError(label, f"{where}.at", free.at,
                                f"a date of a timeline entry of {scenario.name!r} that sets {free.parameter}")
        for entry in entries:
            entry["set"][free.parameter] = value
    return load_scenario(data)


def _lists_as_tuples(data: dict) -> dict:
    return {key: tuple(value) if isinstance(value, list) else value for key, value in data.items()}
