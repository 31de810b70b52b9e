"""quotasim and its Mesa twin, written independently from the same rules, agree in aggregate.

Both run the reduced configuration of ``benchmarks/twin_rules.py`` (traders in the border
cities: deal search and execution, half-year review, upward ratchet, recall at the goal,
adaptive effort) over the same replication seeds. Their random streams differ, so the
outputs are compared statistically: mean monthly remittances and recall counts (Welch's
t-test) and the pooled distribution of company attainment at reviews (two-sample
Kolmogorov-Smirnov). A twin with a 12 % smaller deal margin or twice the recall chance must be told
apart, so the comparison has the power to fail.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import quotasim
from benchmarks import mesa_twin, twin_rules

SEEDS = range(12)
ALPHA = 0.01


def _summaries(scenario):
    ours, twins = [], []
    for seed in SEEDS:
        result = quotasim.simulate(scenario, seed=seed)
        monthly, reviews = result.monthly.to_pandas(), result.reviews.to_pandas()
        ours.append((monthly["remitted_usd"].mean(), monthly["recalled"].sum() + monthly["relocated"].sum(),
                     reviews["attainment"].to_numpy()))
        model = mesa_twin.run_twin(scenario, seed=seed)
        history, twin_reviews = pd.DataFrame(model.history), pd.DataFrame(model.reviews)
        twins.append((history["remitted_usd"].mean(), history["recalled"].sum() + history["relocated"].sum(),
                      twin_reviews["attainment"].to_numpy()))
    return ours, twins


def _p_values(ours, twins) -> dict[str, float]:
    return {
        "remitted": stats.ttest_ind([o[0] for o in ours], [t[0] for t in twins], equal_var=False).pvalue,
        "recalls": stats.ttest_ind([o[1] for o in ours], [t[1] for t in twins], equal_var=False).pvalue,
        "attainment": stats.ks_2samp(np.concatenate([o[2] for o in ours]), np.concatenate([t[2] for t in twins])).pvalue,
    }


@pytest.fixture(scope="module")
def scenario():
    return quotasim.load_scenario("baseline", twin_rules.overrides(300, 48, 30))


def test_quotasim_and_the_mesa_twin_agree(scenario):
    ours, twins = _summaries(scenario)
    p = _p_values(ours, twins)
    assert min(p.values()) > ALPHA, f"quotasim and the twin differ: p-values {p}"
    assert np.mean([o[1] for o in ours]) > 5, "too few recalls to compare"


@pytest.mark.parametrize("slip", [{"posts.margin": 0.22}, {"goal_recall.probability": 0.24}])
def test_the_comparison_detects_a_twin_that_slipped(scenario, slip):
    ours, _ = _summaries(scenario)
    other = quotasim.load_scenario(scenario.model_dump(mode="json"), slip)
    _, twins = _summaries(other)
    p = _p_values(ours, twins)
    assert min(p.values()) < ALPHA, f"a twin with {slip} went unnoticed: p-values {p}"
