"""Reports: one self-contained HTML file of a run, replications, a comparison or a sweep.

* :func:`build_report` — from folders written by ``quotasim run`` or ``quotasim sweep``;
* :func:`render_runs` — from run sets in memory (what ``compare`` uses);
* :func:`gather` / :func:`compare_sets` — run or load scenarios and their differences;
* :func:`replicate` / :func:`write_replications` — replications on seeds ``seed, seed + 1, …``.

``docs/report.md`` describes what the report shows.
"""

from .build import Report, build_report, render_runs, render_sweep
from .compare import compare_sets, gather
from .replicate import replicate, write_replications
from .sources import ReportError, RunSet, SweepSource, load_sources, run_sets

__all__ = ["Report", "build_report", "render_runs", "render_sweep", "compare_sets", "gather", "replicate",
           "write_replications", "ReportError", "RunSet", "SweepSource", "load_sources", "run_sets"]
