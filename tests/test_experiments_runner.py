"""Sweeps: identical results on any backend and worker count, failures recorded and retried on
request, a killed sweep resumed to exactly the uninterrupted catalogue, flat parent memory."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from experiment_specs import TINY_POPULATION, spec_dict, write_spec

from quotasim.experiments import query, run_sweep
from quotasim.experiments.spec import load_spec
from quotasim.experiments.worker import execute_run
from quotasim.results import OutputError

FAIL_MARKER = "QUOTASIM_TEST_FAIL_MARKER"


def catalogue(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Everything a sweep's results say, in a canonical order (wall times and dates aside)."""
    monthly = query(folder, "SELECT * FROM monthly ORDER BY run_id, month")
    runs = query(folder, "SELECT run_id, point, replication, seed, status, monthly_sha256 FROM runs ORDER BY run_id")
    return monthly, runs


def assert_same_catalogue(a: Path, b: Path) -> None:
    monthly_a, runs_a = catalogue(a)
    monthly_b, runs_b = catalogue(b)
    pd.testing.assert_frame_equal(monthly_a, monthly_b, check_exact=True)
    pd.testing.assert_frame_equal(runs_a, runs_b, check_exact=True)
    points_a, points_b = (query(f, "SELECT * FROM points ORDER BY point") for f in (a, b))
    pd.testing.assert_frame_equal(points_a, points_b, check_exact=True)


def test_same_results_with_one_and_two_local_workers(tmp_path):
    spec = load_spec(spec_dict())
    one = run_sweep(spec, tmp_path / "one", workers=1)
    two = run_sweep(spec, tmp_path / "two", workers=2)
    assert one.ok == two.ok == 10 and one.failed == two.failed == 0
    assert_same_catalogue(tmp_path / "one", tmp_path / "two")
    monthly, runs = catalogue(tmp_path / "one")
    assert len(monthly) == 10 * 6 and runs["seed"].nunique() == 10
    # Replications differ (seeds do), so the comparison above could fail.
    first = monthly[monthly["point"] == 0].groupby("replication")["earned_usd"].sum()
    assert first.iloc[0] != first.iloc[1]


@pytest.mark.slow
def test_dask_cluster_gives_bit_identical_results(tmp_path):
    from distributed import LocalCluster

    spec = load_spec(spec_dict())
    run_sweep(spec, tmp_path / "local", workers=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        report = run_sweep(spec, tmp_path / "dask", backend="dask", address=cluster.scheduler_address)
    assert report.workers == 2 and report.ok == 10
    assert_same_catalogue(tmp_path / "local", tmp_path / "dask")


def flaky_run(task, base, monthly_columns, keep_reviews):
    """``execute_run``, but point 1 gets an impossible scenario while the marker file exists."""
    marker = Path(os.environ[FAIL_MARKER])
    if task.point == 1 and marker.exists():
        base = {**base, "months": -1}
    return execute_run(task, base, monthly_columns, keep_reviews)


def test_failed_run_is_recorded_and_retried_only_on_request(tmp_path, monkeypatch):
    marker = tmp_path / "fail-point-1"
    marker.touch()
    monkeypatch.setenv(FAIL_MARKER, str(marker))
    spec = load_spec(spec_dict())
    out = tmp_path / "out"
    first = run_sweep(spec, out, workers=2, run_fn=flaky_run)
    assert (first.ok, first.failed) == (8, 2)
    failed = query(out, "SELECT run_id, error, attempts FROM runs WHERE status = 'failed' ORDER BY run_id")
    assert list(failed["run_id"]) == ["p0000001-r0000", "p0000001-r0001"]
    assert all("months" in error and "greater than or equal to 1" in error for error in failed["error"])
    assert first.manifest["status"] == "incomplete"
    assert query(out, "SELECT count(*) AS n FROM monthly WHERE point = 1")["n"][0] == 0

    marker.unlink()
    again = run_sweep(spec, out, workers=2, run_fn=flaky_run)
    assert (again.ok, again.failed, again.done_before, again.failed_skipped) == (0, 0, 8, 2)

    retried = run_sweep(spec, out, workers=2, run_fn=flaky_run, retry_failed=True)
    assert (retried.ok, retried.failed) == (2, 0)
    runs = query(out, "SELECT run_id, status, attempts FROM runs WHERE point = 1 ORDER BY run_id")
    assert list(runs["status"]) == ["ok", "ok"] and list(runs["attempts"]) == [2, 2]
    assert retried.manifest["status"] == "complete"
    run_sweep(spec, tmp_path / "clean", workers=2)
    assert_same_catalogue(out, tmp_path / "clean")


def test_another_spec_into_the_same_folder_is_refused_and_keeps_results(tmp_path):
    out = tmp_path / "out"
    run_sweep(load_spec(spec_dict()), out, workers=1)
    before = catalogue(out)
    with pytest.raises(OutputError, match="holds another experiment"):
        run_sweep(load_spec(spec_dict(seed=12)), out, workers=1)
    pd.testing.assert_frame_equal(catalogue(out)[0], before[0])


@pytest.mark.slow
def test_killed_sweep_resumes_to_the_uninterrupted_catalogue(tmp_path):
    spec_data = spec_dict(replications=1, months=24, design={"method": "lhs", "samples": 120},
                          set={**TINY_POPULATION, "population.n_companies": 10, "population.n_overseas_workers": 100},
                          parameters={"ratchet.up_rate": {"low": 0.1, "high": 0.9},
                                      "population.n_trade_officials": {"low": 60, "high": 120}})
    path = write_spec(tmp_path, spec_data)
    out = tmp_path / "killed"
    sweep = subprocess.Popen([sys.executable, "-m", "quotasim.cli", "sweep", str(path), "--out", str(out),
                              "--workers", "2", "--quiet"], start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = out / "journal.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and sweep.poll() is None:
        if journal.exists() and journal.read_bytes().count(b"\n") >= 15:
            break
        time.sleep(0.01)
    assert sweep.poll() is None, "the sweep ended before it could be killed"
    os.killpg(sweep.pid, signal.SIGKILL)  # the sweep and its worker processes, as a crash would
    sweep.wait()
    finished_before = sum(1 for line in journal.read_text().splitlines() if line.strip().endswith("}"))
    assert 15 <= finished_before < 120

    resumed = run_sweep(path, out, workers=2)
    assert resumed.done_before == finished_before   # every complete journal line, part verified
    assert resumed.done_before + resumed.ok == 120 and resumed.failed == 0
    run_sweep(path, tmp_path / "uninterrupted", workers=2)
    assert_same_catalogue(out, tmp_path / "uninterrupted")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["finished"] == 120


MEMORY_PROBE = r"""
import json, sys, tracemalloc
import pyarrow as pa
from quotasim.experiments import run_sweep
from quotasim.experiments.spec import load_spec
spec = load_spec(json.loads(sys.argv[1]))
tracemalloc.start()
run_sweep(spec, sys.argv[2], workers=2)
python_peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"python_peak": python_peak, "arrow_peak": pa.default_memory_pool().max_memory()}))
"""


@pytest.mark.slow
def test_parent_memory_does_not_grow_with_the_number_of_runs(tmp_path):
    """The parent's peak memory (Python objects and Arrow buffers) for 600 runs is within a
    small margin of that for 60: results stream to disk, none is held."""
    def peak(samples: int) -> dict:
        data = spec_dict(replications=1, months=12, design={"method": "lhs", "samples": samples},
                         set={"population.n_companies": 2, "population.n_trade_officials": 4,
                              "population.n_overseas_workers": 0},
                         parameters={"ratchet.up_rate": {"low": 0.1, "high": 0.9}},
                         outputs={"monthly": "all"})
        done = subprocess.run([sys.executable, "-c", MEMORY_PROBE, json.dumps(data), str(tmp_path / f"n{samples}")],
                              capture_output=True, text=True, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    small, large = peak(60), peak(600)
    one_run_in_memory = 12 * 60 * 8  # a run's monthly table: 12 months x ~60 columns x 8 bytes
    extra_runs = 540
    growth = (large["python_peak"] + large["arrow_peak"]) - (small["python_peak"] + small["arrow_peak"])
    # Holding every result would add at least extra_runs * one_run_in_memory (~3 MB); allow a tenth of that.
    assert growth < extra_runs * one_run_in_memory / 10, (small, large)
