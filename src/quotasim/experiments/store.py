"""The results store of an experiment: a folder that survives being killed at any moment.

Layout of ``DIR``::

    manifest.json            the experiment: spec fingerprint, sizes, counts, checksums of the files below
    spec.json                the spec, resolved (its base scenario is base_scenario.toml beside it)
    spec.toml                the spec file as the user wrote it (provenance only)
    base_scenario.toml       the scenario every point starts from
    points.parquet           the design: one row per point, one column per varied parameter
    journal.jsonl            one line per finished run (ok or failed), appended and fsynced
    parts/monthly/RUN.parquet  one part per run, written atomically (temp file, fsync, rename)
    parts/reviews/RUN.parquet  (when the spec keeps reviews)
    runs.parquet             the journal as a table, written when a sweep ends
    summary*.parquet         means and confidence intervals per point (quotasim.experiments.summary)

A part is written before its journal line, and both atomically or append-only, so after a
kill every run is either finished (part and line, checksum matching), or not started, or
has a part but no line — which a resume simply runs again, overwriting it with identical
bytes. A run that raised has a journal line with its error and no part.

Every checksum the manifest records is verified when the folder is reopened, queried or
analysed (:meth:`ExperimentStore.verify`): a file that defines the experiment (the spec,
the base scenario, the points) missing or altered is an error naming it; a derived file
(``runs.parquet``, summaries, analyses) is removed and rebuilt. Journal lines are
validated: a line that is not a well-formed record of a run of this design is not a run.
One sweep at a time writes the folder (:mod:`quotasim.experiments.lock`).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import tomli_w

from ..results import OutputError, package_version, write_atomic
from .design import Design
from .lock import LOCK
from .spec import ExperimentSpec, load_spec
from .worker import RunOutcome

__all__ = ["ExperimentStore", "JournalState", "load_stored_spec", "MANIFEST", "JOURNAL", "PARTS"]

MANIFEST, JOURNAL, PARTS, RUNS, POINTS = "manifest.json", "journal.jsonl", "parts", "runs.parquet", "points.parquet"
SPEC_JSON, SPEC_COPY, BASE = "spec.json", "spec.toml", "base_scenario.toml"
#: Files that define the experiment: altered, they cannot be rebuilt from anything else.
SOURCES = (BASE, SPEC_JSON, POINTS, SPEC_COPY)
_JOURNAL_COLUMNS = ("{run_id: 'VARCHAR', point: 'BIGINT', replication: 'INTEGER', seed: 'UBIGINT', status: 'VARCHAR', "
                    "attempt: 'INTEGER', error: 'VARCHAR', wall_seconds: 'DOUBLE', finished: 'VARCHAR', "
                    "parts: 'STRUCT(monthly VARCHAR, reviews VARCHAR)'}")
RUNS_SCHEMA = pa.schema([("run_id", pa.string()), ("point", pa.int64()), ("replication", pa.int32()),
                         ("seed", pa.uint64()), ("status", pa.string()), ("attempts", pa.int32()),
                         ("error", pa.string()), ("wall_seconds", pa.float64()), ("finished", pa.string()),
                         ("monthly_sha256", pa.string()), ("reviews_sha256", pa.string())])


@dataclass
class JournalState:
    """What a previous session left: finished runs, failed runs and their attempts."""

    done: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)      # run_id -> last error
    attempts: dict[str, int] = field(default_factory=dict)    # run_id -> attempts so far
    rerun: set[str] = field(default_factory=set)              # journalled ok but part missing or altered


class ExperimentStore:
    """Create or reopen ``root`` for ``spec``; record runs as they finish."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    # ------------------------------------------------------------- opening
    @classmethod
    def open(cls, root: str | Path, spec: ExperimentSpec, design: Design, spec_text: str | None = None) -> ExperimentStore:
        """Start a new experiment in ``root``, or reopen the same experiment to resume it.

        Raises
        ------
        OutputError
            ``root`` is a file, holds another experiment or other files, or is not writable.
        """
        store = cls(root)
        manifest_path = store.root / MANIFEST
        if store.root.exists() and not store.root.is_dir():
            raise OutputError(f"{store.root}: exists and is not a folder; choose another --out")
        if manifest_path.exists():
            old = store.manifest()
            if old.get("fingerprint") != spec.fingerprint():
                raise OutputError(f"{store.root}: holds another experiment ({old.get('name')!r}, different spec or "
                                  "base scenario); choose another --out")
            store._remove_temporaries()
            store.verify()
            return store
        if store.root.exists() and any(path.name != LOCK for path in store.root.iterdir()):
            raise OutputError(f"{store.root}: is not empty and holds no experiment; choose another --out")
        try:
            (store.root / PARTS / "monthly").mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{store.root}: cannot write there: {exc.strerror or exc}") from None
        if spec.outputs.reviews:
            (store.root / PARTS / "reviews").mkdir(exist_ok=True)
        store._write_definition(spec, design, spec_text)
        (store.root / JOURNAL).touch()
        return store

    def _write_definition(self, spec: ExperimentSpec, design: Design, spec_text: str | None) -> None:
        base = tomli_w.dumps(spec.base.model_dump(mode="json", exclude_none=True))
        stored = spec.model_dump(mode="json", exclude={"source", "base"})
        stored.update(scenario=BASE, set={}, months=None)   # the base scenario already holds them
        files = {
            BASE: write_atomic(self.root / BASE, lambda p: Path(p).write_text(base)),
            SPEC_JSON: write_atomic(self.root / SPEC_JSON, lambda p: Path(p).write_text(json.dumps(stored, indent=2))),
            POINTS: write_atomic(self.root / POINTS, lambda p: pq.write_table(design.points_table(), p)),
        }
        if spec_text is not None:
            files[SPEC_COPY] = write_atomic(self.root / SPEC_COPY, lambda p: Path(p).write_text(spec_text))
        self.write_manifest({
            "name": spec.name, "description": spec.description, "fingerprint": spec.fingerprint(),
            "design": spec.design.method, "parameters": list(spec.parameters), "points": len(design),
            "replications": spec.replications, "runs": len(design) * spec.replications, "seed": spec.seed,
            "months": spec.base.months, "package_version": package_version(), "created": _now(), "status": "created",
            "files": files,
        })

    # ------------------------------------------------------------- reading
    def manifest(self) -> dict[str, Any]:
        try:
            return json.loads((self.root / MANIFEST).read_text())
        except (OSError, ValueError) as exc:
            raise OutputError(f"{self.root / MANIFEST}: cannot read the experiment manifest: {exc}") from None

    def verify(self) -> list[str]:
        """Check every checksum the manifest records. A file defining the experiment that is
        missing or altered raises :class:`OutputError` naming it; a derived file is removed
        (``runs.parquet`` is rewritten from the journal at once). Returns the derived files
        removed, for the caller to rebuild (summaries) or leave for the user to redo (analyses)."""
        manifest = self.manifest()
        files = manifest.get("files")
        if not isinstance(files, dict):
            raise OutputError(f"{self.root / MANIFEST}: records no checksums (\"files\"): not an experiment manifest")
        broken: list[str] = []
        dropped: list[str] = []
        for name, digest in files.items():
            path = self.root / name
            if not _inside(name) or not (path.is_file() and _sha256(path) == digest):
                (broken if name in SOURCES or not _inside(name) else dropped).append(name)
        if broken:
            raise OutputError(f"{self.root}: {', '.join(broken)} missing or not matching the checksum recorded in "
                              f"{MANIFEST} (corrupted or altered on disk); these files define the experiment and "
                              "cannot be rebuilt: restore them from a copy, or run the spec again into a new folder")
        if dropped:
            for name in dropped:
                (self.root / name).unlink(missing_ok=True)
                del files[name]
            if RUNS in dropped:
                files[RUNS] = write_atomic(self.root / RUNS, lambda p: pq.write_table(self.runs_table(), p))
            self.write_manifest(manifest)
        return [name for name in dropped if name != RUNS]

    def runs_sql(self) -> str:
        """SQL for the journal's last record per run, with its number of attempts (the
        catalogue's ``runs`` view).

        DuckDB reads the journal, so this process never holds its lines; a line a kill cut
        short reads as an empty row and is dropped, and so is any line that is not a
        well-formed record of a run of this design (its run id spelled from its point and
        replication, both within the design, status ok with the part's SHA-256, or failed).
        """
        path = self.root / JOURNAL
        manifest = self.manifest() if (self.root / MANIFEST).exists() else {}
        points, replications = manifest.get("points"), manifest.get("replications")
        within = (f" AND point < {int(points)} AND replication < {int(replications)}"
                  if isinstance(points, int) and isinstance(replications, int) else "")
        return f"""
            SELECT run_id, arg_max(point, line) AS point, arg_max(replication, line) AS replication,
                   arg_max(seed, line) AS seed, arg_max(status, line) AS status,
                   count(*)::INTEGER AS attempts, arg_max(error, line) AS error,
                   arg_max(wall_seconds, line) AS wall_seconds, arg_max(finished, line) AS finished,
                   arg_max(parts.monthly, line) AS monthly_sha256, arg_max(parts.reviews, line) AS reviews_sha256
            FROM (SELECT *, row_number() OVER () AS line
                  FROM read_json('{_escape(path)}', format = 'newline_delimited', ignore_errors = true,
                                 columns = {_JOURNAL_COLUMNS}))
            WHERE run_id IS NOT NULL AND point >= 0 AND replication >= 0 AND seed IS NOT NULL{within}
                  AND run_id = printf('p%07d-r%04d', point, replication)
                  AND (status = 'failed' OR (status = 'ok' AND regexp_full_match(parts.monthly, '[0-9a-f]{{64}}')))
            GROUP BY run_id"""

    def runs_table(self) -> pa.Table:
        """The ``runs`` view as an Arrow table, ordered by run."""
        if not (self.root / JOURNAL).exists():
            return RUNS_SCHEMA.empty_table()
        con = duckdb.connect()
        try:
            return con.sql(self.runs_sql() + " ORDER BY run_id").to_arrow_table().cast(RUNS_SCHEMA)
        finally:
            con.close()

    def state(self, verify: bool = True) -> JournalState:
        """Finished and failed runs; with ``verify``, a finished run whose part is missing or
        does not match its checksum is to be run again."""
        state = JournalState()
        runs = self.runs_table()
        for batch in runs.to_batches(max_chunksize=4096):
            for row in batch.to_pylist():
                run = row["run_id"]
                state.attempts[run] = row["attempts"]
                parts = {name: row[f"{name}_sha256"] for name in ("monthly", "reviews") if row[f"{name}_sha256"]}
                if row["status"] == "failed":
                    state.failed[run] = row["error"] or ""
                elif not verify or all(self._part_matches(table, run, digest) for table, digest in parts.items()):
                    state.done.add(run)
                else:
                    state.rerun.add(run)
        return state

    def corrupted_parts(self, table: str) -> list[str]:
        """Finished runs whose ``table`` part is missing or does not match the journal's
        checksum (corrupted or altered on disk). Streams the journal: memory stays flat."""
        if not (self.root / JOURNAL).exists():
            return []
        con = duckdb.connect()
        try:
            reader = con.sql(f"SELECT run_id, {table}_sha256 AS digest FROM ({self.runs_sql()}) "
                             f"WHERE status = 'ok' AND {table}_sha256 IS NOT NULL").to_arrow_reader(4096)
            return [row["run_id"] for batch in reader for row in batch.to_pylist()
                    if not self._part_matches(table, row["run_id"], row["digest"])]
        finally:
            con.close()

    def _part_matches(self, table: str, run: str, digest: str) -> bool:
        path = self.part_path(table, run)
        return path.exists() and _sha256(path) == digest

    def part_path(self, table: str, run: str) -> Path:
        return self.root / PARTS / table / f"{run}.parquet"

    # ------------------------------------------------------------- writing
    def record(self, outcome: RunOutcome, attempt: int) -> None:
        """Write the run's parts (if any), then append its journal line."""
        parts = {name: write_atomic(self.part_path(name, outcome.run_id),
                                    lambda p, t=table: pq.write_table(t, p, compression="zstd"))
                 for name, table in outcome.tables.items()}
        line = {"run_id": outcome.run_id, "point": outcome.point, "replication": outcome.replication,
                "seed": outcome.seed, "status": "ok" if outcome.ok else "failed", "attempt": attempt,
                "error": outcome.error, "wall_seconds": round(outcome.wall_seconds, 4), "finished": _now(),
                "parts": parts}
        self._append(json.dumps(line))

    def _append(self, line: str) -> None:
        path = self.root / JOURNAL
        try:
            with open(path, "a+b") as stream:
                # A kill (or a full disk) may have cut the last line short: start ours on a fresh line.
                if stream.tell() > 0:
                    stream.seek(-1, os.SEEK_END)
                    if stream.read(1) != b"\n":
                        stream.write(b"\n")
                stream.write(line.encode() + b"\n")
                stream.flush()
                os.fsync(stream.fileno())
        except OSError as exc:
            raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from exc

    def finalize(self, counts: dict[str, Any]) -> dict[str, Any]:
        """Write ``runs.parquet`` and bring the manifest up to date; return the manifest."""
        runs = self.runs_table()
        manifest = self.manifest()
        manifest["files"][RUNS] = write_atomic(self.root / RUNS, lambda p: pq.write_table(runs, p))
        finished = pc.sum(pc.equal(runs["status"], "ok")).as_py() or 0
        failed = pc.sum(pc.equal(runs["status"], "failed")).as_py() or 0
        manifest.update(counts, updated=_now(), finished=finished, failed=failed,
                        status="complete" if finished == manifest["runs"] else "incomplete")
        self.write_manifest(manifest)
        return manifest

    def add_files(self, names: list[str]) -> None:
        """Record the checksums of files written beside the parts (summaries, analyses)."""
        manifest = self.manifest()
        for name in names:
            manifest["files"][name] = _sha256(self.root / name)
        self.write_manifest(manifest)

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        write_atomic(self.root / MANIFEST, lambda p: Path(p).write_text(json.dumps(manifest, indent=2)))

    def _remove_temporaries(self) -> None:
        """Temporary files of writes a kill interrupted (never renamed, so never results)."""
        for path in self.root.rglob(".*"):
            if path.is_file() and not path.name.endswith(".parquet"):
                path.unlink(missing_ok=True)


def load_stored_spec(root: str | Path) -> ExperimentSpec:
    """The spec of the experiment in ``root``, as it was run."""
    root = Path(root)
    if (root / MANIFEST).is_file():
        ExperimentStore(root).verify()
    try:
        data = json.loads((root / SPEC_JSON).read_text())
    except (OSError, ValueError) as exc:
        raise OutputError(f"{root}: not an experiment folder ({SPEC_JSON}: {exc})") from None
    return load_spec(data, base_dir=root, label=str(root / SPEC_JSON))


def _inside(name: str) -> bool:
    """A recorded file name that stays inside the folder (a tampered manifest names no other file)."""
    path = Path(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts


def _sha256(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _escape(path: Path) -> str:
    return str(path).replace("'", "''")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")

