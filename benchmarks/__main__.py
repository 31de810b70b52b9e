"""``python -m benchmarks [--quick] [--sizes 10000,100000,1000000] [--months 120] [--twin-max 100000]``.

For each size, in fresh processes: the full model (baseline proportions), quotasim on the
twin's reduced rules, and the Mesa twin on the same rules where it finishes in reasonable
time (up to ``--twin-max`` officials). Prints wall time, official-steps per second, peak
memory per official, the speed ratio against the twin at the sizes both ran, the runtime
scaling exponent, and where the full model's time goes by phase at the largest size.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time

import numpy as np
from rich.console import Console
from rich.table import Table


def _probe(kind: str, officials: int, months: int) -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.probe", kind, str(officials), str(months)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def phase_times(officials: int, months: int) -> dict[str, float]:
    """Seconds spent in each phase of the full model (timers wrap the phases of ``engine.SCHEDULE``)."""
    import quotasim
    from benchmarks.probe import full_size_overrides
    from quotasim import engine
    totals: dict[str, float] = {}

    def timed(phase):
        def wrapper(state, p, rng):
            clock = time.perf_counter()
            phase(state, p, rng)
            totals[phase.__name__] = totals.get(phase.__name__, 0.0) + time.perf_counter() - clock
        return wrapper

    # A small run first loads the compiled kernels, as the probe's warm-up does.
    quotasim.simulate(quotasim.load_scenario("baseline", full_size_overrides(2_000, 12)), seed=0)
    blocks = ("MONTHLY_PHASES", "REVIEW_PHASES", "CLOSING_PHASES")   # the blocks of engine.SCHEDULE
    original = {name: getattr(engine, name) for name in blocks}
    for name, phases in original.items():
        setattr(engine, name, tuple(timed(phase) for phase in phases))
    try:
        quotasim.simulate(quotasim.load_scenario("baseline", full_size_overrides(officials, months)), seed=0)
    finally:
        for name, phases in original.items():
            setattr(engine, name, phases)
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smallest size only, with the twin (under 30 s)")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated numbers of officials")
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--twin-max", type=int, default=100_000, help="largest size the Mesa twin is run at")
    args = parser.parse_args(argv)
    sizes = [10_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    console = Console(width=None if Console().is_terminal else 120)   # a log file gets the whole table
    console.print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
                  f"numpy {np.__version__}; one process per measurement; {args.months} months")
    table = Table("officials", "model", "wall (s)", "official-steps/s", "peak bytes/official", "× Mesa twin")
    full_rows, ratios = [], {}
    for n in sizes:
        full = _probe("full", n, args.months)
        full_rows.append(full)
        table.add_row(f"{n:,}", "quotasim, full model", f"{full['wall_seconds']:.2f}", f"{full['steps_per_second']:,.0f}",
                      f"{full['peak_bytes_per_official']:,.0f}", "")
        reduced = _probe("reduced", n, args.months)
        twin = _probe("twin", n, args.months) if n <= args.twin_max else None
        if twin:
            ratios[n] = reduced["steps_per_second"] / twin["steps_per_second"]
        ratio = f"{ratios[n]:.1f}×" if twin else "twin not run"
        table.add_row("", "quotasim, twin's rules", f"{reduced['wall_seconds']:.2f}",
                      f"{reduced['steps_per_second']:,.0f}", f"{reduced['peak_bytes_per_official']:,.0f}", ratio)
        if twin:
            table.add_row("", "Mesa twin", f"{twin['wall_seconds']:.2f}", f"{twin['steps_per_second']:,.0f}",
                          f"{twin['peak_bytes_per_official']:,.0f}", "1.0×")
    console.print(table)
    if len(full_rows) > 1:
        slope = np.polyfit(np.log([r["officials"] for r in full_rows]), np.log([r["wall_seconds"] for r in full_rows]), 1)[0]
        console.print(f"runtime ∝ officials^{slope:.2f} (full model, log-log fit over {len(full_rows)} sizes)")
        a, b = full_rows[-2], full_rows[-1]
        top = np.log(b["wall_seconds"] / a["wall_seconds"]) / np.log(b["officials"] / a["officials"])
        console.print(f"runtime ∝ officials^{top:.2f} between the two largest sizes "
                      "(at the smallest, fixed per-month costs weigh more)")
    _print_targets(console, full_rows, ratios)
    largest = max(sizes)
    times = phase_times(largest, args.months)
    total = sum(times.values())
    breakdown = Table("phase", "seconds", "share", title=f"full model, {largest:,} officials, {args.months} months, in process")
    for name, seconds in times.items():
        breakdown.add_row(name, f"{seconds:.2f}", f"{seconds / total:.0%}")
    console.print(breakdown)


def _print_targets(console: Console, full_rows: list[dict], ratios: dict[int, float]) -> None:
    """The issue's targets, each with the figure measured in this run (or why it was not measured)."""
    by_size = {row["officials"]: row for row in full_rows}
    checks = []
    if 1_000_000 in by_size:
        row = by_size[1_000_000]
        checks.append(("≥ 10,000,000 official-steps/s, full model, 1M officials",
                       f"{row['steps_per_second']:,.0f}", row["steps_per_second"] >= 10e6))
        checks.append(("≤ 400 peak bytes per official at 1M", f"{row['peak_bytes_per_official']:,.0f}",
                       row["peak_bytes_per_official"] <= 400))
    if 100_000 in ratios:
        checks.append(("≥ 30× the Mesa twin at 100k officials", f"{ratios[100_000]:.1f}×", ratios[100_000] >= 30))
    if not checks:
        console.print("targets: not measured at these sizes (they are set at 100k and 1M officials)")
        return
    targets = Table("target", "measured", "met", title="targets")
    for name, measured, met in checks:
        targets.add_row(name, measured, "yes" if met else "NO")
    console.print(targets)


if __name__ == "__main__":
    main()
