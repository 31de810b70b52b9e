"""The dashboard's number fields: what the page sends is checked, never replaced.

A browser sends no value (None) for a number field left empty or typed outside its
min/max/step; such a field must be refused with a located message, not read as 0.
"""

from __future__ import annotations

import pytest

import quotasim
from quotasim.dashboard.controls import MAX_DASHBOARD_MONTHS, MAX_PEOPLE, MAX_REPLICATIONS
from quotasim.dashboard.scenarios import MAX_SCALE, MIN_SCALE, build, page_numbers, page_replications


@pytest.mark.parametrize("months, scale, seed", [(1, MIN_SCALE, 0), (MAX_DASHBOARD_MONTHS, MAX_SCALE, 2**31), (36, 0.25, 7)])
def test_numbers_within_the_fields_pass_unchanged(months, scale, seed):
    assert page_numbers(months, scale, seed) == (months, scale, seed)


@pytest.mark.parametrize("field, bad", [
    ("months", None), ("months", 0), ("months", MAX_DASHBOARD_MONTHS + 1), ("months", 12.5), ("months", True),
    ("population scale", None), ("population scale", 0), ("population scale", MAX_SCALE * 2),
    ("population scale", float("nan")),
    ("seed", None), ("seed", -3), ("seed", 1.5),
])
def test_a_bad_field_is_refused_and_named(field, bad):
    fields = {"months": 12, "population scale": 0.1, "seed": 0}
    fields[field] = bad
    with pytest.raises(quotasim.ScenarioError) as refused:
        page_numbers(fields["months"], fields["population scale"], fields["seed"])
    assert [problem[1] for problem in refused.value.problems] == [field]
    assert "dashboard: " + field in str(refused.value)


def test_every_bad_field_is_named_at_once():
    with pytest.raises(quotasim.ScenarioError) as refused:
        page_numbers(None, None, None)
    assert [problem[1] for problem in refused.value.problems] == ["months", "population scale", "seed"]
    assert str(refused.value).count("(empty, or not a number the field allows)") == 3


def test_build_scales_the_population_and_refuses_beyond_the_people_cap():
    base = quotasim.load_scenario("baseline")
    scenario = build(base, {"ratchet.up_rate": 0.5}, 0.1, 24)
    assert scenario.months == 24 and scenario.ratchet.up_rate == 0.5
    assert scenario.population.n_trade_officials == round(0.1 * base.population.n_trade_officials)
    people = base.population.n_trade_officials + base.population.n_overseas_workers
    with pytest.raises(quotasim.ScenarioError, match=f"at most {MAX_PEOPLE:,}"):
        build(base, {}, (MAX_PEOPLE + 1000) / people, 24)


@pytest.mark.parametrize("good", [1, 4, MAX_REPLICATIONS, 3.0])
def test_replications_within_the_field_pass(good):
    assert page_replications(good) == int(good)


@pytest.mark.parametrize("bad", [None, 0, MAX_REPLICATIONS + 1, 2.5, True, float("nan"), "3"])
def test_bad_replications_are_refused_and_named(bad):
    with pytest.raises(quotasim.ScenarioError) as refused:
        page_replications(bad)
    assert [problem[1] for problem in refused.value.problems] == ["replications"]
    assert f"1 to {MAX_REPLICATIONS} here" in str(refused.value)
