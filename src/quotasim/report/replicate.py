"""Replications of a scenario: replication ``k`` is the run on ``seeds.replication_seed(seed, k)``
(seeds ``seed, seed + 1, …``), run on an executor (``quotasim.execution``) and written as
``rep-000/``, ``rep-001/``, … (each an ordinary run folder) below one folder.

The same seeds for every scenario give common random numbers: the population and every
keyed draw come from the seed (``population.population_rng``, ``keyed_random``), so two
scenarios run on one seed differ only by what the scenarios change.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from ..execution import make_executor
from ..results import RunResult
from ..seeds import replication_seed, replication_seeds
from ..simulation import simulate

__all__ = ["replicate", "write_replications", "replication_folder", "check_replication_folders"]


def replicate(scenario, replications: int, seed: int = 0, workers: int = 1,
              progress: Callable[[int, int], None] | None = None, backend: str | None = None) -> list[RunResult]:
    """Run replications ``0 .. replications - 1`` of ``scenario`` from base seed ``seed``; results in
    replication order.

    ``backend`` is an executor name (``serial``, ``local``, ``dask``); by default ``serial`` for
    one worker (or one replication), else a local process pool of at most ``workers`` processes.
    """
    if backend is None and replications == 1:
        backend = "serial"
    with make_executor(backend, min(workers, replications), None) as executor:
        return executor.map(partial(simulate, scenario), replication_seeds(seed, replications), progress)


def replication_folder(out: Path, index: int) -> Path:
    return Path(out) / f"rep-{index:03d}"


def check_replication_folders(scenario, replications: int, seed: int, out: str | Path, overwrite: bool = False) -> None:
    """Refuse (``OutputError``), before any run, folders ``out/rep-NNN/`` that hold another run's
    results (unless ``overwrite``), cannot be written, or lack the disk space for the runs."""
    from ..results import check_destination, estimated_run_bytes
    from ..scenario import content_hash
    people = scenario.population.n_trade_officials + scenario.population.n_overseas_workers
    for index in range(replications):
        check_destination(replication_folder(Path(out), index), content_hash(scenario), replication_seed(seed, index),
                          overwrite, replications * estimated_run_bytes(people, scenario.months))


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
