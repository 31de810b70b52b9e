"""Experiments at scale: specs, designs, sweeps, a results store, summaries, sensitivity.

* :func:`load_spec` — a TOML experiment spec, validated (``spec``);
* :func:`build_design` — its points, drawn by SALib / scipy.stats.qmc (``design``);
* :func:`run_sweep` — run or resume it on a local pool or a Dask cluster (``runner``);
* :func:`query` / :func:`connect` — DuckDB over the results (``catalogue``);
* :func:`summarize` — means and confidence intervals per point (``summary``);
* :func:`analyze` — Sobol, Morris or delta indices (``analyze``);
* :func:`discover` — scenario discovery with PRIM (``discovery``).

``docs/experiments.md`` walks through them.
"""

from .catalogue import connect, query
from .design import build_design
from .runner import SweepReport, run_sweep
from .spec import ExperimentSpec, load_spec
from .summary import summarize

__all__ = ["load_spec", "ExperimentSpec", "build_design", "run_sweep", "SweepReport", "connect", "query", "summarize"]
