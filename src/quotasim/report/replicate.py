"""Replications of a scenario: seeds ``seed, seed + 1, …``, run in worker processes, and
written as ``rep-000/``, ``rep-001/``, … (each an ordinary run folder) below one folder.

The same seeds for every scenario give common random numbers: population and dynamics
streams are drawn from the seed (``engine.rng_streams``), so two scenarios run on one seed
differ only by what the scenarios change.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Callable

from ..engine import simulate
from ..experiments.backends import exit_with_parent
from ..results import RunResult

__all__ = ["replicate", "write_replications", "replication_folder", "check_replication_folders"]


def replicate(scenario, replications: int, seed: int = 0, workers: int = 1,
              progress: Callable[[int, int], None] | None = None) -> list[RunResult]:
    """Run ``scenario`` on seeds ``seed .. seed + replications - 1``; results in seed order."""
    seeds = list(range(seed, seed + replications))
    parallel = workers > 1 and replications > 1
    pool = ProcessPoolExecutor(max_workers=min(workers, replications), initializer=exit_with_parent,
                               initargs=(os.getpid(),)) if parallel else nullcontext()
    with pool:
        results = (pool.map if parallel else map)(simulate, [scenario] * replications, seeds)
        done: list[RunResult] = []
        for result in results:
            done.append(result)
            if progress:
                progress(len(done), replications)
    return done


def replication_folder(out: Path, index: int) -> Path:
    return Path(out) / f"rep-{index:03d}"


def check_replication_folders(scenario, replications: int, seed: int, out: str | Path, overwrite: bool = False) -> None:
    """Refuse (``OutputError``), before any run, folders ``out/rep-NNN/`` that hold another run's
    results (unless ``overwrite``), cannot be written, or lack the disk space for the runs."""
    from ..results import check_destination, estimated_run_bytes
    from ..scenario import content_hash
    people = scenario.population.n_trade_officials + scenario.population.n_overseas_workers
    for index in range(replications):
        check_destination(replication_folder(Path(out), index), content_hash(scenario), seed + index, overwrite,
                          replications * estimated_run_bytes(people, scenario.months))


def write_replications(results: list[RunResult], out: str | Path, overwrite: bool = False) -> Path:
    """Write each run into ``out/rep-NNN/``; a folder holding another run is refused (``OutputError``)
    before anything is written, unless ``overwrite``."""
    from ..results import check_destination
    out = Path(out)
    for index, result in enumerate(results):   # check all first: a refusal changes nothing
        check_destination(replication_folder(out, index), result.manifest["scenario_hash"], result.seed, overwrite)
    for index, result in enumerate(results):
        result.write(replication_folder(out, index), overwrite=overwrite)
    return out
