"""Invariants: the money identity every month, conservation of officials, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

import quotasim
from quotasim.phases.record import MONEY_SPLIT

SMALL = ["population.n_companies=30", "population.n_trade_officials=300", "population.n_overseas_workers=1500",
         "months=48"]
VARIANTS = {
    "baseline": {},
    "closure": {"timeline": [{"date": "2017-01", "set": {"environment.border_closed": True}},
                             {"date": "2018-01", "set": {"environment.border_closed": False}}]},
    "directive": {"timeline": [{"date": "2016-07", "set": {"environment.decentralisation_directive": True}}]},
    "sanctions": {"timeline": [{"date": "2016-09", "set": {"environment.sanctions_china": 0.7}}]},
}


def _run(variant: str, seed: int):
    scenario = quotasim.load_scenario({"extends": "baseline", **VARIANTS[variant]}, SMALL)
    return quotasim.simulate(scenario, seed=seed)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("seed", [0, 1])
def test_identities_and_conservation(variant, seed):
    result = _run(variant, seed)
    m = result.monthly.to_pandas()
    parts = sum(m[name] for name in MONEY_SPLIT)
    assert np.allclose(m["earned_usd"], parts, rtol=1e-9, atol=1e-6)
    routes = m["earned_china_usd"] + m["earned_russia_usd"] + m["earned_third_usd"] + m["earned_domestic_usd"]
    assert np.allclose(m["earned_usd"], routes, rtol=1e-9, atol=1e-6)
    officials = result.officials.to_pandas()
    initial = 300 + 1500
    assert len(officials) == m["officials_total"].iloc[-1] == initial + m["dispatched"].sum()
    status = officials["status"].astype(str).value_counts()
    for name in ("recalled", "arrested", "defected", "gave_up"):
        assert status.get(name, 0) == m[name].sum(), name
    assert status.get("active", 0) == m["officials_active"].iloc[-1]
    assert (officials["wealth_usd"] >= -1e-6).all()
    reviews = result.reviews.to_pandas()
    assert (reviews["quota_usd"] >= 0).all()
    expected = (reviews["remitted_usd"] + reviews["own_pocket_usd"]) / reviews["quota_usd"]
    assert np.allclose(reviews["attainment"], expected)
    for frame in (m, officials, reviews):
        numeric = frame.select_dtypes("number").to_numpy(dtype=float)
        assert np.isfinite(numeric).all()


def test_same_seed_same_tables_and_different_seed_differs():
    first, again, other = _run("closure", 3), _run("closure", 3), _run("closure", 4)
    for name in ("monthly", "reviews", "officials"):
        assert getattr(first, name).equals(getattr(again, name)), name
    assert not first.monthly.equals(other.monthly)
