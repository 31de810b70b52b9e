"""Property-based tests: the invariants hold for any valid parameters, not only the defaults.

Hypothesis draws whole scenarios — every mechanism switched on or off at random, every
numeric parameter anywhere in its declared range (read from the declarations in
``quotasim.params``, so a new parameter is covered without touching this file), any
behaviour rule, and a random timeline of environmental shocks — on small populations,
and asserts the identities of ``invariants.assert_invariants`` plus reproducibility.
"""

from __future__ import annotations

from typing import Any, Literal, get_args, get_origin

import annotated_types
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from invariants import assert_invariants

import quotasim
from quotasim.params import Behaviour, Environment, Group
from quotasim.scenario import load_scenario

#: Upper end drawn for parameters whose declared bound is only a sanity cap (USD up to
#: 1e12, multipliers up to 100): a multiple of the default keeps runs meaningful.
WIDE = 10.0
SHARE_FIELDS = {"tier_shares", "affiliation_shares", "trade_post_shares"}


def _bounds(info) -> tuple[float | None, float | None, bool, bool]:
    low = high = None
    open_low = open_high = False
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge):
            low = item.ge
        elif isinstance(item, annotated_types.Gt):
            low, open_low = item.gt, True
        elif isinstance(item, annotated_types.Le):
            high = item.le
        elif isinstance(item, annotated_types.Lt):
            high, open_high = item.lt, True
    return low, high, open_low, open_high


def _number(info) -> st.SearchStrategy:
    low, high, open_low, open_high = _bounds(info)
    low = 0.0 if low is None else low
    default = info.default
    cap = max(WIDE * abs(default), low + 1.0)
    if high is None or cap < high:
        high, open_high = cap, False
    if info.annotation is int:
        return st.integers(int(low), int(high))
    return st.floats(low, high, exclude_min=open_low, exclude_max=open_high,
                     allow_nan=False, allow_infinity=False)


def _element(annotation) -> st.SearchStrategy:
    base, *meta = get_args(annotation)
    low = next((m.ge for m in meta[0].metadata if isinstance(m, annotated_types.Ge)), 0.0) if meta else 0.0
    high = next((m.le for m in meta[0].metadata if isinstance(m, annotated_types.Le)), 1.0) if meta else 1.0
    return st.floats(low, min(high, WIDE), allow_nan=False)


def _field(name: str, info) -> st.SearchStrategy:
    annotation = info.annotation
    if annotation is bool:
        return st.booleans()
    if get_origin(annotation) is Literal:
        return st.sampled_from(get_args(annotation))
    if get_origin(annotation) is tuple:
        return st.tuples(*(_element(arg) for arg in get_args(annotation)))
    return _number(info)


def _group(cls: type[Group], skip: set[str] = frozenset()) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({name: _field(name, info) for name, info in cls.model_fields.items()
                                  if name not in skip})


@st.composite
def _shares(draw, n: int) -> list[float]:
    weights = draw(st.lists(st.floats(0.01, 1.0), min_size=n, max_size=n))
    return [w / sum(weights) for w in weights]


@st.composite
def populations(draw) -> dict[str, Any]:
    china = draw(st.floats(0, 1))
    return {
        "n_companies": draw(st.integers(1, 15)),
        "n_trade_officials": draw(st.integers(1, 120)),
        "n_overseas_workers": draw(st.integers(0, 300)),
        "worker_share_china": china,
        "worker_share_russia": draw(st.floats(0, 1 - china)),
        "tier_shares": draw(_shares(4)), "affiliation_shares": draw(_shares(4)),
        "trade_post_shares": draw(_shares(6)),
        "family_at_home_share": draw(st.floats(0, 1)), "skill_sigma": draw(st.floats(0, 2)),
        "effort_mean": draw(st.floats(0, 2)), "effort_sd": draw(st.floats(0, 1)),
        "refill_rate": draw(st.floats(0, 1)), "initial_wealth_months": draw(st.floats(0, 60)),
    }


@st.composite
def timelines(draw, months: int) -> list[dict[str, Any]]:
    shocks = []
    for _ in range(draw(st.integers(0, 3))):
        month = draw(st.integers(0, max(months - 1, 0)))
        year, month_of_year = 2016 + month // 12, month % 12 + 1
        shocks.append({"date": f"{year}-{month_of_year:02d}", "set": draw(
            st.dictionaries(st.sampled_from(sorted(f"environment.{k}" for k in Environment.model_fields)),
                            st.just(None), min_size=1, max_size=3))})
    # values drawn per key, typed from the declaration
    for shock in shocks:
        for key in shock["set"]:
            info = Environment.model_fields[key.split(".")[1]]
            shock["set"][key] = draw(_field(key, info))
    return sorted(shocks, key=lambda s: s["date"])


@st.composite
def scenarios(draw) -> quotasim.Scenario:
    months = draw(st.integers(1, 30))
    data: dict[str, Any] = {"name": "property", "start": "2016-01", "months": months,
                            "population": draw(populations()), "behaviour": draw(_group(Behaviour)),
                            "environment": draw(_group(Environment)), "timeline": draw(timelines(months))}
    for key, cls in quotasim.MECHANISM_GROUPS.items():
        data[key] = draw(_group(cls))
    partners = data["partners"]
    partners["third_share"] = min(partners["third_share"], 1 - partners["russia_share"])
    return load_scenario(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_invariants_hold_for_any_valid_parameters(scenario, seed):
    assert_invariants(quotasim.simulate(scenario, seed=seed))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_any_valid_scenario_reproduces_bit_for_bit(scenario, seed):
    first, again = quotasim.simulate(scenario, seed=seed), quotasim.simulate(scenario, seed=seed)
    for name in ("monthly", "reviews", "officials"):
        assert getattr(first, name).equals(getattr(again, name)), name
