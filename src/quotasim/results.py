"""A run's tables, returned in Python and written as Parquet with a manifest.

``monthly`` (one row a month), ``reviews`` (one row per company per review) and
``officials`` (final state, one row an official) are ``pyarrow.Table`` objects, each with
its column descriptions in the schema metadata; ``.to_pandas()`` and
``polars.from_arrow()`` convert them.

Files are written atomically — to a temporary name, then renamed — so an interrupted write
never leaves a half-written table, and a folder holding another run's results is never
overwritten unless asked.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from . import columns
from .calendar import month_date, month_text
from .codes import AFFILIATION_NAMES, POST_NAMES, ROLE_NAMES, ROUTE_NAMES, STATUS_NAMES, TIER_NAMES
from .columns import MONTHLY
from .state import State

__all__ = ["RunResult", "OutputError", "write_atomic", "check_destination", "check_free_space", "estimated_run_bytes",
           "package_version"]

#: Free space kept in hand beyond an estimate of what is to be written.
SPACE_MARGIN_BYTES = 50 * 2**20

TABLES = ("monthly", "reviews", "officials")
#: The monthly columns a run's summary totals.
SUMMED = tuple(name for name, column in MONTHLY.items() if column.summary)


class OutputError(OSError):
    """The output folder cannot take these results; nothing already there was changed."""


@dataclass
class RunResult:
    """Tables and provenance of one run."""

    scenario: Any
    seed: int
    monthly: pa.Table
    reviews: pa.Table
    officials: pa.Table
    manifest: dict = field(default_factory=dict)

    @classmethod
    def from_state(cls, scenario, seed: int, state: State, *, started: datetime, wall_seconds: float) -> RunResult:
        """The tables of a finished run. The state is used up: its officials' columns move
        into the officials table."""
        from .scenario import content_hash
        monthly = _monthly_table(scenario.start, state.monthly_rows)
        reviews = _reviews_table(scenario.start, state.review_rows)
        officials = _officials_table(state)
        manifest = {
            "scenario": scenario.name, "scenario_hash": content_hash(scenario), "seed": seed,
            "package_version": package_version(), "start_time": started.isoformat(),
            "end_time": datetime.now(UTC).isoformat(), "wall_seconds": round(wall_seconds, 4),
            "months": scenario.months, "first_month": scenario.start,
            "officials_total": officials.num_rows, "python": platform.python_version(), "numpy": np.__version__,
        }
        return cls(scenario, seed, monthly, reviews, officials, manifest)

    def write(self, out_dir: str | Path, overwrite: bool = False) -> Path:
        """Write the three tables, the scenario in force and ``manifest.json`` into ``out_dir``."""
        out = Path(out_dir)
        check_destination(out, self.manifest["scenario_hash"], self.seed, overwrite)
        files = {}
        for name in TABLES:
            table = getattr(self, name)
            files[f"{name}.parquet"] = write_atomic(out / f"{name}.parquet", lambda path, t=table:
                                                    pq.write_table(t, path, compression="zstd"))
        from .scenario import to_toml
        scenario_text = to_toml(self.scenario)
        files["scenario.toml"] = write_atomic(out / "scenario.toml", lambda path: Path(path).write_text(scenario_text))
        manifest = dict(self.manifest, files=files)
        write_atomic(out / "manifest.json", lambda path: Path(path).write_text(json.dumps(manifest, indent=2)))
        return out

    def summary(self, per: str = "run") -> dict[str, float]:
        """Headline figures of the run: the columns ``quotasim.columns`` marks ``summary``,
        officials in post at the end, review attainment.

        Parameters
        ----------
        per : ``"run"`` or ``"year"``
            ``"run"``: flows and counts totalled over the whole run. ``"year"``: the same
            totals divided by the run's length in years, as ``quotasim run`` prints them
            (runs of different lengths then compare on one footing).
        """
        if per not in ("run", "year"):
            raise ValueError(f"per = {per!r}: 'run' (totals over the run) or 'year' (per year)")
        m = self.monthly
        total = {name: float(pa.compute.sum(m[name]).as_py() or 0.0) for name in SUMMED if MONTHLY[name].type == "float"}
        counts: dict[str, float] = {name: int(pa.compute.sum(m[name]).as_py() or 0)
                                    for name in SUMMED if MONTHLY[name].type == "int"}
        if per == "year":
            years = max(m.num_rows, 1) / 12
            total = {name: value / years for name, value in total.items()}
            counts = {name: value / years for name, value in counts.items()}
        attainment = self.reviews["attainment"].to_numpy() if self.reviews.num_rows else np.array([np.nan])
        return {**total, **counts, "officials_active_end": int(m["officials_active"][-1].as_py()),
                "median_attainment": float(np.median(attainment)),
                "share_companies_at_target": float(np.mean(attainment >= 1.0))}

    def yearly(self):
        """Flows and counts the summary totals, per calendar year: a pandas DataFrame with one
        row a year (``year``, ``months`` covered, then one column per summed quantity)."""
        frame = self.monthly.select(["date", *SUMMED]).to_pandas()
        frame.insert(0, "year", [int(month_text(d)[:4]) for d in frame.pop("date")])
        grouped = frame.groupby("year")
        table = grouped.sum()
        table.insert(0, "months", grouped.size())
        return table.reset_index()


def _current_umask() -> int:
    umask = os.umask(0o022)   # read once, at import: os.umask can only be read by setting it
    os.umask(umask)
    return umask


_UMASK = _current_umask()


def write_atomic(path: Path, writer) -> str:
    """Call ``writer(tmp_path)``, fsync, rename onto ``path``; return the file's SHA-256.

    The file gets the permissions the user's umask grants new files: the temporary file
    behind the rename is created private (0600), but results are meant to be read and shared.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)
        writer(tmp)
        with open(tmp, "rb") as stream:
            digest = hashlib.file_digest(stream, "sha256").hexdigest()  # in chunks: memory stays flat
            os.fsync(stream.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            # A full disk or a folder that turned read-only: name the file; the temporary is gone.
            raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
        raise
    return digest


def estimated_run_bytes(officials: int, months: int) -> int:
    """A generous estimate of one run's tables on disk (compressed Parquet): the officials
    table dominates at about 60 bytes an official; a month's row and reviews add a few kB."""
    return 60 * officials + 4_000 * months + 100_000


def check_free_space(folder: Path, needed_bytes: int) -> None:
    """Refuse, before any work, to start what the disk under ``folder`` cannot hold."""
    import shutil
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if free < needed_bytes + SPACE_MARGIN_BYTES:
        raise OutputError(f"{folder}: not enough free disk space: about {needed_bytes / 2**20:,.0f} MiB to write "
                          f"(plus {SPACE_MARGIN_BYTES / 2**20:,.0f} MiB in hand), {free / 2**20:,.0f} MiB free; "
                          "free some space or choose another --out")


def check_destination(out: Path, scenario_hash: str, seed: int, overwrite: bool, needed_bytes: int = 0) -> None:
    """Raise :class:`OutputError` unless ``out`` can take this run's results: a folder (or
    nothing yet), not holding another run's results unless ``overwrite``, writable, with room."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder; choose another --out")
    previous = out / "manifest.json"
    if not previous.exists() and not overwrite and out.is_dir():
        ours = [name for name in (*[f"{t}.parquet" for t in TABLES], "scenario.toml") if (out / name).exists()]
        if ours:
            raise OutputError(f"{out}: already holds {', '.join(ours)} but no manifest.json (not a quotasim run's "
                              "results, or an incomplete one); choose another --out or pass --overwrite to replace them")
    if previous.exists() and not overwrite:
        try:
            old = json.loads(previous.read_text())
        except (OSError, ValueError):
            old = {}
        same = (old.get("scenario_hash"), old.get("seed")) == (scenario_hash, seed)
        if not same:
            raise OutputError(f"{out}: already holds results of another run (scenario {old.get('scenario')!r}, "
                              f"seed {old.get('seed')}); choose another --out or pass --overwrite")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out, prefix=".probe.", delete=True)
        probe.close()
    except OSError as exc:
        raise OutputError(f"{out}: cannot write there: {exc.strerror or exc}") from None
    check_free_space(out, needed_bytes)


def _with_docs(table: pa.Table, declared: columns.Table) -> pa.Table:
    fields = [f.with_metadata({"description": declared[f.name].meaning}) for f in table.schema]
    return table.cast(pa.schema(fields, metadata=table.schema.metadata))


def _monthly_table(start: str, rows: list[dict]) -> pa.Table:
    if not rows:
        return pa.table({"month": pa.array([], pa.int64())})
    data = {key: [row[key] for row in rows] for key in rows[0]}
    dates = _dates(start, [r["month"] for r in rows])
    data = {"month": data.pop("month"), "date": dates, **data}
    return _with_docs(pa.table(data), columns.MONTHLY)


def _dates(start: str, months: list[int]) -> pa.Array:
    """The ``date`` column: the first day of each month, as timestamps (pandas ``datetime64``, so a
    frame indexed by date slices by month: ``.loc["2017-09"]``; DuckDB ``TIMESTAMP``)."""
    # One conversion a distinct month, then a gather: the reviews table has a row per company
    # and review, and converting each row's month cost more than the run's pipeline.
    distinct, where = np.unique(np.asarray(months, np.int64), return_inverse=True)
    first_days = np.array([month_date(start, int(m)) for m in distinct], "datetime64[s]")
    return pa.array(first_days[where.reshape(-1)], pa.timestamp("s"))


def _reviews_table(start: str, rows: list[dict[str, np.ndarray]]) -> pa.Table:
    if not rows:
        names = list(columns.REVIEWS)
        return pa.table({name: pa.array([], pa.float64()) for name in names})
    data: dict[str, Any] = {key: np.concatenate([row[key] for row in rows]) for key in rows[0]}   # arrays, and dates
    data["period"] = data["period"].astype(str)
    data["date"] = _dates(start, data["month"])
    table = {name: _labels(data[name], _CODE_NAMES[name]) if name in _CODE_NAMES else data[name]
             for name in columns.REVIEWS}
    return _with_docs(pa.table(table), columns.REVIEWS)


def _officials_table(state: State) -> pa.Table:
    """The officials' table of a finished run. It takes the state's columns over one by one
    (``Table.release``): the state cannot run on after it."""
    state.release_scratch()
    off = state.officials
    table: dict[str, Any] = {"official_id": np.arange(off.n, dtype=np.int32)}
    for name in columns.OFFICIALS.outputs()[1:]:
        values = off.release(name)
        table[name] = _labels(values, _CODE_NAMES[name]) if name in _CODE_NAMES else values
    return _with_docs(pa.table(table), columns.OFFICIALS)


#: The names of the codes that label columns hold.
_CODE_NAMES = {"role": ROLE_NAMES, "post": POST_NAMES, "route": ROUTE_NAMES, "status": STATUS_NAMES,
               "tier": TIER_NAMES, "affiliation": AFFILIATION_NAMES}


def _labels(codes: np.ndarray, names: tuple[str, ...]) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int8, copy=False)), pa.array(names))


def package_version() -> str:
    """The installed quotasim version (``"unknown"`` when run from an uninstalled tree)."""
    try:
        return metadata.version("quotasim")
    except metadata.PackageNotFoundError:
        return "unknown"
