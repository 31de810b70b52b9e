"""Checks every run must pass, whatever its scenario: shared by the accounting and property tests."""

from __future__ import annotations

import numpy as np

from quotasim.columns import EARNED_BY_ROUTE, MONEY_SPLIT


def assert_invariants(result) -> None:
    """Money identity and route split each month, conservation of officials, no negatives, all finite."""
    m = result.monthly.to_pandas()
    scale = max(float(m["earned_usd"].abs().max()), 1.0)
    parts = sum(m[name] for name in MONEY_SPLIT)
    assert np.allclose(m["earned_usd"], parts, rtol=1e-9, atol=1e-9 * scale), "earned != sum of its split"
    routes = sum(m[name] for name in EARNED_BY_ROUTE)
    assert np.allclose(m["earned_usd"], routes, rtol=1e-9, atol=1e-9 * scale), "earned != sum of its routes"
    for name in MONEY_SPLIT:
        assert (m[name] >= -1e-9 * scale).all(), f"{name} negative"

    # issue 14: workers' charges, trade channels, workers by country
    owed = m["worker_charges_owed_usd"] - m["worker_charges_paid_usd"]
    assert np.allclose(owed, m["worker_charge_arrears_usd"], rtol=1e-9, atol=1e-6 * scale), "charges: owed != paid + arrears"
    paid_on = m["remitted_usd"] + m["shared_upward_usd"] + m["lost_usd"]
    assert (m["worker_charges_paid_usd"] <= paid_on + 1e-6 * scale).all(), "charges paid beyond remittances"
    channels = m["customs_exports_usd"] + m["trade_state_channel_usd"] + m["trade_smuggled_usd"]
    assert np.allclose(channels, m["trade_volume_usd"], rtol=1e-9, atol=1e-6 * scale), "channels != trade volume"
    assert (m["customs_exports_china_usd"] <= m["trade_volume_china_usd"] + 1e-6 * scale).all()
    assert (m["channel_seized_usd"] <= m["lost_usd"] + 1e-6 * scale).all(), "channel seizures beyond lost"
    by_country = m["workers_china"] + m["workers_russia"] + m["workers_third"]
    assert (by_country == m["workers_abroad"]).all(), "workers by country != workers abroad"
    assert (m["workers_russia_permitted"] <= m["workers_russia"]).all()
    assert (m["repatriated_china"] + m["repatriated_russia"] + m["repatriated_third"] == m["repatriated"]).all()
    assert (m["repatriated"] <= m["recalled"]).all() and (m["workers_dispatched"] <= m["dispatched"]).all()

    population = result.scenario.population
    officials = result.officials.to_pandas()
    initial = population.n_trade_officials + population.n_overseas_workers
    assert len(officials) == m["officials_total"].iloc[-1] == initial + m["dispatched"].sum()
    status = officials["status"].astype(str).value_counts()
    assert status.sum() == len(officials), "an official in no status"
    for name in ("recalled", "arrested", "defected", "gave_up"):
        assert status.get(name, 0) == m[name].sum(), f"status {name} disagrees with its monthly flow"
    assert status.get("active", 0) == m["officials_active"].iloc[-1]
    assert (officials["wealth_usd"] >= -1e-6).all(), "negative savings"
    assert (officials["debt_usd"] >= -1e-6).all(), "negative debt"
    assert_money_handed_up_is_received(result)
    fell = officials["recalled_by"] >= 0
    assert fell.sum() == m["recalled_by_rumour"].sum() == officials["rumours_won"].sum(), "who told and who fell"
    assert (officials.loc[fell, "status"].astype(str) == "recalled").all()
    assert (officials["charge_arrears_usd"] >= -1e-6).all(), "negative arrears"
    assert np.isclose(officials.loc[officials["status"].astype(str) == "active", "charge_arrears_usd"].where(
        officials["role"].astype(str) == "overseas_worker", 0.0).sum(), m["worker_debt_usd"].iloc[-1],
        rtol=1e-9, atol=1e-6), "workers' arrears stock disagrees with its gauge"

    reviews = result.reviews.to_pandas()
    assert (reviews["quota_usd"] >= 0).all(), "negative quota"
    assert (reviews["headcount"] >= 0).all(), "negative headcount"
    quoted = reviews["quota_usd"] >= 1.0          # under a dollar a quota asks nothing: met
    expected = (reviews["remitted_usd"] + reviews["own_pocket_usd"])[quoted] / reviews["quota_usd"][quoted]
    assert np.allclose(reviews["attainment"][quoted], expected, rtol=1e-6), "attainment is not result / quota"
    assert (reviews["attainment"][~quoted] == 1.0).all(), "a company with no quota did not meet it"
    for frame in (m, officials, reviews):
        numeric = frame.select_dtypes("number").to_numpy(dtype=float)
        assert np.isfinite(numeric).all(), "NaN or infinity in a table"


def assert_money_handed_up_is_received(result) -> None:
    """M28: every month what lower-tier companies hand up is what their fronts receive, and the
    fronts' books split it into the state's share and what they keep; every review, the
    companies' handed-up and received columns add up to the same total."""
    m = result.monthly.to_pandas()
    scale = max(float(m["shared_upward_usd"].abs().max()), 1.0)
    assert np.allclose(m["received_from_lower_usd"], m["shared_upward_usd"], rtol=1e-9, atol=1e-9 * scale)
    assert np.allclose(m["front_remitted_usd"] + m["front_retained_usd"], m["received_from_lower_usd"],
                       rtol=1e-9, atol=1e-9 * scale)
    reviews = result.reviews.to_pandas()
    by_period = reviews.groupby("period")[["handed_up_usd", "received_from_others_usd"]].sum()
    assert np.allclose(by_period["handed_up_usd"], by_period["received_from_others_usd"], rtol=1e-9,
                       atol=1e-9 * scale)
