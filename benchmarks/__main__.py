"""``python -m benchmarks [--quick] [--sizes 10000,100000,1000000] [--months 120] [--threads 1,2]
[--twin-max 100000] [--rounds 3] [--[no-]ten-million] [--[no-]sweep]``.

For each size, in fresh processes: the full model (baseline proportions) and quotasim on the
twin's reduced rules, each with every thread count of ``--threads`` (the fastest of
``--rounds`` runs, with the largest peak memory of them); the trivial NumPy quota
core (``benchmarks/ceiling.py``), the ceiling the full model is put against; and the Mesa
twin on the reduced rules where it finishes in reasonable time (up to ``--twin-max``
officials). Then, unless ``--quick``: a run of ten million officials with its peak memory
(``--ten-million`` adds it to a quick run, ``--no-ten-million`` leaves it out), and the
sweep throughput with 1 and 2 worker processes, steady and over the whole sweep
(``benchmarks/sweep_throughput.py``).
Prints wall time, official-steps per second, peak memory per official, the speed against
the ceiling and the twin, the runtime scaling exponent, every target of issue 15 with the
figure measured in this run (met, or missed by how much and why), and where the full model's time
goes by phase at the largest size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np
from rich.console import Console
from rich.table import Table

TEN_MILLION = 10_000_000


def _probe(kind: str, officials: int, months: int, threads: int = 1) -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.probe", kind, str(officials), str(months), str(threads)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _best(kind: str, officials: int, months: int, threads: int, rounds: int) -> dict:
    """The fastest of ``rounds`` runs, each in a fresh process, with the largest peak memory of
    them: on a shared machine a run of a few seconds can lose half its speed to a neighbour's
    burst, and the fastest is the one least disturbed (as ``timeit`` reports)."""
    figures = [_probe(kind, officials, months, threads) for _ in range(max(rounds, 1))]
    best = dict(min(figures, key=lambda f: f["wall_seconds"]))
    best["peak_bytes"] = max(f["peak_bytes"] for f in figures)
    best["peak_bytes_per_official"] = max(f["peak_bytes_per_official"] for f in figures)
    best["rounds"] = len(figures)
    return best


def _sweep() -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.sweep_throughput", "--json"], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def phase_times(officials: int, months: int, threads: int = 1) -> dict[str, float]:
    """Seconds spent in each phase of the full model (timers wrap the phases of ``engine.SCHEDULE``)."""
    import quotasim
    from benchmarks.probe import full_size_overrides
    from quotasim import engine
    totals: dict[str, float] = {}

    def timed(phase):
        def wrapper(state, p, key):
            clock = time.perf_counter()
            phase(state, p, key)
            totals[phase.__name__] = totals.get(phase.__name__, 0.0) + time.perf_counter() - clock
        return wrapper

    # A small run first loads the compiled kernels, as the probe's warm-up does.
    quotasim.simulate(quotasim.load_scenario("baseline", full_size_overrides(2_000, 12)), seed=0, threads=threads)
    blocks = ("MONTHLY_PHASES", "REVIEW_PHASES", "CLOSING_PHASES")   # the blocks of engine.SCHEDULE
    original = {name: getattr(engine, name) for name in blocks}
    for name, phases in original.items():
        setattr(engine, name, tuple(timed(phase) for phase in phases))
    try:
        quotasim.simulate(quotasim.load_scenario("baseline", full_size_overrides(officials, months)), seed=0,
                          threads=threads)
    finally:
        for name, phases in original.items():
            setattr(engine, name, phases)
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smallest size only, with the twin (under a minute)")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated numbers of officials")
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts for quotasim's compiled passes")
    parser.add_argument("--twin-max", type=int, default=100_000, help="largest size the Mesa twin is run at")
    parser.add_argument("--rounds", type=int, default=3,
                        help="runs of each quotasim and ceiling measurement at each size; the fastest is shown "
                             "(the Mesa twin and the 10M run are run once)")
    parser.add_argument("--ten-million", action=argparse.BooleanOptionalAction, default=None,
                        help="the 10,000,000-official run (about 3 minutes; on by default unless --quick)")
    parser.add_argument("--sweep", action=argparse.BooleanOptionalAction, default=None,
                        help="sweep throughput, 1 and 2 workers (about a minute; on by default unless --quick)")
    args = parser.parse_args(argv)
    sizes = [10_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    threads = [int(t) for t in args.threads.split(",")]
    ten_million = (not args.quick) if args.ten_million is None else args.ten_million
    sweep = (not args.quick) if args.sweep is None else args.sweep
    console = Console(width=None if Console().is_terminal else 140)   # a log file gets the whole table
    console.print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
                  f"{platform.python_version()}, numpy {np.__version__}; one process per measurement; "
                  f"{args.months} months; quotasim and the ceiling: fastest of {args.rounds} runs at each size, "
                  f"the Mesa twin and 10M once; load average {_load()} at the start")
    table = Table("officials", "model", "threads", "wall (s)", "official-steps/s", "peak bytes/official",
                  "× ceiling", "× Mesa twin")
    full: dict[tuple[int, int], dict] = {}
    reduced: dict[tuple[int, int], dict] = {}
    ceilings: dict[int, dict] = {}
    twins: dict[int, dict] = {}

    def row(label: str, figure: dict, ceiling: str = "", twin: str = "", first: bool = False) -> None:
        table.add_row(f"{figure['officials']:,}" if first else "", label, str(figure.get("threads", "")),
                      f"{figure['wall_seconds']:.2f}", f"{figure['steps_per_second']:,.0f}",
                      f"{figure['peak_bytes_per_official']:,.0f}", ceiling, twin)

    for n in sizes:
        ceilings[n] = ceiling = _best("ceiling", n, args.months, 1, args.rounds)
        for t in threads:
            full[n, t] = figure = _best("full", n, args.months, t, args.rounds)
            row("quotasim, full model", figure, f"{figure['steps_per_second'] / ceiling['steps_per_second']:.2f}",
                first=t == threads[0])
        for t in threads:
            reduced[n, t] = _best("reduced", n, args.months, t, args.rounds)
        if n <= args.twin_max:
            twins[n] = _probe("twin", n, args.months)
        for t in threads:
            ratio = (f"{reduced[n, t]['steps_per_second'] / twins[n]['steps_per_second']:.1f}×" if n in twins
                     else "twin not run")
            row("quotasim, twin's rules", reduced[n, t], twin=ratio)
        row("NumPy quota core (ceiling)", ceiling, "1.00")
        if n in twins:
            row("Mesa twin", twins[n], twin="1.0×")
    tens: dict[int, dict] = {}
    if ten_million:
        for t in threads:
            tens[t] = figure = _probe("full", TEN_MILLION, args.months, t)
            row("quotasim, full model", figure, first=t == threads[0])
    console.print(table)
    top = max(threads)
    exponents = _print_scaling(console, sizes, full, top)
    sweep_figures = _sweep() if sweep else None
    if sweep_figures:
        s = sweep_figures
        one, two = s["one_worker"], s["two_workers"]
        console.print(f"sweep of {s['runs']} runs ({s['officials']:,} officials, {s['months']} months): steady "
                      f"{one['steady']:.2f} runs/s with 1 worker, {two['steady']:.2f} with 2, speed-up "
                      f"{s['speedup']:.2f}×; whole sweep, with starting the workers and the summaries, "
                      f"{one['whole']:.2f} and {two['whole']:.2f} runs/s, {s['whole_speedup']:.2f}× (every worker's "
                      f"first run back after {one['start_seconds']:.2f} s and {two['start_seconds']:.2f} s; "
                      f"identical results: {s['identical']}; load average {s['load_before']:.2f} before)")
    _print_targets(console, full, reduced, ceilings, twins, tens, exponents, sweep_figures, top)
    largest = max(sizes)
    times = phase_times(largest, args.months, top)
    total = sum(times.values())
    breakdown = Table("phase", "seconds", "share",
                      title=f"full model, {largest:,} officials, {args.months} months, {top} thread(s), in process")
    for name, seconds in times.items():
        breakdown.add_row(name, f"{seconds:.2f}", f"{seconds / total:.0%}")
    console.print(breakdown)
    console.print(f"load average {_load()} at the end")


def _print_scaling(console: Console, sizes: list[int], full: dict, threads: int) -> dict[str, float]:
    """Runtime against officials, log-log, for the full model at ``threads`` threads."""
    rows = [full[n, threads] for n in sizes]
    if len(rows) < 2:
        return {}
    walls = [r["wall_seconds"] for r in rows]
    slope = float(np.polyfit(np.log(sizes), np.log(walls), 1)[0])
    top = float(np.log(walls[-1] / walls[-2]) / np.log(sizes[-1] / sizes[-2]))
    console.print(f"runtime ∝ officials^{slope:.2f} (full model, {threads} thread(s), log-log fit over {len(rows)} sizes); "
                  f"officials^{top:.2f} between the two largest sizes (at the smallest, fixed per-month costs weigh more)")
    return {"fit": slope, "largest_two": top}


#: What keeps each target out of reach when a run misses it (docs/performance.md, "Targets",
#: gives the figures behind each); printed beside a miss only.
WHY_MISSED = {
    "speed": "memory-bound passes: a month reads and writes about a hundred bytes per official in each of the "
             "workers' pay and the split, and two cores share the memory; the shared host moves the "
             "figure by a fifth",
    "ceiling": "the ceiling does four array operations a month; the full model runs thirty mechanisms, deals "
               "through four stages, workers' pay and a keyed normal per worker a month: several times its "
               "memory traffic",
    "memory": "the state's columns, the month's buffers (State.scratch) and the heap the allocator keeps",
    "twin": "at 100k every official is a trader with deals in flight, much of it NumPy on one thread; the Mesa "
            "twin's own time moves by a quarter between runs",
    "linear": "the fixed cost of a month weighs at the smaller size",
    "sweep": "each worker process imports quotasim and loads its compiled passes first, and the parent writes "
             "every run's part on one of the same two cores; a busy host takes a core",
}


def _at_least(measured: float, target: float) -> str:
    return "met" if measured >= target else f"missed by {target - measured:,.3g} ({1 - measured / target:.0%} short)"


def _print_targets(console: Console, full: dict, reduced: dict, ceilings: dict, twins: dict, tens: dict,
                   exponents: dict, sweep: dict | None, threads: int) -> None:
    """Issue 15's targets, each with the figure measured in this run (or why it was not measured)."""
    checks: list[tuple[str, str, str, str]] = []     # target, measured, met?, key of WHY_MISSED
    million = (1_000_000, threads)
    if million in full:
        f = full[million]
        checks.append((f"≥ 20,000,000 official-steps/s, full model, 1M officials, {threads} thread(s)",
                       f"{f['steps_per_second']:,.0f}", _at_least(f["steps_per_second"], 20e6), "speed"))
        ratio = f["steps_per_second"] / ceilings[1_000_000]["steps_per_second"]
        checks.append((f"≥ 0.5 of the NumPy quota core's speed at 1M ({threads} thread(s) against it)",
                       f"{ratio:.2f}", _at_least(ratio, 0.5), "ceiling"))
        checks.append((f"≤ 300 peak bytes per official, full model, 1M officials, {threads} thread(s)",
                       f"{f['peak_bytes_per_official']:,.0f}",
                       "met" if f["peak_bytes_per_official"] <= 300 else
                       f"missed by {f['peak_bytes_per_official'] - 300:,.0f} bytes", "memory"))
    else:
        checks.append(("speed, ceiling ratio and memory at 1M officials", "not measured", "size 1,000,000 not run", ""))
    at_100k = [figure for (n, _), figure in reduced.items() if n == 100_000]
    if 100_000 in twins and at_100k:
        # Mesa runs on one thread; quotasim is put against it with its faster thread count
        fastest = max(at_100k, key=lambda f: f["steps_per_second"])
        ratio = fastest["steps_per_second"] / twins[100_000]["steps_per_second"]
        checks.append((f"≥ 100× the Mesa twin at 100k officials (twin's rules, quotasim's faster: "
                       f"{fastest['threads']} thread(s))", f"{ratio:.1f}×", _at_least(ratio, 100), "twin"))
    else:
        checks.append(("≥ 100× the Mesa twin at 100k officials", "not measured", "twin not run at 100,000", ""))
    if threads in tens:
        t = tens[threads]
        checks.append((f"a run of 10M officials, {t['months']} months, with its peak memory",
                       f"{t['wall_seconds']:.0f} s, {t['steps_per_second']:,.0f} steps/s, "
                       f"peak {t['peak_bytes'] / 2**30:.2f} GiB ({t['peak_bytes_per_official']:,.0f} bytes/official)", "met",
                       ""))
    else:
        checks.append(("a run of 10M officials with its peak memory", "not measured", "run without --ten-million", ""))
    if exponents:
        top = exponents["largest_two"]
        checks.append(("runtime linear in officials (exponent between the two largest sizes ≤ 1.10)",
                       f"{top:.2f} (fit over all sizes {exponents['fit']:.2f})",
                       "met" if top <= 1.10 else f"missed by {top - 1.10:.2f}", "linear"))
    if sweep:
        # throughput is the rate a sweep settles at; the one-off start is shown beside it, not hidden
        checks.append(("sweep throughput ≥ 1.8× from 1 to 2 workers (steady rate, once every worker has run once)",
                       f"{sweep['speedup']:.2f}× (whole {sweep['runs']}-run sweep with the workers' start: "
                       f"{sweep['whole_speedup']:.2f}×; load {sweep['load_before']:.2f} before)",
                       _at_least(sweep["speedup"], 1.8), "sweep"))
    else:
        checks.append(("sweep throughput ≥ 1.8× from 1 to 2 workers", "not measured", "run without --sweep", ""))
    targets = Table("target (issue 15)", "measured", "met?", "why, when missed", title="targets")
    for name, measured, met, why in checks:
        targets.add_row(name, measured, met, WHY_MISSED[why] if why and met.startswith("missed") else "")
    console.print(targets)


if __name__ == "__main__":
    main()
