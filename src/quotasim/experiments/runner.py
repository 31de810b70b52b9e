"""Run a sweep: every point and replication of a spec, on a backend, streamed into the store.

The parent process derives every run's seed from the spec (``worker.run_seed``), keeps at
most a few runs per worker in flight, and writes each result to disk the moment it
arrives, so its memory does not grow with the number of runs. Re-running the same spec
into the same folder skips finished runs; failed runs are skipped too unless
``retry_failed`` is given.
"""

from __future__ import annotations

import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .backends import make_backend
from .design import Design, build_design
from .progress import SweepProgress
from .spec import ExperimentSpec, load_spec
from .store import ExperimentStore
from .summary import summarize
from .worker import RunOutcome, RunTask, execute_run, run_id, run_seed

__all__ = ["run_sweep", "SweepReport", "SweepAborted", "iter_tasks"]

#: Runs in flight per worker: enough to keep workers busy while the parent writes.
IN_FLIGHT_PER_WORKER = 4


class SweepAborted(RuntimeError):
    """The backend broke (a worker process died); finished runs are kept, resume to go on."""


@dataclass
class SweepReport:
    out: Path
    runs: int                   # in the whole design
    done_before: int            # finished in earlier sessions, skipped
    failed_skipped: int         # failed earlier, not retried
    ok: int = 0                 # finished in this session
    failed: int = 0             # failed in this session
    wall_seconds: float = 0.0
    workers: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)   # first few (run_id, error)
    manifest: dict = field(default_factory=dict)

    @property
    def ran(self) -> int:
        return self.ok + self.failed

    @property
    def runs_per_second(self) -> float:
        return self.ran / self.wall_seconds if self.wall_seconds > 0 else 0.0


def iter_tasks(spec: ExperimentSpec, design: Design, skip: set[str] = frozenset()) -> Iterator[RunTask]:
    """Every run of the design, point by point, lazily (the parent never lists them all)."""
    for point in range(len(design)):
        values = None
        for replication in range(spec.replications):
            rid = run_id(point, replication)
            if rid in skip:
                continue
            values = values if values is not None else design.values(spec, point)
            yield RunTask(rid, point, replication, run_seed(spec.seed, point, replication, spec.common_random_numbers),
                          values)


def run_sweep(spec: ExperimentSpec | str | Path, out: str | Path, *, workers: int | None = None,
              backend: str = "local", address: str | None = None, retry_failed: bool = False,
              progress: SweepProgress | None = None, run_fn: Callable[..., RunOutcome] = execute_run) -> SweepReport:
    """Run (or resume) the sweep of ``spec`` into the folder ``out``.

    Parameters
    ----------
    spec : ExperimentSpec or path to a spec file
    out : folder of the results store (created, or reopened to resume)
    workers : processes (local) or local-cluster workers (dask without address); default: all cores
    backend : ``"local"`` or ``"dask"``
    address : a Dask scheduler's address, e.g. ``tcp://10.0.0.5:8786``
    retry_failed : run again the runs that raised in an earlier session
    progress : a :class:`SweepProgress` (or None for no bar)
    run_fn : the function that executes one run (``worker.execute_run``)
    """
    spec_text = None
    if not isinstance(spec, ExperimentSpec):
        spec_text = Path(spec).read_text(encoding="utf-8") if Path(spec).is_file() else None
        spec = load_spec(spec)
    design = build_design(spec)
    store = ExperimentStore.open(out, spec, design, spec_text)
    state = store.state()
    skip = set(state.done) | (set() if retry_failed else set(state.failed))
    total = len(design) * spec.replications
    report = SweepReport(Path(out), total, done_before=len(state.done),
                         failed_skipped=0 if retry_failed else len(state.failed))
    todo = total - len(skip)
    tasks = iter_tasks(spec, design, skip)
    base = spec.base.model_dump(mode="json")
    monthly_columns, keep_reviews = spec.outputs.monthly_columns(), spec.outputs.reviews
    clock = time.perf_counter()
    if progress is not None:
        note = f" ({report.done_before} done earlier)" if report.done_before else ""
        progress.start(todo, f"{spec.name}{note}")
    try:
        if todo:
            with make_backend(backend, workers, address) as engine:
                report.workers = engine.workers
                limit = engine.workers * IN_FLIGHT_PER_WORKER
                pending: set = set()
                submitted: dict = {}

                def refill() -> None:
                    while len(pending) < limit:
                        task = next(tasks, None)
                        if task is None:
                            return
                        future = engine.submit(run_fn, task, base, monthly_columns, keep_reviews)
                        pending.add(future)
                        submitted[future] = task

                refill()
                while pending:
                    done, pending = engine.wait_any(pending)
                    for future in done:
                        outcome = _outcome(engine, future, submitted.pop(future))
                        store.record(outcome, attempt=state.attempts.get(outcome.run_id, 0) + 1)
                        _count(report, outcome)
                        if progress is not None:
                            progress.advance(outcome.ok)
                    del done
                    refill()
    finally:
        report.wall_seconds = time.perf_counter() - clock
        if progress is not None:
            progress.stop()
        report.manifest = store.finalize({"last_session": {"ok": report.ok, "failed": report.failed,
                                                           "wall_seconds": round(report.wall_seconds, 3),
                                                           "workers": report.workers, "backend": backend}})
    if report.manifest.get("finished"):
        store.add_files(summarize(store.root))
    return report


def _outcome(engine, future, task: RunTask) -> RunOutcome:
    """The run's outcome; a worker lost while running it is recorded as that run's failure,
    except a broken local pool, which stops the sweep (every run in flight is lost)."""
    try:
        return engine.result(future)
    except BrokenProcessPool as exc:
        raise SweepAborted(f"a worker process died ({exc}); finished runs are kept: run the same command again "
                           "to resume") from None
    except Exception as exc:  # noqa: BLE001 - e.g. dask's KilledWorker: the run took its worker down
        return RunOutcome(task.run_id, task.point, task.replication, task.seed, 0.0,
                          error=f"worker lost: {type(exc).__name__}: {exc}")


def _count(report: SweepReport, outcome: RunOutcome) -> None:
    if outcome.ok:
        report.ok += 1
    else:
        report.failed += 1
        if len(report.errors) < 5:
            report.errors.append((outcome.run_id, outcome.error or ""))
