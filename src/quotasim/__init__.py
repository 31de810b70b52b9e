"""quotasim: an agent-based model of a quota-driven state foreign-trade system.

Start with :func:`simulate` (one run) and :func:`load_scenario`; :func:`replicate` and
:func:`compare` give tidy pandas tables over replications; ``quotasim explain`` lists every
parameter with its unit and the mechanism (M1-M30) it belongs to.

Names are imported on first use, so that ``import quotasim`` (and ``quotasim --help``) do
not pay for NumPy, Numba and pandas until a run needs them.
"""

import os
from importlib import import_module

# Numba's parallel passes (kernels.py) run on GNU OpenMP, whose idle threads spin for a while
# after every parallel loop. On a 2-core machine that spinning takes the core the NumPy work
# between the loops needs: a run on 2 threads took four times as long as on one. Idle threads
# that sleep cost a wake-up per loop instead, microseconds. A policy the user set is kept;
# it is read when OpenMP starts, at the first parallel loop, so setting it here is in time.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__all__ = ["simulate", "load_scenario", "Scenario", "ScenarioError", "RunResult", "builtin_names", "ledger",
           "MECHANISM_GROUPS", "PHASES", "replicate", "compare", "__version__"]

_HOME = {"simulate": "simulation", "load_scenario": "scenario", "Scenario": "scenario", "ScenarioError": "errors",
         "RunResult": "results", "builtin_names": "scenario", "ledger": "explain", "MECHANISM_GROUPS": "scenario",
         "PHASES": "engine", "replicate": "tidy", "compare": "tidy"}


def __getattr__(name: str):
    if name in _HOME:
        return getattr(import_module(f".{_HOME[name]}", __name__), name)
    if name == "__version__":
        from importlib import metadata
        try:
            return metadata.version("quotasim")
        except metadata.PackageNotFoundError:
            return "unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
