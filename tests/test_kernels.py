"""Each compiled kernel against the NumPy expression it replaces (``quotasim.kernels``).

The NumPy forms below are the model's definitions as they stood before the kernels; the
kernels must give the same per-official values bit for bit (a run is the same run either
way) and the same totals up to the order of additions. Inputs are random, with the edge
cases drawn in: inactive and resigned officials, zero targets, defectors of this month,
companies with nobody in them, strain of zero.
"""

from __future__ import annotations

import numpy as np
import pytest

from quotasim import kernels
from quotasim.rules import abroad, take_home_ratio
from quotasim.state import (ABROAD_POSTS, ACTIVE, BIG_CITY, BORDER_CITY, DEFECTED, POST_NAMES, PROVINCE, TRADER,
                            WORKER)

N, COMPANIES, MONTH = 4000, 40, 7


class Officials:
    """Random per-official arrays in the model's dtypes."""

    def __init__(self, seed: int) -> None:
        g = np.random.default_rng(seed)
        self.status = g.choice(5, N, p=[0.8, 0.05, 0.05, 0.05, 0.05]).astype(np.int8)
        self.role = (g.random(N) < 0.7).astype(np.int8)            # WORKER = 1
        self.post = g.integers(0, 6, N).astype(np.int8)
        self.route = g.integers(0, 4, N).astype(np.int8)
        self.company = g.integers(0, COMPANIES - 3, N).astype(np.int32)   # the last companies are empty
        self.exit_month = np.where(g.random(N) < 0.5, MONTH, -1).astype(np.int16)
        self.skill = g.lognormal(0, 0.3, N).astype(np.float32)
        self.effort = g.uniform(0, 1.5, N).astype(np.float32)
        self.effort_in_force = g.uniform(0, 1.5, N).astype(np.float32)
        self.pressure = np.where(g.random(N) < 0.2, 0, g.exponential(1, N)).astype(np.float32)
        self.fear = np.where(g.random(N) < 0.5, 0, g.exponential(0.5, N)).astype(np.float32)
        self.resigned = g.random(N) < 0.05
        self.family = g.random(N) < 0.6
        self.duty = g.random(N) < 0.1
        self.attainment = g.uniform(0, 2, N).astype(np.float32)
        self.capacity = np.where(g.random(N) < 0.05, 0.0, g.lognormal(8, 1, N))
        self.target = np.where(g.random(N) < 0.1, g.uniform(0, 0.9, N), g.lognormal(9, 1, N))
        self.half_remitted = g.lognormal(8, 1, N)
        self.patron = np.where(g.random(N) < 0.1, g.integers(0, N, N), -1).astype(np.int32)
        self.earned = np.where(g.random(N) < 0.1, 0.0, g.lognormal(7, 1.5, N))
        self.seized = np.where(g.random(N) < 0.9, 0.0, g.lognormal(6, 1, N))
        self.rents = np.where(g.random(N) < 0.5, 0.0, g.lognormal(6, 1, N))
        self.wealth = g.lognormal(8, 1, N)
        self.g = g


@pytest.fixture(params=[0, 1, 2])
def off(request) -> Officials:
    return Officials(request.param)


def test_posts_abroad_are_a_range_of_codes():
    # rules.abroad compares codes instead of gathering ABROAD_POSTS: that needs this order.
    assert (ABROAD_POSTS == (np.arange(len(POST_NAMES)) >= BORDER_CITY)).all()

    class Posts:
        post = np.arange(len(POST_NAMES), dtype=np.int8)
    assert (abroad(Posts) == ABROAD_POSTS).all()


def test_split_income(off):
    g = off.g
    upward = np.where(g.random(COMPANIES) < 0.3, 0.1, 0.0)
    share = g.uniform(0.5, 0.9, COMPANIES)
    ceiling = np.where(g.random(COMPANIES) < 0.4, 1.05, np.inf)
    fund = g.random(COMPANIES) < 0.2
    levy_rate = 0.03
    # NumPy form
    fled = (off.status == DEFECTED) & (off.exit_month == MONTH)
    lost = np.where(fled, off.earned, np.minimum(off.seized, off.earned))
    rents = np.where(fled, 0.0, np.minimum(off.rents, off.earned - lost))
    net = off.earned - lost - rents
    shared = net * upward[off.company]
    levied = np.minimum(net - shared, levy_rate * off.target / 6)
    rest = net - shared - levied
    remitted = rest * share[off.company]
    limited = np.flatnonzero((off.role == TRADER) & ABROAD_POSTS[off.post] & np.isfinite(ceiling[off.company]))
    room = np.maximum(ceiling[off.company[limited]] * off.target[limited] - off.half_remitted[limited], 0.0)
    remitted[limited] = np.minimum(remitted[limited], room)
    kept = rest - remitted
    party = remitted[fund[off.company] | (off.post == BIG_CITY)].sum()
    # kernel
    half_remitted, half_kept, wealth, visibility = off.half_remitted.copy(), np.zeros(N), off.wealth.copy(), np.zeros(N)
    kept_out, company_earned, company_kept, totals = np.empty(N), np.zeros(COMPANIES), np.zeros(COMPANIES), np.zeros(8)
    kernels.split_income_pass(off.earned, off.seized, off.rents, off.status, off.exit_month, MONTH, off.company,
                              off.role, off.post, off.target, levy_rate, upward, share, ceiling, fund, BIG_CITY,
                              half_remitted, half_kept, wealth, visibility, kept_out, company_earned, company_kept,
                              totals)
    assert np.array_equal(kept_out, kept) and np.array_equal(half_remitted, off.half_remitted + remitted)
    assert np.array_equal(wealth, off.wealth + kept) and np.array_equal(visibility, off.earned)
    assert np.array_equal(company_kept, np.bincount(off.company, weights=kept, minlength=COMPANIES))
    assert np.array_equal(company_earned, np.bincount(off.company, weights=off.earned, minlength=COMPANIES))
    expected = [off.earned.sum(), lost.sum(), rents.sum(), shared.sum(), levied.sum(), remitted.sum(), kept.sum(), party]
    assert totals == pytest.approx(expected, rel=1e-12)
    assert len(limited) and (remitted[limited] < rest[limited] * share[off.company[limited]]).any()   # the ceiling bit


def test_earners_and_pay(off):
    workers, home = kernels.earners(off.status, off.role, off.post, off.duty)
    live = off.status == ACTIVE
    assert np.array_equal(workers, np.flatnonzero(live & (off.role == WORKER)))
    assert np.array_equal(home, np.flatnonzero(live & (off.role == TRADER) & ((off.post == PROVINCE) | off.duty)))
    factor, noise, wage, living = off.g.uniform(0.3, 1, 4), off.g.lognormal(0, 0.2, len(workers)).astype(np.float32), 400.0, 150.0
    gross = wage * off.skill[workers] * off.effort_in_force[workers] * factor[off.route[workers]] * noise
    net, deficit = np.maximum(gross - living, 0.0), np.maximum(living - gross, 0.0)
    wealth, earned, by_route, totals = off.wealth.copy(), off.earned.copy(), np.zeros(4), np.zeros(3)
    kernels.pay_workers_pass(workers, off.route, off.skill, off.effort_in_force, factor, noise, wage, living, wealth,
                             earned, by_route, totals)
    expected_wealth = off.wealth.copy()
    expected_wealth[workers] -= np.minimum(deficit, off.wealth[workers])
    assert np.array_equal(wealth, expected_wealth)
    expected_earned = off.earned.copy()
    expected_earned[workers] += net
    assert np.array_equal(earned, expected_earned) and deficit.sum() > 0
    assert by_route == pytest.approx(np.bincount(off.route[workers], weights=net, minlength=4), rel=1e-12)
    assert totals == pytest.approx([gross.sum(), net.sum(), deficit.sum()], rel=1e-12)
    noise_home = off.g.lognormal(0, 0.2, len(home)).astype(np.float32)
    expected_earned = off.earned.copy()
    at_home = np.where(off.post[home] == PROVINCE, 900.0, 300.0) * off.skill[home] * off.effort_in_force[home] * noise_home
    expected_earned[home] += at_home
    earned = off.earned.copy()
    total = kernels.earn_at_home_pass(home, off.post, off.skill, off.effort_in_force, noise_home, 900.0, 300.0, earned)
    assert np.array_equal(earned, expected_earned) and total == pytest.approx(at_home.sum(), rel=1e-12)


def test_month_start_and_effort_in_force(off):
    tenure, duty, fear, pressure = (np.zeros(N, np.int16), np.zeros(N, bool), off.fear.copy(), off.pressure.copy())
    counts = np.zeros(4, np.int64)
    kernels.month_start_pass(off.status, off.role, off.post, off.route, tenure, duty, True, fear, 0.9, pressure, 0.3,
                             counts)
    live = off.status == ACTIVE
    assert np.array_equal(tenure, live.astype(np.int16))
    assert np.array_equal(counts, np.bincount(off.route[live & (off.role == WORKER)], minlength=4))
    assert np.array_equal(counts, kernels.workers_by_route(off.status, off.role, off.route))
    assert np.array_equal(duty, (off.role == TRADER) & (off.post != PROVINCE))
    assert np.array_equal(fear, off.fear * np.float32(0.9))
    expected = off.pressure.copy()
    expected[live] += np.float32(0.3)
    assert np.array_equal(pressure, expected)
    # effort in force: chosen effort plus the saturating response, clipped, none for the resigned
    strain = off.pressure.astype(np.float64) + off.fear
    in_force = np.clip(off.effort + (0.3 * strain / (1 + strain)).astype(np.float32), 0.0, 1.2)
    in_force[off.resigned] = 0.0
    in_force = np.where(live, in_force, 0.0)
    out = np.empty(N, np.float32)
    kernels.effort_in_force_pass(off.effort, off.pressure, off.fear, off.resigned, off.status, 0.3, 1.2, out)
    assert np.array_equal(out, in_force) and (out == np.float32(1.2)).any()


def test_assign_targets(off):
    quota = off.g.lognormal(12, 1, COMPANIES)
    live = off.status == ACTIVE
    weight = np.where(live, np.maximum(off.capacity, 1e-9), 0.0)
    company_weight = np.bincount(off.company, weights=weight, minlength=COMPANIES)
    share = np.divide(weight, company_weight[off.company], out=np.zeros_like(weight),
                      where=company_weight[off.company] > 0)
    target = np.empty(N)
    kernels.assign_targets_pass(off.status, off.capacity, off.company, quota, np.zeros(COMPANIES), target)
    assert np.array_equal(target, quota[off.company] * share)
    # each company's quota is shared out in full among its active people
    assert np.bincount(off.company, weights=target, minlength=COMPANIES)[:-3] == pytest.approx(quota[:-3], rel=1e-9)


def test_expected_payoff(off):
    g, step, top = off.g, 0.1, 1.5
    rho = g.uniform(0.5, 0.9, COMPANIES)
    take_home = take_home_ratio(rho)
    cost, penalty, goal, recall_cost, defiance, below, arrest_cost = 0.4, 0.8, 1.3, 0.9, 0.3, 0.5, 2.0
    effort = off.effort.astype(np.float64)
    strain = off.pressure.astype(np.float64) + off.fear
    extra = 0.3 * strain / (1 + strain)
    candidates = np.stack([np.clip(effort + shift, 0.0, top) for shift in (-step, 0.0, step)])
    scores = []
    for e in candidates:
        in_force = np.clip(e + extra, 0.0, top)
        attainment = np.divide(in_force * off.capacity, off.target, out=in_force.copy(), where=off.target >= 1.0)
        score = attainment * take_home[off.company] - cost * e ** 2
        score -= penalty * np.maximum(1.0 - attainment, 0.0)
        score -= np.where(ABROAD_POSTS[off.post] & (off.role == TRADER) & (attainment >= goal), recall_cost, 0.0)
        score -= np.where((in_force < defiance) & (attainment < below), arrest_cost, 0.0)
        scores.append(score)
    expected = np.take_along_axis(candidates, np.stack(scores).argmax(axis=0)[None, :], axis=0)[0]
    best = np.empty(N)
    kernels.expected_payoff_pass(off.effort, np.array([-step, 0.0, step]), top, off.pressure, off.fear, 0.3,
                                 off.capacity, off.target, off.company, take_home, off.role, off.post, cost, penalty,
                                 goal, recall_cost, defiance, below, arrest_cost, best)
    assert np.array_equal(best, expected)
    assert len(np.unique(np.stack(scores).argmax(axis=0))) == 3     # every candidate wins somewhere


def test_defection_giving_up_and_arrest_aftermath(off):
    rows, hazard = kernels.defection_hazard(off.status, off.post, off.pressure, off.fear, off.family, 0.001, 0.5, 0.6)
    at_risk = np.flatnonzero((off.status == ACTIVE) & ABROAD_POSTS[off.post])
    strain = off.pressure[at_risk] + off.fear[at_risk]
    expected = 0.001 * (1 + 0.5 * strain) * np.where(off.family[at_risk], 1 - 0.6, 1.0)
    assert np.array_equal(rows, at_risk) and np.array_equal(hazard, expected)
    over = kernels.overwhelmed(off.status, off.resigned, off.pressure, off.attainment, 1.1, 0.7)
    assert np.array_equal(over, np.flatnonzero((off.status == ACTIVE) & ~off.resigned & (off.pressure > 1.1)
                                               & (off.attainment < 0.7)))
    arrested = np.flatnonzero(off.g.random(N) < 0.02)
    assert np.array_equal(kernels.relatives_of(off.patron, off.status, arrested),
                          np.flatnonzero(np.isin(off.patron, arrested) & (off.status == ACTIVE)))
    by_company = np.float32(0.2) * np.bincount(off.company[arrested], minlength=COMPANIES).astype(np.float32)
    by_role = (0.1 * np.log1p(np.bincount(off.role[arrested], minlength=2))).astype(np.float32)
    live = off.status == ACTIVE
    expected = off.fear.copy()
    expected[live] += np.float32(0.2) * np.bincount(off.company[arrested], minlength=COMPANIES).astype(np.float32)[
        off.company[live]]
    expected[live] += by_role[off.role[live]]
    np.minimum(expected, 5.0, out=expected)
    fear = off.fear.copy()
    kernels.spread_fear(off.status, off.company, off.role, fear, by_company, by_role, 5.0)
    assert np.array_equal(fear, expected)


def test_census(off):
    counts, sums = kernels.census(off.status, off.role, off.post, off.effort_in_force, off.pressure, off.fear)
    live = off.status == ACTIVE
    assert list(counts) == [live.sum(), (live & (off.role == TRADER)).sum(),
                            (live & (off.role == WORKER) & ABROAD_POSTS[off.post]).sum()]
    assert sums == pytest.approx([off.effort_in_force[live].astype(float).sum(),
                                  off.pressure[live].astype(float).sum(), off.fear[live].astype(float).sum()], rel=1e-12)


def test_credit_sums_like_bincount(off):
    who = off.g.integers(0, 50, 3000).astype(np.int32)          # many deals for few officials
    amounts = off.g.lognormal(8, 2, 3000)
    column = off.earned.copy()
    kernels.credit(column, who, amounts)
    assert np.array_equal(column, off.earned + np.bincount(who, weights=amounts, minlength=N))


def test_review_kernels(off):
    g = off.g
    own_pocket = np.where(g.random(N) < 0.5, 0.0, g.lognormal(6, 1, N))
    # own pocket (M22)
    draws = g.random(N)
    short = np.maximum(off.target - off.half_remitted, 0.0)
    trying = (off.status == ACTIVE) & (off.effort_in_force >= 0.3)
    willing = trying & (draws < np.minimum(0.4 * (1 + off.pressure), 1.0))
    paid = np.where(willing, np.minimum(short, 0.5 * off.wealth), 0.0)
    wealth, own = off.wealth.copy(), own_pocket.copy()
    total = kernels.own_pocket_pass(draws, off.status, off.effort_in_force, 0.3, 0.4, off.pressure, off.target,
                                    off.half_remitted, 0.5, wealth, own)
    assert np.array_equal(wealth, off.wealth - paid) and np.array_equal(own, own_pocket + paid)
    assert total == pytest.approx(paid.sum(), rel=1e-12) and (paid > 0).sum() > 10
    # company results, officials' attainment and pressure
    personal = off.half_remitted + own_pocket
    result, own_total = kernels.company_results(off.company, off.half_remitted, own_pocket, COMPANIES)
    assert np.array_equal(result, np.bincount(off.company, weights=personal, minlength=COMPANIES))
    assert np.array_equal(own_total, np.bincount(off.company, weights=own_pocket, minlength=COMPANIES))
    company_attainment, added = g.uniform(0, 2, COMPANIES), g.uniform(0, 1, COMPANIES)
    attainment, pressure = np.empty(N, np.float32), off.pressure.copy()
    kernels.review_officials(off.company, off.status, off.half_remitted, own_pocket, off.target, company_attainment,
                             added, 0.7, attainment, pressure)
    expected = np.divide(personal, off.target, out=company_attainment[off.company].copy(), where=off.target >= 1.0)
    assert np.array_equal(attainment, expected.astype(np.float32))
    expected_pressure = off.pressure * np.float32(0.7)
    expected_pressure += np.where(off.status == ACTIVE, added[off.company], 0.0).astype(np.float32)
    assert np.array_equal(pressure, expected_pressure)
    # people's means per company
    live = off.status == ACTIVE
    count = np.bincount(off.company[live], minlength=COMPANIES)
    mean_pressure, mean_effort = kernels.people_means(off.company, off.status, off.pressure, off.effort_in_force,
                                                      COMPANIES)
    for got, column in ((mean_pressure, off.pressure), (mean_effort, off.effort_in_force)):
        total = np.bincount(off.company[live], weights=column[live], minlength=COMPANIES)
        assert np.array_equal(got, np.divide(total, count, out=np.zeros(COMPANIES), where=count > 0))
