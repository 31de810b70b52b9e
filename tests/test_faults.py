"""Faults in long work: a worker process killed, a full disk, an unwritable folder, a
corrupted result part (docs/reliability.md). A sweep killed outright and resumed is
``test_experiments_runner.py::test_killed_sweep_resumes_to_the_uninterrupted_catalogue``.

Each test ends by comparing the damaged-and-recovered experiment with an undisturbed one
of the same spec: the recovery must give exactly the same results, not merely some.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from experiment_specs import spec_dict
from test_experiments_runner import assert_same_catalogue
from typer.testing import CliRunner

from quotasim.cli import app
from quotasim.execution import Executor
from quotasim.experiments import query, run_sweep
from quotasim.experiments import runner as runner_module
from quotasim.experiments import store as store_module
from quotasim.experiments.runner import MAX_LOSSES
from quotasim.experiments.spec import load_spec
from quotasim.experiments.worker import execute_run
from quotasim.results import OutputError

KILL_MARKER = "QUOTASIM_TEST_KILL_MARKER"
KILL_ALWAYS = "QUOTASIM_TEST_KILL_ALWAYS"


def killing_run(task, base, monthly_columns, keep_reviews):
    """``execute_run``, except that the worker process dies (SIGKILL, as the out-of-memory
    killer would do it) on point 2, replication 0: once while the marker file exists, or
    every time when KILL_ALWAYS is set."""
    if (task.point, task.replication) == (2, 0):
        marker = os.environ.get(KILL_MARKER)
        if os.environ.get(KILL_ALWAYS) or (marker and Path(marker).exists()):
            if marker and not os.environ.get(KILL_ALWAYS):
                Path(marker).unlink()
            os.kill(os.getpid(), signal.SIGKILL)
    return execute_run(task, base, monthly_columns, keep_reviews)


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    """The undisturbed sweep every recovery is compared with."""
    out = tmp_path_factory.mktemp("clean") / "out"
    run_sweep(load_spec(spec_dict()), out, workers=2)
    return out


def _leftovers(folder: Path) -> list[Path]:
    """Temporary files of atomic writes (``.NAME.XXXX``) left behind."""
    return [path for path in folder.rglob(".*") if path.is_file()]


def test_a_worker_killed_mid_sweep_is_survived(tmp_path, monkeypatch, clean):
    marker = tmp_path / "kill-once"
    marker.touch()
    monkeypatch.setenv(KILL_MARKER, str(marker))
    out = tmp_path / "out"
    report = run_sweep(load_spec(spec_dict()), out, workers=2, run_fn=killing_run)
    assert not marker.exists(), "the worker was never killed"
    assert report.restarts == 1 and (report.ok, report.failed) == (10, 0)
    assert report.manifest["status"] == "complete" and _leftovers(out) == []
    assert_same_catalogue(out, clean)


def test_a_run_that_always_kills_its_worker_is_recorded_failed_and_the_rest_finish(tmp_path, monkeypatch, clean):
    monkeypatch.setenv(KILL_ALWAYS, "1")
    out = tmp_path / "out"
    report = run_sweep(load_spec(spec_dict()), out, workers=2, run_fn=killing_run)
    # Lost once with whatever shared the pool, then twice more running alone: then it is failed.
    assert report.restarts == MAX_LOSSES and (report.ok, report.failed) == (9, 1)
    failed = query(out, "SELECT run_id, error FROM runs WHERE status = 'failed'")
    assert list(failed["run_id"]) == ["p0000002-r0000"] and "worker lost" in failed["error"][0]
    assert not (out / "parts" / "monthly" / "p0000002-r0000.parquet").exists()
    others = query(out, "SELECT * FROM monthly ORDER BY run_id, month")
    reference = query(clean, "SELECT * FROM monthly WHERE run_id <> 'p0000002-r0000' ORDER BY run_id, month")
    assert others.equals(reference)
    monkeypatch.delenv(KILL_ALWAYS)
    retried = run_sweep(load_spec(spec_dict()), out, workers=2, run_fn=killing_run, retry_failed=True)
    assert (retried.ok, retried.failed) == (1, 0)
    assert_same_catalogue(out, clean)


class RacingPool(Executor):
    """A stand-in for the local pool that makes a timing of the real one happen every time.

    Runs execute in this process, in the order submitted, when waited for. The run at point
    0, replication 1 "kills its worker": its future stays unfinished and the pool is broken,
    yet the wait still returns the next run's result, as the real pool's wait may when the
    death is noticed a moment late. The breakage then surfaces at the next ``submit``, which
    raises BrokenProcessPool; when nothing else is left to return, the wait itself reports
    every run in flight as broken, as the real pool does."""

    workers = 2

    def __init__(self, kills: int) -> None:
        self.kills, self.broken, self.queue = kills, False, []
        self.dead = None            # the killed run's future: never finished

    def submit(self, fn, *args):
        if self.broken:
            raise BrokenProcessPool("A child process terminated abruptly")
        future = Future()
        self.queue.append((future, fn, args))
        return future

    def wait_any(self, futures):
        futures = set(futures)
        for item in list(self.queue):
            future, fn, args = item
            if (args[0].point, args[0].replication) == (0, 1) and self.kills and not self.broken:
                self.kills, self.broken, self.dead = self.kills - 1, True, future
            if future is self.dead:
                continue
            self.queue.remove(item)
            future.set_result(fn(*args))
            return {future}, futures - {future}
        for future in futures:
            future.set_exception(BrokenProcessPool("A child process terminated abruptly"))
        return futures, set()

    def restart(self) -> None:
        self.queue, self.broken, self.dead = [], False, None

    def close(self) -> None:
        pass


@pytest.mark.parametrize("kills", [1, MAX_LOSSES])
def test_a_pool_found_broken_at_submit_is_restarted_like_one_found_broken_in_a_wait(
        tmp_path, monkeypatch, clean, kills):
    pool = RacingPool(kills)
    monkeypatch.setattr(runner_module, "make_executor", lambda *args: pool)
    out = tmp_path / "out"
    report = run_sweep(load_spec(spec_dict()), out, workers=2)
    assert pool.kills == 0, "the worker was never killed"
    assert report.restarts == kills
    if kills < MAX_LOSSES:
        assert (report.ok, report.failed) == (10, 0)
        assert_same_catalogue(out, clean)
    else:
        assert (report.ok, report.failed) == (9, 1)
        assert report.errors[0][0] == "p0000000-r0001" and "worker lost" in report.errors[0][1]


def test_disk_full_mid_sweep_is_reported_cleanly_and_the_resume_is_exact(tmp_path, monkeypatch, clean):
    written = []
    real_write = store_module.write_atomic

    def filling_disk(path, writer):
        if "parts" not in str(path):
            return real_write(path, writer)
        if len(written) >= 4:
            # The writer has started: a temporary file exists when the disk fills.
            return real_write(path, lambda tmp: (writer(tmp), _raise_enospc()))
        written.append(path)
        return real_write(path, writer)

    monkeypatch.setattr(store_module, "write_atomic", filling_disk)
    out = tmp_path / "out"
    with pytest.raises(OutputError, match="No space left on device") as caught:
        run_sweep(load_spec(spec_dict()), out, workers=2)
    assert "parts/monthly" in str(caught.value)
    assert _leftovers(out) == []                    # no half-written part, no temporary
    journalled = query(out, "SELECT count(*) AS n FROM runs")["n"][0]
    assert journalled == 4 == len(list((out / "parts" / "monthly").glob("*.parquet")))
    monkeypatch.setattr(store_module, "write_atomic", real_write)
    resumed = run_sweep(load_spec(spec_dict()), out, workers=2)
    assert (resumed.done_before, resumed.ok) == (4, 6)
    assert_same_catalogue(out, clean)


def _raise_enospc():
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_too_little_free_space_is_refused_before_any_run(tmp_path, monkeypatch):
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage._replace(free=10 * 2**20))
    out = tmp_path / "out"
    with pytest.raises(OutputError, match="not enough free disk space"):
        run_sweep(load_spec(spec_dict()), out, workers=2)
    assert not out.exists()          # refused before the manifest, spec or points were written
    result = CliRunner().invoke(app, ["run", "--out", str(tmp_path / "run"), "--quiet"])
    assert result.exit_code == 2 and "not enough free disk space" in result.output
    assert not (tmp_path / "run" / "manifest.json").exists()


@pytest.mark.parametrize("command", ["sweep", "run"])
def test_an_unwritable_output_folder_is_refused_before_any_work(tmp_path, command):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = blocker / "results"                         # cannot be created, even by root
    if command == "sweep":
        with pytest.raises(OutputError, match="cannot write there"):
            run_sweep(load_spec(spec_dict()), out, workers=1)
    else:
        result = CliRunner().invoke(app, ["run", "--out", str(out), "--months", "600", "--quiet"])
        assert result.exit_code == 2 and "cannot write there" in result.output
        assert "Traceback" not in result.output


def test_a_corrupted_part_is_detected_not_read_and_run_again(tmp_path, clean):
    out = tmp_path / "out"
    shutil.copytree(clean, out)
    part = out / "parts" / "monthly" / "p0000003-r0001.parquet"
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0xFF                       # one flipped byte, as a bad disk would
    part.write_bytes(bytes(data))
    with pytest.raises(OutputError, match="p0000003-r0001") as caught:
        query(out, "SELECT sum(remitted_usd) FROM monthly")
    assert "checksum" in str(caught.value) and "run the sweep's command again" in str(caught.value)
    resumed = run_sweep(load_spec(spec_dict()), out, workers=2)
    assert (resumed.done_before, resumed.ok) == (9, 1)
    assert_same_catalogue(out, clean)
