"""The engine against the closed form of the linear-quadratic ratchet game.

With forward-looking officials, no noise, linear reward per unit above target, quadratic
effort cost and discount δ, a symmetric ratchet x̄' = x̄ + λ(x − x̄) has stationary output
x* = (β/c)(1 − δ)/(1 − δ + δλ) in units of capacity; with an upward-only ratchet, output
equals the target while the target lies between x* and β/c.

:func:`ratchet_game` strips the model to that game — overseas workers only, identical
skill, every mechanism off except the quota (M1) and the ratchet (M3), no earnings noise,
no exits — and returns each company's review rows with its capacity, so that output and
the quota path can be set against the closed form review by review.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..phases.behaviour import forward_output
from ..scenario import MECHANISM_GROUPS, load_scenario
from ..simulation import simulate

__all__ = ["ratchet_game", "analytic_check", "BLISS", "GRID"]

BLISS = 1.2                                   # β/c
GRID = [(d, lam) for d in (0.0, 0.5, 0.8, 0.9, 0.95) for lam in (0.1, 0.3, 0.5, 0.9, 1.0)]


def ratchet_game(discount: float, up: float, down: float, initial_ratio: float, months: int = 60) -> pd.DataFrame:
    """Review rows of the stripped game, with each company's capacity and review index ``k``."""
    overrides: dict[str, Any] = {key + ".enabled": False for key in MECHANISM_GROUPS if key not in ("quota", "ratchet")}
    overrides.update({
        "months": months, "population.n_companies": 6, "population.n_trade_officials": 0,
        "population.n_overseas_workers": 60, "population.skill_sigma": 0.0, "population.effort_sd": 0.0,
        "behaviour.rule": "forward", "behaviour.earnings_noise": False, "behaviour.bliss_effort": BLISS,
        "behaviour.discount": discount, "ratchet.up_rate": up, "ratchet.down_rate": down,
        "quota.initial_ratio": initial_ratio,
    })
    result = simulate(load_scenario("baseline", overrides), seed=11)
    officials = result.officials.to_pandas()
    if not (officials["status"].astype(str) == "active").all():
        raise AssertionError("the stripped game lost officials; it must have no exits")
    capacity = officials.groupby("company")["capacity_usd"].sum()
    reviews = result.reviews.to_pandas()
    reviews["capacity"] = reviews["company_id"].map(capacity)
    reviews = reviews[reviews["capacity"] > 0].copy()
    reviews["k"] = reviews.groupby("company_id").cumcount()
    return reviews


def analytic_check(grid=GRID, initial_ratio: float = 1.05) -> dict:
    """Largest relative error of output and of the quota path against the closed form, over ``grid``."""
    worst_output = worst_quota = 0.0
    for discount, rate in grid:
        x_star = forward_output(BLISS, discount, rate)
        reviews = ratchet_game(discount, rate, rate, initial_ratio)
        output = reviews["remitted_usd"] / reviews["capacity"]
        quota = reviews["quota_usd"] / reviews["capacity"]
        expected_quota = x_star + (1 - rate) ** reviews["k"] * (initial_ratio - x_star)
        worst_output = max(worst_output, float(np.max(np.abs(output / x_star - 1))))
        worst_quota = max(worst_quota, float(np.max(np.abs(quota / expected_quota - 1))))
    return {"points": len(grid), "max_rel_error_output": worst_output, "max_rel_error_quota": worst_quota}
