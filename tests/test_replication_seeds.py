"""One meaning of "replication k" (``quotasim.seeds``), and one executor family
(``quotasim.execution``), across every entry point: ``run --replications``, a sweep,
``validate`` and ``calibrate``."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest
from experiment_specs import TINY_POPULATION
from typer.testing import CliRunner

import quotasim
from quotasim.calibration import fit as fit_module
from quotasim.calibration.targets import Free, Target, TargetsSpec
from quotasim.cli import app
from quotasim.execution import BACKENDS, SerialExecutor, make_executor
from quotasim.experiments import query, run_sweep
from quotasim.experiments.spec import load_spec
from quotasim.experiments.worker import RUN_ID_COLUMNS
from quotasim.report import replicate
from quotasim.seeds import FRESH_BASE_SEED, replication_seed, replication_seeds
from quotasim.validation import runner as validation_runner
from quotasim.validation.checks import Check, Event

MONTHS = 6


def _tiny_overrides() -> dict:
    return {**TINY_POPULATION, "months": MONTHS}


def _spy(monkeypatch, module) -> list[int]:
    """Record the seed of every ``simulate`` call made through ``module``."""
    seeds: list[int] = []
    real = module.simulate

    def simulate(scenario, seed=0, **kwargs):
        seeds.append(seed)
        return real(scenario, seed, **kwargs)
    monkeypatch.setattr(module, "simulate", simulate)
    return seeds


def test_replication_k_is_base_seed_plus_k():
    assert [replication_seed(5, k) for k in range(4)] == replication_seeds(5, 4) == [5, 6, 7, 8]
    with pytest.raises(ValueError):
        replication_seed(0, -1)


def test_run_replications_and_a_one_point_sweep_give_the_same_replication_2(tmp_path):
    overrides = _tiny_overrides()
    sets = [f"--set={name}={value}" for name, value in overrides.items()]
    result = CliRunner().invoke(app, ["run", "baseline", "--replications", "3", "--out", str(tmp_path / "reps"),
                                      "--quiet", *sets])
    assert result.exit_code == 0, result.output
    from_run = pq.read_table(tmp_path / "reps" / "rep-002" / "monthly.parquet").to_pandas()

    up_rate = quotasim.load_scenario("baseline").ratchet.up_rate   # one point: the scenario itself
    spec = load_spec({"name": "one-point", "scenario": "baseline", "seed": 0, "replications": 3,
                      "set": {k: v for k, v in overrides.items() if k != "months"}, "months": MONTHS,
                      "design": {"method": "grid"}, "parameters": {"ratchet.up_rate": {"values": [up_rate]}}})
    report = run_sweep(spec, tmp_path / "sweep", workers=1, backend="serial")
    assert (report.ok, report.failed) == (3, 0)
    from_sweep = query(tmp_path / "sweep", "SELECT * FROM monthly WHERE replication = 2 ORDER BY month")
    assert set(from_sweep["seed"]) == {replication_seed(0, 2)}
    data = from_sweep.drop(columns=list(RUN_ID_COLUMNS))
    assert sorted(data.columns) == sorted(from_run.columns)
    pd.testing.assert_frame_equal(data[list(from_run.columns)].reset_index(drop=True), from_run, check_dtype=False,
                                  check_exact=True)


def test_sweep_runs_have_distinct_seeds_and_common_random_numbers_share_them(tmp_path):
    base = {"name": "seeds", "scenario": "baseline", "seed": 4, "replications": 2, "set": TINY_POPULATION,
            "months": 2, "design": {"method": "lhs", "samples": 3},
            "parameters": {"ratchet.up_rate": {"low": 0.1, "high": 0.9}}}
    run_sweep(load_spec(base), tmp_path / "own", backend="serial")
    run_sweep(load_spec({**base, "common_random_numbers": True}), tmp_path / "crn", backend="serial")
    own = query(tmp_path / "own", "SELECT point, replication, seed FROM runs ORDER BY point, replication")
    crn = query(tmp_path / "crn", "SELECT point, replication, seed FROM runs ORDER BY point, replication")
    assert list(own["seed"]) == replication_seeds(4, 6)
    assert list(crn["seed"]) == [replication_seed(4, r) for _ in range(3) for r in range(2)]


def test_validate_runs_replication_k_on_the_same_seed(monkeypatch):
    check = Check(id="earned", report="seed 000", scenario="baseline", claim="-", statistic="earned", above=True,
                  threshold=0.0, why="-", level=lambda run: float(run.monthly["earned_usd"].to_numpy().sum()),
                  event=Event("nothing"), null_name="nothing")
    monkeypatch.setattr(validation_runner, "CHECKS", (check,))
    monkeypatch.setattr(validation_runner, "size_overrides", lambda scenario, size: _tiny_overrides())
    monkeypatch.setattr(validation_runner, "analytic_check",
                        lambda: {"max_rel_error_output": 0.0, "max_rel_error_quota": 0.0})
    seeds = _spy(monkeypatch, validation_runner)
    results, _ = validation_runner.validate(replications=3, workers=1, history=False)
    assert seeds == replication_seeds(0, 3), "one run per seed: the variants that coincide are shared"
    scenario = quotasim.load_scenario("baseline", _tiny_overrides())
    direct = [check.level(quotasim.simulate(scenario, replication_seed(0, k))) for k in range(3)]
    assert results[0].estimate.mean == pytest.approx(sum(direct) / 3, rel=1e-12)


def test_calibrate_runs_replication_k_on_the_same_seed(monkeypatch):
    scenario = quotasim.load_scenario("baseline", _tiny_overrides())
    spec = TargetsSpec(target=(Target(name="pay", statistic="workers_net_usd", period="2016", value=1e5,
                                      tolerance=0.5),),
                       free=(Free(parameter="overseas_earnings.wage_usd", low=300.0, high=1000.0),))
    seeds = _spy(monkeypatch, fit_module)
    fit_module.calibrate(scenario, spec, trials=2, replications=2, final_replications=3, scale=1.0, workers=1,
                         finalists_kept=1, backend="serial")
    assert seeds == replication_seeds(0, 2) * 2 + replication_seeds(FRESH_BASE_SEED, 3)


def test_serial_and_process_pool_executors_give_identical_replications():
    scenario = quotasim.load_scenario("baseline", _tiny_overrides())
    serial = replicate(scenario, 2, seed=3, backend="serial")
    pooled = replicate(scenario, 2, seed=3, workers=2, backend="local")
    assert [r.seed for r in serial] == [r.seed for r in pooled] == replication_seeds(3, 2)
    for a, b in zip(serial, pooled):
        assert a.monthly.equals(b.monthly)


def test_executor_map_keeps_order_and_reports_progress():
    seen = []
    with make_executor("serial") as executor:
        assert isinstance(executor, SerialExecutor)
        assert executor.map(abs, [-3, 1, -2], lambda done, total: seen.append((done, total))) == [3, 1, 2]
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert make_executor(None, 1).__class__ is SerialExecutor and BACKENDS == ("serial", "local", "dask")
    with pytest.raises(ValueError, match="allowed: serial, local, dask"):
        make_executor("threads")


@pytest.mark.parametrize("command", [["run", "baseline", "--replications", "2"], ["validate"], ["calibrate"],
                                     ["compare", "baseline", "baseline"]])
def test_an_unknown_backend_is_refused_before_any_run(tmp_path, command):
    result = CliRunner().invoke(app, [*command, "--backend", "threads"])
    assert result.exit_code == 2 and "allowed: serial, local, dask" in result.output
    assert "Traceback" not in result.output
