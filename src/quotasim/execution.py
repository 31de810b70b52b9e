"""Where many runs execute: one executor interface, three implementations.

Every command that runs a scenario more than once — a sweep, ``run --replications``,
``compare``, ``validate``, ``calibrate`` — hands its runs to an :class:`Executor`:

* ``serial``: in this process, one run after another, when submitted. No subprocess, so a
  debugger, a profiler and ``NUMBA_DISABLE_JIT=1`` see the runs as they are.
* ``local``: :class:`concurrent.futures.ProcessPoolExecutor` with the ``spawn`` start
  method (fresh interpreters: no state inherited from the parent, as on a cluster).
* ``dask``: ``distributed.Client(address)`` on a running scheduler — which reaches
  SLURM/PBS machines through dask-jobqueue — or, with no address, a ``LocalCluster`` of
  ``workers`` processes started and stopped here. The workers need quotasim installed;
  results come back to this process, so no shared filesystem is needed.

All three offer the same calls: ``submit``, ``wait_any``, ``result``, ``restart`` and
``close``, with which the sweep runner keeps a bounded number of runs in flight and streams
each result to disk as it arrives; and :meth:`Executor.map`, an ordered map with progress,
for the commands that want every result back. A function sent to an executor must be
importable by name (a module-level function or a :func:`functools.partial` of one), since
``local`` and ``dask`` pickle it.

Nothing here starts a process at import time, and nothing here imports the packages that use
it (experiments, validation, calibration, report).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from typing import Any

__all__ = ["Executor", "SerialExecutor", "LocalExecutor", "DaskExecutor", "make_executor", "check_backend", "BACKENDS"]

BACKENDS = ("serial", "local", "dask")


#: How often a pool worker checks that its parent is still there.
PARENT_CHECK_SECONDS = 1.0


def exit_with_parent(parent_pid: int, interval: float = PARENT_CHECK_SECONDS) -> None:
    """Pool initializer: end this worker process once ``parent_pid`` is no longer its parent
    (the parent died, with SIGKILL say, and the worker was handed to init), as Dask's workers
    do, instead of waiting for work for ever. Runs in a daemon thread."""
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(interval)
        os._exit(1)
    threading.Thread(target=watch, name="quotasim-parent-watch", daemon=True).start()


class Executor:
    """Common interface: submit a call, wait for any of some futures, restart, close; map."""

    workers: int

    def submit(self, fn: Callable, *args: Any) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def wait_any(self, futures: Iterable[Any]) -> tuple[set, set]:  # pragma: no cover - interface
        raise NotImplementedError

    def result(self, future: Any) -> Any:
        return future.result()

    def restart(self) -> None:
        """Replace workers that died (the local pool breaks with them; Dask replaces its own)."""

    def close(self) -> None:
        """Stop the workers (waiting for runs in flight is not promised)."""

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any],
            progress: Callable[[int, int], None] | None = None) -> list:
        """``[fn(item) for item in items]``, run on the workers; results in the items' order.

        ``progress(done, total)`` is called as each run finishes, in whatever order they
        finish. The first run to raise ends the map with its exception.
        """
        items = list(items)
        futures = {self.submit(fn, item): index for index, item in enumerate(items)}
        results: list[Any] = [None] * len(items)
        pending, done_count = set(futures), 0
        while pending:
            done, pending = self.wait_any(pending)
            for future in done:
                results[futures[future]] = self.result(future)
                done_count += 1
                if progress:
                    progress(done_count, len(items))
        return results

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class SerialExecutor(Executor):
    """Runs each call in this process when it is submitted: for debugging and profiling."""

    workers = 1

    def submit(self, fn: Callable, *args: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:  # noqa: BLE001 - handed back through the future, as a pool would
            future.set_exception(exc)
        return future

    def wait_any(self, futures: Iterable[Future]) -> tuple[set, set]:
        return set(futures), set()

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any],
            progress: Callable[[int, int], None] | None = None) -> list:
        """A plain loop: an exception propagates from where it was raised."""
        items = list(items)
        results = []
        for item in items:
            results.append(fn(item))
            if progress:
                progress(len(results), len(items))
        return results


class LocalExecutor(Executor):
    """A pool of ``workers`` fresh processes on this machine (default: one per core)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=exit_with_parent, initargs=(os.getpid(),))

    def restart(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()

    def submit(self, fn: Callable, *args: Any) -> Future:
        return self._pool.submit(fn, *args)

    def wait_any(self, futures: Iterable[Future]) -> tuple[set, set]:
        done, pending = wait_futures(list(futures), return_when=FIRST_COMPLETED)
        return set(done), set(pending)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(Executor):
    """A Dask cluster: the scheduler at ``address``, or a local cluster of ``workers`` processes."""

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        from distributed import Client, LocalCluster

        self._cluster = None
        if address is None:
            self._cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                         processes=True, dashboard_address=None)
            self._client = Client(self._cluster)
        else:
            self._client = Client(address)
        self.workers = max(1, sum(w.get("nthreads", 1) for w in self._client.scheduler_info()["workers"].values()))

    def submit(self, fn: Callable, *args: Any) -> Any:
        # pure=False: two identical tasks (a retry) are run again, not looked up.
        return self._client.submit(fn, *args, pure=False)

    def wait_any(self, futures: Iterable[Any]) -> tuple[set, set]:
        from distributed import wait

        done, pending = wait(list(futures), return_when="FIRST_COMPLETED")
        return set(done), set(pending)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(name: str | None = None, workers: int | None = None, address: str | None = None) -> Executor:
    """An executor by name: ``serial``, ``local`` or ``dask`` (``address`` of a running
    scheduler, or none for a local cluster of ``workers``).

    With no name: ``serial`` when one worker is asked for, else ``local``.
    """
    if name is None:
        name = "serial" if workers == 1 else "local"
    if address is not None and name != "dask":
        raise ValueError("--address applies to the dask backend only")
    if name == "serial":
        return SerialExecutor()
    if name == "local":
        return LocalExecutor(workers)
    if name == "dask":
        return DaskExecutor(address, workers)
    raise ValueError(f"unknown backend {name!r}; allowed: {', '.join(BACKENDS)}")


def check_backend(name: str | None) -> None:
    """Refuse an unknown backend name before any work (``ValueError`` naming the allowed ones)."""
    if name is not None and name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; allowed: {', '.join(BACKENDS)}")
