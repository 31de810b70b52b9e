"""Where runs execute: a local process pool, or an existing Dask distributed cluster.

Both offer the same calls — ``submit``, ``wait_any``, ``restart`` and ``close`` — so the runner
keeps a bounded number of runs in flight and streams each result to disk as it arrives,
whatever the backend.

* ``local``: :class:`concurrent.futures.ProcessPoolExecutor` with the ``spawn`` start
  method (fresh interpreters: no state inherited from the parent, as on a cluster). Its
  workers watch their parent and exit when it is gone (killed with SIGKILL, say), as Dask's
  do, instead of waiting for work for ever (:func:`exit_with_parent`).
* ``dask``: ``distributed.Client(address)`` on a running scheduler — which reaches
  SLURM/PBS machines through dask-jobqueue — or, with no address, a ``LocalCluster`` of
  ``workers`` processes started and stopped here. The workers need quotasim installed;
  results come back to this process, so no shared filesystem is needed.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from typing import Any, Callable, Iterable

__all__ = ["Backend", "LocalBackend", "DaskBackend", "make_backend", "exit_with_parent", "BACKENDS"]

BACKENDS = ("local", "dask")
#: How often a pool worker checks that its parent is still there.
PARENT_CHECK_SECONDS = 1.0


def exit_with_parent(parent_pid: int, interval: float = PARENT_CHECK_SECONDS) -> None:
    """Pool initializer: end this worker process once ``parent_pid`` is no longer its parent
    (the parent died and the worker was handed to init). Runs in a daemon thread."""
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(interval)
        os._exit(1)
    threading.Thread(target=watch, name="quotasim-parent-watch", daemon=True).start()


class Backend:
    """Common interface: submit a call, wait for any of some futures, close."""

    workers: int

    def submit(self, fn: Callable, *args: Any) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def wait_any(self, futures: Iterable[Any]) -> tuple[set, set]:  # pragma: no cover - interface
        raise NotImplementedError

    def result(self, future: Any) -> Any:
        return future.result()

    def restart(self) -> None:
        """Replace workers that died (the local pool breaks with them; Dask replaces its own)."""

    def close(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def __enter__(self) -> "Backend":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class LocalBackend(Backend):
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


class DaskBackend(Backend):
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


def make_backend(name: str, workers: int | None = None, address: str | None = None) -> Backend:
    """``local`` or ``dask`` (``address`` of a running scheduler, or none for a local cluster)."""
    if name == "local":
        if address is not None:
            raise ValueError("--address applies to the dask backend only")
        return LocalBackend(workers)
    if name == "dask":
        return DaskBackend(address, workers)
    raise ValueError(f"unknown backend {name!r}; allowed: {', '.join(BACKENDS)}")
