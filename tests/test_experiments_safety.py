"""An experiment folder against concurrent writers, corrupted files, a doctored journal and a
killed parent (issue 17; docs/reliability.md): one writer at a time, every recorded checksum
checked, journal lines validated, workers that outlive their parent exit."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pyarrow.parquet as pq
import pytest
from experiment_specs import TINY_POPULATION, spec_dict, write_spec
from test_experiments_runner import assert_same_catalogue
from typer.testing import CliRunner

from quotasim.cli import app
from quotasim.experiments import query, run_sweep
from quotasim.experiments.spec import load_spec
from quotasim.results import OutputError


def slow_spec(tmp_path: Path, samples: int = 60) -> Path:
    """A sweep that takes some seconds on two workers: long enough to interfere with."""
    return write_spec(tmp_path, spec_dict(
        replications=1, months=36, design={"method": "lhs", "samples": samples},
        set={**TINY_POPULATION, "population.n_companies": 10, "population.n_overseas_workers": 2000},
        parameters={"ratchet.up_rate": {"low": 0.1, "high": 0.9},
                    "population.n_trade_officials": {"low": 60, "high": 120}}))


def start_sweep(path: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "quotasim.cli", "sweep", str(path), "--out", str(out),
                             "--workers", "2", "--quiet"], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_for_lines(sweep: subprocess.Popen, journal: Path, lines: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and sweep.poll() is None:
        if journal.exists() and journal.read_bytes().count(b"\n") >= lines:
            return
        time.sleep(0.02)
    assert sweep.poll() is None, "the sweep ended before the test could interfere"


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("finished") / "out"
    run_sweep(load_spec(spec_dict()), out, workers=2)
    return out


def copy_of(finished: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(finished, out)
    return out


# ------------------------------------------------------------------ one writer at a time
@pytest.mark.slow
def test_a_second_sweep_on_a_busy_folder_is_refused_and_the_first_completes_identically(tmp_path):
    path = slow_spec(tmp_path)
    out = tmp_path / "busy"
    first = start_sweep(path, out)
    try:
        wait_for_lines(first, out / "journal.jsonl", 2)
        second = CliRunner().invoke(app, ["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"])
        assert second.exit_code == 2, second.output
        assert "in use by sweep by process" in second.output and str(first.pid) in second.output
        assert "Traceback" not in second.output
        assert first.wait(300) == 0, first.stderr.read()
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    lines = [json.loads(line) for line in (out / "journal.jsonl").read_text().splitlines()]
    assert len(lines) == 60 and len({line["run_id"] for line in lines}) == 60   # every run once
    run_sweep(path, tmp_path / "alone", workers=2)
    assert_same_catalogue(out, tmp_path / "alone")


def test_the_lock_names_a_live_holder_and_a_killed_holder_leaves_it_free(tmp_path):
    from quotasim.experiments.lock import FolderLock
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom quotasim.experiments.lock import FolderLock\n"
                               f"FolderLock({str(tmp_path)!r}).acquire()\nprint('held', flush=True)\ntime.sleep(600)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(OutputError, match=f"in use by sweep by process {holder.pid}"):
            FolderLock(tmp_path).acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with FolderLock(tmp_path):          # the dead holder does not keep it
        pass


def test_summarize_refuses_a_folder_another_process_is_writing(finished, tmp_path):
    from quotasim.experiments.lock import FolderLock
    out = copy_of(finished, tmp_path)
    with FolderLock(out):
        result = CliRunner().invoke(app, ["summarize", str(out)])
    assert result.exit_code == 2 and "in use" in result.output
    assert CliRunner().invoke(app, ["summarize", str(out)]).exit_code == 0


# ------------------------------------------------------------------ checksums
def flip(path: Path, count: int = 16) -> None:
    data = bytearray(path.read_bytes())
    for index in range(count):
        position = len(data) // 3 + index * 7
        data[position] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("name", ["points.parquet", "spec.json", "base_scenario.toml"])
def test_a_corrupted_source_file_is_named_by_query_resume_and_analysis(finished, tmp_path, name):
    out = copy_of(finished, tmp_path)
    flip(out / name)
    runner = CliRunner()
    for command in (["query", str(out), "SELECT count(*) FROM points"],
                    ["sweep", str(tmp_path / "spec.toml"), "--out", str(out), "--quiet"],
                    ["discover", str(out), "--below", "0.9"],
                    ["analyze", str(out), "--method", "morris"]):
        if command[0] == "sweep":
            write_spec(tmp_path, spec_dict())
        result = runner.invoke(app, command)
        assert result.exit_code == 2, (command, result.output)
        assert name in result.output and "not matching the checksum" in result.output, result.output
        assert "Traceback" not in result.output


@pytest.mark.parametrize("name", ["summary.parquet", "summary_monthly.parquet", "runs.parquet"])
def test_a_corrupted_derived_file_is_rebuilt(finished, tmp_path, name):
    out = copy_of(finished, tmp_path)
    original = (out / name).read_bytes()
    (out / name).write_bytes(original[: len(original) // 2])          # truncated
    table = name.removesuffix(".parquet")
    assert len(query(out, f"SELECT * FROM {table}")) > 0                 # no InvalidInputException
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"][name] == hashlib.sha256((out / name).read_bytes()).hexdigest()   # rebuilt, recorded
    rebuilt, reference = (pq.read_table(folder / name).to_pandas() for folder in (out, finished))
    pd.testing.assert_frame_equal(rebuilt, reference, check_exact=False, rtol=1e-12)


def test_a_tampered_manifest_names_no_file_outside_the_folder(finished, tmp_path):
    out = copy_of(finished, tmp_path)
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"]["../precious.txt"] = "0" * 64
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(OutputError, match="precious"):
        query(out, "SELECT 1")
    assert outside.read_text() == "keep me"


# ------------------------------------------------------------------ the journal
def test_stray_journal_lines_are_not_runs(finished, tmp_path):
    out = copy_of(finished, tmp_path)
    runs = json.loads((out / "manifest.json").read_text())["runs"]
    digest = "a" * 64
    strays = [{"run_id": 5, "status": [1, 2]},
              {"run_id": "p0000099-r0000", "point": 99, "replication": 0, "seed": 1, "status": "ok",
               "parts": {"monthly": digest}},                                     # outside the design
              {"run_id": "p0000001-r0000", "point": 3, "replication": 0, "seed": 1, "status": "ok",
               "parts": {"monthly": digest}},                                     # id not its point
              {"run_id": "p0000001-r0001", "point": 1, "replication": 1, "seed": 1, "status": "done"},
              {"run_id": "p0000001-r0001", "point": 1, "replication": 1, "seed": 1, "status": "ok", "parts": {}}]
    with open(out / "journal.jsonl", "a") as journal:
        journal.writelines(json.dumps(line) + "\n" for line in strays)
    assert query(out, "SELECT count(*) AS n FROM runs")["n"][0] == runs
    assert query(out, "SELECT max(attempts) AS a FROM runs")["a"][0] == 1
    report = run_sweep(load_spec(spec_dict()), out, workers=1)
    assert report.done_before == runs and report.ran == 0
    assert report.manifest["finished"] == runs


# ------------------------------------------------------------------ workers without a parent
def _children(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


@pytest.mark.slow
def test_local_workers_exit_when_the_sweep_parent_is_killed(tmp_path):
    path = slow_spec(tmp_path, samples=200)
    out = tmp_path / "orphans"
    sweep = start_sweep(path, out)
    children: list[psutil.Process] = []
    try:
        wait_for_lines(sweep, out / "journal.jsonl", 2)
        children = _children(sweep.pid)
        assert len(children) >= 2, children            # two workers (and the resource tracker)
        os.kill(sweep.pid, signal.SIGKILL)             # the parent only, as a crash of it would
        sweep.wait()
        gone, alive = psutil.wait_procs(children, timeout=30)
        assert not alive, f"still running 30 s after their parent died: {alive}"
    finally:
        for child in children:
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
