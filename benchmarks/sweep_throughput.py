"""Sweep throughput: runs per second of the same sweep with 1 and 2 local workers, and the speed-up.

    python -m benchmarks.sweep_throughput            # 60 runs of the 1,000-official, 120-month baseline
    python -m benchmarks.sweep_throughput --runs 200 --officials 200 --months 60

Both sweeps run the same spec into fresh folders, measured in the same process, so the
ratio compares like with like; the catalogues are checked to be identical. Wall time
includes starting the worker processes, as a user's sweep does.
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


def measure(data: dict, folder: Path, workers: int) -> float:
    clock = time.perf_counter()
    report = run_sweep(load_spec(data), folder, workers=workers)
    elapsed = time.perf_counter() - clock
    assert report.failed == 0
    return report.ok / elapsed


def speedup(runs: int, officials: int, months: int) -> dict:
    """Runs per second with 1 and 2 workers, their ratio, whether the results are identical,
    and the load average before the first sweep (other work on the machine shrinks the speed-up)."""
    data = spec(runs, officials, months)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        one = measure(data, Path(tmp) / "one", 1)
        two = measure(data, Path(tmp) / "two", 2)
        same = query(Path(tmp) / "one", "SELECT * FROM monthly ORDER BY run_id, month").equals(
            query(Path(tmp) / "two", "SELECT * FROM monthly ORDER BY run_id, month"))
    return {"runs": runs, "officials": officials, "months": months, "one_worker": one, "two_workers": two,
            "speedup": two / one, "identical": bool(same), "load_before": load}


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
    one, two, same, load = figures["one_worker"], figures["two_workers"], figures["identical"], figures["load_before"]
    print(f"sweep of {args.runs} runs ({args.officials} officials, {args.officials} workers, {args.months} months)")
    print(f"1 worker : {one:8.2f} runs/s")
    print(f"2 workers: {two:8.2f} runs/s")
    print(f"speed-up : {two / one:8.2f}x   (identical results: {same}; {os.cpu_count()} cores, "
          f"load average {load:.2f} before the first sweep)")


if __name__ == "__main__":
    main()
