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
* Random numbers are drawn by the calling phase, keyed by official (``quotasim.keyed_random``),
  and come in as arrays. Drawing them here would save a pass, but numba's on-disk cache
  checks only this file: a kernel compiled with the generator inlined would survive an
  edit to ``keyed_random.py``.
* Passes over every official run on the threads numba is allowed (``simulate(threads=...)``):
  the rows are split into fixed blocks (:func:`blocks`), a ``prange`` over the blocks calls
  a serial function on each (``_..._block``), which sums its block in row order into its own
  slot, and the slots are added in block order: the same additions in the same order on one
  thread or many, so the tables do not depend on the number of threads. The rows are
  written only inside the called function: numba's parallel loops lose writes made through
  a named tuple of arrays in the loop body itself (numba 0.68).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import literal_unroll, njit, prange

__all__ = ["SplitRule", "CompanyShares", "PayRule", "HomeRule", "MonthStartRule", "PayoffRule", "DefectionRule",
           "GiveUpRule", "OwnPocketRule", "HandInRule", "DefianceRule", "BeliefRule", "month_start_pass",
           "split_income_pass", "active_workers", "single_affine", "deal_starts",
           "sanction_exposure_sums", "pay_workers_pass", "earn_at_home_pass", "effort_in_force",
           "assign_targets_pass", "expected_payoff_pass", "pressure_extra", "defection_hazard", "defectors_pass", "overwhelmed",
           "relatives_of", "spread_fear", "census", "CENSUS_COUNTS", "CENSUS_SUMS", "workers_by_route", "credit", "own_pocket_pass",
           "company_results", "review_officials", "people_means", "choose_hand_in_pass", "choose_defiance_pass",
           "learn_capacity_pass", "learn_recall_belief_pass"]


# ------------------------------------------------------------------ blocks of a parallel pass
@njit(cache=True, nogil=True, inline="always")
def blocks(n, width):  # pragma: no cover - compiled
    """(count, size) of the fixed blocks a parallel pass over ``n`` rows sums in, each block
    into ``width`` slots: at most 64 blocks of at least 4,096 rows, and no more blocks than
    rows per slot, so that zeroing and adding the blocks' sums never costs more than the pass
    (sums by company, with a company for every ten officials, would otherwise cost 64 times
    the rows). They depend on ``n`` and ``width`` only, never on the number of threads."""
    count = min(64, max(1, (n + 4095) // 4096), max(1, n // max(width, 1)))
    return count, (n + count - 1) // count


@njit(cache=True, nogil=True, inline="always")
def block_sum(partial):  # pragma: no cover - compiled
    """Column sums of per-block partial sums (one row a block), added in block order."""
    out = np.zeros(partial.shape[1])
    for b in range(partial.shape[0]):
        for j in range(partial.shape[1]):
            out[j] += partial[b, j]
    return out


@njit(cache=True, nogil=True, parallel=True)
def zero_columns(columns):  # pragma: no cover - compiled
    """Set every element of a named tuple of equal-length float arrays to zero, on the threads
    (the month's per-official arrays: forty bytes an official, more than one core can clear
    quickly)."""
    n = columns[0].shape[0]
    count, size = blocks(n, 1)
    for b in prange(count):
        _zero_block(columns, b * size, min(n, (b + 1) * size))


@njit(cache=True, nogil=True)
def _zero_block(columns, lo, hi):  # pragma: no cover - compiled
    for column in literal_unroll(columns):
        column[lo:hi] = 0.0


# ------------------------------------------------------------------ month start (phases/conditions.py)
class MonthStartRule(NamedTuple):
    closed: bool              # the border is closed (M20): traders abroad earn at home
    home_posts_trade: bool    # Pyongyang's traders keep trading through what is open (issue 14, M20 by degree)
    fear_factor: float        # the believed arrest risk's monthly pull toward the prior (M23); 0 resets it
    fear_prior: float         # the believed arrest risk nobody has heard a case to move (M23)
    campaign_pressure: float  # pressure a campaign adds this month (M21); 0 when none
    interest_rate: float      # monthly interest on debts (M22)
    effort_response: float    # effort pressure draws out at most (M4)
    max_effort: float


@njit(cache=True, nogil=True, parallel=True)
def month_start_pass(off, codes, rule, workers_by_route, totals):  # pragma: no cover - compiled
    """Tenure, closure duty, the believed arrest risk's drift toward the prior, campaign
    pressure, interest on debts and their repayment from savings, and then effort in force
    (``effort_in_force``: it reads the month's pressure, and nothing of another row, so it
    is set in the same pass rather than in a second one over every row); active workers
    counted by route into ``workers_by_route``; interest paid into ``totals``. Fear and
    pressure stay single precision."""
    n = off.status.shape[0]
    count, size = blocks(n, 5)
    partial = np.zeros((count, 5))      # interest paid, then active workers on routes 0-3
    for b in prange(count):
        _month_start_block(off, codes, rule, b * size, min(n, (b + 1) * size), partial[b])
    sums = block_sum(partial)
    for r in range(4):
        workers_by_route[r] += np.int64(sums[1 + r])
    t = totals[0]
    t["interest_paid_usd"] += sums[0]


@njit(cache=True, nogil=True)
def _month_start_block(off, codes, rule, lo, hi, out):  # pragma: no cover - compiled
    """``month_start_pass`` on rows lo to hi; interest paid and workers by route into ``out``."""
    factor = np.float32(rule.fear_factor)
    prior = np.float32(rule.fear_prior)
    extra = np.float32(rule.campaign_pressure)
    # Sums in local variables, stored once: a store on every iteration keeps the compiler
    # from holding them in registers.
    interest_paid = 0.0
    for i in range(lo, hi):
        if off.status[i] == codes.active:
            off.tenure_months[i] += 1
            off.pressure[i] += extra
            if off.role[i] == codes.worker:
                out[1 + off.route[i]] += 1.0
        off.domestic_duty[i] = (rule.closed and off.role[i] == codes.trader and off.post[i] != codes.province
                                and (codes.abroad[off.post[i]] or not rule.home_posts_trade))
        off.fear[i] = prior + (off.fear[i] - prior) * factor
        if off.debt_usd[i] > 0:
            interest = off.debt_usd[i] * rule.interest_rate
            off.debt_usd[i] += interest
            interest_paid += interest
            repaid = min(off.wealth_usd[i], off.debt_usd[i])
            off.wealth_usd[i] -= repaid
            off.debt_usd[i] -= repaid
        off.effort_in_force[i] = effort_in_force(off, codes, rule.effort_response, rule.max_effort, i)
    out[0] = interest_paid


@njit(cache=True, nogil=True, inline="always")
def pressure_extra(pressure, response):  # pragma: no cover - compiled
    """Effort that pressure draws out, saturating: at most ``response``, half of it at
    pressure 1 (M4), in double precision. Fear of arrest acts through choices, not here."""
    strain = np.float64(pressure)
    return response * strain / (1 + strain)


@njit(cache=True, nogil=True, inline="always")
def effort_in_force(off, codes, response, max_effort, i):  # pragma: no cover - compiled
    """Official i's effort in force: chosen effort plus the saturating response to pressure,
    within [0, max_effort], in single precision; zero for those who gave up (M11) or refuse
    openly (M23), and for anyone not active."""
    if off.status[i] != codes.active or off.resigned[i] or off.defiant[i]:
        return np.float32(0.0)
    value = off.effort[i] + np.float32(pressure_extra(off.pressure[i], response))
    return min(max(value, np.float32(0.0)), np.float32(max_effort))


@njit(cache=True, nogil=True, parallel=True)
def assign_targets_pass(off, codes, quota, company_weight):  # pragma: no cover - compiled
    """Each company's quota split among its active people in proportion to capacity (M1,
    ``rules.assign_targets``); zero for the inactive and in companies with nobody active."""
    n = off.status.shape[0]
    count, size = blocks(n, company_weight.shape[0])
    partial = np.zeros((count, company_weight.shape[0]))
    for b in prange(count):
        _company_weight_block(off, codes, b * size, min(n, (b + 1) * size), partial[b])
    company_weight[:] = block_sum(partial)
    for b in prange(count):
        _targets_block(off, codes, quota, company_weight, b * size, min(n, (b + 1) * size))


@njit(cache=True, nogil=True)
def _company_weight_block(off, codes, lo, hi, out):  # pragma: no cover - compiled
    for i in range(lo, hi):
        if off.status[i] == codes.active:
            out[off.company[i]] += max(off.capacity_usd[i], 1e-9)


@njit(cache=True, nogil=True)
def _targets_block(off, codes, quota, company_weight, lo, hi):  # pragma: no cover - compiled
    for i in range(lo, hi):
        c = off.company[i]
        total = company_weight[c]
        if off.status[i] == codes.active and total > 0:
            off.target_usd[i] = quota[c] * (max(off.capacity_usd[i], 1e-9) / total)
        else:
            off.target_usd[i] = 0.0


# ------------------------------------------------------------------ earnings (phases/earnings.py)
@njit(cache=True, nogil=True)
def active_workers(off, codes, out):  # pragma: no cover - compiled
    """Row indices of the active workers, in row order, into ``out`` (at least as long as the
    table: a buffer the caller keeps); returns how many."""
    k = 0
    for i in range(off.status.shape[0]):
        if off.status[i] == codes.active and off.role[i] == codes.worker:
            out[k] = i
            k += 1
    return k


@njit(cache=True, nogil=True, parallel=True)
def single_affine(values, scale, shift, out):  # pragma: no cover - compiled
    """out = values rounded to single precision x scale + shift, each step in single precision
    (as NumPy computes ``values.astype(np.float32) * np.float32(scale) + np.float32(shift)``)."""
    scale32, shift32 = np.float32(scale), np.float32(shift)
    for k in prange(values.shape[0]):
        out[k] = np.float32(values[k]) * scale32 + shift32


class PayRule(NamedTuple):
    wage_usd: float     # monthly pay at skill and effort 1 (M8)
    living_usd: float   # living costs paid after the charge (M8)
    arrears_pressure: float   # company pressure per month of charge in arrears (M8)


@njit(cache=True, nogil=True, parallel=True)
def pay_workers_pass(off, rows, factor, charge, noise, rule, earned, charged, by_route, totals):  # pragma: no cover
    """Workers' pay: wage x skill x effort in force (single precision) x the route's factor x
    noise. The charge owed to the company (this month's ``charge`` by route plus arrears) is
    paid first, into ``charged``; living costs next, a shortfall out of savings; a charge
    unpaid becomes debt, and the company's pressure grows with it. ``totals``: workers' gross,
    net, living deficit, charges owed, paid and net arrears."""
    n = rows.shape[0]
    count, size = blocks(n, 10)
    partial = np.zeros((count, 10))   # gross, net, living deficit, charges owed, paid, arrears; net by route 0-3
    for b in prange(count):
        _pay_workers_block(off, rows, factor, charge, noise, rule, earned, charged, b * size, min(n, (b + 1) * size),
                           partial[b])
    sums = block_sum(partial)
    by_route += sums[6:]
    t = totals[0]
    t["workers_gross_usd"] += sums[0]
    t["workers_net_usd"] += sums[1]
    t["workers_living_deficit_usd"] += sums[2]
    t["worker_charges_owed_usd"] += sums[3]
    t["worker_charges_paid_usd"] += sums[4]
    t["worker_charge_arrears_usd"] += sums[5]


@njit(cache=True, nogil=True)
def _pay_workers_block(off, rows, factor, charge, noise, rule, earned, charged, lo, hi, out):  # pragma: no cover
    """``pay_workers_pass`` on rows[lo:hi]; its sums into ``out``."""
    wage32 = np.float32(rule.wage_usd)
    living = rule.living_usd
    # Sums in local variables, stored once: a store on every iteration keeps the compiler
    # from holding them in registers.
    workers_gross_usd__sum = 0.0
    workers_net_usd__sum = 0.0
    workers_living_deficit_usd__sum = 0.0
    worker_charges_owed_usd__sum = 0.0
    worker_charges_paid_usd__sum = 0.0
    worker_charge_arrears_usd__sum = 0.0
    for k in range(lo, hi):
        i = rows[k]
        r = off.route[i]
        gross = np.float64(wage32 * off.skill[i] * off.effort_in_force[i]) * factor[r] * np.float64(noise[k])
        owed = charge[r] + off.charge_arrears_usd[i]
        paid = min(gross, owed)
        living_paid = min(gross - paid, living)
        deficit = living - living_paid
        off.wealth_usd[i] -= min(deficit, off.wealth_usd[i])
        net = gross - living_paid
        off.charge_arrears_usd[i] = owed - paid
        if charge[r] > 0 and off.charge_arrears_usd[i] > 0:
            months = min(off.charge_arrears_usd[i] / charge[r], 3.0)
            off.pressure[i] += np.float32(rule.arrears_pressure * months)
        earned[i] += net
        charged[i] = paid
        out[6 + r] += net
        workers_gross_usd__sum += gross
        workers_net_usd__sum += net
        workers_living_deficit_usd__sum += deficit
        worker_charges_owed_usd__sum += charge[r]
        worker_charges_paid_usd__sum += paid
        worker_charge_arrears_usd__sum += charge[r] - paid
    out[0] = workers_gross_usd__sum
    out[1] = workers_net_usd__sum
    out[2] = workers_living_deficit_usd__sum
    out[3] = worker_charges_owed_usd__sum
    out[4] = worker_charges_paid_usd__sum
    out[5] = worker_charge_arrears_usd__sum


class HomeRule(NamedTuple):
    province_yield_usd: float   # monthly yield of a province post (M16)
    domestic_yield_usd: float   # monthly yield of a trader sent home by a closure (M20)


@njit(cache=True, nogil=True)
def earn_at_home_pass(off, codes, rows, noise, rule, earned):  # pragma: no cover - compiled
    """Foreign cash raised at home: the post's yield x skill x effort in force x noise;
    returns the total. Few earn at home: one thread."""
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
    month_index: int          # defectors of this month carry off their earnings (M9)
    levy_rate: float          # levies: a share of the monthly target (M12)
    visibility_memory: float  # share of visibility carried over a month (M14)
    workers_charged: bool     # workers remit their charge per head, and no levy (issue 14, M8)


class CompanyShares(NamedTuple):
    """Per company: the shares that decide where a dollar goes."""

    upward: np.ndarray     # taken by the privileged company fronting for it (M28)
    remit: np.ndarray      # the state's share of what is left (M1, M25)
    fund: np.ndarray       # bool: a party-fund-office company (M30)


@njit(cache=True, nogil=True, parallel=True)
def split_income_pass(off, codes, month, rule, shares, company_earned, company_kept, company_up,
                      totals):  # pragma: no cover
    """Each official's earnings split, in order, into lost, rents, shared upward, levied,
    remitted and kept (the accounting identity of ``phases/income.py``); the half's tallies,
    savings and visibility updated; per-company sums into ``company_earned``,
    ``company_kept`` and ``company_up`` (handed up, M28); the month's totals into ``totals``
    by flow name.

    What the state's share would remit beyond the official's own ``hold_at`` x target (a
    choice, ``choose_hand_in_pass``; infinite for those who hand everything in) is kept."""
    n = month.earned.shape[0]
    n_companies = company_earned.shape[0]
    count, size = blocks(n, 8 + 3 * n_companies)
    # Per block: the eight totals, then earned, kept and handed up per company.
    partial = np.zeros((count, 8 + 3 * n_companies))
    for b in prange(count):
        _split_income_block(off, codes, month, rule, shares, n_companies, b * size, min(n, (b + 1) * size), partial[b])
    sums = block_sum(partial)
    company_earned += sums[8:8 + n_companies]
    company_kept += sums[8 + n_companies:8 + 2 * n_companies]
    company_up += sums[8 + 2 * n_companies:]
    t = totals[0]
    t["earned_usd"] += sums[0]
    t["lost_usd"] += sums[1]
    t["rents_usd"] += sums[2]
    t["shared_upward_usd"] += sums[3]
    t["levied_usd"] += sums[4]
    t["remitted_usd"] += sums[5]
    t["kept_by_officials_usd"] += sums[6]
    t["party_funds_usd"] += sums[7]


@njit(cache=True, nogil=True)
def _split_income_block(off, codes, month, rule, shares, n_companies, lo, hi, out):  # pragma: no cover - compiled
    """``split_income_pass`` on rows lo to hi; its totals and per-company sums into ``out``."""
    # Sums in local variables, stored once: a store on every iteration keeps the compiler
    # from holding them in registers.
    earned_usd__sum = 0.0
    lost_usd__sum = 0.0
    rents_usd__sum = 0.0
    shared_upward_usd__sum = 0.0
    levied_usd__sum = 0.0
    remitted_usd__sum = 0.0
    kept_by_officials_usd__sum = 0.0
    party_funds_usd__sum = 0.0
    for i in range(lo, hi):
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
            if off.hold_at[i] < np.inf:
                room = max(np.float64(off.hold_at[i]) * off.target_usd[i] - off.half_remitted_usd[i], 0.0)
                off.half_withheld_usd[i] += max(remitted - room, 0.0)
                remitted = min(remitted, room)
            kept = rest - remitted
        off.half_remitted_usd[i] += remitted
        off.half_kept_usd[i] += kept
        off.wealth_usd[i] += kept
        off.visibility_usd[i] = off.visibility_usd[i] * rule.visibility_memory + e
        month.kept[i] = kept
        out[8 + c] += e
        out[8 + n_companies + c] += kept
        out[8 + 2 * n_companies + c] += shared
        earned_usd__sum += e
        lost_usd__sum += lost
        rents_usd__sum += rent
        shared_upward_usd__sum += shared
        levied_usd__sum += levied
        remitted_usd__sum += remitted
        kept_by_officials_usd__sum += kept
        if shares.fund[c] or off.post[i] == codes.big_city:
            party_funds_usd__sum += remitted
    out[0] = earned_usd__sum
    out[1] = lost_usd__sum
    out[2] = rents_usd__sum
    out[3] = shared_upward_usd__sum
    out[4] = levied_usd__sum
    out[5] = remitted_usd__sum
    out[6] = kept_by_officials_usd__sum
    out[7] = party_funds_usd__sum


# ------------------------------------------------------------------ choices (phases/behaviour.py)
class PayoffRule(NamedTuple):
    max_effort: float
    response: float            # effort pressure and fear draw out at most (M4)
    effort_cost: float         # cost of effort, quadratic
    penalty: float             # political cost of a shortfall, per unit (M4); 0 when pressure is off
    goal: float                # attainment at which traders abroad risk recall (M15)
    recall_loss: float         # loss from recall, weighed by each one's belief (M14, M15)
    defiance_effort: float     # below this effort in force an official looks idle (M23)
    defiance_attainment: float
    arrest_loss: float         # loss from arrest, weighed by each one's believed risk (M23)


@njit(cache=True, nogil=True, parallel=True)
def expected_payoff_pass(off, codes, steps, take_home, rule, best):  # pragma: no cover - compiled
    """The best of (effort + step for step in steps) by the expected payoff of
    ``behaviour._hill_climb``, per official, under the official's own beliefs (recall
    belief, believed arrest risk); ties go to the first candidate."""
    n = off.effort.shape[0]
    count, size = blocks(n, 1)
    for b in prange(count):
        _expected_payoff_block(off, codes, steps, take_home, rule, best, b * size, min(n, (b + 1) * size))


@njit(cache=True, nogil=True)
def _expected_payoff_block(off, codes, steps, take_home, rule, best, lo, hi):  # pragma: no cover - compiled
    for i in range(lo, hi):
        e0 = np.float64(off.effort[i])
        extra = pressure_extra(off.pressure[i], rule.response)
        recall_cost = np.float64(off.recall_belief[i]) * rule.recall_loss
        arrest_cost = np.float64(off.fear[i]) * rule.arrest_loss
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
            if exposed_role and attainment >= rule.goal and off.hold_at[i] == np.inf:
                score -= recall_cost
            if in_force < rule.defiance_effort and attainment < rule.defiance_attainment:
                score -= arrest_cost
            if s == 0 or score > top_score:
                top_score = score
                chosen = e
        best[i] = chosen


# ------------------------------------------------------------------ exits (phases/exits.py)
class DefectionRule(NamedTuple):
    base_rate: float           # monthly hazard abroad (M9)
    pressure_factor: float     # how strain raises it
    family_deterrence: float   # how much a family held at home lowers it


@njit(cache=True, nogil=True, inline="always")
def defection_hazard(off, rule, i):  # pragma: no cover - compiled
    """Official i's monthly hazard of defecting abroad (M9): the base rate x (1 + factor x
    pressure) in single precision, times (1 - deterrence) if the family is held at home."""
    base32, factor32, one32 = np.float32(rule.base_rate), np.float32(rule.pressure_factor), np.float32(1.0)
    h = np.float64(base32 * (one32 + factor32 * off.pressure[i]))
    return h * (1 - rule.family_deterrence) if off.family_at_home[i] else h * 1.0


@njit(cache=True, nogil=True, parallel=True)
def defectors_pass(off, codes, rule, draws):  # pragma: no cover - compiled
    """Rows, in row order, of the active officials abroad whose draw (``draws[i]``, a uniform
    keyed by row) falls below their ``defection_hazard``."""
    n = off.status.shape[0]
    flags = np.zeros(n, np.bool_)
    count, size = blocks(n, 1)
    for b in prange(count):
        _defectors_block(off, codes, rule, draws, flags, b * size, min(n, (b + 1) * size))
    return np.flatnonzero(flags)


@njit(cache=True, nogil=True)
def _defectors_block(off, codes, rule, draws, flags, lo, hi):  # pragma: no cover - compiled
    for i in range(lo, hi):
        if off.status[i] == codes.active and codes.abroad[off.post[i]]:
            flags[i] = draws[i] < defection_hazard(off, rule, i)


class GiveUpRule(NamedTuple):
    pressure_threshold: float    # pressure above which an official may give up (M11)
    attainment_threshold: float  # and attainment below which


@njit(cache=True, nogil=True)
def overwhelmed(off, codes, rule, traders):  # pragma: no cover - compiled
    """Of the rows ``traders`` (in row order), the active traders still trying, under pressure
    above the threshold and below the attainment threshold (M11); thresholds compared in
    single precision. Workers do not give up (issue 14)."""
    p32, a32 = np.float32(rule.pressure_threshold), np.float32(rule.attainment_threshold)
    rows = np.empty(traders.shape[0], np.int64)
    k = 0
    for i in traders:
        if (off.status[i] == codes.active and off.role[i] == codes.trader and not off.resigned[i]
                and not off.defiant[i] and off.pressure[i] > p32 and off.attainment[i] < a32):
            rows[k] = i
            k += 1
    return rows[:k]


# ------------------------------------------------------------------ discipline (phases/discipline.py)
@njit(cache=True, nogil=True)
def relatives_of(off, codes, arrested_rows, proteges):  # pragma: no cover - compiled
    """Of the rows ``proteges`` (officials placed by a patron, in row order), the active ones
    whose patron is among ``arrested_rows`` (M24)."""
    hit = np.zeros(off.status.shape[0], np.bool_)
    for r in arrested_rows:
        hit[r] = True
    rows = np.empty(proteges.shape[0], np.int64)
    k = 0
    for i in proteges:
        if off.status[i] == codes.active and hit[off.patron[i]]:
            rows[k] = i
            k += 1
    return rows[:k]


@njit(cache=True, nogil=True, parallel=True)
def spread_fear(off, codes, by_company, by_role, cap):  # pragma: no cover - compiled
    """Believed arrest risk after cases heard of (M23): the active add the weight of their
    company's cases, then of their role's (single precision, in that order); at most ``cap``."""
    n = off.status.shape[0]
    count, size = blocks(n, 1)
    for b in prange(count):
        _spread_fear_block(off, codes, by_company, by_role, cap, b * size, min(n, (b + 1) * size))


@njit(cache=True, nogil=True)
def _spread_fear_block(off, codes, by_company, by_role, cap, lo, hi):  # pragma: no cover - compiled
    cap32 = np.float32(cap)
    fear = off.fear
    for i in range(lo, hi):
        if off.status[i] == codes.active:
            fear[i] += by_company[off.company[i]]
            fear[i] += by_role[off.role[i]]
        fear[i] = min(fear[i], cap32)


# ------------------------------------------------------------------ deal starts (phases/deals.py)
@njit(cache=True, nogil=True)
def deal_starts(effort_in_force, candidates, route, affiliated, independent, trust, open_by_route, deal_rate,
                team_boost, draws):  # pragma: no cover - compiled
    """Whether each candidate (rows ``candidates``) starts a deal this month: its draw (a keyed
    uniform) below min(chance, 1), chance = deal rate x effort in force (single precision, as
    NumPy takes a Python number times a float32 array) x trust in the deal's route x the share
    open to the candidate's affiliation (``open_by_route[route, affiliated]``), times
    ``team_boost`` for independent companies' traders (M25, M27). One pass on the calling
    thread, where the NumPy chain built a temporary per factor over every candidate."""
    rate32 = np.float32(deal_rate)
    starts = np.empty(candidates.shape[0], np.bool_)
    for k in range(candidates.shape[0]):
        r = route[k]
        if r >= trust.shape[0]:
            raise IndexError("a deal's route has no partners' trust")
        chance = np.float64(rate32 * effort_in_force[candidates[k]]) * trust[r] * open_by_route[r, affiliated[k]]
        if independent[k]:
            chance = chance * team_boost
        starts[k] = draws[k] < min(chance, 1.0)
    return starts


# ------------------------------------------------------------------ counts (record, markets, caps)
# What ``census`` returns, in order: counts, then sums over the active (double precision).
CENSUS_COUNTS = ("active", "traders", "workers_abroad", "workers_china", "workers_russia", "workers_third",
                 "workers_russia_permitted", "workers_other_permits")
CENSUS_SUMS = ("effort", "pressure", "fear", "recall_belief", "worker_debt_usd", "trader_effort")


@njit(cache=True, nogil=True, parallel=True)
def census(off, codes):  # pragma: no cover - compiled
    """Counts and sums over the active, for the monthly row, named in order by
    ``CENSUS_COUNTS`` and ``CENSUS_SUMS``: the active, traders, workers at posts abroad, and
    workers (whatever the post) on the Chinese, Russian and third routes, in Russia on their
    own permits and on other permits anywhere; the sums of effort in force, pressure,
    believed arrest risk and recall belief over all, of charges in arrears over workers and of
    effort in force over traders."""
    n = off.status.shape[0]
    count, size = blocks(n, 14)
    partial = np.zeros((count, 14))
    for b in prange(count):
        _census_block(off, codes, b * size, min(n, (b + 1) * size), partial[b])
    sums = block_sum(partial)
    return sums[:8].astype(np.int64), sums[8:].copy()


@njit(cache=True, nogil=True)
def _census_block(off, codes, lo, hi, out):  # pragma: no cover - compiled
    active, traders, abroad, effort, pressure, fear, belief = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    other_permits, debt, trader_effort, russia_permitted = 0.0, 0.0, 0.0, 0.0
    for i in range(lo, hi):
        if off.status[i] != codes.active:
            continue
        active += 1.0
        if off.role[i] == codes.trader:
            traders += 1.0
            trader_effort += np.float64(off.effort_in_force[i])
        elif off.role[i] == codes.worker:
            if codes.abroad[off.post[i]]:
                abroad += 1.0
            r = off.route[i]
            if r < codes.domestic:
                out[3 + r] += 1.0
            if off.other_permit[i]:
                other_permits += 1.0
            elif r == codes.russia:
                russia_permitted += 1.0
            debt += off.charge_arrears_usd[i]
        # in double precision (the columns are single): as Python floats, the interpreter
        # (NUMBA_DISABLE_JIT=1) would add them in single precision
        effort += np.float64(off.effort_in_force[i])
        pressure += np.float64(off.pressure[i])
        fear += np.float64(off.fear[i])
        belief += np.float64(off.recall_belief[i])
    out[0] = active
    out[1] = traders
    out[2] = abroad
    out[6] = russia_permitted
    out[7] = other_permits
    out[8] = effort
    out[9] = pressure
    out[10] = fear
    out[11] = belief
    out[12] = debt
    out[13] = trader_effort


@njit(cache=True, nogil=True, parallel=True)
def workers_by_route(off, codes):  # pragma: no cover - compiled
    """Active workers per route (4 routes)."""
    n = off.status.shape[0]
    count, size = blocks(n, 4)
    partial = np.zeros((count, 4), np.int64)
    for b in prange(count):
        _workers_by_route_block(off, codes, b * size, min(n, (b + 1) * size), partial[b])
    return partial.sum(axis=0)


@njit(cache=True, nogil=True)
def _workers_by_route_block(off, codes, lo, hi, out):  # pragma: no cover - compiled
    # Counted without a branch into local counters, stored once: the compiler vectorises it.
    r0, r1, r2, r3 = 0, 0, 0, 0
    for i in range(lo, hi):
        counted = np.int64(off.status[i] == codes.active) * np.int64(off.role[i] == codes.worker)
        r = off.route[i]
        r0 += counted * (r == 0)
        r1 += counted * (r == 1)
        r2 += counted * (r == 2)
        r3 += counted * (r == 3)
    out[0] += r0
    out[1] += r1
    out[2] += r2
    out[3] += r3


@njit(cache=True, nogil=True)
def credit(column, who, amounts):  # pragma: no cover - compiled
    """Add ``amounts`` to ``column`` at rows ``who`` (repeats allowed), touching only those rows:
    each row's amounts are summed from zero in the order given, then added. Many amounts
    (one for every eighth row or more) are summed in a zeroed scratch column; a few are
    grouped by a stable sort of ``who`` instead, so that nothing the size of the column is
    allocated and zeroed for a few thousand deals among a million officials."""
    if who.shape[0] * 8 >= column.shape[0]:
        sums = np.zeros(column.shape[0])
        listed = np.zeros(column.shape[0], np.bool_)
        rows = np.empty(who.shape[0], np.int64)
        n_rows = 0
        for k in range(who.shape[0]):
            row = np.int64(who[k])
            if not listed[row]:
                listed[row] = True
                rows[n_rows] = row
                n_rows += 1
            sums[row] += amounts[k]
        for j in range(n_rows):
            column[rows[j]] += sums[rows[j]]
        return
    order = np.argsort(who, kind="mergesort")
    k = 0
    while k < order.shape[0]:
        row = who[order[k]]
        total = 0.0
        while k < order.shape[0] and who[order[k]] == row:
            total += amounts[order[k]]
            k += 1
        column[row] += total


# ------------------------------------------------------------------ the review (phases/review.py)
class OwnPocketRule(NamedTuple):
    defiance_effort: float   # the idle do not pay (M23)
    willingness: float       # base chance a short official pays in (M22)
    max_share: float         # most of savings paid in
    borrow_months: float     # most borrowed beyond savings, in months of expected take-home
    take_home_per_usd: float  # take-home per dollar of capacity per month (capacity x this = a month's take-home)


@njit(cache=True, nogil=True, parallel=True)
def own_pocket_pass(off, codes, draws, rule, totals):  # pragma: no cover - compiled
    """Short officials who still try pay in from savings, then from what they can borrow
    (M22), with a chance that grows with pressure (single precision); totals paid and
    borrowed into ``totals``. What they can borrow is bounded by what they owe already."""
    n = off.status.shape[0]
    count, size = blocks(n, 2)
    partial = np.zeros((count, 2))    # own pocket, borrowed
    for b in prange(count):
        _own_pocket_block(off, codes, draws, rule, b * size, min(n, (b + 1) * size), partial[b])
    sums = block_sum(partial)
    t = totals[0]
    t["own_pocket_usd"] += sums[0]
    t["borrowed_usd"] += sums[1]


@njit(cache=True, nogil=True)
def _own_pocket_block(off, codes, draws, rule, lo, hi, out):  # pragma: no cover - compiled
    defiance32, willingness32, one32 = np.float32(rule.defiance_effort), np.float32(rule.willingness), np.float32(1.0)
    own_pocket_usd__sum = 0.0
    borrowed_usd__sum = 0.0
    for i in range(lo, hi):
        if off.status[i] != codes.active or off.effort_in_force[i] < defiance32:
            continue
        if not draws[i] < min(willingness32 * (one32 + off.pressure[i]), one32):
            continue
        short = max(off.target_usd[i] - off.half_remitted_usd[i], 0.0)
        from_savings = min(short, rule.max_share * off.wealth_usd[i])
        credit_line = max(rule.borrow_months * off.capacity_usd[i] * rule.take_home_per_usd - off.debt_usd[i], 0.0)
        borrowed = min(short - from_savings, credit_line)
        off.wealth_usd[i] -= from_savings
        off.debt_usd[i] += borrowed
        off.half_own_pocket_usd[i] += from_savings + borrowed
        own_pocket_usd__sum += from_savings + borrowed
        borrowed_usd__sum += borrowed
    out[0] = own_pocket_usd__sum
    out[1] = borrowed_usd__sum


@njit(cache=True, nogil=True)
def sanction_exposure_sums(off, codes, intensity, n_companies):  # pragma: no cover - compiled
    """Per company, the capacity of its active people weighted by the sanctions' intensity on
    each one's route, and unweighted (M7). One pass on the calling thread, adding in row order
    as ``np.bincount`` does, so the sums are bincount's to the last bit (a quota cut is a
    threshold on their ratio); it runs at a December review when most companies missed."""
    exposed = np.zeros(n_companies)
    total = np.zeros(n_companies)
    for i in range(off.status.shape[0]):
        if off.status[i] == codes.active:
            c, weight = off.company[i], off.capacity_usd[i]
            exposed[c] += weight * intensity[off.route[i]]
            total[c] += weight
    return exposed, total


@njit(cache=True, nogil=True, parallel=True)
def company_results(off, n_companies):  # pragma: no cover - compiled
    """Per company, the half's result (remitted plus own pocket, summed per official first)
    and the own-pocket part."""
    n = off.company.shape[0]
    count, size = blocks(n, 2 * n_companies)
    partial = np.zeros((count, 2 * n_companies))
    for b in prange(count):
        _company_results_block(off, n_companies, b * size, min(n, (b + 1) * size), partial[b])
    sums = block_sum(partial)
    return sums[:n_companies].copy(), sums[n_companies:].copy()


@njit(cache=True, nogil=True)
def _company_results_block(off, n_companies, lo, hi, out):  # pragma: no cover - compiled
    for i in range(lo, hi):
        c = off.company[i]
        out[c] += off.half_remitted_usd[i] + off.half_own_pocket_usd[i]
        out[n_companies + c] += off.half_own_pocket_usd[i]


@njit(cache=True, nogil=True, parallel=True)
def review_officials(off, codes, company_attainment, criticism, gap_weight, decay):  # pragma: no cover - compiled
    """Each official's attainment (result over target; the company's when it has no target of
    a dollar), and the political assessment: pressure x decay + ``gap_weight`` x the
    official's own shortfall + the criticism of the official's company (by rank), for the
    active (single precision). With decay 0 and nothing added, it is cleared."""
    n = off.company.shape[0]
    count, size = blocks(n, 1)
    for b in prange(count):
        _review_officials_block(off, codes, company_attainment, criticism, gap_weight, decay, b * size, min(n, (b + 1) * size))


@njit(cache=True, nogil=True)
def _review_officials_block(off, codes, company_attainment, criticism, gap_weight, decay, lo, hi):  # pragma: no cover - compiled
    decay32 = np.float32(decay)
    for i in range(lo, hi):
        c = off.company[i]
        if off.target_usd[i] >= 1.0:
            off.attainment[i] = (off.half_remitted_usd[i] + off.half_own_pocket_usd[i]) / off.target_usd[i]
        else:
            off.attainment[i] = company_attainment[c]
        off.pressure[i] *= decay32
        if off.status[i] == codes.active:
            gap = max(1.0 - np.float64(off.attainment[i]), 0.0)
            off.pressure[i] += np.float32(gap_weight * gap + criticism[c])


@njit(cache=True, nogil=True, parallel=True)
def people_means(off, codes, n_companies):  # pragma: no cover - compiled
    """Mean pressure and effort in force of each company's active people (0 where none)."""
    n = off.company.shape[0]
    blocks_count, size = blocks(n, 3 * n_companies)
    partial = np.zeros((blocks_count, 3 * n_companies))   # people, pressure, effort per company
    for b in prange(blocks_count):
        _people_means_block(off, codes, n_companies, b * size, min(n, (b + 1) * size), partial[b])
    sums = block_sum(partial)
    count = sums[:n_companies]
    pressure_sum = sums[n_companies:2 * n_companies].copy()
    effort_sum = sums[2 * n_companies:].copy()
    for c in range(n_companies):
        if count[c] > 0:
            pressure_sum[c] /= count[c]
            effort_sum[c] /= count[c]
    return pressure_sum, effort_sum


@njit(cache=True, nogil=True)
def _people_means_block(off, codes, n_companies, lo, hi, out):  # pragma: no cover - compiled
    for i in range(lo, hi):
        if off.status[i] == codes.active:
            c = off.company[i]
            out[c] += 1.0
            out[n_companies + c] += off.pressure[i]
            out[2 * n_companies + c] += off.effort_in_force[i]


# ------------------------------------------------------------------ choices at a review (phases/behaviour.py)
class HandInRule(NamedTuple):
    max_effort: float
    response: float        # effort pressure draws out at most (M4)
    goal: float            # attainment at which recall becomes likely (M15)
    recall_loss: float     # half-year targets lost by recall (M14, M15)
    praise_value: float    # what a unit of surplus handed in brings, in target units
    hold_margin: float     # how far over the target a trader who holds back aims


@njit(cache=True, nogil=True, parallel=True)
def choose_hand_in_pass(off, codes, rule):  # pragma: no cover - compiled
    """Each active trader abroad chooses for the next half whether to hand in surplus above
    the target or keep it (``hold_at``), by the own belief about recall (M15).

    With x the attainment the trader expects handing everything in (effort in force x
    capacity / target; at least the goal, since deals are lumpy), keeping the surplus is worth x - 1 - margin target-units; handing it
    in is worth ``praise_value`` x (x - 1 - margin) less the believed recall risk times the
    loss, the risk growing with how far toward the goal the result goes. The trader holds at
    1 + margin when keeping is worth more. Everyone else hands all in."""
    n = off.status.shape[0]
    count, size = blocks(n, 1)
    for b in prange(count):
        _choose_hand_in_block(off, codes, rule, b * size, min(n, (b + 1) * size))


@njit(cache=True, nogil=True)
def _choose_hand_in_block(off, codes, rule, lo, hi):  # pragma: no cover - compiled
    for i in range(lo, hi):
        off.hold_at[i] = np.inf
        if off.status[i] != codes.active or off.role[i] != codes.trader or not codes.abroad[off.post[i]]:
            continue
        if off.target_usd[i] < 1.0:
            continue
        e = min(np.float64(off.effort[i]) + pressure_extra(off.pressure[i], rule.response), rule.max_effort)
        # Deals are lumpy: a trader decides what to do should the half bring a surplus up to
        # the goal at least, whatever it is expected to bring.
        x = max(e * off.capacity_usd[i] / off.target_usd[i], rule.goal)
        surplus = x - 1.0 - rule.hold_margin
        if surplus <= 0:
            continue
        reach = min((x - 1.0) / max(rule.goal - 1.0, 1e-9), 1.0)
        hand_in = rule.praise_value * surplus - np.float64(off.recall_belief[i]) * rule.recall_loss * reach
        if surplus > hand_in:
            off.hold_at[i] = np.float32(1.0 + rule.hold_margin)


class DefianceRule(NamedTuple):
    impossible: float     # attainment at ordinary effort below which a quota is resented as impossible
    comfort_usd: float    # savings of full comfort; each relative placed counts as much
    resentment: float     # indignation at full comfort and a quota twice the reach (target units)
    arrest_loss: float    # loss from arrest (target units), weighed by the believed risk


@njit(cache=True, nogil=True, parallel=True)
def choose_defiance_pass(off, codes, rule):  # pragma: no cover - compiled
    """Officials facing a quota they cannot reach choose whether to refuse it openly (M23).

    Each review every official decides afresh. Indignation = resentment x comfort x how
    impossible the quota is, where comfort is savings against ``comfort_usd`` (at most 1),
    halved for those with no relative placed in a foreign-currency post (M24), and impossibility
    is (target / what ordinary effort reaches - 1), at most 1; a quota counts as
    impossible only when ordinary effort reaches less than ``impossible`` of it. The cost is the believed arrest risk
    (``fear``) times the loss. An official refuses when indignation exceeds the cost:
    effort 0, no remorse. Returns the rows who chose it."""
    n = off.status.shape[0]
    count, size = blocks(n, 1)
    for b in prange(count):
        _choose_defiance_block(off, codes, rule, b * size, min(n, (b + 1) * size))
    return np.flatnonzero(off.defiant)


@njit(cache=True, nogil=True)
def _choose_defiance_block(off, codes, rule, lo, hi):  # pragma: no cover - compiled
    for i in range(lo, hi):
        off.defiant[i] = False
        # Workers abroad answer to a charge per head, not a quota of their own: they default,
        # fall into arrears or defect (issue 14), and do not refuse openly.
        if (off.status[i] != codes.active or off.role[i] != codes.trader or off.resigned[i]
                or off.target_usd[i] < 1.0):
            continue
        reach = off.capacity_usd[i] / off.target_usd[i]
        if reach >= rule.impossible:
            continue
        wealth = min(max(off.wealth_usd[i] - off.debt_usd[i], 0.0) / rule.comfort_usd, 1.0)
        comfort = wealth * (0.5 + 0.5 * min(np.float64(off.n_relatives[i]), 1.0))
        impossible = min(1.0 / max(reach, 1e-9) - 1.0, 1.0)
        indignation = rule.resentment * comfort * impossible
        if indignation > np.float64(off.fear[i]) * rule.arrest_loss:
            off.defiant[i] = True


class BeliefRule(NamedTuple):
    memory: float     # weight of what was seen this half


@njit(cache=True, nogil=True, parallel=True)
def learn_capacity_pass(off, codes, weight):  # pragma: no cover - compiled
    """Officials in post the whole half (six months, and trying: effort in force above 0.05)
    move ``capacity_usd`` by ``weight`` toward what a unit of effort yielded: remitted plus
    withheld over effort in force (``behaviour._learn_capacity``)."""
    n = off.status.shape[0]
    count, size = blocks(n, 1)
    for b in prange(count):
        _learn_capacity_block(off, codes, weight, b * size, min(n, (b + 1) * size))


@njit(cache=True, nogil=True)
def _learn_capacity_block(off, codes, weight, lo, hi):  # pragma: no cover - compiled
    trying = np.float32(0.05)
    for i in range(lo, hi):
        if off.status[i] == codes.active and off.tenure_months[i] >= 6 and off.effort_in_force[i] > trying:
            realised = (off.half_remitted_usd[i] + off.half_withheld_usd[i]) / np.float64(off.effort_in_force[i])
            off.capacity_usd[i] = (1 - weight) * off.capacity_usd[i] + weight * realised


@njit(cache=True, nogil=True, parallel=True)
def learn_recall_belief_pass(off, codes, rule, high_post, hit_post, high_company, hit_company):  # pragma: no cover
    """Each active official updates the belief that a result over the goal brings recall
    (M14, M15) from what was seen this half in the own post and the own company: those
    over the goal (or brought down by rumours) and how many of them were recalled or
    relocated. Nothing seen, nothing learned."""
    n = off.status.shape[0]
    count, size = blocks(n, 1)
    for b in prange(count):
        _learn_recall_belief_block(off, codes, rule, high_post, hit_post, high_company, hit_company, b * size, min(n, (b + 1) * size))


@njit(cache=True, nogil=True)
def _learn_recall_belief_block(off, codes, rule, high_post, hit_post, high_company, hit_company, lo, hi):  # pragma: no cover - compiled
    m = np.float32(rule.memory)
    for i in range(lo, hi):
        if off.status[i] != codes.active:
            continue
        seen = high_post[off.post[i]] + high_company[off.company[i]]
        if seen <= 0:
            continue
        share = (hit_post[off.post[i]] + hit_company[off.company[i]]) / seen
        off.recall_belief[i] = (1 - m) * off.recall_belief[i] + m * np.float32(share)


