"""``quotasim calibrate``: targets files are validated, a known parameter is recovered, the result is written."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import quotasim
from quotasim.calibration import calibrate, load_targets
from quotasim.calibration.fit import measure
from quotasim.cli import app

SMALL = {"population.n_companies": 10, "population.n_trade_officials": 60, "population.n_overseas_workers": 600,
         "months": 12, "behaviour.earnings_noise": False}
TRUE_WAGE = 520.0


def _targets_file(tmp_path, value: float, extra: str = "") -> str:
    path = tmp_path / "targets.toml"
    path.write_text(f'''
[[target]]
name = "workers' pay, 2016"
statistic = "workers_net_usd"
period = "2016"
value = {value}
tolerance = 0.05

[[free]]
parameter = "overseas_earnings.wage_usd"
low = 300
high = 1000
{extra}''')
    return str(path)


@pytest.fixture(scope="module")
def truth():
    """The statistic the model gives at a known wage: the target a calibration must recover."""
    scenario = quotasim.load_scenario("baseline", {**SMALL, "overseas_earnings.wage_usd": TRUE_WAGE})
    result = quotasim.simulate(scenario, seed=0)
    return float(result.monthly["workers_net_usd"].to_numpy().sum())


def test_calibration_recovers_a_known_wage(tmp_path, truth):
    scenario = quotasim.load_scenario("baseline", SMALL)
    spec = load_targets(_targets_file(tmp_path, truth), scenario)
    result = calibrate(scenario, spec, trials=25, replications=1, final_replications=3, scale=1.0, workers=1)
    assert result.replications == 3 and all(row["ci_low"] <= row["model"] <= row["ci_high"] for row in result.fit)
    assert result.best["overseas_earnings.wage_usd"] == pytest.approx(TRUE_WAGE, rel=0.05)
    assert result.within_tolerance and result.accepted_trials >= 1
    low, high = result.ranges["overseas_earnings.wage_usd"]
    assert low <= TRUE_WAGE * 1.05 and high >= TRUE_WAGE * 0.95
    assert result.scenario.overseas_earnings.wage_usd == pytest.approx(result.best["overseas_earnings.wage_usd"])


def test_measure_sums_scale_back_to_full_size():
    scenario = quotasim.load_scenario("baseline", SMALL)
    result = quotasim.simulate(scenario, seed=1)
    from quotasim.calibration.targets import Target
    target = Target(name="t", statistic="workers_net_usd", period="2016", value=1.0, tolerance=0.1)
    total = float(result.monthly["workers_net_usd"].to_numpy().sum())
    assert measure(result, target, scale=0.5) == pytest.approx(2 * total)


def test_cli_writes_posterior_and_scenario_and_passes_recovery(tmp_path, truth):
    """A small-budget ABC-SMC (seconds): the posterior is written, covers the known wage, and the
    recovery check on synthetic data at the posterior mean passes."""
    import pandas as pd

    out = tmp_path / "calibrated.toml"
    args = ["calibrate", "baseline", "--targets", _targets_file(tmp_path, truth), "--population", "12",
            "--generations", "3", "--scale", "1.0", "--workers", "1", "--out", str(out)]
    for key, value in SMALL.items():
        args += ["--set", f"{key}={str(value).lower()}"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "posterior · ABC-SMC" in result.stdout and "recovery check" in result.stdout
    assert "overseas_earnings.wage_usd" in result.stdout
    calibrated = quotasim.load_scenario(out)
    assert calibrated.name == "baseline-calibrated"
    posterior = pd.read_parquet(out.with_suffix(".posterior.parquet"))
    assert list(posterior.columns) == ["overseas_earnings.wage_usd", "weight"] and len(posterior) == 12
    assert posterior["weight"].sum() == pytest.approx(1.0)
    summary = json.loads(out.with_suffix(".posterior.json").read_text())
    marginal = summary["marginals"][0]
    assert marginal["q05"] <= TRUE_WAGE <= marginal["q95"], marginal
    assert marginal["width_ratio"] < 0.5, "the one target should pin the wage down"
    assert calibrated.overseas_earnings.wage_usd == pytest.approx(marginal["mean"])
    assert summary["recovery"]["passed"]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2 and "exists" in refused.output


def test_summary_statistics_put_the_record_at_the_origin(tmp_path, truth):
    import numpy as np

    from quotasim.calibration.abc import summary_statistics, weighted_quantile
    spec = load_targets(_targets_file(tmp_path, truth), quotasim.load_scenario("baseline", SMALL))
    assert summary_statistics({spec.target[0].name: truth}, spec) == {spec.target[0].name: 0.0}
    assert summary_statistics({spec.target[0].name: truth * 1.05}, spec)[spec.target[0].name] == pytest.approx(1.0)
    values = np.array([1.0, 2.0, 3.0])
    assert weighted_quantile(values, np.array([0.0, 0.0, 1.0]), 0.05) == 3.0
    assert weighted_quantile(values, np.array([1.0, 1.0, 1.0]), 0.5) == 2.0


def test_record_targets_stay_within_2016_2019():
    """The forecast is judged on held-out figures: no target may read a month after 2019."""
    spec = load_targets("record")
    assert all(t.months()[1] <= "2019-12" for t in spec.target)
    assert len(spec.free) < len(spec.target)


@pytest.mark.parametrize("extra, field, allowed", [
    ('[[free]]\nparameter = "ratchet.up_rat"\nlow = 0\nhigh = 1\n', "free[1]", "unknown parameter"),
    ('[[free]]\nparameter = "environment.sanctions_china"\nat = "2031-01"\nlow = 0\nhigh = 1\n', "free[1]", "timeline entry"),
    ('[[free]]\nparameter = "ratchet.up_rate"\nlow = 0.5\nhigh = 0.1\n', "free[1]", "must be below high"),
    ('[[target]]\nname = "x"\nstatistic = "no_such_column"\nperiod = "2016"\nvalue = 1\ntolerance = 0.1\n', "target[1]",
     "not a numeric column"),
    ('[[target]]\nname = "x"\nstatistic = "earned_usd"\nperiod = "16"\nvalue = 1\ntolerance = 0.1\n', "target[1]",
     "expected YYYY"),
])
def test_bad_targets_file_gets_a_located_error(tmp_path, extra, field, allowed):
    path = _targets_file(tmp_path, 1e6, extra)
    with pytest.raises(quotasim.ScenarioError) as caught:
        load_targets(path, quotasim.load_scenario("baseline"))
    message = str(caught.value)
    assert path in message and field in message and allowed in message


def test_posterior_predictive_bands_cover_each_year_and_target(tmp_path, truth):
    import pandas as pd

    from quotasim.calibration.forecast import YEARLY, bands, fit_bands, posterior_predictive
    scenario = quotasim.load_scenario("baseline", {**SMALL, "months": 24})
    spec = load_targets(_targets_file(tmp_path, truth), scenario)
    posterior = pd.DataFrame({"overseas_earnings.wage_usd": [400.0, 520.0, 900.0], "weight": [0.0, 1.0, 0.0]})
    runs, fitted = posterior_predictive(scenario, spec, posterior, draws=3, scale=1.0, workers=1)
    band = bands(runs)
    assert set(band["statistic"]) == set(YEARLY) and sorted(set(band["year"])) == ["2016", "2017"]
    assert (band["q05"] <= band["median"]).all() and (band["median"] <= band["q95"]).all()
    fit = fit_bands(fitted, spec)
    assert len(fit) == 1 and abs(fit["error_of_median"].iloc[0]) < 0.1   # every draw is the true wage (weight 1)


def test_the_posterior_does_not_depend_on_where_the_runs_execute(tmp_path, truth):
    """ABC-SMC on the serial executor and on a local process pool: the same posterior, bit for bit
    (proposals are seeded per job and accepted in submission order)."""
    from quotasim.calibration.abc import abc_calibrate
    scenario = quotasim.load_scenario("baseline", SMALL)
    spec = load_targets(_targets_file(tmp_path, truth), scenario)
    serial = abc_calibrate(scenario, spec, population=6, generations=2, scale=1.0, workers=1, backend="serial", seed=3)
    pooled = abc_calibrate(scenario, spec, population=6, generations=2, scale=1.0, workers=2, backend="local", seed=3)
    assert serial.samples.equals(pooled.samples)
    assert serial.evaluations == pooled.evaluations


def test_forecast_cli_writes_bands_fit_and_figure_and_prints_json(tmp_path, truth):
    """``quotasim forecast --format json``: the fit and the bands as data, the files beside them."""
    import pandas as pd

    posterior = tmp_path / "posterior.parquet"
    pd.DataFrame({"overseas_earnings.wage_usd": [500.0, 540.0], "weight": [0.5, 0.5]}).to_parquet(posterior)
    out = tmp_path / "forecast"
    args = ["forecast", "baseline", "--posterior", str(posterior), "--targets", _targets_file(tmp_path, truth),
            "--draws", "2", "--scale", "1.0", "--workers", "1", "--out", str(out), "--format", "json"]
    for key, value in {**SMALL, "months": 24}.items():
        args += ["--set", f"{key}={str(value).lower()}"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    fit, band = data["fit"], data["bands"]
    assert [row["target"] for row in fit] == ["workers' pay, 2016"] and fit[0]["record"] == pytest.approx(truth)
    assert fit[0]["q05"] <= fit[0]["median"] <= fit[0]["q95"]
    assert {row["year"] for row in band} == {"2016", "2017"}
    assert (out / "bands.csv").exists() and (out / "fit.csv").exists() and (out / "forecast.png").stat().st_size > 0
