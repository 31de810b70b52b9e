"""One run: a scenario and a seed in, its tables out.

The engine steps the state month by month under the parameters in force (the timeline
swaps them, ``scenario.schedule``); the result packages the tables (``results.RunResult``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import numba
import numpy as np

from .allocator import tune_allocator
from .engine import step
from .population import build_state
from .results import RunResult
from .scenario import Scenario, load_scenario, schedule

__all__ = ["simulate"]


def simulate(scenario: Scenario | str | dict = "baseline", seed: int = 0, *, months: int | None = None,
             progress: Callable[[int, int], None] | None = None, threads: int = 1) -> RunResult:
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
    threads : int
        Threads the compiled passes over officials may use (at most the machine's cores).
        The tables are the same for any number: draws are keyed, sums are per fixed block.
        One by default, so that runs side by side (sweeps, replications) do not compete.

    The first run in a process sets glibc's allocator thresholds (``quotasim.allocator``:
    fewer page faults for the month's large arrays, up to 256 MiB of freed heap kept);
    ``QUOTASIM_ALLOCATOR=default``, or the user's own ``MALLOC_*`` settings, leave them.
    """
    if isinstance(scenario, Scenario) and months is not None:
        scenario = scenario.model_dump()
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, {"months": months} if months is not None else None)
    if not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**63:
        raise ValueError(f"seed must be a non-negative integer below 2**63, got {seed!r}")
    most = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]   # set at import from the machine's cores
    if not isinstance(threads, (int, np.integer)) or not 1 <= threads <= most:
        raise ValueError(f"threads must be between 1 and {most}, got {threads!r}")
    numba.set_num_threads(int(threads))
    tune_allocator()       # once per process: the month's large arrays without a page fault each time
    started, clock = datetime.now(UTC), time.perf_counter()
    plan = schedule(scenario)
    state = build_state(plan[0][1], int(seed))
    in_force = 0
    for month in range(scenario.months):
        while in_force + 1 < len(plan) and plan[in_force + 1][0] <= month:
            in_force += 1
        step(state, plan[in_force][1], scenario.start)
        if progress is not None:
            progress(month + 1, scenario.months)
    return RunResult.from_state(scenario, int(seed), state, started=started, wall_seconds=time.perf_counter() - clock)
