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

Loading is linear in the input and bounded: at most ``MAX_TIMELINE`` timeline entries,
``MAX_EXTENDS_DEPTH`` files in an ``extends`` chain (a chain that comes back to a file
already in it is refused, however the path is spelled), tables nested at most
``tomlfile.MAX_DEPTH`` deep, and no month after ``LAST_MONTH``. With ``files=False`` (what
the dashboard loads) a scenario is data only: it may extend a built-in scenario and
nothing on disk.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import tomllib
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic.fields import FieldInfo

from .calendar import month_label, months_between, parse_month
from .errors import ScenarioError, ScenarioWarning, did_you_mean, validation_problems
from .params import (
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
from .tomlfile import check_depth, read_toml

__all__ = ["Scenario", "MECHANISM_GROUPS", "Intervention", "load_scenario", "builtin_names", "builtin_description",
           "builtin_calendar", "parse_override", "to_toml", "COUNTERFACTUALS", "scenario_schema", "parameter_field",
           "get_parameter", "set_parameter", "MAX_MONTHS"]

MAX_MONTHS = 1_200
#: Most timeline entries in a scenario: ten per month of the longest run.
MAX_TIMELINE = 10 * MAX_MONTHS
#: Most files in an ``extends`` chain (the built-in scenarios use 2).
MAX_EXTENDS_DEPTH = 16
#: The calendar ends here: month labels have four-digit years.
LAST_MONTH = "9999-12"
#: Each report scenario and its built-in counterfactual: the same calendar, population and
#: seeds without the scenario's event, so that on the same seeds their difference is the
#: event's effect (``quotasim compare decentralisation-2025``).
COUNTERFACTUALS = {"decentralisation-2025": "no-directive-2025", "border-closure-2020": "no-closure-2020",
                   "quota-pressure-2025": "no-pressure-2025", "sanctions-2017": "no-sanctions-2017",
                   "recall-2016": "no-recall-2016"}
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


def builtin_description(name: str, full: bool = False) -> str:
    """A built-in scenario's description: its first line, or (``full``) all of it as one paragraph."""
    data, _ = _resolve(name, chain=())
    text = str(data.get("description", "")).strip()
    if not text:
        return ""
    return " ".join(text.split()) if full else text.splitlines()[0]


def builtin_calendar(name: str) -> tuple[str, int]:
    """The start month and number of months of a built-in scenario (with what it extends)."""
    data, _ = _resolve(name, chain=())
    fields = _ScenarioBase.model_fields
    return str(data.get("start", fields["start"].default)), int(data.get("months", fields["months"].default))


def load_scenario(source: str | Path | dict, overrides: list[str] | dict[str, Any] | None = None, *,
                  files: bool = True, label: str | None = None) -> Scenario:
    """Load a built-in name, a TOML path or a dict; apply overrides; validate.

    Parameters
    ----------
    source : str, Path or dict
        A built-in scenario name (``"baseline"``), a path to a ``.toml`` file, or the
        already-parsed contents of one.
    overrides : list of ``"dotted.name=value"`` strings, or a dict of dotted name -> value
        Applied after ``extends`` is resolved, before validation. A problem with a value
        given as a string (``--set``) is blamed on ``--set``, not on the scenario's file.
    files : bool
        False: ``source`` is data (a dict or a built-in name) and may ``extends`` built-in
        scenarios only; no file on disk is read (the dashboard's uploads and page state).
    label : str
        How a dict source is named in errors (default ``<dict>``).

    Raises
    ------
    ScenarioError
        With the file, field path, value and what is allowed.
    """
    if not files and not isinstance(source, dict) and source not in builtin_names():
        raise ScenarioError(label or "scenario", "scenario", source,
                            f"one of the built-in scenarios: {', '.join(builtin_names())}")
    data, label = _resolve(source, chain=(), files=files, label=label)
    pairs = _override_pairs(overrides, label)
    for dotted, value in pairs:
        _set_dotted(data, dotted, value, "--set", "--set")
    try:
        return _validate(data, label)
    except ScenarioError as exc:
        if overrides and not isinstance(overrides, dict):
            raise _blame_overrides(exc, [dotted for dotted, _ in pairs]) from None
        raise


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
    current = scenario.model_dump(exclude={"timeline"})   # each step validates the parameters, not the timeline
    order = sorted(range(len(scenario.timeline)), key=lambda i: months_between(scenario.start, scenario.timeline[i].date))
    for index in order:
        entry = scenario.timeline[index]
        for dotted, value in entry.set.items():
            _set_dotted(current, dotted, value, "timeline", str(index))
        month = max(0, months_between(scenario.start, entry.date))
        params = Scenario.model_validate(current).model_copy(update={"timeline": scenario.timeline})
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
            raise ScenarioError(label, field, value, f"unknown parameter {part!r} in {path}{did_you_mean(part, fields)}; "
                                                     f"allowed: {', '.join(sorted(fields))}")
        annotation = fields[part].annotation
        table = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
        if depth < len(parts) - 1:
            if table is None:
                raise ScenarioError(label, field, value, f"{part!r} is a value, not a table")
            model = table
        elif table is not None:
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
        raise ScenarioError(name, "scenario", name, f"not a built-in scenario or a file{did_you_mean(name, builtin_names())}; "
                                                    f"built-in: {', '.join(builtin_names())}")
    return path


def _blame_overrides(exc: ScenarioError, keys: list[str]) -> ScenarioError:
    """Problems with a field a ``--set`` gave are the ``--set``'s, not the scenario file's."""
    def blamed(problem: tuple) -> tuple:
        file, field, value, allowed = problem
        ours = any(field == key or field.startswith(key + ".") or field.startswith(key + "[") for key in keys)
        return ("--set", field, value, allowed) if ours else problem
    first, *rest = [blamed(problem) for problem in exc.problems]
    file, field, value, allowed = first
    return ScenarioError(file, field, value, allowed, more=rest)


def _resolve(source: str | Path | dict, chain: tuple[str, ...], files: bool = True,
             label: str | None = None) -> tuple[dict, str]:
    """Load ``source`` and everything it ``extends``, merged, child over parent.

    ``chain`` holds the files (resolved paths, or built-in labels) already on the way here."""
    if isinstance(source, dict):
        label = label or "<dict>"
        check_depth(source, label)
        data, key = copy.deepcopy(source), f"<dict>:{label}"
    else:
        path = Path(source)
        if files and (path.suffix == ".toml" or path.exists()):
            label, key = str(path), os.path.realpath(path)
        else:
            path, label = _builtin_path(str(source)), f"built-in scenario {source!r}"
            key = label
        data = read_toml(path, label)
    if key in chain:
        raise ScenarioError(label, "extends", data.get("extends"), f"circular extends: {label} extends itself "
                            f"through {len(chain)} file(s); a scenario may not extend a file already in its chain")
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(label, "extends", data.get("extends"),
                            f"at most {MAX_EXTENDS_DEPTH} files in an extends chain; this one is longer")
    parent_name = data.pop("extends", None)
    if parent_name is None:
        return data, label
    if not isinstance(parent_name, str):
        raise ScenarioError(label, "extends", parent_name, "the name of a built-in scenario or a path to a .toml file")
    if not files:
        if parent_name not in builtin_names():
            raise ScenarioError(label, "extends", parent_name,
                                f"here, one of the built-in scenarios: {', '.join(builtin_names())} "
                                "(a scenario given to the dashboard may not extend files on the server)")
        return _merge(_resolve(parent_name, chain + (key,), files=False)[0], data), label
    base_dir = Path(label).parent if Path(label).exists() else Path.cwd()
    candidate = base_dir / parent_name
    allowed = f"allowed: a .toml file (relative to this one) or one of {', '.join(builtin_names())}"
    if "\0" in parent_name or len(parent_name) > 4096:
        raise ScenarioError(label, "extends", parent_name, f"not a usable file name; {allowed}")
    try:
        is_file, exists = candidate.is_file(), candidate.exists()
    except OSError as exc:
        raise ScenarioError(label, "extends", parent_name, f"cannot read the file: {exc.strerror or exc}; {allowed}") from None
    if is_file:
        target: str | Path = candidate
    elif exists:
        raise ScenarioError(label, "extends", parent_name, f"{candidate} is not a regular file; {allowed}")
    elif parent_name in builtin_names():
        target = parent_name
    else:
        raise ScenarioError(label, "extends", parent_name,
                            f"cannot read the file {candidate} (no such file) and no built-in scenario has that name"
                            f"{did_you_mean(parent_name, builtin_names())}; {allowed}")
    try:
        parent, _ = _resolve(target, chain + (key,))
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
    """Validate ``data`` and report every problem of the file at once (one ScenarioError listing
    them all); warn (:class:`ScenarioWarning`) of timeline entries dated after the run ends."""
    problems: list[tuple[str, str, Any, str]] = []
    timeline = data.get("timeline", [])
    if not (isinstance(timeline, (list, tuple)) and all(isinstance(entry, dict) for entry in timeline)):
        problems.append((label, "timeline", f"{type(timeline).__name__} of {len(timeline)}"
                         if isinstance(timeline, (list, tuple)) else timeline,
                         "a list of [[timeline]] tables, each with date = \"YYYY-MM\" and set = { ... }"))
        data = {key: value for key, value in data.items() if key != "timeline"}
    elif len(timeline) > MAX_TIMELINE:   # a cap: refused before any work on the entries
        raise ScenarioError(label, "timeline", f"{len(timeline):,} entries",
                            f"at most {MAX_TIMELINE:,} timeline entries (ten a month of the longest run)")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems += validation_problems(exc, label, model=Scenario)
        problems += _timeline_path_problems(data.get("timeline", []), label,
                                            data.get("start", _ScenarioBase.model_fields["start"].default))
        raise ScenarioError(*problems[0], more=problems[1:]) from None
    problems += _calendar_problems(scenario, label)
    problems += _timeline_problems(scenario, label)
    problems += _share_problems(scenario, label)
    if problems:
        raise ScenarioError(*problems[0], more=problems[1:])
    _warn_after_end(scenario, label)
    return scenario


def _timeline_problems(scenario: Scenario, label: str) -> list[tuple[str, str, Any, str]]:
    """Each timeline entry: dated on or after the start, naming parameters, with values allowed.

    An entry validates only the groups it changes, against the scenario dumped once, so the
    work grows with the timeline's length, never with its square.
    """
    problems: list[tuple[str, str, Any, str]] = []
    groups = scenario.model_dump(exclude={"timeline"})
    for index, entry in enumerate(scenario.timeline):
        if months_between(scenario.start, entry.date) < 0:
            problems.append((label, f"timeline[{index}].date", entry.date, f"a date on or after the start {scenario.start}"))
        changed: dict[str, Any] = {}
        try:
            for dotted, value in entry.set.items():
                _set_dotted(changed, dotted, value, label, str(index))
        except ScenarioError as exc:
            problems += exc.problems
            continue
        for group, values in changed.items():
            model = Scenario.model_fields[group].annotation
            assert isinstance(model, type) and issubclass(model, BaseModel)   # _set_dotted named a table
            try:
                model.model_validate(_merge(groups[group], values))
            except ValidationError as exc:
                problems += validation_problems(exc, label, prefix=f"timeline[{index}].set.{group}.")
    return problems


def _calendar_problems(scenario: Scenario, label: str) -> list[tuple[str, str, Any, str]]:
    """Every month of the run within the calendar (four-digit years)."""
    last = months_between(scenario.start, LAST_MONTH)
    if scenario.months - 1 > last:
        return [(label, "start", scenario.start,
                 f"a month from which the run of {scenario.months} months ends by {LAST_MONTH} "
                 f"(the calendar's end): at most {month_label(LAST_MONTH, 1 - scenario.months)}")]
    return []


def _timeline_path_problems(timeline: Any, label: str, start: Any) -> list[tuple[str, str, Any, str]]:
    """The timeline's dates and parameter paths, checked even when the rest of the file does not validate."""
    problems: list[tuple[str, str, Any, str]] = []
    for index, entry in enumerate(timeline if isinstance(timeline, (list, tuple)) else []):
        try:
            if months_between(str(start), str(entry.get("date"))) < 0:
                problems.append((label, f"timeline[{index}].date", entry.get("date"), f"a date on or after the start {start}"))
        except (ValueError, AttributeError):
            pass   # a malformed date or start is reported by the validation itself
        changes = entry.get("set") if isinstance(entry, dict) else None
        for dotted, value in (changes.items() if isinstance(changes, dict) else []):
            try:
                _set_dotted({}, str(dotted), value, label, str(index))
            except ScenarioError as exc:
                problems += exc.problems
    return problems


def _warn_after_end(scenario: Scenario, label: str) -> None:
    last = month_label(scenario.start, scenario.months - 1)
    for index, entry in enumerate(scenario.timeline):
        if months_between(scenario.start, entry.date) >= scenario.months:
            warnings.warn(f"{label}: timeline[{index}].date = {entry.date!r}: after the run ends ({scenario.start} + "
                          f"{scenario.months} months, last month {last}); the change never takes effect",
                          ScenarioWarning, stacklevel=3)


def _share_problems(scenario: Scenario, label: str) -> list[tuple[str, str, Any, str]]:
    """Shares that must add up to one, and workers' route shares that must fit."""
    problems: list[tuple[str, str, Any, str]] = []
    pop = scenario.population
    for field in ("tier_shares", "affiliation_shares", "trade_post_shares"):
        total = sum(getattr(pop, field))
        if abs(total - 1) > 1e-6 or min(getattr(pop, field)) < 0:
            problems.append((label, f"population.{field}", list(getattr(pop, field)),
                             "non-negative shares that add up to 1"))
    if pop.worker_share_china + pop.worker_share_russia > 1 + 1e-9:
        problems.append((label, "population.worker_share_russia", pop.worker_share_russia,
                         "worker_share_china + worker_share_russia at most 1 (the rest are in third countries)"))
    if pop.n_trade_officials + pop.n_overseas_workers < 1:
        problems.append((label, "population.n_trade_officials", pop.n_trade_officials,
                         "at least one official or worker in all"))
    partners = scenario.partners
    if partners.russia_share + partners.third_share > 1 + 1e-9:
        problems.append((label, "partners.third_share", partners.third_share, "russia_share + third_share at most 1"))
    return problems


def scenario_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) for scenario files, generated from the declarations: every
    table and parameter with its type, bounds, default, unit and source, and ``extends``.
    ``quotasim schema`` prints it; ``quotasim/data/scenario.schema.json`` is a copy for editors
    (e.g. Taplo or Even Better TOML: ``#:schema`` at the top of a file)."""
    schema = Scenario.model_json_schema()
    schema["properties"] = {"extends": {"type": "string", "title": "Extends",
                                        "description": "a built-in scenario name or a .toml file (relative to this "
                                                       "one) to start from; tables merge key by key, timelines add up"},
                            **schema["properties"]}
    for key, cls in MECHANISM_GROUPS.items():
        definition = schema["$defs"][cls.__name__]
        definition["description"] = f"{cls.MECHANISM}: {cls.TITLE} (source: {cls.SOURCE}). {definition.get('description', '')}"
        schema["properties"][key]["description"] = definition["description"]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://quotasim/scenario.schema.json",
            "title": "quotasim scenario file", **{k: v for k, v in schema.items() if k != "title"}}
