"""Sweep throughput: runs per second of the same sweep with 1 and 2 local workers, and the speed-up.

    python -m benchmarks.sweep_throughput            # 60 runs of the 1,000-official, 120-month baseline
    python -m benchmarks.sweep_throughput --runs 200 --officials 200 --months 60

Both sweeps run the same spec into fresh folders, measured in the same process, so the
ratio compares like with like; the catalogues are checked to be identical. Two figures per
sweep, because a sweep pays once to start and then runs at its steady rate:

* **whole sweep**: runs over the wall time from the call to its return, including starting
  the worker processes (each imports quotasim and loads its compiled kernels before its
  first run) and writing the summaries at the end, as a user's sweep of this size sees it;
* **steady**: runs per second once every worker has finished its first run, i.e. runs
  finished after the first ``workers`` over the time between those finishes. This is the
  rate a sweep of thousands of runs settles at, where the start is a fraction of a percent.

The start (until every worker has delivered its first run) is printed too, so the whole
sweep's figure for any number of runs follows from the two.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from quotasim.experiments import query, run_sweep
from quotasim.experiments.spec import load_spec


def spec(runs: int, officials: int, months: int) -> dict:
    return {
        "name": "throughput", "scenario": "baseline", "months": months, "seed": 1, "replications": 1,
        "set": {"population.n_companies": max(1, officials // 10), "population.n_trade_officials": officials,
                "population.n_overseas_workers": officials},
        "design": {"method": "lhs", "samples": runs},
        "parameters": {"ratchet.up_rate": {"low": 0.0, "high": 1.0}, "quota.remit_share": {"low": 0.7, "high": 0.9}},
        "outputs": {"monthly": "all"},
    }


class FinishTimes:
    """Stands in for the sweep's progress bar (``experiments.progress.SweepProgress``): keeps
    the time each run came back, on the clock of ``time.perf_counter``."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def start(self, total: int, description: str) -> None:
        pass

    def advance(self, ok: bool) -> None:
        self.times.append(time.perf_counter())

    def stop(self) -> None:
        pass


def measure(data: dict, folder: Path, workers: int) -> dict:
    """One sweep: whole-sweep and steady runs per second, and the seconds to every worker's first run."""
    finishes = FinishTimes()
    clock = time.perf_counter()
    report = run_sweep(load_spec(data), folder, workers=workers, progress=finishes)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - clock
    assert report.failed == 0 and report.ok == len(finishes.times) > workers
    warm = finishes.times[workers - 1]          # every worker has delivered a run (one run each, in order)
    return {"whole": report.ok / elapsed, "steady": (report.ok - workers) / (finishes.times[-1] - warm),
            "start_seconds": warm - clock, "wall_seconds": elapsed}


def speedup(runs: int, officials: int, months: int) -> dict:
    """Both figures with 1 and 2 workers, their ratios, whether the results are identical,
    and the load average before the first sweep (other work on the machine shrinks the speed-up)."""
    data = spec(runs, officials, months)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        one = measure(data, Path(tmp) / "one", 1)
        two = measure(data, Path(tmp) / "two", 2)
        same = query(Path(tmp) / "one", "SELECT * FROM monthly ORDER BY run_id, month").equals(
            query(Path(tmp) / "two", "SELECT * FROM monthly ORDER BY run_id, month"))
    return {"runs": runs, "officials": officials, "months": months, "one_worker": one, "two_workers": two,
            "speedup": two["steady"] / one["steady"], "whole_speedup": two["whole"] / one["whole"],
            "identical": bool(same), "load_before": load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--officials", type=int, default=1000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args()
    figures = speedup(args.runs, args.officials, args.months)
    if args.json:
        print(json.dumps(figures))
        return
    print(f"sweep of {args.runs} runs ({args.officials} officials, {args.officials} workers, {args.months} months)")
    for label, f in (("1 worker ", figures["one_worker"]), ("2 workers", figures["two_workers"])):
        print(f"{label}: steady {f['steady']:6.2f} runs/s; whole sweep {f['whole']:6.2f} runs/s "
              f"({f['wall_seconds']:.1f} s, of which {f['start_seconds']:.2f} s until every worker's first run)")
    print(f"speed-up : steady {figures['speedup']:.2f}x, whole sweep {figures['whole_speedup']:.2f}x   "
          f"(identical results: {figures['identical']}; {os.cpu_count()} cores, "
          f"load average {figures['load_before']:.2f} before the first sweep)")


if __name__ == "__main__":
    main()
