"""What a report is drawn from: run folders (one seed each), folders of replications, or a sweep.

* a **run folder** — ``manifest.json`` + ``monthly.parquet`` (``quotasim run``);
* a **folder of replications** — run folders below it (``quotasim run --replications N``
  writes ``rep-000/``, ``rep-001/``, …);
* a **sweep folder** — ``manifest.json`` + ``points.parquet`` (``quotasim sweep``).

Runs are grouped by the scenario they ran (its content hash), so several folders of the
same scenario become one set of replications and folders of different scenarios become a
side-by-side comparison.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow.parquet as pq

from ..results import TABLES, RunResult
from ..scenario import Scenario, load_scenario

if TYPE_CHECKING:   # read lazily at run time (_load_sweep): a report on runs needs none of the experiments
    from ..experiments.spec import ExperimentSpec

__all__ = ["ReportError", "RunSet", "SweepSource", "load_sources", "run_sets", "EXPECTED"]

EXPECTED = ("a run folder (manifest.json and monthly.parquet, from `quotasim run`), a folder of replications "
            "(rep-000/, rep-001/, ... from `quotasim run --replications N`) or a sweep folder (manifest.json and "
            "points.parquet, from `quotasim sweep`)")


class ReportError(ValueError):
    """The report cannot be made from this input; the message names the folder and what is expected."""


@dataclass
class RunSet:
    """Replications of one scenario: the runs, and their tables stacked with a ``seed`` column."""

    label: str
    scenario: Scenario
    runs: list[RunResult]
    folders: list[Path] = field(default_factory=list)

    @property
    def seeds(self) -> list[int]:
        return [run.seed for run in self.runs]

    def monthly(self) -> pd.DataFrame:
        return _stack([run.monthly for run in self.runs], self.seeds)

    def reviews(self) -> pd.DataFrame:
        return _stack([run.reviews for run in self.runs], self.seeds)


@dataclass
class SweepSource:
    """An experiment folder: its manifest, stored spec and the runs' kept tables."""

    root: Path
    manifest: dict
    spec: ExperimentSpec
    points: pd.DataFrame
    monthly: pd.DataFrame            # every kept monthly row, with run_id, point, replication, seed
    reviews: pd.DataFrame | None     # when the spec kept reviews

    @property
    def label(self) -> str:
        return str(self.manifest.get("name", self.root.name))

    @property
    def scenario(self) -> Scenario:
        return self.spec.base


def load_sources(paths: Sequence[str | Path]) -> list[RunSet] | SweepSource:
    """Read every folder in ``paths``: one sweep, or any number of runs grouped by scenario.

    Raises
    ------
    ReportError
        A path is missing or is none of the three kinds of folder; a sweep is mixed with
        other folders; a sweep has no finished run.
    """
    if not paths:
        raise ReportError(f"no folder given; expected {EXPECTED}")
    kinds = [(Path(p), _kind(Path(p))) for p in paths]
    sweeps = [p for p, kind in kinds if kind == "sweep"]
    if sweeps:
        if len(kinds) > 1:
            raise ReportError(f"{sweeps[0]}: a sweep folder is reported on its own; give it without other folders")
        return _load_sweep(sweeps[0])
    folders = [run for p, kind in kinds for run in ([p] if kind == "run" else _replication_folders(p))]
    return run_sets([_load_run(folder) for folder in folders], folders)


def run_sets(runs: list[RunResult], folders: list[Path] | None = None) -> list[RunSet]:
    """Group runs by scenario content (same name, different parameters: labelled apart), in order of appearance."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, run in enumerate(runs):
        groups[run.manifest.get("scenario_hash") or _hash(run.scenario)].append(index)
    sets: list[RunSet] = []
    used: defaultdict[str, int] = defaultdict(int)
    for indices in groups.values():
        first = runs[indices[0]]
        used[first.scenario.name] += 1
        label = first.scenario.name
        if used[label] > 1:   # same name, other parameters: tell them apart by folder, else by number
            label = f"{label} ({_folder_label(folders[indices[0]]) if folders else used[label]})"
        members = sorted(indices, key=lambda i: runs[i].seed)
        seeds = [runs[i].seed for i in members]
        if len(set(seeds)) != len(seeds):
            where = folders[members[0]] if folders else label
            raise ReportError(f"{where}: the same scenario and seed appear twice among the folders given; "
                              "give each replication once")
        sets.append(RunSet(label, first.scenario, [runs[i] for i in members],
                           [folders[i] for i in members] if folders else []))
    return sets


# ------------------------------------------------------------------ internals
def _kind(path: Path) -> str:
    if not path.exists():
        raise ReportError(f"{path}: no such folder; expected {EXPECTED}")
    if not path.is_dir():
        raise ReportError(f"{path}: is a file, not a folder; expected {EXPECTED}")
    if (path / "manifest.json").is_file() and (path / "points.parquet").is_file():
        return "sweep"
    if (path / "manifest.json").is_file() and (path / "monthly.parquet").is_file():
        return "run"
    if _replication_folders(path, strict=False):
        return "replications"
    raise ReportError(f"{path}: holds no run, replications or sweep; expected {EXPECTED}")


def _replication_folders(path: Path, strict: bool = True) -> list[Path]:
    found = sorted(child for child in path.iterdir()
                   if child.is_dir() and (child / "manifest.json").is_file() and (child / "monthly.parquet").is_file())
    if strict and not found:
        raise ReportError(f"{path}: holds no run folders; expected {EXPECTED}")
    return found


def _load_run(folder: Path) -> RunResult:
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
        tables = {name: pq.read_table(folder / f"{name}.parquet") for name in TABLES}
    except (OSError, ValueError) as exc:
        raise ReportError(f"{folder}: cannot read the run ({exc.__class__.__name__}: {exc}); expected {EXPECTED}") from None
    scenario_file = folder / "scenario.toml"
    if not scenario_file.is_file():
        raise ReportError(f"{folder}: scenario.toml is missing (the scenario in force, needed for the ledger); "
                          f"expected {EXPECTED}")
    scenario = load_scenario(str(scenario_file))
    return RunResult(scenario, int(manifest.get("seed", 0)), tables["monthly"], tables["reviews"],
                     tables["officials"], manifest)


def _load_sweep(root: Path) -> SweepSource:
    from ..experiments.catalogue import connect
    from ..experiments.store import load_stored_spec
    manifest = json.loads((root / "manifest.json").read_text())
    spec = load_stored_spec(root)
    con = connect(root)
    try:
        views = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "monthly" not in views:
            raise ReportError(f"{root}: the sweep has no finished run yet; run `quotasim sweep SPEC --out {root}` "
                              "to finish it")
        monthly = con.execute("SELECT * FROM monthly ORDER BY run_id, month").fetchdf()
        reviews = con.execute("SELECT * FROM reviews").fetchdf() if "reviews" in views else None
        points = con.execute("SELECT * FROM points ORDER BY point").fetchdf()
    finally:
        con.close()
    return SweepSource(root, manifest, spec, points, monthly, reviews)


def _stack(tables, seeds) -> pd.DataFrame:
    frames = []
    for table, seed in zip(tables, seeds):
        frame = table.to_pandas()
        for column in frame.select_dtypes("category"):
            frame[column] = frame[column].astype(str)
        frame.insert(0, "seed", seed)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _folder_label(folder: Path) -> str:
    """A run's folder as a reader knows it: ``out/steep`` for ``out/steep/rep-000``."""
    return folder.parent.name if folder.name.startswith("rep-") else folder.name


def _hash(scenario: Scenario) -> str:
    from ..scenario import content_hash
    return content_hash(scenario)
