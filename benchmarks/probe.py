"""One measured run in a fresh process: ``python -m benchmarks.probe KIND OFFICIALS MONTHS [THREADS]``.

KIND is ``full`` (the baseline model scaled to OFFICIALS people), ``reduced`` (quotasim on
the twin's rules), ``twin`` (the Mesa twin) or ``ceiling`` (the trivial NumPy quota core of
``benchmarks/ceiling.py``). THREADS (default 1) is the number of threads quotasim's
compiled passes may use. Prints one JSON line: wall seconds, official-steps per second,
peak resident memory above the interpreter's baseline, and the measured run's minor page
faults and system CPU seconds (what fresh pages from the kernel cost; compare with
``QUOTASIM_ALLOCATOR=default``, ``quotasim/allocator.py``). A fresh process per measurement
keeps one size's memory out of the next one's figure.
"""

from __future__ import annotations

import json
import resource
import sys
import time


def _peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024   # Linux reports KiB


def full_size_overrides(officials: int, months: int) -> dict:
    """Baseline proportions (225 companies, 2,250 traders, 100,000 workers) at ``officials`` people."""
    share = officials / 102_250
    traders = max(1, round(2_250 * share))
    return {"months": months, "population.n_companies": max(1, round(225 * share)),
            "population.n_trade_officials": traders, "population.n_overseas_workers": officials - traders,
            "other_sources.monthly_usd": 8_000_000.0 * share}


def main(kind: str, officials: int, months: int, threads: int = 1) -> dict:
    import quotasim
    from benchmarks import twin_rules
    if kind == "ceiling":
        from benchmarks.ceiling import quota_core
        quota_core(1_000, 12)
        baseline, before = _peak_bytes(), resource.getrusage(resource.RUSAGE_SELF)
        clock = time.perf_counter()
        quota_core(officials, months)
        return _figures(kind, officials, months, threads, time.perf_counter() - clock, baseline, before)
    overrides = full_size_overrides(officials, months) if kind == "full" else twin_rules.overrides(officials, months)
    scenario = quotasim.load_scenario("baseline", overrides)
    if kind == "twin":
        from benchmarks.mesa_twin import run_twin
        run_twin(quotasim.load_scenario("baseline", twin_rules.overrides(50, 2)))     # warm the imports
        baseline, before = _peak_bytes(), resource.getrusage(resource.RUSAGE_SELF)
        clock = time.perf_counter()
        run_twin(scenario, seed=0)
    else:
        # A tiny year (two reviews) loads the imports and every compiled kernel before the clock starts.
        quotasim.simulate(quotasim.load_scenario("baseline", {**overrides, "population.n_companies": 2,
                                                              "population.n_trade_officials": 20,
                                                              "population.n_overseas_workers": 30 if kind == "full" else 0,
                                                              "months": 12}), threads=threads)
        baseline, before = _peak_bytes(), resource.getrusage(resource.RUSAGE_SELF)
        clock = time.perf_counter()
        quotasim.simulate(scenario, seed=0, threads=threads)
    return _figures(kind, officials, months, threads, time.perf_counter() - clock, baseline, before)


def _figures(kind: str, officials: int, months: int, threads: int, wall: float, baseline: int,
             before: resource.struct_rusage) -> dict:
    after = resource.getrusage(resource.RUSAGE_SELF)
    return {"kind": kind, "officials": officials, "months": months, "threads": threads, "wall_seconds": wall,
            "steps_per_second": officials * months / wall,
            "peak_bytes": max(_peak_bytes() - baseline, 0),
            "peak_bytes_per_official": max(_peak_bytes() - baseline, 0) / officials,
            "minor_faults": after.ru_minflt - before.ru_minflt,
            "system_seconds": round(after.ru_stime - before.ru_stime, 3)}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), *(int(a) for a in sys.argv[4:5]))))
