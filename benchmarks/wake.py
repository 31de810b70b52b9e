"""``python -m benchmarks.wake``: what a parallel loop costs before it does any work.

Times an empty ``prange`` loop on 2 threads under the OpenMP wait policy quotasim sets
(``OMP_WAIT_POLICY=PASSIVE``: idle threads sleep), back to back and with the calling thread
busy for 1 and 10 ms in between (as NumPy work between two passes keeps it). This is the
figure behind ``keyed_random.PARALLEL_FROM``: below it a draw runs on the calling thread.
"""

from __future__ import annotations

import os
import time

import numba
import numpy as np
from numba import njit, prange

import quotasim  # noqa: F401  (sets the wait policy before OpenMP starts)


@njit(parallel=True, nogil=True)
def _empty(x):  # pragma: no cover - compiled
    for b in prange(x.shape[0]):
        x[b] += 1.0


def main() -> None:
    x = np.zeros(64)
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    _empty(x)
    print(f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}, {numba.get_num_threads()} threads, "
          f"load average {os.getloadavg()[0]:.2f}")
    for gap in (0.0, 0.001, 0.01):
        times = []
        for _ in range(200):
            start = time.perf_counter()
            while time.perf_counter() - start < gap:
                pass
            clock = time.perf_counter()
            _empty(x)
            times.append(time.perf_counter() - clock)
        print(f"calling thread busy {gap * 1e3:4.0f} ms between loops: median {np.median(times) * 1e6:6.0f} µs "
              f"a parallel loop")


if __name__ == "__main__":
    main()
