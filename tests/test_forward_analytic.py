"""The engine against the closed form of the linear-quadratic ratchet game (forward rule).

With forward-looking officials, no noise, linear reward per unit above target, quadratic
effort cost and discount δ, a symmetric ratchet x̄' = x̄ + λ(x − x̄) has the stationary
output x* = (β/c)(1 − δ)/(1 − δ + δλ) (in units of capacity). With an upward-only
ratchet, output sits exactly at the target while the target lies between x*(λ) and β/c.

The runs (``quotasim.validation.ratchet_game``) strip the model to that game: overseas
workers only, identical skill, every mechanism off except the quota (M1) and the ratchet
(M3), no earnings noise, no exits. Each company's quota then follows q_k = C (x* + (1 − λ)^k (r0 − x*)) at review k, where
C is the company's capacity and r0 the initial quota ratio — checked review by review.
"""

from __future__ import annotations

import numpy as np
import pytest

from quotasim.phases.behaviour import forward_output
from quotasim.validation.analytic import BLISS, ratchet_game


@pytest.mark.parametrize("discount", [0.0, 0.5, 0.8, 0.9, 0.95])
@pytest.mark.parametrize("rate", [0.1, 0.3, 0.5, 0.9, 1.0])
def test_symmetric_ratchet_output_and_quota_path(discount, rate):
    x_star = forward_output(BLISS, discount, rate)
    assert x_star == pytest.approx(BLISS * (1 - discount) / (1 - discount + discount * rate))
    r0 = 1.05
    reviews = ratchet_game(discount, rate, rate, r0)
    output = reviews["remitted_usd"] / reviews["capacity"]
    assert np.allclose(output, x_star, rtol=1e-5), "output is not x* at every review"
    expected_quota = x_star + (1 - rate) ** reviews["k"] * (r0 - x_star)
    assert np.allclose(reviews["quota_usd"] / reviews["capacity"], expected_quota, rtol=1e-5)


@pytest.mark.parametrize("discount, rate", [(0.9, 0.5), (0.8, 0.3), (0.5, 0.9)])
def test_upward_only_ratchet_output_sits_at_target_between_the_bounds(discount, rate):
    low = forward_output(BLISS, discount, rate)
    for r0 in np.linspace(low, BLISS, 4):
        reviews = ratchet_game(discount, rate, 0.0, float(r0))
        assert np.allclose(reviews["remitted_usd"], reviews["quota_usd"], rtol=1e-5), f"r0={r0}"
        assert np.allclose(reviews["quota_usd"] / reviews["capacity"], r0, rtol=1e-5), "the target moved"


@pytest.mark.parametrize("discount, rate", [(0.9, 0.5), (0.8, 0.3)])
def test_upward_only_ratchet_outside_the_bounds(discount, rate):
    low = forward_output(BLISS, discount, rate)
    above = ratchet_game(discount, rate, 0.0, BLISS * 1.3)          # target beyond β/c: output stops at β/c
    assert np.allclose(above["remitted_usd"] / above["capacity"], BLISS, rtol=1e-5)
    assert np.allclose(above["quota_usd"] / above["capacity"], BLISS * 1.3, rtol=1e-5)
    below = ratchet_game(discount, rate, 0.0, low * 0.5)           # target below x*: output x*, target climbs to it
    assert np.allclose(below["remitted_usd"] / below["capacity"], low, rtol=1e-5)
    expected = low + (1 - rate) ** below["k"] * (low * 0.5 - low)
    assert np.allclose(below["quota_usd"] / below["capacity"], expected, rtol=1e-5)
