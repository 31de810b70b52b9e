"""The ceiling: a trivial quota model in plain NumPy, against which the full model's speed is put.

Officials in companies earn each month (skill x a lognormal monthly factor); at every
sixth month the half is reviewed: each company's result against its quota, each
official's attainment against a target (the quota split by skill), the upward ratchet
(quota + up_rate x any excess), and recall of those at or over the goal with a fixed
chance, each replaced at once by a newcomer with fresh skill. Nothing else: no deals, no
pipeline, no workers' pay, no choices, no money split, no record. It is the least a quota
model at this size has to do each month, written the way a NumPy user would (one array per
attribute, whole-array operations, one generator), so the full model's speed over it says
what the rest of the model costs.
"""

from __future__ import annotations

import numpy as np

HALF = 6
OFFICIALS_PER_COMPANY = 102_250 / 225    # the baseline's proportions
UP_RATE, GOAL, RECALL_CHANCE, INITIAL_RATIO, NOISE_SD = 0.5, 1.5, 0.2, 0.9, 0.3


def quota_core(officials: int, months: int, seed: int = 0) -> dict[str, float]:
    """Run the trivial model; returns a few totals (so the work cannot be skipped)."""
    rng = np.random.default_rng(seed)
    n_companies = max(1, round(officials / OFFICIALS_PER_COMPANY))
    company = rng.integers(0, n_companies, officials)
    skill = rng.lognormal(0.0, 0.5, officials)
    quota = INITIAL_RATIO * HALF * np.bincount(company, weights=skill, minlength=n_companies)
    half = np.zeros(officials)
    remitted = recalled = 0.0
    for month in range(months):
        half += skill * np.exp(rng.normal(-NOISE_SD**2 / 2, NOISE_SD, officials))
        if (month + 1) % HALF:
            continue
        result = np.bincount(company, weights=half, minlength=n_companies)
        capacity = np.bincount(company, weights=skill, minlength=n_companies)
        target = quota[company] * skill / capacity[company]
        attainment = half / target
        quota += UP_RATE * np.maximum(result - quota, 0.0)
        gone = (attainment >= GOAL) & (rng.random(officials) < RECALL_CHANCE)
        skill[gone] = rng.lognormal(0.0, 0.5, int(gone.sum()))
        remitted += result.sum()
        recalled += gone.sum()
        half[:] = 0.0
    return {"remitted": remitted, "recalled": recalled}
