"""Run a sweep: every point and replication of a spec, on an executor, streamed into the store.

The parent process derives every run's seed from the spec (``worker.run_seed``), keeps at
most a few runs per worker in flight, and writes each result to disk the moment it
arrives, so its memory does not grow with the number of runs. Re-running the same spec
into the same folder skips finished runs; failed runs are skipped too unless
``retry_failed`` is given.

A worker process that dies (killed, out of memory) takes the local pool down with every
run in flight, and nothing says which run was to blame. The pool is restarted and those
runs are run again one at a time, each alone in the pool: the innocent finish, and a run
that takes its worker down while alone is to blame. A run lost ``MAX_LOSSES`` times is
recorded as failed ("worker lost"), so a run that kills its worker every time cannot stall
the sweep, and runs that merely shared the pool with it are not failed for it. Nothing of a
lost run was written: a part is written by the parent, atomically, only from a finished run.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from ..execution import make_executor
from ..results import OutputError, check_free_space
from .catalogue import summarize
from .design import Design, build_design
from .lock import LOCK, FolderLock
from .progress import SweepProgress
from .spec import ExperimentSpec, load_spec
from .store import MANIFEST, ExperimentStore
from .worker import RunOutcome, RunTask, execute_run, run_id, run_seed

__all__ = ["run_sweep", "SweepReport", "iter_tasks", "MAX_LOSSES"]

#: Runs in flight per worker: enough to keep workers busy while the parent writes.
IN_FLIGHT_PER_WORKER = 4
#: Times a run may be lost with a dying worker before it is recorded as failed.
MAX_LOSSES = 3


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
    restarts: int = 0           # local pools restarted after a worker died
    errors: list[tuple[str, str]] = field(default_factory=list)   # first few (run_id, error)
    manifest: dict = field(default_factory=dict)

    @property
    def ran(self) -> int:
        return self.ok + self.failed

    @property
    def runs_per_second(self) -> float:
        return self.ran / self.wall_seconds if self.wall_seconds > 0 else 0.0


def iter_tasks(spec: ExperimentSpec, design: Design, skip: AbstractSet[str] = frozenset()) -> Iterator[RunTask]:
    """Every run of the design, point by point, lazily (the parent never lists them all)."""
    for point in range(len(design)):
        values = None
        for replication in range(spec.replications):
            rid = run_id(point, replication)
            if rid in skip:
                continue
            values = values if values is not None else design.values(point)
            seed = run_seed(spec.seed, point, replication, spec.replications, spec.common_random_numbers)
            yield RunTask(rid, point, replication, seed, values)


def run_sweep(spec: ExperimentSpec | str | Path, out: str | Path, *, workers: int | None = None,
              backend: str = "local", address: str | None = None, retry_failed: bool = False,
              progress: SweepProgress | None = None, run_fn: Callable[..., RunOutcome] = execute_run) -> SweepReport:
    """Run (or resume) the sweep of ``spec`` into the folder ``out``.

    Parameters
    ----------
    spec : ExperimentSpec or path to a spec file
    out : folder of the results store (created, or reopened to resume)
    workers : processes (local) or local-cluster workers (dask without address); default: all cores
    backend : ``"local"``, ``"dask"`` or ``"serial"`` (in this process; ``quotasim.execution``)
    address : a Dask scheduler's address, e.g. ``tcp://10.0.0.5:8786``
    retry_failed : run again the runs that raised in an earlier session
    progress : a :class:`SweepProgress` (or None for no bar)
    run_fn : the function that executes one run (``worker.execute_run``)
    """
    spec_text = None
    if not isinstance(spec, ExperimentSpec):
        path, spec = spec, load_spec(spec)   # first: it refuses what is not a regular file of data
        spec_text = Path(path).read_text(encoding="utf-8", errors="replace")
    design = build_design(spec)
    with _writer_lock(Path(out), len(design) * spec.replications * _part_bytes(spec)):
        return _sweep(spec, design, out, spec_text, workers, backend, address, retry_failed, progress, run_fn)


def _writer_lock(out: Path, new_bytes: int) -> FolderLock:
    """The folder's writer lock, taken before anything in it is touched. A new experiment is
    first checked for disk space for all its runs, so a refusal leaves nothing behind."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder; choose another --out")
    if not (out / MANIFEST).exists():
        if out.exists() and any(path.name != LOCK for path in out.iterdir()):
            raise OutputError(f"{out}: is not empty and holds no experiment; choose another --out")
        check_free_space(out, new_bytes)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot write there: {exc.strerror or exc}") from None
    return FolderLock(out, "sweep")


def _sweep(spec: ExperimentSpec, design: Design, out, spec_text, workers, backend, address, retry_failed,
           progress, run_fn) -> SweepReport:
    store = ExperimentStore.open(out, spec, design, spec_text)
    state = store.state()
    skip = set(state.done) | (set() if retry_failed else set(state.failed))
    total = len(design) * spec.replications
    report = SweepReport(Path(out), total, done_before=len(state.done),
                         failed_skipped=0 if retry_failed else len(state.failed))
    todo = total - len(skip)
    check_free_space(Path(out), todo * _part_bytes(spec))
    tasks = iter_tasks(spec, design, skip)
    base = spec.base.model_dump(mode="json")
    monthly_columns, keep_reviews = spec.outputs.monthly_columns(), spec.outputs.reviews
    clock = time.perf_counter()
    if progress is not None:
        note = f" ({report.done_before} done earlier)" if report.done_before else ""
        progress.start(todo, f"{spec.name}{note}")
    try:
        if todo:
            with make_executor(backend, workers, address) as engine:
                report.workers = engine.workers
                flight = _InFlight(engine, run_fn, (base, monthly_columns, keep_reviews),
                                   limit=engine.workers * IN_FLIGHT_PER_WORKER, report=report)
                flight.refill(tasks)
                while flight.busy:
                    for outcome in flight.collect():
                        store.record(outcome, attempt=state.attempts.get(outcome.run_id, 0) + 1)
                        _count(report, outcome, progress)
                    flight.refill(tasks)
    except BaseException:
        _close(report, store, clock, progress, backend, failing=True)
        raise
    _close(report, store, clock, progress, backend, failing=False)
    if report.manifest.get("finished"):
        store.add_files(summarize(store.root))
    return report


def _close(report: SweepReport, store: ExperimentStore, clock: float, progress: SweepProgress | None,
           backend: str, failing: bool) -> None:
    """Stop the clock and the bar; bring runs.parquet and the manifest up to date. When the
    sweep is already failing (a full disk, say), a second failure here is not the one to report."""
    report.wall_seconds = time.perf_counter() - clock
    if progress is not None:
        progress.stop()
    try:
        report.manifest = store.finalize({"last_session": {"ok": report.ok, "failed": report.failed,
                                                           "wall_seconds": round(report.wall_seconds, 3),
                                                           "workers": report.workers, "backend": backend}})
    except OutputError:
        if not failing:
            raise


def _part_bytes(spec: ExperimentSpec) -> int:
    """A generous estimate of one run's parts on disk: 8 bytes a kept value, uncompressed."""
    months = spec.base.months
    monthly = months * (len(spec.outputs.monthly_columns()) + 4) * 8
    reviews = spec.base.population.n_companies * (months // 6 + 1) * 24 * 8 if spec.outputs.reviews else 0
    return monthly + reviews + 4_096


class _InFlight:
    """The runs submitted and not yet back; runs lost with a dying local worker are run again,
    one at a time, before any new run (see the module's docstring).

    A dying worker breaks the local pool either while the parent waits (the lost runs come
    back as ``BrokenProcessPool``) or just after a wait returned with another run's result,
    in which case the next ``submit`` raises it. Both are handled alike by ``_pool_lost``;
    the run being submitted then never ran, so it is held back without counting a loss."""

    def __init__(self, engine, run_fn: Callable[..., RunOutcome], args: tuple, limit: int,
                 report: SweepReport) -> None:
        self.engine, self.run_fn, self.args, self.limit, self.report = engine, run_fn, args, limit, report
        self.pending: set = set()
        self.tasks: dict = {}          # future -> task
        self.losses: dict[str, int] = {}
        self.suspects: deque[RunTask] = deque()   # lost with a dying worker: run again alone
        self.held: deque[RunTask] = deque()       # never ran: the pool was broken when submitted
        self.ready: list[RunOutcome] = []         # failed without a future: lost MAX_LOSSES times

    @property
    def busy(self) -> bool:
        return bool(self.pending or self.suspects or self.held or self.ready)

    def submit(self, task: RunTask, back_to: deque[RunTask]) -> bool:
        """Submit ``task``; when the pool turns out to be broken, put it back at the front of
        ``back_to``, restart the pool and return False."""
        try:
            future = self.engine.submit(self.run_fn, task, *self.args)
        except BrokenProcessPool:
            back_to.appendleft(task)
            self._pool_lost([])
            return False
        self.pending.add(future)
        self.tasks[future] = task
        return True

    def refill(self, tasks: Iterator[RunTask]) -> None:
        if self.suspects:
            if not self.pending:
                self.submit(self.suspects.popleft(), back_to=self.suspects)
            return
        while len(self.pending) < self.limit:
            task = self.held.popleft() if self.held else next(tasks, None)
            if task is None or not self.submit(task, back_to=self.held):
                return

    def collect(self) -> list[RunOutcome]:
        """Wait for at least one run when any is in flight; return the outcomes to record."""
        outcomes, self.ready = self.ready, []
        if self.pending:
            done, self.pending = self.engine.wait_any(self.pending)
            lost = []
            for future in done:
                task = self.tasks.pop(future)
                outcome = _outcome(self.engine, future, task)
                if outcome is None:
                    lost.append(task)
                else:
                    outcomes.append(outcome)
            if lost:
                self._pool_lost(lost)
                outcomes, self.ready = outcomes + self.ready, []
        return outcomes

    def _pool_lost(self, lost: list[RunTask]) -> None:
        """The pool is gone and every run still in flight with it: restart it, and queue
        those runs to be run again alone, or fail the ones lost ``MAX_LOSSES`` times."""
        lost = lost + [self.tasks.pop(future) for future in self.pending]
        self.pending = set()
        self.engine.restart()
        self.report.restarts += 1
        for task in lost:
            self.losses[task.run_id] = self.losses.get(task.run_id, 0) + 1
            if self.losses[task.run_id] < MAX_LOSSES:
                self.suspects.append(task)
            else:
                self.ready.append(RunOutcome(task.run_id, task.point, task.replication, task.seed, 0.0,
                                             error=f"worker lost: its process died {MAX_LOSSES} times while "
                                                   "running it"))


def _outcome(engine, future, task: RunTask) -> RunOutcome | None:
    """The run's outcome, or None when a local worker died and broke the pool (the run is to
    be submitted again). A Dask worker lost while running it — Dask has already retried it
    on other workers — is recorded as that run's failure."""
    try:
        return engine.result(future)
    except BrokenProcessPool:
        return None
    except Exception as exc:  # noqa: BLE001 - e.g. dask's KilledWorker: the run took its worker down
        return RunOutcome(task.run_id, task.point, task.replication, task.seed, 0.0,
                          error=f"worker lost: {type(exc).__name__}: {exc}")


def _count(report: SweepReport, outcome: RunOutcome, progress: SweepProgress | None) -> None:
    if progress is not None:
        progress.advance(outcome.ok)
    if outcome.ok:
        report.ok += 1
    else:
        report.failed += 1
        if len(report.errors) < 5:
            report.errors.append((outcome.run_id, outcome.error or ""))
