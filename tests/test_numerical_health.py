"""Numerical health: no NaN or infinity reaches a table, in any built-in scenario or at the
declared extremes of the parameters that compound (docs/reliability.md).

The property tests (``test_properties.py``) draw every parameter within ten times its
default; here the quantities that compound over a run are pushed to their declared bounds
for the longest run allowed, where an overflow would show: quotas raised by the largest
unconditional demand every half-year for a century, a full ratchet, deals and wages at
their caps, pressure that never decays.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from invariants import assert_invariants

import quotasim
from quotasim.scenario import MAX_MONTHS, builtin_names

SMALL = {"population.n_companies": 12, "population.n_trade_officials": 120, "population.n_overseas_workers": 300}


@pytest.mark.parametrize("name", builtin_names())
def test_every_built_in_scenario_is_finite(name):
    result = quotasim.simulate(quotasim.load_scenario(name, SMALL), seed=1)
    assert_invariants(result)


def _all_finite(table: pa.Table) -> list[str]:
    return [name for name in table.column_names
            if pa.types.is_floating(table.schema.field(name).type)
            and not np.isfinite(table[name].to_numpy(zero_copy_only=False)).all()]


@pytest.mark.slow
def test_compounding_quantities_stay_finite_at_their_declared_bounds():
    extremes = {
        **SMALL, "months": MAX_MONTHS,
        "unconditional_demands.raise_all": 2.0,            # quotas x3 every half-year: 3^200 by the end
        "ratchet.up_rate": 1.0, "ratchet.down_rate": 0.0,
        "pressure.decay": 1.0, "pressure.gap_weight": 20.0, "review.criticism_pressure": 10.0,
        "posts.big_city_deal_usd": 1e12, "posts.border_deal_usd": 1e12, "posts.other_deal_usd": 1e12,
        "overseas_earnings.wage_usd": 1e6, "other_sources.monthly_usd": 1e12, "other_sources.burden_shift": 10.0,
        "decentralisation.jv_monthly_usd": 1e12, "population.initial_wealth_months": 600,
    }
    result = quotasim.simulate(quotasim.load_scenario("baseline", extremes), seed=2)
    for name in ("monthly", "reviews", "officials"):
        assert _all_finite(getattr(result, name)) == [], name
    quota = result.reviews["quota_usd"].to_numpy()
    assert quota.max() > 1e90          # the compounding really happened, and stayed finite
    assert_invariants(result)
