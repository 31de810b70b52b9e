"""Experiments at scale: specs, designs, sweeps, a results store, summaries, sensitivity.

* :func:`load_spec` — a TOML experiment spec, validated (``spec``);
* :func:`build_design` — its points, drawn by SALib / scipy.stats.qmc (``design``);
* :func:`run_sweep` — run or resume it on a local pool or a Dask cluster (``runner``);
* :func:`query` / :func:`connect` — DuckDB over the results (``catalogue``);
* :func:`summarize` — means and confidence intervals per point (``summary``);
* :func:`analyze` — Sobol or Morris indices with SALib (``analyze``);
* :func:`discover` — scenario discovery with PRIM (``discovery``).

``docs/experiments.md`` walks through them.
"""

from importlib import import_module

__all__ = ["load_spec", "ExperimentSpec", "build_design", "run_sweep", "SweepReport", "connect", "query", "summarize",
           "analyze", "discover"]

# Imported on first use: the CLI's other commands should not pay for DuckDB, SALib and Dask.
_HOME = {"load_spec": "spec", "ExperimentSpec": "spec", "build_design": "design", "run_sweep": "runner",
         "SweepReport": "runner", "connect": "catalogue", "query": "catalogue", "summarize": "catalogue",
         "analyze": "analyze", "discover": "discovery"}


def __getattr__(name: str):
    if name in _HOME:
        return getattr(import_module(f".{_HOME[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
