"""The monthly step: the schedule of phases, and the run's random streams.

``quotasim.simulation.simulate`` runs the step month after month and packages the tables.

One month is one step; a step runs the phases of :data:`SCHEDULE` in order, the review
block only in June and December. Read the schedule as the model's table of contents: each
phase declares the mechanisms it carries, and ``docs/model.md``'s schedule table is
generated from these declarations (:func:`schedule_markdown`). Every phase is
``phase(state, p, key) -> None`` and updates ``state`` in place; ``p`` is the scenario in
force that month (the timeline swaps it).

Randomness: every draw of the dynamics is keyed by (run seed, month, purpose, agent)
(``quotasim.keyed_random``; ``key`` carries the seed and the month), so no phase depends on
the order in which officials are processed or on what another phase drew, and compiled
passes can run on several threads with the same result. The population's structure is
drawn once from its own generator (``population.population_rng``), so two scenarios with
the same population block and seed start from the very same officials (common random
numbers for comparisons). The result depends on the seed and the scenario only, never on
which process or how many threads ran it.
"""

from __future__ import annotations

from collections.abc import Callable

from .calendar import calendar_month, half_label, is_review_month
from .keyed_random import Key
from .phases import mechanisms_of
from .phases.behaviour import adapt_effort
from .phases.closure import reset_quotas_on_closure
from .phases.conditions import assess_conditions, set_personal_targets
from .phases.deals import advance_pipeline, run_joint_ventures, start_deals
from .phases.discipline import discipline_at_review, recall_by_rumour, surveil
from .phases.dispatch import fill_vacancies
from .phases.earnings import earn_wages_and_domestic
from .phases.exits import cap_workers, defect_and_give_up
from .phases.income import split_income
from .phases.record import record_month
from .phases.review import review_companies, revise_quotas
from .phases.workers import move_workers
from .rules import reviews_held
from .scenario import Scenario
from .state import State

__all__ = ["PHASES", "SCHEDULE", "step", "schedule_markdown"]

Phase = Callable[[State, Scenario, Key], None]

#: Every month, in this order.
MONTHLY_PHASES: tuple[Phase, ...] = (
    assess_conditions,
    reset_quotas_on_closure,
    set_personal_targets,
    start_deals,
    advance_pipeline,
    run_joint_ventures,
    earn_wages_and_domestic,
    defect_and_give_up,
    split_income,
    surveil,
    recall_by_rumour,
    cap_workers,
    move_workers,      # issue 14: workers' permits and repatriation (M8)
)
#: At the close of a half-year (June, December) while quotas are set (M1, M2).
REVIEW_PHASES: tuple[Phase, ...] = (
    review_companies,
    discipline_at_review,
    adapt_effort,
    revise_quotas,
)
#: Every month, after any review.
CLOSING_PHASES: tuple[Phase, ...] = (
    fill_vacancies,
    record_month,
)
SCHEDULE: tuple[tuple[str, tuple[Phase, ...]], ...] = (
    ("every month", MONTHLY_PHASES),
    ("at a half-year review (June, December)", REVIEW_PHASES),
    ("every month, closing", CLOSING_PHASES),
)
PHASES: tuple[Phase, ...] = MONTHLY_PHASES + REVIEW_PHASES + CLOSING_PHASES


def step(state: State, p: Scenario, start: str) -> None:
    """Advance ``state`` by one month under parameters ``p``."""
    state.calendar_month = calendar_month(start, state.month_index)
    state.is_review = is_review_month(start, state.month_index)
    state.period = half_label(start, state.month_index)
    key = Key.of(state.seed, state.month_index)
    for phase in MONTHLY_PHASES:
        phase(state, p, key)
    if state.is_review and reviews_held(p):
        for phase in REVIEW_PHASES:
            phase(state, p, key)
    for phase in CLOSING_PHASES:
        phase(state, p, key)
    state.month_index += 1


def schedule_markdown() -> str:
    """The schedule as a Markdown table: block, phase, what it does, mechanisms."""
    lines = ["| # | when | phase | what it does | mechanisms |", "|---|---|---|---|---|"]
    number = 0
    for when, phases in SCHEDULE:
        for phase in phases:
            number += 1
            summary = (phase.__doc__ or "").strip().splitlines()[0].rstrip(".")
            mids = ", ".join(mechanisms_of(phase)) or "—"
            lines.append(f"| {number} | {when} | `{phase.__name__}` | {summary} | {mids} |")
    return "\n".join(lines) + "\n"
