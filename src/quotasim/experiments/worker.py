"""One run of a sweep, as a worker process executes it.

:func:`execute_run` is what the runner sends to a process pool or a Dask worker. It gets
everything it needs in its arguments — the base scenario as plain data, the point's
values, the seed the parent derived — so the result depends on the task alone, never on
which worker or how many ran it. It never raises: a run that fails comes back as an
outcome carrying the error, for the store to record.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from ..scenario import load_scenario
from ..seeds import replication_seed
from ..simulation import simulate

__all__ = ["RunTask", "RunOutcome", "execute_run", "run_seed", "RUN_ID_COLUMNS"]

#: Columns every part starts with: which run a row belongs to.
RUN_ID_COLUMNS = ("run_id", "point", "replication", "seed")


@dataclass(frozen=True)
class RunTask:
    run_id: str
    point: int
    replication: int
    seed: int
    values: dict[str, Any]


@dataclass
class RunOutcome:
    run_id: str
    point: int
    replication: int
    seed: int
    wall_seconds: float
    tables: dict[str, pa.Table] = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def run_seed(root_seed: int, point: int, replication: int, replications: int, common_random_numbers: bool) -> int:
    """A run's seed: a replication of the spec's seed (``seeds.replication_seed``).

    With common random numbers every point's replication ``r`` is replication ``r`` of the
    spec's seed, so two points differ by their parameters only, not by their luck. Without,
    replication ``r`` of point ``p`` is replication ``p * replications + r``: every run has a
    seed of its own, and point 0's replications are the scenario's own.
    """
    k = replication if common_random_numbers else point * replications + replication
    return replication_seed(root_seed, k)


def run_id(point: int, replication: int) -> str:
    return f"p{point:07d}-r{replication:04d}"


def execute_run(task: RunTask, base: dict, monthly_columns: tuple[str, ...], keep_reviews: bool) -> RunOutcome:
    """Simulate one point and replication; return its tables (or the error) and wall time."""
    clock = time.perf_counter()
    outcome = RunOutcome(task.run_id, task.point, task.replication, task.seed, 0.0)
    try:
        scenario = load_scenario(base, task.values)
        result = simulate(scenario, task.seed)
        outcome.tables["monthly"] = _tagged(task, result.monthly.select(list(monthly_columns)))
        if keep_reviews:
            outcome.tables["reviews"] = _tagged(task, result.reviews)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded, none is lost
        lines = traceback.format_exception_only(type(exc), exc)
        where = traceback.extract_tb(exc.__traceback__)[-1:]  # the innermost frame: where it broke
        location = f" (at {where[0].filename.rsplit('/', 1)[-1]}:{where[0].lineno})" if where else ""
        outcome.error = "".join(lines).strip() + location
        outcome.tables = {}
    outcome.wall_seconds = time.perf_counter() - clock
    return outcome


def _tagged(task: RunTask, table: pa.Table) -> pa.Table:
    n = table.num_rows
    ids = {"run_id": pa.array([task.run_id] * n, pa.string()), "point": pa.array(np.full(n, task.point, np.int64)),
           "replication": pa.array(np.full(n, task.replication, np.int32)),
           "seed": pa.array(np.full(n, task.seed, np.uint64))}
    columns = list(ids.values()) + table.columns
    names = list(ids) + table.column_names
    fields = [pa.field(name, col.type) for name, col in zip(names, columns)]
    fields[len(ids):] = list(table.schema)  # keep each output column's description
    return pa.Table.from_arrays(columns, schema=pa.schema(fields, metadata=table.schema.metadata))
