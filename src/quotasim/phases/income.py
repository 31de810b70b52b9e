"""Phase 7: where each dollar earned this month goes — the accounting identity.

For every official, this month's earnings E split, in this order, into

    lost      E of anyone who defected this month, plus proceeds seized (M5)
    rents     taken by the approval stages' interests (M18)
    shared    the privileged partner's cut of a lower-level company's profit (M28)
    levied    earmarked levies, a share of the monthly target (M12)
    remitted  the state's share of the rest (M1; M25 for independent companies)
    kept      what the official keeps

so that  earned = remitted + levied + kept + shared upward + rents + lost  holds for
each official and so for every month. Surveillance (M29) may later move kept to lost.
"""

from __future__ import annotations

import numpy as np

from ..rules import HALF, directive_in_force, remit_share
from .behaviour import remittance_ceiling
from ..state import BIG_CITY, DEFECTED, FUND_OFFICE, LOWER, TRADER, State

__all__ = ["split_income"]


def split_income(state: State, p, rng: np.random.Generator) -> None:
    """Split each official's earnings; credit remittances toward the half-year result."""
    off, month = state.officials, state.month
    earned = month["earned"]
    fled = (off.status == DEFECTED) & (off.exit_month == state.month_index)
    lost = np.where(fled, earned, np.minimum(month["seized"], earned))
    rents = np.where(fled, 0.0, np.minimum(month["rents"], earned - lost))
    net = earned - lost - rents
    upward = _upward_share(state, p)
    shared = net * upward[off.company] if upward.any() else np.zeros_like(net)
    levied = np.minimum(net - shared, _levy_due(off, p))
    rest = net - shared - levied
    remitted = rest * remit_share(state, p)[off.company]
    traders = np.flatnonzero(off.role == TRADER)   # only traders abroad may hold back (seed 002)
    ceiling = remittance_ceiling(state, p, traders)
    limited = traders[np.isfinite(ceiling)]
    if len(limited):
        room = np.maximum(ceiling[np.isfinite(ceiling)] * off.target_usd[limited] - off.half_remitted_usd[limited], 0.0)
        remitted[limited] = np.minimum(remitted[limited], room)
    kept = rest - remitted
    off.half_remitted_usd[:] += remitted
    off.half_kept_usd[:] += kept
    off.wealth_usd[:] += kept
    off.visibility_usd[:] += earned
    month["kept"] = kept
    companies = state.companies
    companies.half_earned_usd[:] += np.bincount(off.company, weights=earned, minlength=companies.n)
    companies.half_kept_usd[:] += np.bincount(off.company, weights=kept, minlength=companies.n)
    for name, values in (("earned_usd", earned), ("lost_usd", lost), ("rents_usd", rents),
                         ("shared_upward_usd", shared), ("levied_usd", levied), ("remitted_usd", remitted),
                         ("kept_by_officials_usd", kept)):
        state.flows.add(name, values.sum())
    _party_funds(state, remitted)


def _upward_share(state: State, p) -> np.ndarray:
    """Lower-level companies work through the privileged, who take a share (M28)."""
    share = np.zeros(state.companies.n)
    if p.indirect_collaboration.enabled and directive_in_force(p):
        share[state.companies.tier == LOWER] = p.indirect_collaboration.profit_share_taken
    return share


def _levy_due(off, p) -> np.ndarray:
    """This month's earmarked levy: a share of the monthly target (M12)."""
    if not (p.levies.enabled and p.quota.enabled):
        return np.zeros(off.n)
    return p.levies.rate * off.target_usd / HALF


def _party_funds(state: State, remitted: np.ndarray) -> None:
    """Remittances of party-fund-office companies and big-city MOU posts (M16, M30)."""
    off = state.officials
    fund = (state.companies.affiliation[off.company] == FUND_OFFICE) | (off.post == BIG_CITY)
    state.flows.add("party_funds_usd", remitted[fund].sum())
