"""What "replication k" means: one function, used by every command that replicates a run.

Replication ``k`` of a scenario run from base seed ``s`` is the run ``simulate(scenario,
replication_seed(s, k))``, and ``replication_seed(s, k) = s + k``. A run's population comes
from ``numpy.random.SeedSequence(seed)`` (``population.population_rng``), which hashes the
seed, and every other draw is keyed by the seed with Philox (``keyed_random``), whose key
schedule makes consecutive seeds independent streams (``tests/test_keyed_random.py``).

Every entry point uses it, so replication ``k`` is the same run everywhere:

* ``quotasim run --replications N --seed s`` and ``quotasim compare``: replications
  ``0 .. N-1`` are seeds ``s .. s+N-1`` (``report.replicate``);
* ``quotasim validate``: replication ``k`` of every check's scenario is seed ``0 + k``;
* ``quotasim calibrate``: replication ``k`` of a trial is seed ``0 + k``; the finalists are
  re-run on fresh seeds, replications of base seed :data:`FRESH_BASE_SEED`;
* a sweep (``experiments.worker.run_seed``), with spec seed ``s`` and ``R`` replications
  per point: with common random numbers, replication ``r`` of every point is
  ``replication_seed(s, r)``; without, replication ``r`` of point ``p`` is
  ``replication_seed(s, p * R + r)``, so every run has its own seed and point 0's
  replications are the scenario's own.
"""

from __future__ import annotations

__all__ = ["replication_seed", "replication_seeds", "FRESH_BASE_SEED"]

#: Base seed of the runs that re-check a calibration's finalists, away from the search's seeds.
FRESH_BASE_SEED = 1000


def replication_seed(base_seed: int, k: int) -> int:
    """The seed of replication ``k`` (0-based) of a scenario run from ``base_seed``."""
    if base_seed < 0 or k < 0:
        raise ValueError(f"seeds and replication numbers are non-negative (got base {base_seed}, replication {k})")
    return base_seed + k


def replication_seeds(base_seed: int, replications: int) -> list[int]:
    """The seeds of replications ``0 .. replications - 1``, in order."""
    return [replication_seed(base_seed, k) for k in range(replications)]
