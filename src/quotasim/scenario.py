"""Scenarios: TOML files validated into typed, immutable objects, with located errors.

A scenario file holds a name, a description, the sources it rests on, a start month, a
number of months, the population, the behaviour rule, the environment, any mechanism
parameters it changes, and a timeline of dated interventions::

    extends = "baseline"            # optional: start from a built-in scenario
    name = "my-sanctions"
    months = 60

    [ratchet]
    up_rate = 0.3

    [[timeline]]
    date = "2017-09"
    set = { "environment.sanctions_china" = 0.6 }
    note = "UN Security Council resolution 2375"

A file that ``extends`` another inherits everything it does not set; tables merge key by
key, and its timeline entries are added to the parent's. ``--set dotted.name=value``
overrides apply last. Dotted parameter paths are read and written by one helper
(:func:`parameter_field`, :func:`get_parameter`, :func:`set_parameter`), which the command
line, timelines, sweeps, the dashboard and calibration share. Every failure becomes a
:class:`ScenarioError` that names the file, the field path, the offending value and what is
allowed.
"""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic.fields import FieldInfo

from .calendar import months_between, parse_month
from .errors import ScenarioError, describe_validation_error
from .params import (  # issue 14
    Affiliation,
    Arrest,
    Behaviour,
    BorderClosure,
    ClosureDegree,
    Decentralisation,
    Defection,
    Environment,
    Frictions,
    GivingUp,
    GoalRecall,
    Group,
    IndirectCollaboration,
    Levies,
    Mechanism,
    MutualWatch,
    NegotiationTeams,
    OtherSources,
    OverseasEarnings,
    OwnPocket,
    Partners,
    PartyFunds,
    Patronage,
    Pipeline,
    Population,
    Posts,
    Pressure,
    Quota,
    Ratchet,
    Review,
    RumourRecall,
    SanctionCuts,
    Surveillance,
    TradeChannels,
    UnconditionalDemands,
    WorkerCaps,
    WorkersAbroad,
    YearEndCampaign,
    param,
)
from .tomlfile import read_toml

__all__ = ["Scenario", "MECHANISM_GROUPS", "Intervention", "load_scenario", "builtin_names", "builtin_description",
           "parse_override", "to_toml", "parameter_field", "get_parameter", "set_parameter", "MAX_MONTHS"]

MAX_MONTHS = 1_200
#: Keys a timeline may not change: they fix the run's shape, not its conditions.
STRUCTURAL = ("name", "description", "sources", "start", "months", "population", "timeline", "extends")


class Intervention(Group):
    """One dated change of parameters: from ``date`` on, ``set`` is in force."""

    date: str = param("2016-01", unit="YYYY-MM", doc="first month the change is in force")
    set: dict[str, bool | int | float | str | list[float]] = Field(
        default_factory=dict, description="dotted parameter name -> new value")
    note: str = param("", unit="text", doc="why: the event and its source")

    @field_validator("date")
    @classmethod
    def _month(cls, value: str) -> str:
        parse_month(value)
        return value


class _ScenarioBase(Group):
    name: str = param("unnamed", unit="text", doc="short name")
    description: str = param("", unit="text", doc="what the scenario represents, citing its sources")
    sources: list[str] = Field(default_factory=list, description="reports and records the scenario rests on")
    start: str = param("2016-01", unit="YYYY-MM", doc="first simulated month")
    months: int = param(120, unit="months", ge=1, le=MAX_MONTHS, doc="number of monthly steps")
    population: Population = Population()
    behaviour: Behaviour = Behaviour()
    environment: Environment = Environment()
    timeline: tuple[Intervention, ...] = ()

    @field_validator("start")
    @classmethod
    def _start_month(cls, value: str) -> str:
        parse_month(value)
        return value


class Scenario(_ScenarioBase):
    """A validated, immutable scenario: read ``scenario.ratchet.up_rate`` and so on.

    Beside the run's shape (name, start, months, population, behaviour, environment,
    timeline), one field per mechanism of ``shared/MECHANISMS.md``, in its order; each is
    declared in ``quotasim.params`` with its M-id, source, units and bounds.
    """

    quota: Quota = Quota()
    review: Review = Review()
    ratchet: Ratchet = Ratchet()
    pressure: Pressure = Pressure()
    frictions: Frictions = Frictions()
    unconditional_demands: UnconditionalDemands = UnconditionalDemands()
    sanction_cuts: SanctionCuts = SanctionCuts()
    overseas_earnings: OverseasEarnings = OverseasEarnings()
    defection: Defection = Defection()
    worker_caps: WorkerCaps = WorkerCaps()
    giving_up: GivingUp = GivingUp()
    levies: Levies = Levies()
    other_sources: OtherSources = OtherSources()
    rumour_recall: RumourRecall = RumourRecall()
    goal_recall: GoalRecall = GoalRecall()
    posts: Posts = Posts()
    affiliation: Affiliation = Affiliation()
    pipeline: Pipeline = Pipeline()
    mutual_watch: MutualWatch = MutualWatch()
    border_closure: BorderClosure = BorderClosure()
    year_end_campaign: YearEndCampaign = YearEndCampaign()
    own_pocket: OwnPocket = OwnPocket()
    arrest: Arrest = Arrest()
    patronage: Patronage = Patronage()
    decentralisation: Decentralisation = Decentralisation()
    partners: Partners = Partners()
    negotiation_teams: NegotiationTeams = NegotiationTeams()
    indirect_collaboration: IndirectCollaboration = IndirectCollaboration()
    surveillance: Surveillance = Surveillance()
    party_funds: PartyFunds = PartyFunds()
    # --- issue 14: workers abroad, trade channels, the closure by degree and channel
    workers_abroad: WorkersAbroad = WorkersAbroad()
    trade_channels: TradeChannels = TradeChannels()
    closure_degree: ClosureDegree = ClosureDegree()


#: The thirty mechanisms: scenario key -> declaration, in the order of MECHANISMS.md (read
#: off the fields of :class:`Scenario`, where they are named once).
MECHANISM_GROUPS: dict[str, type[Mechanism]] = {
    name: info.annotation for name, info in Scenario.model_fields.items()
    if isinstance(info.annotation, type) and issubclass(info.annotation, Mechanism)}


# ------------------------------------------------------------------ public API
def builtin_names() -> list[str]:
    """Names of the scenarios that ship with the package."""
    folder = resources.files("quotasim") / "scenarios"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def builtin_description(name: str) -> str:
    """First line of a built-in scenario's description."""
    data = read_toml(_builtin_path(name), f"built-in scenario {name!r}")
    return str(data.get("description", "")).strip().splitlines()[0] if data.get("description") else ""


def load_scenario(source: str | Path | dict, overrides: list[str] | dict[str, Any] | None = None) -> Scenario:
    """Load a built-in name, a TOML path or a dict; apply overrides; validate.

    Parameters
    ----------
    source : str, Path or dict
        A built-in scenario name (``"baseline"``), a path to a ``.toml`` file, or the
        already-parsed contents of one.
    overrides : list of ``"dotted.name=value"`` strings, or a dict of dotted name -> value
        Applied after ``extends`` is resolved, before validation.

    Raises
    ------
    ScenarioError
        With the file, field path, value and what is allowed.
    """
    data, label = _resolve(source, chain=())
    pairs = _override_pairs(overrides, label)
    for dotted, value in pairs:
        _set_dotted(data, dotted, value, "--set", "--set")
    return _validate(data, label)


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``dotted.name=value``; the value is read as a TOML value, else kept as text."""
    if "=" not in text:
        raise ScenarioError("--set", text, text, "expected dotted.name=value, e.g. ratchet.up_rate=0.3")
    key, raw = (part.strip() for part in text.split("=", 1))
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        value = raw
    return key, value


def to_toml(scenario: Scenario) -> str:
    """The scenario as a complete TOML file that loads back to an equal scenario."""
    return tomli_w.dumps(scenario.model_dump(mode="json", exclude_none=True))


def content_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON: equal hashes, equal scenarios."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def schedule(scenario: Scenario) -> list[tuple[int, Scenario]]:
    """The parameters in force from each intervention on: [(first month index, scenario), ...].

    Entry 0 starts at month 0. Interventions dated before the start are applied at the
    start; later ones in date order (a stable sort keeps file order for equal dates).
    """
    steps: list[tuple[int, Scenario]] = [(0, scenario)]
    current = scenario.model_dump()
    order = sorted(range(len(scenario.timeline)), key=lambda i: months_between(scenario.start, scenario.timeline[i].date))
    for index in order:
        entry = scenario.timeline[index]
        for dotted, value in entry.set.items():
            _set_dotted(current, dotted, value, "timeline", str(index))
        month = max(0, months_between(scenario.start, entry.date))
        params = Scenario.model_validate(current)
        if steps[-1][0] == month:
            steps[-1] = (month, params)
        else:
            steps.append((month, params))
    return steps


def parameter_field(dotted: str, *, label: str = "--set", field: str | None = None, value: Any = None) -> FieldInfo:
    """The declaration (pydantic ``FieldInfo``: annotation, bounds, description) of the scenario
    parameter named by the dotted path ``dotted`` (``"ratchet.up_rate"``).

    Raises
    ------
    ScenarioError
        When the path names no parameter (an unknown name, a value used as a table, or a table
        rather than one of its parameters), located at ``label`` and ``field`` (default: the
        path), quoting ``value``.
    """
    parts = dotted.split(".")
    field = dotted if field is None else field
    model: type[BaseModel] = Scenario
    for depth, part in enumerate(parts):
        fields = model.model_fields
        if part not in fields:
            path = ".".join(parts[:depth]) or "(top level)"
            raise ScenarioError(label, field, value,
                                f"unknown parameter {part!r} in {path}; allowed: {', '.join(sorted(fields))}")
        annotation = fields[part].annotation
        is_table = isinstance(annotation, type) and issubclass(annotation, BaseModel)
        if depth < len(parts) - 1:
            if not is_table:
                raise ScenarioError(label, field, value, f"{part!r} is a value, not a table")
            model = annotation
        elif is_table:
            raise ScenarioError(label, field, value, f"{part!r} is a table; name one of its parameters")
    return fields[parts[-1]]


def get_parameter(scenario: Scenario | dict, dotted: str) -> Any:
    """The value at the dotted path ``dotted`` of a scenario, or of its data (nested dicts)."""
    node: Any = scenario
    for part in dotted.split("."):
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    return node


def set_parameter(data: dict, dotted: str, value: Any, *, label: str = "--set", field: str | None = None) -> None:
    """Set the dotted path ``dotted`` of a scenario's data (nested dicts, as a TOML file reads) to
    ``value``, after checking that it names a parameter (:func:`parameter_field`; errors located
    at ``label`` and ``field``). Missing tables are created; the value is validated when the
    data is loaded as a scenario."""
    field = dotted if field is None else field
    parameter_field(dotted, label=label, field=field, value=value)
    parts = dotted.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ScenarioError(label, field, value, f"{part!r} is a value, not a table")
    node[parts[-1]] = value


# ------------------------------------------------------------------ internals
def _builtin_path(name: str) -> Path:
    path = Path(str(resources.files("quotasim") / "scenarios" / f"{name}.toml"))
    if not path.is_file():
        raise ScenarioError(name, "scenario", name, f"not a built-in scenario or a file; built-in: {', '.join(builtin_names())}")
    return path


def _resolve(source: str | Path | dict, chain: tuple[str, ...]) -> tuple[dict, str]:
    """Load ``source`` and everything it ``extends``, merged, child over parent."""
    if isinstance(source, dict):
        data, label = copy.deepcopy(source), "<dict>"
    else:
        path = Path(source)
        if path.suffix == ".toml" or path.exists():
            label = str(path)
        else:
            path, label = _builtin_path(str(source)), f"built-in scenario {source!r}"
        data = read_toml(path, label)
    if label in chain:
        raise ScenarioError(label, "extends", data.get("extends"), f"circular extends: {' -> '.join(chain + (label,))}")
    parent_name = data.pop("extends", None)
    if parent_name is None:
        return data, label
    if not isinstance(parent_name, str):
        raise ScenarioError(label, "extends", parent_name, "the name of a built-in scenario or a path to a .toml file")
    base_dir = Path(label).parent if Path(label).exists() else Path.cwd()
    candidate = base_dir / parent_name
    allowed = f"allowed: a .toml file (relative to this one) or one of {', '.join(builtin_names())}"
    if candidate.is_file():
        target: str | Path = candidate
    elif candidate.exists():
        raise ScenarioError(label, "extends", parent_name, f"{candidate} is not a regular file; {allowed}")
    elif parent_name in builtin_names():
        target = parent_name
    else:
        raise ScenarioError(label, "extends", parent_name,
                            f"cannot read the file {candidate} (no such file) and no built-in scenario has that name; "
                            f"{allowed}")
    try:
        parent, _ = _resolve(target, chain + (label,))
    except ScenarioError as exc:
        # The problem is in the file extended: say so in this file's terms first, then list it.
        raise ScenarioError(label, "extends", parent_name, "the scenario it names cannot be loaded:",
                            more=exc.problems) from None
    return _merge(parent, data), label


def _merge(parent: dict, child: dict) -> dict:
    merged = copy.deepcopy(parent)
    for key, value in child.items():
        if key == "timeline":
            # A malformed timeline is passed through untouched for _validate to report.
            merged["timeline"] = list(merged.get("timeline", [])) + value if isinstance(value, list) else value
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _override_pairs(overrides, label: str) -> list[tuple[str, Any]]:
    if not overrides:
        return []
    if isinstance(overrides, dict):
        return list(overrides.items())
    return [parse_override(text) for text in overrides]


def _set_dotted(data: dict, dotted: str, value: Any, label: str, where: str) -> None:
    """Set ``a.b.c`` in a nested dict, checking that the path names a real parameter.

    ``where`` is ``"--set"`` for a command-line override, else the timeline entry's index,
    which prefixes the field path in errors (``timeline[2].set.environment.x``).
    """
    field = dotted if where == "--set" else f"timeline[{where}].set.{dotted}"
    head = dotted.split(".")[0]
    if where != "--set" and head in STRUCTURAL:
        raise ScenarioError(label, field, value,
                            f"a timeline cannot change {head!r}; it may change environment, behaviour and mechanism parameters")
    set_parameter(data, dotted, value, label=label, field=field)


def _validate(data: dict, label: str) -> Scenario:
    timeline = data.get("timeline", [])
    if not (isinstance(timeline, (list, tuple)) and all(isinstance(entry, dict) for entry in timeline)):
        raise ScenarioError(label, "timeline", timeline,
                            "a list of [[timeline]] tables, each with date = \"YYYY-MM\" and set = { ... }")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise describe_validation_error(exc, label) from None
    for index, entry in enumerate(scenario.timeline):
        if months_between(scenario.start, entry.date) < 0:
            raise ScenarioError(label, f"timeline[{index}].date", entry.date,
                                f"a date on or after the start {scenario.start}")
        changed = scenario.model_dump()
        for dotted, value in entry.set.items():
            _set_dotted(changed, dotted, value, label, str(index))
        try:
            Scenario.model_validate(changed)
        except ValidationError as exc:
            raise describe_validation_error(exc, label, prefix=f"timeline[{index}].set.") from None
    _check_shares(scenario, label)
    return scenario


def _check_shares(scenario: Scenario, label: str) -> None:
    """Shares that must add up to one, and workers' route shares that must fit."""
    pop = scenario.population
    for field in ("tier_shares", "affiliation_shares", "trade_post_shares"):
        total = sum(getattr(pop, field))
        if abs(total - 1) > 1e-6 or min(getattr(pop, field)) < 0:
            raise ScenarioError(label, f"population.{field}", list(getattr(pop, field)),
                                "non-negative shares that add up to 1")
    if pop.worker_share_china + pop.worker_share_russia > 1 + 1e-9:
        raise ScenarioError(label, "population.worker_share_russia", pop.worker_share_russia,
                            "worker_share_china + worker_share_russia at most 1 (the rest are in third countries)")
    if pop.n_trade_officials + pop.n_overseas_workers < 1:
        raise ScenarioError(label, "population.n_trade_officials", pop.n_trade_officials, "at least one official or worker in all")
    partners = scenario.partners
    if partners.russia_share + partners.third_share > 1 + 1e-9:
        raise ScenarioError(label, "partners.third_share", partners.third_share, "russia_share + third_share at most 1")
