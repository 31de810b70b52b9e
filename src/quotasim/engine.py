"""The monthly step and the run loop.

One month is one step; a step is the fixed sequence of phases below. Read ``PHASES`` as
the model's table of contents. Every phase is ``phase(state, p, rng) -> None`` and updates
``state`` in place; ``p`` is the scenario in force that month (the timeline swaps it).

Randomness: one ``numpy.random.Generator`` per purpose, from ``SeedSequence(seed)``:
the population is drawn from its own stream, so two scenarios with the same population
block and seed start from the very same officials (common random numbers for
comparisons); the dynamics use a second stream. The result depends on the seed and the
scenario only — never on which process ran it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone

import numpy as np

from .calendar import calendar_month, half_label, is_review_month
from .phases.behaviour import adapt_effort
from .phases.conditions import assess_conditions
from .phases.deals import advance_pipeline, run_joint_ventures, start_deals
from .phases.discipline import discipline_at_review, recall_by_rumour, surveil
from .phases.dispatch import fill_vacancies
from .phases.earnings import earn_wages_and_domestic
from .phases.exits import cap_workers, defect_and_give_up
from .phases.income import split_income
from .phases.record import record_month
from .phases.review import review_companies, revise_quotas
from .population import build_state
from .results import RunResult
from .scenario import Scenario, load_scenario, schedule
from .state import State

__all__ = ["PHASES", "simulate", "step", "rng_streams"]

PHASES: tuple[Callable[[State, object, np.random.Generator], None], ...] = (
    assess_conditions,        # markets, competition (M10), closure duty (M20), pressure/fear drift, targets (M1)
    start_deals,              # traders start deals (M16, M5, M25-M27)
    advance_pipeline,         # approvals, crackdowns, rents, seizures, trust (M18, M5, M17, M20)
    run_joint_ventures,       # joint ventures pay (M25, M30)
    earn_wages_and_domestic,  # workers' pay net of living costs (M8, M10), earning at home (M20)
    defect_and_give_up,       # defection (M9), giving up: stop trying (M11)
    split_income,             # remitted, levied (M12), shared upward (M28), kept, rents, lost
    surveil,                  # misconduct caught and confiscated (M29, M19)
    recall_by_rumour,         # visible high earners recalled (M14, M19, M24, M17)
    cap_workers,              # workers above the cap recalled (M10)
    review_companies,         # June/December: own pocket (M22), ranks and criticism (M2), pressure (M4, M21)
    discipline_at_review,     # recall at goal (M15), arrest of the defiant (M23, M21), the resigned sent home (M11)
    adapt_effort,             # behaviour rule: fixed, adaptive or forward-looking
    revise_quotas,            # ratchet (M3), unconditional raise (M6), sanction cuts (M7), other sources (M13)
    fill_vacancies,           # new dispatches (M20, M10), patronage (M24)
    record_month,             # monthly indicators
)


def rng_streams(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """(population, dynamics) generators for a run, from ``SeedSequence(seed)``."""
    population, dynamics = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(population), np.random.default_rng(dynamics)


def step(state: State, p, rng: np.random.Generator, start: str) -> None:
    """Advance ``state`` by one month under parameters ``p``."""
    state.calendar_month = calendar_month(start, state.month_index)
    state.is_review = is_review_month(start, state.month_index)
    state.period = half_label(start, state.month_index)
    for phase in PHASES:
        phase(state, p, rng)
    state.month_index += 1


def simulate(scenario: Scenario | str | dict = "baseline", seed: int = 0, *, months: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Run one scenario from one seed and return its tables.

    Parameters
    ----------
    scenario : Scenario, built-in name, path or dict
    seed : int
        Replication seed (non-negative).
    months : int, optional
        Overrides ``scenario.months``.
    progress : callable(done, total), optional
        Called after every month (for progress bars).
    """
    if isinstance(scenario, Scenario) and months is not None:
        scenario = scenario.model_dump()
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, {"months": months} if months is not None else None)
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    started, clock = datetime.now(timezone.utc), time.perf_counter()
    plan = schedule(scenario)
    population_rng, rng = rng_streams(int(seed))
    state = build_state(plan[0][1], population_rng)
    in_force = 0
    for month in range(scenario.months):
        while in_force + 1 < len(plan) and plan[in_force + 1][0] <= month:
            in_force += 1
        step(state, plan[in_force][1], rng, scenario.start)
        if progress is not None:
            progress(month + 1, scenario.months)
    return RunResult.from_state(scenario, int(seed), state, started=started, wall_seconds=time.perf_counter() - clock)
