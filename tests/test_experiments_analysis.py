"""Analyses of an experiment: summaries with intervals, Sobol' and Morris indices on a case
whose answer is known, PRIM scenario discovery, and the query and analyze commands."""

from __future__ import annotations

import numpy as np
import pytest
from experiment_specs import spec_dict
from scipy import stats
from typer.testing import CliRunner

from quotasim.cli import app
from quotasim.experiments import query, run_sweep
from quotasim.experiments.analyze import analyze
from quotasim.experiments.discovery import discover, reference_value
from quotasim.experiments.outcomes import AnalysisError
from quotasim.experiments.spec import load_spec

runner = CliRunner()

# Levies are switched off, so their rate cannot matter; the state's share of earnings can.
KNOWN = dict(
    months=12, seed=5, replications=1, common_random_numbers=True,
    set={"population.n_companies": 4, "population.n_trade_officials": 40, "population.n_overseas_workers": 0,
         "levies.enabled": False,
         # no recalls, so no trader holds back remittances: the state's share then drives them directly
         "goal_recall.enabled": False, "rumour_recall.enabled": False},
    parameters={"quota.remit_share": {"low": 0.5, "high": 0.9}, "levies.rate": {"low": 0.0, "high": 0.5},
                "frictions.goods_shortfall": {"low": 0.0, "high": 0.3}},
    outputs={"monthly": ["remitted_usd", "state_receipts_usd", "earned_usd"]},
)


@pytest.fixture(scope="module")
def sobol_experiment(tmp_path_factory):
    out = tmp_path_factory.mktemp("sobol") / "out"
    run_sweep(load_spec(spec_dict(**KNOWN, design={"method": "sobol", "samples": 32})), out, workers=2)
    return out


@pytest.fixture(scope="module")
def replicated_experiment(tmp_path_factory):
    out = tmp_path_factory.mktemp("replicated") / "out"
    run_sweep(load_spec(spec_dict(replications=3)), out, workers=2)
    return out


def test_sobol_ranks_a_switched_off_parameter_last_with_zero_index(sobol_experiment):
    result = analyze(sobol_experiment, "sobol", "remitted_usd")
    table = result.table.set_index("parameter")
    assert table.loc["levies.rate", "ST"] == pytest.approx(0, abs=1e-12)
    assert table.loc["levies.rate", "S1"] == pytest.approx(0, abs=1e-12)
    assert table.loc["levies.rate", "rank"] == 3
    share = table.loc["quota.remit_share"]
    assert share["ST"] - share["ST_conf"] > 0      # clearly above zero
    assert (table["ST"] + 1e-9 >= table["S1"] - table["S1_conf"] - table["ST_conf"]).all()  # ST >= S1 up to noise
    assert result.figure_path.stat().st_size > 0 and result.table_path.exists()


def test_morris_screens_out_the_switched_off_parameter(tmp_path):
    out = tmp_path / "morris"
    run_sweep(load_spec(spec_dict(**KNOWN, design={"method": "morris", "trajectories": 6})), out, workers=2)
    table = analyze(out, "morris", "remitted_usd").table.set_index("parameter")
    assert table.loc["levies.rate", "mu_star"] == 0
    assert table.loc["quota.remit_share", "mu_star"] > 0
    assert table["mu_star"].idxmin() == "levies.rate"


def test_analysis_needs_a_matching_design(replicated_experiment):
    with pytest.raises(AnalysisError, match='design method = "sobol"'):
        analyze(replicated_experiment, "sobol", "remitted_usd")
    result = runner.invoke(app, ["analyze", str(replicated_experiment), "--method", "morris"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_unknown_or_unkept_output_is_refused(sobol_experiment):
    with pytest.raises(AnalysisError, match="not a monthly indicator"):
        analyze(sobol_experiment, "sobol", "remitted")
    with pytest.raises(AnalysisError, match="did not keep it"):
        analyze(sobol_experiment, "sobol", "officials_active")


@pytest.fixture(scope="module")
def lhs_experiment(tmp_path_factory):
    # A Latin hypercube: every point has distinct values, so PRIM's quantile peels always move
    # (a Saltelli design repeats values across its matrices, and peels can stall on the ties).
    out = tmp_path_factory.mktemp("lhs") / "out"
    run_sweep(load_spec(spec_dict(**KNOWN, design={"method": "lhs", "samples": 160})), out, workers=2)
    return out


def test_prim_finds_the_region_that_lowers_remittances(lhs_experiment):
    totals = query(lhs_experiment, "SELECT point, sum(remitted_usd) AS y FROM monthly GROUP BY point")["y"]
    found = discover(lhs_experiment, "remitted_usd", below=float(np.quantile(totals, 0.3)), reference="absolute")
    box = found.box.set_index("parameter")
    assert "quota.remit_share" in box.index and box.loc["quota.remit_share", "qp_value"] < 1e-3
    # PRIM may peel the switched-off parameter by chance, but never significantly.
    assert "levies.rate" not in box.index or box.loc["levies.rate", "qp_value"] > 0.05
    assert box.loc["quota.remit_share", "high"] < box.loc["quota.remit_share", "full_high"]
    assert found.density >= 0.8 and 0 < found.coverage <= 1
    assert found.figure_path.stat().st_size > 0


def test_prim_peels_when_cases_of_interest_are_rare(lhs_experiment):
    # 5 % of points: fewer than the workbench's default smallest box, and a density threshold
    # no box of that size can reach. The box must still be peeled, and its reported coverage
    # and density must be those of the points inside its limits.
    totals = query(lhs_experiment, "SELECT point, sum(remitted_usd) AS y FROM monthly GROUP BY point ORDER BY point")
    threshold = float(np.quantile(totals["y"], 0.05))
    found = discover(lhs_experiment, "remitted_usd", below=threshold, reference="absolute")
    assert found.cases == int((totals["y"] < threshold).sum()) and 0 < found.mass < 0.5
    points = query(lhs_experiment, "SELECT * FROM points ORDER BY point")
    inside = np.ones(len(points), dtype=bool)
    for row in found.box.itertuples():
        inside &= (points[row.parameter] >= row.low) & (points[row.parameter] <= row.high)
    interest = (totals["y"] < threshold).to_numpy()
    assert found.density == pytest.approx(interest[inside].mean())
    assert found.coverage == pytest.approx(interest[inside].sum() / interest.sum())
    assert found.meets_density == (found.density >= 0.8)


def test_discovery_threshold_relative_to_the_base_scenario(sobol_experiment):
    base = reference_value(sobol_experiment, "remitted_usd", "sum")
    found = discover(sobol_experiment, "remitted_usd", below=0.9, reference="base")
    assert found.reference == pytest.approx(base) and found.threshold == pytest.approx(0.9 * base)


def test_summary_matches_a_direct_computation(replicated_experiment):
    runs = query(replicated_experiment, """SELECT point, run_id, avg(remitted_usd) AS y FROM monthly
                                           GROUP BY point, run_id ORDER BY point, run_id""")
    summary = query(replicated_experiment, "SELECT * FROM summary WHERE indicator = 'remitted_usd' ORDER BY point")
    assert len(summary) == 5 and (summary["n"] == 3).all()
    for point, group in runs.groupby("point"):
        y = group["y"].to_numpy()
        row = summary[summary["point"] == point].iloc[0]
        half = stats.t.ppf(0.975, 2) * y.std(ddof=1) / np.sqrt(3)
        assert row["mean"] == pytest.approx(y.mean(), rel=1e-12)
        assert row["half_width"] == pytest.approx(half, rel=1e-9)
        assert row["ci_low"] <= row["mean"] <= row["ci_high"]
        needed = np.ceil((half * np.sqrt(3) / (0.05 * abs(y.mean()))) ** 2)
        assert row["replications_for_5pct"] == needed
    monthly = query(replicated_experiment, "SELECT * FROM summary_monthly WHERE indicator = 'earned_usd' AND month = 3")
    direct = query(replicated_experiment, "SELECT point, avg(earned_usd) AS m FROM monthly WHERE month = 3 GROUP BY point")
    merged = monthly.merge(direct, on="point")
    assert np.allclose(merged["mean"], merged["m"], rtol=1e-12)


def test_query_command_prints_csv_and_rejects_bad_sql(replicated_experiment):
    result = runner.invoke(app, ["query", str(replicated_experiment),
                                 "SELECT count(*) AS n FROM runs WHERE status = 'ok'", "--format", "csv"])
    assert result.exit_code == 0 and result.output.split() == ["n", "15"]
    bad = runner.invoke(app, ["query", str(replicated_experiment), "SELECT * FROM no_such_view"])
    assert bad.exit_code == 2 and "no_such_view" in bad.output and "Traceback" not in bad.output
    elsewhere = runner.invoke(app, ["query", str(replicated_experiment.parent), "SELECT 1"])
    assert elsewhere.exit_code == 2 and "not an experiment folder" in elsewhere.output


def test_summarize_command_prints_the_adequacy_table(replicated_experiment):
    # It crashed with UnboundLocalError on every call (issue 16): the docs send users to it.
    result = runner.invoke(app, ["summarize", str(replicated_experiment)])
    assert result.exit_code == 0, result.output
    assert "remitted_usd" in result.output and "Traceback" not in result.output
    assert "summary_monthly" in result.output


def test_discover_command_prints_the_box(lhs_experiment):
    result = runner.invoke(app, ["discover", str(lhs_experiment), "--output", "remitted_usd", "--below", "0.9",
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "cases of interest: remitted_usd (sum) below" in result.output and "PRIM box: coverage" in result.output
    header = result.stdout.splitlines()[0].split(",")
    shown = [line.split(",")[0] for line in result.stdout.splitlines()[1:]]
    expected = discover(lhs_experiment, "remitted_usd", below=0.9, reference="base").box
    assert header[0] == "parameter" and shown == list(expected["parameter"]) and shown
