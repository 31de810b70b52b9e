"""Compiled loops for the per-official passes that dominate a month at scale.

Why numba here, when the rest of the model is plain NumPy: these passes are already
vectorised, but each is a chain of a dozen or more whole-array operations (masks, gathers,
``np.where``, ``np.minimum``, ``np.bincount``) over every official, and at a million
officials each such operation streams 1-8 MB through memory. One compiled loop does the
chain in a single pass. ``docs/performance.md`` gives the phase times before and after.

Every kernel repeats, operation for operation and in the same floating-point types, the
NumPy expression it replaces (written beside it in the docstring), so a run is the same
run either way: only the order of additions in the month's totals can differ, and
``tests/test_kernels.py`` checks each kernel against its NumPy expression. Random numbers
are always drawn by the caller with NumPy's generator, in the same order as before.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.typed import Dict

from .state import ABROAD_POSTS, ACTIVE, DEFECTED, PROVINCE, TRADER, WORKER

__all__ = ["month_start_pass", "split_income_pass", "earners", "pay_workers_pass", "earn_at_home_pass", "effort_in_force_pass",
           "assign_targets_pass", "expected_payoff_pass", "pressure_extra", "defection_hazard",
           "overwhelmed", "relatives_of", "spread_fear", "census", "workers_by_route", "credit",
           "own_pocket_pass", "company_results", "review_officials", "people_means", "INCOME_FLOWS"]

# Order of the totals returned by ``split_income_pass``.
INCOME_FLOWS = ("earned_usd", "lost_usd", "rents_usd", "shared_upward_usd", "levied_usd", "remitted_usd",
                "kept_by_officials_usd", "party_funds_usd")

_ABROAD = ABROAD_POSTS.copy()


@njit(cache=True, nogil=True)
def split_income_pass(earned, seized, rents_due, status, exit_month, month_index, company, role, post,
                      target, levy_rate, upward, share, ceiling, fund_company, big_city,
                      half_remitted, half_kept, wealth, visibility, kept_out,
                      company_earned, company_kept, totals):  # pragma: no cover - compiled
    """Each official's earnings split into lost, rents, shared, levied, remitted and kept.

    NumPy form (``phases/income.py`` keeps it as the definition)::

        fled     = (status == DEFECTED) & (exit_month == month_index)
        lost     = where(fled, earned, minimum(seized, earned))
        rents    = where(fled, 0, minimum(rents_due, earned - lost))
        net      = earned - lost - rents
        shared   = net * upward[company]
        levied   = minimum(net - shared, levy_rate * target / 6)
        rest     = net - shared - levied
        remitted = rest * share[company]; for traders, at most max(ceiling[company] * target - half_remitted, 0)
        kept     = rest - remitted
    """
    abroad = _ABROAD
    for i in range(earned.shape[0]):
        e = earned[i]
        if status[i] == DEFECTED and exit_month[i] == month_index:
            lost = e
            rent = 0.0
        else:
            lost = min(seized[i], e)
            rent = min(rents_due[i], e - lost)
        net = e - lost - rent
        c = company[i]
        shared = net * upward[c]
        levied = min(net - shared, levy_rate * target[i] / 6)
        rest = net - shared - levied
        remitted = rest * share[c]
        if role[i] == TRADER and ceiling[c] < np.inf and abroad[post[i]]:
            room = max(ceiling[c] * target[i] - half_remitted[i], 0.0)
            remitted = min(remitted, room)
        kept = rest - remitted
        half_remitted[i] += remitted
        half_kept[i] += kept
        wealth[i] += kept
        visibility[i] += e
        kept_out[i] = kept
        company_earned[c] += e
        company_kept[c] += kept
        totals[0] += e
        totals[1] += lost
        totals[2] += rent
        totals[3] += shared
        totals[4] += levied
        totals[5] += remitted
        totals[6] += kept
        if fund_company[c] or post[i] == big_city:
            totals[7] += remitted


@njit(cache=True, nogil=True)
def earners(status, role, post, domestic_duty):  # pragma: no cover - compiled
    """Row indices of active workers, and of active traders earning at home (province posts
    or sent home by a closure), each in row order: ``flatnonzero`` of the two masks."""
    n = status.shape[0]
    workers = np.empty(n, np.int64)
    home = np.empty(n, np.int64)
    n_workers = 0
    n_home = 0
    for i in range(n):
        if status[i] != ACTIVE:
            continue
        if role[i] == WORKER:
            workers[n_workers] = i
            n_workers += 1
        elif role[i] == TRADER and (post[i] == PROVINCE or domestic_duty[i]):
            home[n_home] = i
            n_home += 1
    return workers[:n_workers], home[:n_home]


@njit(cache=True, nogil=True)
def pay_workers_pass(rows, route, skill, effort_in_force, factor, noise, wage, living, wealth, earned,
                     by_route, totals):  # pragma: no cover - compiled
    """Workers' pay net of living costs; a shortfall comes out of savings.

    NumPy form: ``gross = wage * skill * effort_in_force * factor[route] * noise`` (the first
    two products in single precision, as NumPy evaluates them), ``net = maximum(gross -
    living, 0)``, ``deficit = maximum(living - gross, 0)``, ``wealth -= minimum(deficit, wealth)``.
    totals: gross, net, deficit.
    """
    wage32 = np.float32(wage)
    for k in range(rows.shape[0]):
        i = rows[k]
        r = route[i]
        gross = np.float64(wage32 * skill[i] * effort_in_force[i]) * factor[r] * np.float64(noise[k])
        net = max(gross - living, 0.0)
        deficit = max(living - gross, 0.0)
        wealth[i] -= min(deficit, wealth[i])
        earned[i] += net
        by_route[r] += net
        totals[0] += gross
        totals[1] += net
        totals[2] += deficit


@njit(cache=True, nogil=True)
def earn_at_home_pass(rows, post, skill, effort_in_force, noise, province_yield, domestic_yield,
                      earned):  # pragma: no cover - compiled
    """Foreign cash raised at home: ``yield[post] * skill * effort_in_force * noise``; returns the total."""
    total = 0.0
    for k in range(rows.shape[0]):
        i = rows[k]
        base = province_yield if post[i] == PROVINCE else domestic_yield
        e = base * np.float64(skill[i]) * np.float64(effort_in_force[i]) * np.float64(noise[k])
        earned[i] += e
        total += e
    return total


@njit(cache=True, nogil=True)
def month_start_pass(status, role, post, route, tenure, domestic_duty, closed, fear, fear_factor, pressure,
                     campaign_pressure, workers_by_route):  # pragma: no cover - compiled
    """The month's start for every official, in one pass.

    NumPy form: ``tenure[active] += 1``; active workers counted by route into
    ``workers_by_route``; ``domestic_duty = closed & (role == TRADER) & (post != PROVINCE)``
    (M20); ``fear *= fear_factor`` (its decay, M23; 0 clears it); ``pressure[active] +=
    campaign_pressure`` (M21; 0 when no campaign). Fear and pressure are single precision.
    """
    factor = np.float32(fear_factor)
    extra = np.float32(campaign_pressure)
    for i in range(status.shape[0]):
        live = status[i] == ACTIVE
        if live:
            tenure[i] += 1
            pressure[i] += extra
            if role[i] == WORKER:
                workers_by_route[route[i]] += 1
        domestic_duty[i] = closed and role[i] == TRADER and post[i] != PROVINCE
        fear[i] *= factor


@njit(cache=True, nogil=True, inline="always")
def pressure_extra(pressure, fear, response):  # pragma: no cover - compiled
    """Effort that pressure and fear draw out, saturating: at most ``response``, half of it at
    strain 1 (M4, M23); strain is pressure plus fear, in double precision."""
    strain = np.float64(pressure) + np.float64(fear)
    return response * strain / (1 + strain)


@njit(cache=True, nogil=True)
def effort_in_force_pass(effort, pressure, fear, resigned, status, response, max_effort,
                         out):  # pragma: no cover - compiled
    """Effort in force: chosen effort plus the saturating response to pressure and fear.

    NumPy form: ``clip(effort + pressure_extra(...) as float32, 0, max_effort)``; zero for
    the resigned and for anyone not active.
    """
    top = np.float32(max_effort)
    for i in range(effort.shape[0]):
        if status[i] != ACTIVE or resigned[i]:
            out[i] = 0.0
            continue
        value = effort[i] + np.float32(pressure_extra(pressure[i], fear[i], response))
        out[i] = min(max(value, np.float32(0.0)), top)


@njit(cache=True, nogil=True)
def assign_targets_pass(status, capacity, company, quota, company_weight, target):  # pragma: no cover - compiled
    """Each company's quota split among its active people by capacity (M1).

    NumPy form: ``weight = where(active, maximum(capacity, 1e-9), 0)``; ``target =
    quota[company] * weight / bincount(company, weight)[company]`` (0 where a company has none).
    """
    n = status.shape[0]
    company_weight[:] = 0.0
    for i in range(n):
        if status[i] == ACTIVE:
            company_weight[company[i]] += max(capacity[i], 1e-9)
    for i in range(n):
        c = company[i]
        total = company_weight[c]
        if status[i] == ACTIVE and total > 0:
            target[i] = quota[c] * (max(capacity[i], 1e-9) / total)
        else:
            target[i] = 0.0


@njit(cache=True, nogil=True)
def expected_payoff_pass(effort, steps, max_effort, pressure, fear, response, capacity, target, company,
                         take_home, role, post, effort_cost, penalty, goal, recall_cost, defiance_effort,
                         defiance_attainment, arrest_cost, best):  # pragma: no cover - compiled
    """The best of (effort + step for step in steps) by expected payoff, per official.

    The payoff is ``behaviour._expected_payoff`` (its docstring states it); ``penalty`` is 0
    when pressure is off. Ties go to the first candidate, as ``argmax`` does.
    """
    abroad = _ABROAD
    for i in range(effort.shape[0]):
        e0 = np.float64(effort[i])
        extra = pressure_extra(pressure[i], fear[i], response)
        exposed_role = role[i] == TRADER and abroad[post[i]]
        top_score = 0.0
        chosen = e0
        for s in range(steps.shape[0]):
            e = min(max(e0 + steps[s], 0.0), max_effort)
            in_force = min(max(e + extra, 0.0), max_effort)
            if target[i] >= 1.0:
                attainment = in_force * capacity[i] / target[i]
            else:
                attainment = in_force
            score = attainment * take_home[company[i]] - effort_cost * (e * e)
            score -= penalty * max(1.0 - attainment, 0.0)
            if exposed_role and attainment >= goal:
                score -= recall_cost
            if in_force < defiance_effort and attainment < defiance_attainment:
                score -= arrest_cost
            if s == 0 or score > top_score:
                top_score = score
                chosen = e
        best[i] = chosen


@njit(cache=True, nogil=True)
def defection_hazard(status, post, pressure, fear, family_at_home, base_rate, pressure_factor,
                     family_deterrence):  # pragma: no cover - compiled
    """Active officials abroad and each one's monthly hazard of defecting (M9).

    NumPy form: ``strain = pressure + fear`` (single precision); ``hazard = base_rate * (1 +
    pressure_factor * strain) * where(family_at_home, 1 - family_deterrence, 1)``, the first
    products in single precision as NumPy evaluates them.
    """
    abroad = _ABROAD
    n = status.shape[0]
    rows = np.empty(n, np.int64)
    hazard = np.empty(n)
    base32, factor32, one32 = np.float32(base_rate), np.float32(pressure_factor), np.float32(1.0)
    deterred = 1 - family_deterrence
    k = 0
    for i in range(n):
        if status[i] == ACTIVE and abroad[post[i]]:
            h = np.float64(base32 * (one32 + factor32 * (pressure[i] + fear[i])))
            rows[k] = i
            hazard[k] = h * deterred if family_at_home[i] else h * 1.0
            k += 1
    return rows[:k], hazard[:k]


@njit(cache=True, nogil=True)
def overwhelmed(status, resigned, pressure, attainment, pressure_threshold,
                attainment_threshold):  # pragma: no cover - compiled
    """Rows of active officials still trying, under pressure above ``pressure_threshold`` and
    below ``attainment_threshold`` of target (M11); thresholds compared in single precision."""
    p32, a32 = np.float32(pressure_threshold), np.float32(attainment_threshold)
    n = status.shape[0]
    rows = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        if status[i] == ACTIVE and not resigned[i] and pressure[i] > p32 and attainment[i] < a32:
            rows[k] = i
            k += 1
    return rows[:k]


@njit(cache=True, nogil=True)
def relatives_of(patron, status, arrested_rows):  # pragma: no cover - compiled
    """Rows of active officials whose patron is among ``arrested_rows`` (M24), in row order:
    ``flatnonzero(isin(patron, arrested_rows) & (status == ACTIVE))``."""
    n = status.shape[0]
    hit = np.zeros(n, np.bool_)
    for r in arrested_rows:
        hit[r] = True
    rows = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        if status[i] == ACTIVE and patron[i] >= 0 and hit[patron[i]]:
            rows[k] = i
            k += 1
    return rows[:k]


@njit(cache=True, nogil=True)
def spread_fear(status, company, role, fear, by_company, by_role, cap):  # pragma: no cover - compiled
    """Fear after arrests (M23), for the active: ``fear += by_company[company]``, then
    ``fear += by_role[role]`` (single precision, in that order); everyone's fear at most ``cap``."""
    cap32 = np.float32(cap)
    for i in range(status.shape[0]):
        if status[i] == ACTIVE:
            fear[i] += by_company[company[i]]
            fear[i] += by_role[role[i]]
        fear[i] = min(fear[i], cap32)


@njit(cache=True, nogil=True)
def census(status, role, post, effort_in_force, pressure, fear):  # pragma: no cover - compiled
    """Counts and sums over the active, for the monthly row: (active, traders, workers abroad)
    and the sums of effort in force, pressure and fear (in double precision)."""
    abroad = _ABROAD
    counts = np.zeros(3, np.int64)
    sums = np.zeros(3)
    for i in range(status.shape[0]):
        if status[i] != ACTIVE:
            continue
        counts[0] += 1
        if role[i] == TRADER:
            counts[1] += 1
        elif role[i] == WORKER and abroad[post[i]]:
            counts[2] += 1
        sums[0] += effort_in_force[i]
        sums[1] += pressure[i]
        sums[2] += fear[i]
    return counts, sums


@njit(cache=True, nogil=True)
def workers_by_route(status, role, route):  # pragma: no cover - compiled
    """Active workers per route: ``bincount(route[(status == ACTIVE) & (role == WORKER)], minlength=4)``."""
    counts = np.zeros(4, np.int64)
    for i in range(status.shape[0]):
        if status[i] == ACTIVE and role[i] == WORKER:
            counts[route[i]] += 1
    return counts


@njit(cache=True, nogil=True)
def credit(column, who, amounts):  # pragma: no cover - compiled
    """``column += bincount(who, amounts, minlength=len(column))``, touching only the rows in
    ``who``: each row's amounts are summed from zero in the order given, then added."""
    sums = Dict.empty(key_type=types.int64, value_type=types.float64)
    for k in range(who.shape[0]):
        row = np.int64(who[k])
        sums[row] = sums.get(row, 0.0) + amounts[k]
    for row, total in sums.items():
        column[row] += total


@njit(cache=True, nogil=True)
def own_pocket_pass(draws, status, effort_in_force, defiance_effort, willingness, pressure, target,
                    half_remitted, max_share, wealth, half_own_pocket):  # pragma: no cover - compiled
    """Short officials who still try pay in from savings (M22); returns the total paid.

    NumPy form: ``willing = active & (effort_in_force >= defiance_effort) & (draws <
    minimum(willingness * (1 + pressure), 1))`` (single precision, as NumPy evaluates it);
    ``paid = minimum(maximum(target - half_remitted, 0), max_share * wealth)`` where willing.
    """
    defiance32, willingness32, one32 = np.float32(defiance_effort), np.float32(willingness), np.float32(1.0)
    total = 0.0
    for i in range(status.shape[0]):
        if status[i] != ACTIVE or effort_in_force[i] < defiance32:
            continue
        if not draws[i] < min(willingness32 * (one32 + pressure[i]), one32):
            continue
        paid = min(max(target[i] - half_remitted[i], 0.0), max_share * wealth[i])
        wealth[i] -= paid
        half_own_pocket[i] += paid
        total += paid
    return total


@njit(cache=True, nogil=True)
def company_results(company, half_remitted, half_own_pocket, n_companies):  # pragma: no cover - compiled
    """Per company, the half's result (remitted plus own pocket, summed per official first)
    and the own-pocket part: the two ``bincount`` sums of ``review_companies``."""
    result = np.zeros(n_companies)
    own = np.zeros(n_companies)
    for i in range(company.shape[0]):
        result[company[i]] += half_remitted[i] + half_own_pocket[i]
        own[company[i]] += half_own_pocket[i]
    return result, own


@njit(cache=True, nogil=True)
def review_officials(company, status, half_remitted, half_own_pocket, target, company_attainment, added,
                     decay, attainment, pressure):  # pragma: no cover - compiled
    """Each official's attainment (result over target; the company's when it has no target of
    a dollar), and pressure after the review: ``pressure * decay + added[company]`` for the
    active (single precision). With ``decay`` 0 and ``added`` 0, pressure is cleared."""
    decay32 = np.float32(decay)
    for i in range(company.shape[0]):
        c = company[i]
        if target[i] >= 1.0:
            attainment[i] = (half_remitted[i] + half_own_pocket[i]) / target[i]
        else:
            attainment[i] = company_attainment[c]
        pressure[i] *= decay32
        if status[i] == ACTIVE:
            pressure[i] += np.float32(added[c])


@njit(cache=True, nogil=True)
def people_means(company, status, pressure, effort_in_force, n_companies):  # pragma: no cover - compiled
    """Mean pressure and effort in force of each company's active people (0 where none)."""
    count = np.zeros(n_companies)
    pressure_sum = np.zeros(n_companies)
    effort_sum = np.zeros(n_companies)
    for i in range(company.shape[0]):
        if status[i] == ACTIVE:
            count[company[i]] += 1.0
            pressure_sum[company[i]] += pressure[i]
            effort_sum[company[i]] += effort_in_force[i]
    for c in range(n_companies):
        if count[c] > 0:
            pressure_sum[c] /= count[c]
            effort_sum[c] /= count[c]
    return pressure_sum, effort_sum
