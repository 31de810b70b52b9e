"""Workers abroad, trade channels and the closure by degree (issue 14): what the built-in history shows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quotasim
from quotasim.calibration.fit import scaled

SCALE = 1.0   # the built-in run as written (about 3 s)


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    scenario = scaled(quotasim.load_scenario("history-2016-2025"), SCALE)
    return quotasim.simulate(scenario, seed=3).monthly.to_pandas().set_index("date")


def _at(m: pd.DataFrame, month: str, column: str) -> float:
    """The value of one month ("YYYY-MM"): the index is the month's date."""
    return m.loc[month, column].item()


def _year(m: pd.DataFrame, column: str, year: int) -> float:
    return float(m.loc[f"{year}-01":f"{year}-12", column].sum())


def test_workers_abroad_fall_through_2018_2019_as_the_record_does(history):
    m = history
    assert _at(m, "2017-12", "workers_abroad") > _at(m, "2018-12", "workers_abroad") > _at(m, "2019-12", "workers_abroad")
    assert _at(m, "2019-12", "workers_abroad") < 0.7 * _at(m, "2017-12", "workers_abroad")
    russia = m["workers_russia_permitted"]
    assert russia.loc["2018-12"].item() < 0.6 * russia.loc["2017-12"].item()          # record: 34,000 -> 11,000
    assert m.loc["2016-01":"2017-12", "repatriated"].sum() == 0 < m.loc["2018-01":"2019-12", "repatriated"].sum()
    assert m.loc["2020-02":"2023-07", "repatriated"].sum() == 0   # no movement of people while closed
    assert m["workers_other_permits"].iloc[-1] > 0                # some evaded on other permits
    assert m.loc["2024-07":"2025-12", "workers_dispatched"].sum() > 0 == m.loc["2017-10":"2024-05", "workers_dispatched"].sum()


def test_trade_revives_in_2022_2023_by_channel(history):
    m = history
    assert _year(m, "customs_exports_china_usd", 2021) == 0.0
    rail = m.loc["2022-01":"2022-04", "customs_exports_china_usd"].sum()
    stopped = m.loc["2022-05":"2022-08", "customs_exports_china_usd"].sum()    # the months between the April stop
    resumed = m.loc["2022-09":"2022-12", "customs_exports_china_usd"].sum()    # and the September restart
    assert rail > 0 and stopped < rail and resumed > stopped      # rail freight runs, stops in April, resumes
    assert _year(m, "customs_exports_usd", 2023) > _year(m, "customs_exports_usd", 2022) > 0
    assert _year(m, "customs_exports_usd", 2024) > _year(m, "customs_exports_usd", 2023)
    assert _year(m, "trade_smuggled_usd", 2021) > 0               # ship-to-ship transfers through the closure
    assert _year(m, "trade_smuggled_usd", 2023) > _year(m, "trade_smuggled_usd", 2021)
    assert _year(m, "trade_state_channel_usd", 2018) > _year(m, "trade_state_channel_usd", 2016)


def test_sanctions_move_trade_out_of_customs_records(history):
    m = history
    share = lambda year: _year(m, "customs_exports_usd", year) / _year(m, "trade_volume_usd", year)  # noqa: E731
    assert share(2016) > 0.9 and share(2019) < 0.5
    assert _at(m, "2017-09", "deals_stopped_by_ban") > 0 and _at(m, "2017-11", "deals_stopped_by_ban") == 0


def test_a_partial_opening_needs_no_new_code():
    base = {"population.n_companies": 30, "population.n_trade_officials": 400, "population.n_overseas_workers": 1000,
            "months": 24, "behaviour.earnings_noise": False}
    def customs(official_open: float) -> float:
        timeline = [{"date": "2016-07", "set": {"environment.border_closed": True,
                                                 "closure_degree.official_open": [official_open, 0.0, 0.0]}}]
        result = quotasim.simulate(quotasim.load_scenario({**base_dict(), "timeline": timeline}, base), seed=0)
        return float(result.monthly["customs_exports_china_usd"].to_numpy()[9:].sum())
    closed, partial, wide = customs(0.0), customs(0.3), customs(1.0)
    assert closed == 0.0 < partial < wide


def base_dict() -> dict:
    return {"extends": "baseline", "name": "partial-opening"}


def test_doubled_charges_move_money_from_workers_to_the_state():
    base = {"population.n_companies": 20, "population.n_trade_officials": 100, "population.n_overseas_workers": 2000,
            "months": 12}
    def run(factor: float):
        charge = [235.0 * factor, 365.0 * factor, 300.0 * factor]
        return quotasim.simulate(quotasim.load_scenario("baseline", {**base, "workers_abroad.charge_usd": charge}),
                                 seed=0).monthly.to_pandas()
    ordinary, doubled = run(1.0), run(2.0)
    assert doubled["worker_charges_paid_usd"].sum() > 1.5 * ordinary["worker_charges_paid_usd"].sum()
    assert doubled["worker_debt_usd"].iloc[-1] > ordinary["worker_debt_usd"].iloc[-1]
    kept = lambda m: (m["workers_net_usd"] - m["worker_charges_paid_usd"]).sum()  # noqa: E731
    assert kept(doubled) < kept(ordinary)
    assert np.isclose(doubled["worker_charges_owed_usd"].sum(),
                      doubled["worker_charges_paid_usd"].sum() + doubled["worker_charge_arrears_usd"].sum())


def test_poisson_quantile_is_scipy_stats_poisson_ppf():
    """New workers per route are Poisson counts drawn at a keyed uniform; the quantile is
    written over scipy.special (cheaper to import in every sweep worker) and must be the very
    function scipy.stats computes, across small, large and zero means and both tails."""
    from scipy.stats import poisson

    from quotasim.phases.workers import poisson_quantile
    rng = np.random.default_rng(7)
    q = np.concatenate([rng.random(200_000), [1e-12, 0.5, 1 - 1e-12]])
    mean = rng.choice([0.0, 1e-9, 0.3, 2.0, 17.5, 150.0, 4_000.0], q.size)
    np.testing.assert_array_equal(poisson_quantile(q, mean), poisson.ppf(q, mean))
