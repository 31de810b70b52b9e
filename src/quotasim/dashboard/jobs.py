"""Runs started from the dashboard, off the web server's threads, with bounded capacity.

At most ``workers`` runs execute at once (threads: the compiled kernels and NumPy release
the interpreter lock, and a thread shares the server's memory instead of copying a
scenario and results between processes); at most ``max_waiting`` more wait their turn.
Beyond that a submission is refused with :class:`Busy`, whose message says so, rather
than queued without bound. Finished results are kept for ``keep_seconds`` after they were
last looked at, then dropped, so memory returns when sessions end. A run's working memory
is freed when it ends; the C allocator keeps freed pages of its worker threads' arenas
unless asked, so it is asked (``malloc_trim``, on glibc) when a run ends or results are
dropped, and the server's resident size comes back down.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from ..results import RunResult
from ..seeds import replication_seeds
from ..simulation import simulate

__all__ = ["JobQueue", "Job", "Busy"]


class Busy(RuntimeError):
    """The server is at capacity; the message says how busy and what to do."""


@dataclass
class Job:
    id: str
    name: str
    months: int
    replications: int = 1           # runs from seeds seed .. seed + replications - 1
    scale: float = 1.0              # the population scale the page asked for (1: the scenario's own)
    status: str = "queued"          # queued, running, done, failed
    done_months: int = 0
    error: str | None = None
    scenario: Any = None
    monthly: pa.Table | None = None   # the first replication's (the run's seed), as downloaded
    reviews: pa.Table | None = None
    runs: list[pa.Table] = field(default_factory=list)            # every replication's monthly table
    attainment: list[float] = field(default_factory=list)         # every replication's reviews' attainment
    seconds: float = 0.0
    last_seen: float = field(default_factory=time.monotonic)

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def total_months(self) -> int:
        """Months to simulate over all replications (what the progress bar counts)."""
        return self.months * self.replications


class JobQueue:
    def __init__(self, workers: int | None = None, max_waiting: int | None = None, keep_seconds: float = 900.0) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.max_waiting = self.workers * 2 if max_waiting is None else max_waiting
        self.keep_seconds = keep_seconds
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="quotasim-run")
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}

    def submit(self, scenario, seed: int, replications: int = 1, scale: float = 1.0) -> Job:
        """Queue ``replications`` runs of ``scenario`` (validated) from ``seed`` (replication k:
        ``seeds.replication_seed(seed, k)``), one after the other in one worker; :class:`Busy` when full."""
        with self._lock:
            self._expire()
            active = sum(not job.finished for job in self._jobs.values())
            if active >= self.workers + self.max_waiting:
                raise Busy(f"server busy: {active} runs running or queued (capacity {self.workers} at once, "
                           f"{self.max_waiting} waiting); try again in a minute")
            job = Job(uuid.uuid4().hex, scenario.name, scenario.months, replications, scale, scenario=scenario)
            self._jobs[job.id] = job
        self._pool.submit(self._run, job, seed)
        return job

    def get(self, job_id: str | None) -> Job | None:
        """The job, if still kept; looking at it keeps it for another ``keep_seconds``."""
        with self._lock:
            self._expire()
            job = self._jobs.get(job_id or "")
            if job is not None:
                job.last_seen = time.monotonic()
            return job

    def counts(self) -> dict[str, int]:
        with self._lock:
            self._expire()
            jobs = list(self._jobs.values())
        return {status: sum(job.status == status for job in jobs) for status in ("queued", "running", "done", "failed")}

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, job: Job, seed: int) -> None:
        job.status = "running"
        clock = time.perf_counter()
        result: RunResult | None
        try:
            for k, run_seed in enumerate(replication_seeds(seed, job.replications)):
                result = simulate(job.scenario, run_seed, progress=_progress(job, k * job.months))
                job.runs.append(result.monthly)                         # the officials table is not kept
                if result.reviews is not None and result.reviews.num_rows:
                    job.attainment.extend(result.reviews.column("attainment").to_pylist())
                if k == 0:
                    job.monthly, job.reviews = result.monthly, result.reviews
                result = None
            job.status = "done"
        except Exception as exc:  # noqa: BLE001 - shown to the user, never lost
            job.error, job.status = f"{type(exc).__name__}: {exc}", "failed"
        finally:
            job.seconds = time.perf_counter() - clock
            result = None          # the officials table goes before the trim
            _release_memory()

    def _expire(self) -> None:
        """Drop finished jobs nobody has looked at for ``keep_seconds`` (caller holds the lock)."""
        now = time.monotonic()
        expired = [j.id for j in self._jobs.values() if j.finished and now - j.last_seen > self.keep_seconds]
        for job_id in expired:
            del self._jobs[job_id]
        if expired:
            _release_memory()


def _progress(job: Job, before: int):
    """The progress callback of one replication: months done so far over all replications."""
    def report(done: int, total: int) -> None:
        job.done_months = before + done
    return report


def _trimmer():
    """glibc's ``malloc_trim``, or None where the C library has none."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _trimmer()


def _release_memory() -> None:
    """Hand freed heap pages back to the system (glibc keeps them in its arenas otherwise)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
