"""Compiled loops for the per-official passes that dominate a month at scale.

Why numba here, when the rest of the model is plain NumPy: these passes are chains of a
dozen or more whole-array operations (masks, gathers, ``np.where``, ``np.bincount``) over
every official, and at a million officials each such operation streams 1-8 MB through
memory. One compiled loop does the chain in a single pass (``docs/performance.md``).

Each pass here *is* the rule it computes: there is no second copy to keep in step. The
phase that calls it (named in each docstring) says why the rule is what it is and which
report it comes from; the oracles that check the passes are the invariants of every run
(money identity, conservation of officials, bounds), the analytic ratchet, the Mesa twin's
statistical agreement and the mechanisms' on/off directions (``tests/``).

Conventions:

* ``off`` is ``state.officials.arrays()``, the officials' columns as one named tuple
  (declared in ``quotasim.columns``); ``codes`` is ``quotasim.codes.KERNEL_CODES``. No pass
  reads a module global: numba would freeze it into the on-disk cache, which does not see
  an edit to another file.
* Scalar rule parameters arrive as a small named tuple per pass, so two swapped numbers
  cannot compile silently into a wrong call.
* Totals come back in a record of named fields (``state.totals_record``), each a declared
  flow, added to the month's flows by name.
* ``NUMBA_DISABLE_JIT=1`` runs this same source as plain Python, for debugging.
* Random numbers are drawn by the calling phase with NumPy's generator.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, types
from numba.typed import Dict

__all__ = ["SplitRule", "CompanyShares", "PayRule", "HomeRule", "MonthStartRule", "PayoffRule", "DefectionRule",
           "GiveUpRule", "OwnPocketRule", "month_start_pass", "split_income_pass", "earners", "pay_workers_pass",
           "earn_at_home_pass", "effort_in_force_pass", "assign_targets_pass", "expected_payoff_pass",
           "pressure_extra", "defection_hazard", "overwhelmed", "relatives_of", "spread_fear", "census",
           "workers_by_route", "credit", "own_pocket_pass", "company_results", "review_officials", "people_means"]


# ------------------------------------------------------------------ month start (phases/conditions.py)
class MonthStartRule(NamedTuple):
    closed: bool              # the border is closed (M20): traders abroad earn at home
    home_posts_trade: bool    # Pyongyang's traders keep trading through what is open (issue 14, M20 by degree)
    fear_factor: float        # fear's monthly decay factor (M23); 0 clears it
    campaign_pressure: float  # pressure a campaign adds this month (M21); 0 when none


@njit(cache=True, nogil=True)
def month_start_pass(off, codes, rule, workers_by_route):  # pragma: no cover - compiled
    """Tenure, closure duty, fear's decay and campaign pressure; active workers counted by
    route into ``workers_by_route``. Fear and pressure stay single precision."""
    factor = np.float32(rule.fear_factor)
    extra = np.float32(rule.campaign_pressure)
    for i in range(off.status.shape[0]):
        if off.status[i] == codes.active:
            off.tenure_months[i] += 1
            off.pressure[i] += extra
            if off.role[i] == codes.worker:
                workers_by_route[off.route[i]] += 1
        off.domestic_duty[i] = (rule.closed and off.role[i] == codes.trader and off.post[i] != codes.province
                                and (codes.abroad[off.post[i]] or not rule.home_posts_trade))
        off.fear[i] *= factor


@njit(cache=True, nogil=True, inline="always")
def pressure_extra(pressure, fear, response):  # pragma: no cover - compiled
    """Effort that pressure and fear draw out, saturating: at most ``response``, half of it at
    strain 1 (M4, M23); strain is pressure plus fear, in double precision."""
    strain = np.float64(pressure) + np.float64(fear)
    return response * strain / (1 + strain)


@njit(cache=True, nogil=True)
def effort_in_force_pass(off, codes, response, max_effort):  # pragma: no cover - compiled
    """Effort in force: chosen effort plus the saturating response to pressure and fear,
    within [0, max_effort]; zero for the resigned and for anyone not active."""
    top = np.float32(max_effort)
    out = off.effort_in_force
    for i in range(off.effort.shape[0]):
        if off.status[i] != codes.active or off.resigned[i]:
            out[i] = 0.0
            continue
        value = off.effort[i] + np.float32(pressure_extra(off.pressure[i], off.fear[i], response))
        out[i] = min(max(value, np.float32(0.0)), top)


@njit(cache=True, nogil=True)
def assign_targets_pass(off, codes, quota, company_weight):  # pragma: no cover - compiled
    """Each company's quota split among its active people in proportion to capacity (M1,
    ``rules.assign_targets``); zero for the inactive and in companies with nobody active."""
    n = off.status.shape[0]
    company_weight[:] = 0.0
    for i in range(n):
        if off.status[i] == codes.active:
            company_weight[off.company[i]] += max(off.capacity_usd[i], 1e-9)
    for i in range(n):
        c = off.company[i]
        total = company_weight[c]
        if off.status[i] == codes.active and total > 0:
            off.target_usd[i] = quota[c] * (max(off.capacity_usd[i], 1e-9) / total)
        else:
            off.target_usd[i] = 0.0


# ------------------------------------------------------------------ earnings (phases/earnings.py)
@njit(cache=True, nogil=True)
def earners(off, codes):  # pragma: no cover - compiled
    """Row indices of active workers, and of active traders earning at home (province posts
    or sent home by a closure), each in row order."""
    n = off.status.shape[0]
    workers = np.empty(n, np.int64)
    home = np.empty(n, np.int64)
    n_workers = 0
    n_home = 0
    for i in range(n):
        if off.status[i] != codes.active:
            continue
        if off.role[i] == codes.worker:
            workers[n_workers] = i
            n_workers += 1
        elif off.role[i] == codes.trader and (off.post[i] == codes.province or off.domestic_duty[i]):
            home[n_home] = i
            n_home += 1
    return workers[:n_workers], home[:n_home]


class PayRule(NamedTuple):
    wage_usd: float     # monthly pay at skill and effort 1 (M8)
    living_usd: float   # living costs paid after the charge (M8)
    arrears_pressure: float   # company pressure per month of charge in arrears (M8)


@njit(cache=True, nogil=True)
def pay_workers_pass(off, rows, factor, charge, noise, rule, earned, charged, by_route, totals):  # pragma: no cover
    """Workers' pay: wage x skill x effort in force (single precision) x the route's factor x
    noise. The charge owed to the company (this month's ``charge`` by route plus arrears) is
    paid first, into ``charged``; living costs next, a shortfall out of savings; a charge
    unpaid becomes debt, and the company's pressure grows with it. ``totals``: workers' gross,
    net, living deficit, charges owed, paid and net arrears."""
    wage32 = np.float32(rule.wage_usd)
    living = rule.living_usd
    t = totals[0]
    for k in range(rows.shape[0]):
        i = rows[k]
        r = off.route[i]
        gross = np.float64(wage32 * off.skill[i] * off.effort_in_force[i]) * factor[r] * np.float64(noise[k])
        owed = charge[r] + off.debt_usd[i]
        paid = min(gross, owed)
        living_paid = min(gross - paid, living)
        deficit = living - living_paid
        off.wealth_usd[i] -= min(deficit, off.wealth_usd[i])
        net = gross - living_paid
        off.debt_usd[i] = owed - paid
        if charge[r] > 0 and off.debt_usd[i] > 0:
            months = min(off.debt_usd[i] / charge[r], 3.0)
            off.pressure[i] += np.float32(rule.arrears_pressure * months)
        earned[i] += net
        charged[i] = paid
        by_route[r] += net
        t["workers_gross_usd"] += gross
        t["workers_net_usd"] += net
        t["workers_living_deficit_usd"] += deficit
        t["worker_charges_owed_usd"] += charge[r]
        t["worker_charges_paid_usd"] += paid
        t["worker_charge_arrears_usd"] += charge[r] - paid


class HomeRule(NamedTuple):
    province_yield_usd: float   # monthly yield of a province post (M16)
    domestic_yield_usd: float   # monthly yield of a trader sent home by a closure (M20)


@njit(cache=True, nogil=True)
def earn_at_home_pass(off, codes, rows, noise, rule, earned):  # pragma: no cover - compiled
    """Foreign cash raised at home: the post's yield x skill x effort in force x noise;
    returns the total."""
    total = 0.0
    for k in range(rows.shape[0]):
        i = rows[k]
        base = rule.province_yield_usd if off.post[i] == codes.province else rule.domestic_yield_usd
        e = base * np.float64(off.skill[i]) * np.float64(off.effort_in_force[i]) * np.float64(noise[k])
        earned[i] += e
        total += e
    return total


# ------------------------------------------------------------------ the split (phases/income.py)
class SplitRule(NamedTuple):
    month_index: int    # defectors of this month carry off their earnings (M9)
    levy_rate: float    # levies: a share of the monthly target (M12)
    workers_charged: bool   # workers remit their charge per head, and no levy (issue 14, M8)


class CompanyShares(NamedTuple):
    """Per company: the shares that decide where a dollar goes."""

    upward: np.ndarray     # taken by the privileged company fronting for it (M28)
    remit: np.ndarray      # the state's share of what is left (M1, M25)
    ceiling: np.ndarray    # most of the target its traders abroad remit (inf: no limit, M15)
    fund: np.ndarray       # bool: a party-fund-office company (M30)


@njit(cache=True, nogil=True)
def split_income_pass(off, codes, month, rule, shares, company_earned, company_kept, totals):  # pragma: no cover
    """Each official's earnings split, in order, into lost, rents, shared upward, levied,
    remitted and kept (the accounting identity of ``phases/income.py``); the half's tallies,
    savings and visibility updated; per-company sums into ``company_earned`` and
    ``company_kept``; the month's totals into ``totals`` by flow name."""
    t = totals[0]
    for i in range(month.earned.shape[0]):
        e = month.earned[i]
        if off.status[i] == codes.defected and off.exit_month[i] == rule.month_index:
            lost = e
            rent = 0.0
        else:
            lost = min(month.seized[i], e)
            rent = min(month.rents[i], e - lost)
        net = e - lost - rent
        c = off.company[i]
        if rule.workers_charged and off.role[i] == codes.worker:
            # issue 14 (M8): a worker's charge is the company's (a lower-tier company hands the privileged
            # their share of it, M28); the rest of the pay is the worker's
            charge_paid = min(month.charged[i], net)
            shared = charge_paid * shares.upward[c]
            levied = 0.0
            remitted = charge_paid - shared
            kept = net - charge_paid
        else:
            shared = net * shares.upward[c]
            levied = min(net - shared, rule.levy_rate * off.target_usd[i] / 6)
            rest = net - shared - levied
            remitted = rest * shares.remit[c]
            if off.role[i] == codes.trader and shares.ceiling[c] < np.inf and codes.abroad[off.post[i]]:
                room = max(shares.ceiling[c] * off.target_usd[i] - off.half_remitted_usd[i], 0.0)
                remitted = min(remitted, room)
            kept = rest - remitted
        off.half_remitted_usd[i] += remitted
        off.half_kept_usd[i] += kept
        off.wealth_usd[i] += kept
        off.visibility_usd[i] += e
        month.kept[i] = kept
        company_earned[c] += e
        company_kept[c] += kept
        t["earned_usd"] += e
        t["lost_usd"] += lost
        t["rents_usd"] += rent
        t["shared_upward_usd"] += shared
        t["levied_usd"] += levied
        t["remitted_usd"] += remitted
        t["kept_by_officials_usd"] += kept
        if shares.fund[c] or off.post[i] == codes.big_city:
            t["party_funds_usd"] += remitted


# ------------------------------------------------------------------ choices (phases/behaviour.py)
class PayoffRule(NamedTuple):
    max_effort: float
    response: float            # effort pressure and fear draw out at most (M4)
    effort_cost: float         # cost of effort, quadratic
    penalty: float             # political cost of a shortfall, per unit (M4); 0 when pressure is off
    goal: float                # attainment at which traders abroad risk recall (M15)
    recall_cost: float         # expected loss from recall at or over the goal (M14, M15)
    defiance_effort: float     # below this effort in force an official looks defiant (M23)
    defiance_attainment: float
    arrest_cost: float         # expected loss from arrest when defiant (M23)


@njit(cache=True, nogil=True)
def expected_payoff_pass(off, codes, steps, take_home, rule, best):  # pragma: no cover - compiled
    """The best of (effort + step for step in steps) by the expected payoff of
    ``behaviour._hill_climb``, per official; ties go to the first candidate."""
    for i in range(off.effort.shape[0]):
        e0 = np.float64(off.effort[i])
        extra = pressure_extra(off.pressure[i], off.fear[i], rule.response)
        exposed_role = off.role[i] == codes.trader and codes.abroad[off.post[i]]
        target = off.target_usd[i]
        top_score = 0.0
        chosen = e0
        for s in range(steps.shape[0]):
            e = min(max(e0 + steps[s], 0.0), rule.max_effort)
            in_force = min(max(e + extra, 0.0), rule.max_effort)
            if target >= 1.0:
                attainment = in_force * off.capacity_usd[i] / target
            else:
                attainment = in_force
            score = attainment * take_home[off.company[i]] - rule.effort_cost * (e * e)
            score -= rule.penalty * max(1.0 - attainment, 0.0)
            if exposed_role and attainment >= rule.goal:
                score -= rule.recall_cost
            if in_force < rule.defiance_effort and attainment < rule.defiance_attainment:
                score -= rule.arrest_cost
            if s == 0 or score > top_score:
                top_score = score
                chosen = e
        best[i] = chosen


# ------------------------------------------------------------------ exits (phases/exits.py)
class DefectionRule(NamedTuple):
    base_rate: float           # monthly hazard abroad (M9)
    pressure_factor: float     # how strain raises it
    family_deterrence: float   # how much a family held at home lowers it


@njit(cache=True, nogil=True)
def defection_hazard(off, codes, rule):  # pragma: no cover - compiled
    """Active officials abroad and each one's monthly hazard of defecting (M9): the base rate
    x (1 + factor x (pressure + fear)) in single precision, times (1 - deterrence) for
    those whose family is held at home."""
    n = off.status.shape[0]
    rows = np.empty(n, np.int64)
    hazard = np.empty(n)
    base32, factor32, one32 = np.float32(rule.base_rate), np.float32(rule.pressure_factor), np.float32(1.0)
    deterred = 1 - rule.family_deterrence
    k = 0
    for i in range(n):
        if off.status[i] == codes.active and codes.abroad[off.post[i]]:
            h = np.float64(base32 * (one32 + factor32 * (off.pressure[i] + off.fear[i])))
            rows[k] = i
            hazard[k] = h * deterred if off.family_at_home[i] else h * 1.0
            k += 1
    return rows[:k], hazard[:k]


class GiveUpRule(NamedTuple):
    pressure_threshold: float    # pressure above which an official may give up (M11)
    attainment_threshold: float  # and attainment below which


@njit(cache=True, nogil=True)
def overwhelmed(off, codes, rule):  # pragma: no cover - compiled
    """Rows of active officials still trying, under pressure above the threshold and below the
    attainment threshold (M11); thresholds compared in single precision."""
    p32, a32 = np.float32(rule.pressure_threshold), np.float32(rule.attainment_threshold)
    n = off.status.shape[0]
    rows = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        if (off.status[i] == codes.active and off.role[i] == codes.trader and not off.resigned[i]
                and off.pressure[i] > p32 and off.attainment[i] < a32):   # workers do not give up (issue 14)
            rows[k] = i
            k += 1
    return rows[:k]


# ------------------------------------------------------------------ discipline (phases/discipline.py)
@njit(cache=True, nogil=True)
def relatives_of(off, codes, arrested_rows):  # pragma: no cover - compiled
    """Rows of active officials whose patron is among ``arrested_rows`` (M24), in row order."""
    n = off.status.shape[0]
    hit = np.zeros(n, np.bool_)
    for r in arrested_rows:
        hit[r] = True
    rows = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        if off.status[i] == codes.active and off.patron[i] >= 0 and hit[off.patron[i]]:
            rows[k] = i
            k += 1
    return rows[:k]


@njit(cache=True, nogil=True)
def spread_fear(off, codes, by_company, by_role, cap):  # pragma: no cover - compiled
    """Fear after arrests (M23): the active gain their company's share, then their role's
    (single precision, in that order); everyone's fear at most ``cap``."""
    cap32 = np.float32(cap)
    fear = off.fear
    for i in range(off.status.shape[0]):
        if off.status[i] == codes.active:
            fear[i] += by_company[off.company[i]]
            fear[i] += by_role[off.role[i]]
        fear[i] = min(fear[i], cap32)


# ------------------------------------------------------------------ counts (record, markets, caps)
@njit(cache=True, nogil=True)
def census(off, codes):  # pragma: no cover - compiled
    """Counts and sums over the active, for the monthly row: (active, traders, workers abroad)
    and the sums of effort in force, pressure and fear (in double precision)."""
    counts = np.zeros(3, np.int64)
    sums = np.zeros(3)
    for i in range(off.status.shape[0]):
        if off.status[i] != codes.active:
            continue
        counts[0] += 1
        if off.role[i] == codes.trader:
            counts[1] += 1
        elif off.role[i] == codes.worker and codes.abroad[off.post[i]]:
            counts[2] += 1
        sums[0] += off.effort_in_force[i]
        sums[1] += off.pressure[i]
        sums[2] += off.fear[i]
    return counts, sums


@njit(cache=True, nogil=True)
def workers_by_route(off, codes):  # pragma: no cover - compiled
    """Active workers per route (4 routes)."""
    counts = np.zeros(4, np.int64)
    for i in range(off.status.shape[0]):
        if off.status[i] == codes.active and off.role[i] == codes.worker:
            counts[off.route[i]] += 1
    return counts


@njit(cache=True, nogil=True)
def credit(column, who, amounts):  # pragma: no cover - compiled
    """Add ``amounts`` to ``column`` at rows ``who`` (repeats allowed), touching only those rows:
    each row's amounts are summed from zero in the order given, then added."""
    sums = Dict.empty(key_type=types.int64, value_type=types.float64)
    for k in range(who.shape[0]):
        row = np.int64(who[k])
        sums[row] = sums.get(row, 0.0) + amounts[k]
    for row, total in sums.items():
        column[row] += total


# ------------------------------------------------------------------ the review (phases/review.py)
class OwnPocketRule(NamedTuple):
    defiance_effort: float   # the idle do not pay (M23)
    willingness: float       # base chance a short official pays in (M22)
    max_share: float         # most of savings paid in


@njit(cache=True, nogil=True)
def own_pocket_pass(off, codes, draws, rule):  # pragma: no cover - compiled
    """Short officials who still try pay in from savings (M22), with a chance that grows with
    pressure (single precision); returns the total paid."""
    defiance32, willingness32, one32 = np.float32(rule.defiance_effort), np.float32(rule.willingness), np.float32(1.0)
    total = 0.0
    for i in range(off.status.shape[0]):
        if off.status[i] != codes.active or off.effort_in_force[i] < defiance32:
            continue
        if not draws[i] < min(willingness32 * (one32 + off.pressure[i]), one32):
            continue
        paid = min(max(off.target_usd[i] - off.half_remitted_usd[i], 0.0), rule.max_share * off.wealth_usd[i])
        off.wealth_usd[i] -= paid
        off.half_own_pocket_usd[i] += paid
        total += paid
    return total


@njit(cache=True, nogil=True)
def company_results(off, n_companies):  # pragma: no cover - compiled
    """Per company, the half's result (remitted plus own pocket, summed per official first)
    and the own-pocket part."""
    result = np.zeros(n_companies)
    own = np.zeros(n_companies)
    for i in range(off.company.shape[0]):
        result[off.company[i]] += off.half_remitted_usd[i] + off.half_own_pocket_usd[i]
        own[off.company[i]] += off.half_own_pocket_usd[i]
    return result, own


@njit(cache=True, nogil=True)
def review_officials(off, codes, company_attainment, added, decay):  # pragma: no cover - compiled
    """Each official's attainment (result over target; the company's when it has no target of
    a dollar), and pressure after the review: pressure x decay + what the company's review
    added, for the active (single precision). With decay 0 and nothing added, it is cleared."""
    decay32 = np.float32(decay)
    for i in range(off.company.shape[0]):
        c = off.company[i]
        if off.target_usd[i] >= 1.0:
            off.attainment[i] = (off.half_remitted_usd[i] + off.half_own_pocket_usd[i]) / off.target_usd[i]
        else:
            off.attainment[i] = company_attainment[c]
        off.pressure[i] *= decay32
        if off.status[i] == codes.active:
            off.pressure[i] += np.float32(added[c])


@njit(cache=True, nogil=True)
def people_means(off, codes, n_companies):  # pragma: no cover - compiled
    """Mean pressure and effort in force of each company's active people (0 where none)."""
    count = np.zeros(n_companies)
    pressure_sum = np.zeros(n_companies)
    effort_sum = np.zeros(n_companies)
    for i in range(off.company.shape[0]):
        if off.status[i] == codes.active:
            c = off.company[i]
            count[c] += 1.0
            pressure_sum[c] += off.pressure[i]
            effort_sum[c] += off.effort_in_force[i]
    for c in range(n_companies):
        if count[c] > 0:
            pressure_sum[c] /= count[c]
            effort_sum[c] /= count[c]
    return pressure_sum, effort_sum
