"""The Python API an analyst uses from a notebook: real dates, per-year summaries, tidy
replicate/compare, and quotasim as an EMA Workbench model (issue 16)."""

from __future__ import annotations

import os

import pandas as pd
import pyarrow as pa
import pytest

import quotasim

TINY = {"population.n_companies": 8, "population.n_trade_officials": 80, "population.n_overseas_workers": 80}


def test_dates_are_real_dates_and_readers_slice_by_month():
    run = quotasim.simulate(quotasim.load_scenario("baseline", {**TINY, "months": 14}), seed=0)
    assert pa.types.is_timestamp(run.monthly.schema.field("date").type)
    assert pa.types.is_timestamp(run.reviews.schema.field("date").type)
    frame = run.monthly.to_pandas().set_index("date")
    assert str(frame.index[0].date()) == "2016-01-01" and len(frame.loc["2016"]) == 12 and len(frame.loc["2017-02"]) == 1
    from quotasim.validation.measures import monthly
    assert list(monthly(run).index[:2]) == ["2016-01", "2016-02"]      # the checks' reader keeps YYYY-MM labels


def test_summary_per_year_is_the_run_total_over_its_years():
    run = quotasim.simulate(quotasim.load_scenario("baseline", {**TINY, "months": 18}), seed=1)
    total, per_year = run.summary(), run.summary(per="year")
    assert per_year["earned_usd"] == pytest.approx(total["earned_usd"] / 1.5)
    assert per_year["median_attainment"] == total["median_attainment"]
    yearly = run.yearly()
    assert list(yearly["year"]) == [2016, 2017] and list(yearly["months"]) == [12, 6]
    assert yearly["earned_usd"].sum() == pytest.approx(total["earned_usd"])
    with pytest.raises(ValueError, match="per = 'month'"):
        run.summary(per="month")


def test_replicate_returns_a_tidy_frame_over_replications():
    frame = quotasim.replicate("baseline", 3, seed=5, overrides={**TINY, "months": 12})
    assert list(frame.columns) == ["scenario", "replication", "seed", "metric", "value", "unit"]
    assert sorted(frame["seed"].unique()) == [5, 6, 7] and set(frame["replication"]) == {0, 1, 2}
    receipts = frame[frame["metric"] == "state_receipts_usd per year"]
    assert len(receipts) == 3 and (receipts["unit"] == "USD per year").all()
    again = quotasim.simulate(quotasim.load_scenario("baseline", {**TINY, "months": 12}), seed=6)
    assert receipts[receipts["seed"] == 6]["value"].iloc[0] == pytest.approx(again.summary(per="year")["state_receipts_usd"])
    monthly = quotasim.replicate("baseline", 2, overrides={**TINY, "months": 6}, table="monthly")
    assert len(monthly) == 12 and pd.api.types.is_datetime64_any_dtype(monthly["date"])


def test_compare_a_report_scenario_with_its_counterfactual():
    table = quotasim.compare("decentralisation-2025", 2, overrides=[f"{k}={v}" for k, v in TINY.items()] + ["months=12"])
    assert set(table["reference"]) == {"no-directive-2025"} and set(table["scenario"]) == {"decentralisation-2025"}
    assert table["paired"].all() and {"difference", "low", "high"} <= set(table.columns)
    from quotasim.report import ReportError
    with pytest.raises(ReportError, match="different calendars"):
        quotasim.compare(["baseline", "decentralisation-2025"], 2, overrides=["months=2"])


def test_quotasim_runs_as_an_ema_workbench_model():
    from ema_workbench import perform_experiments

    from quotasim.ema import ema_model
    model = ema_model("baseline", uncertainties={"quota.remit_share": (0.5, 0.9), "levies.enabled": None,
                                                 "population.n_companies": (6, 10)},
                      outcomes=["state_receipts_usd", "median_attainment"], overrides={**TINY, "months": 6})
    experiments, outcomes = perform_experiments(model, scenarios=4)
    assert len(experiments) == 4 and {"quota__remit_share", "levies__enabled", "population__n_companies"} <= set(
        experiments.columns)
    assert experiments["quota__remit_share"].between(0.5, 0.9).all()
    assert set(outcomes) == {"state_receipts_usd", "median_attainment"} and len(outcomes["state_receipts_usd"]) == 4
    assert (outcomes["state_receipts_usd"] > 0).all()
    # A higher share remitted to the state, all else equal on common seeds, raises its receipts.
    order = experiments["quota__remit_share"].argsort().to_numpy()
    receipts = outcomes["state_receipts_usd"][order]
    assert receipts[-1] > receipts[0]


def test_ema_ranges_default_to_the_declared_bounds_and_a_bad_name_is_located():
    from quotasim.ema import ema_model
    model = ema_model("baseline", uncertainties=["ratchet.up_rate"], overrides=TINY)
    (parameter,) = model.uncertainties
    assert (parameter.lower_bound, parameter.upper_bound) == (0, 1) and parameter.variable_name == ["ratchet.up_rate"]
    with pytest.raises(quotasim.ScenarioError, match="did you mean 'up_rate'"):
        ema_model("baseline", uncertainties=["ratchet.up_rat"])


def test_the_allocator_is_tuned_once_unless_the_user_chose_otherwise():
    """A run sets glibc's mmap and trim thresholds (quotasim.allocator), unless the user set
    them or asked for the default; each case in a fresh interpreter, since it is per process."""
    import platform
    import subprocess
    import sys
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        pytest.skip("the thresholds are glibc's")
    code = "from quotasim.allocator import tune_allocator as t; print(t(), t())"
    base = {k: v for k, v in os.environ.items() if k not in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_",
                                                              "GLIBC_TUNABLES", "QUOTASIM_ALLOCATOR")}
    for extra, expected in (({}, "True True"), ({"QUOTASIM_ALLOCATOR": "default"}, "False False"),
                            ({"MALLOC_TRIM_THRESHOLD_": "131072"}, "False False")):
        out = subprocess.run([sys.executable, "-c", code], env={**base, **extra}, capture_output=True, text=True,
                             check=True)
        assert out.stdout.split() == expected.split(), (extra, out.stdout, out.stderr)
