"""Traders start deals, deals move through approvals, joint ventures pay.

* Search (M16, M5, M25-M28): an active trader abroad or in Pyongyang starts a deal with a
  chance that grows with effort and partner trust and shrinks with sanctions; big-city
  posts draw up large MOU deals, border posts smaller ones (M16). Independent companies
  (M25) send negotiation teams (M27) and send some deals to Russia and friendly third
  countries (M26).
* Pipeline (M18): Central Party approval -> feasibility review of the MOU in Shenzhen ->
  planning-commission licence -> customs and quarantine. Each month a deal may be hit by a
  crackdown (delayed or cancelled, M5; affiliation protects, M17), be rejected (more often
  when partners' trust is low), or clear its stage (faster with access, M17). Completed
  deals pay their margin; each stage's interests take a rent; some proceeds are seized
  (M5). A closure (M20) freezes foreign deals; a deal whose trader has left is cancelled.
* Channels (issue 14; M5, M17): each deal goes through official customs trade (what the
  record's export figures count), state and military trade (companies affiliated with the
  army, State Security or the fund office) or smuggling and ship-to-ship transfers, in
  proportion to what sanctions and the closure leave open on each (``rules.open_by_channel``).
  Evasion costs part of the profit and risks seizure under enforcement.
* Joint ventures (M25, M30): independent companies open ventures that pay monthly.

Deals live in a growable table that is compacted each month, so a long run's pipeline
costs memory in proportion to its backlog, never to its history. Each deal has an id
(``deal_id``, numbered in order of start) that keys its draws; a deal's start, route and
value are keyed by its trader.
"""

from __future__ import annotations

import numpy as np

from ..codes import (
    ABROAD_POSTS,
    ACTIVE,
    ARMY,
    BIG_CITY,
    CHINA,
    CUSTOMS,
    FUND_OFFICE,
    N_STAGES,
    PYONGYANG,
    RUSSIA,
    SECURITY,
    SMUGGLING,
    STATE_TRADE,
    THIRD,
    TRADER,
    Purpose,
)
from ..kernels import credit, deal_starts
from ..keyed_random import Key
from ..rules import (
    access,
    border_closed,
    directive_in_force,
    earns_domestically,
    independent_companies,
    median_deal_usd,
    open_by_channel,
    protection,
    required_stage_mask,
    route_bans,
)
from ..scenario import Scenario
from ..state import State
from . import mechanisms
from .closure import frozen_deals

__all__ = ["start_deals", "advance_pipeline", "run_joint_ventures"]


@mechanisms("M5", "M16", "M17", "M20", "M25", "M26", "M27")
def start_deals(state: State, p: Scenario, key: Key) -> None:
    """Active traders start new deals: more with effort and trust, fewer under sanctions."""
    off = state.officials
    if border_closed(p) and not p.closure_degree.enabled:
        return
    traders = state.active_traders()
    post = off.post[traders]
    candidates = traders[(ABROAD_POSTS[post] | (post == PYONGYANG)) & ~earns_domestically(off, traders)]
    company = off.company[candidates]
    if directive_in_force(p):
        independent = independent_companies(state, p)[company]
    else:                                       # nobody is: no gather
        independent = np.zeros(len(candidates), bool)
    route = _deal_routes(off.route[candidates], candidates, independent, p, key)
    by_channel = open_by_channel(p)            # (routes, channels, affiliated), issue 14
    outside_customs = by_channel[:, 1:, :].any()
    if outside_customs:   # affiliation decides what is open; looked up per company (few), gathered per candidate (many)
        affiliated = _state_trade_allowed(state).astype(np.intp)[company]
    else:                 # only customs is open, alike for all
        affiliated = np.zeros(len(candidates), np.intp)
    # What is open in all, looked up per candidate in the small table (not summed per candidate)
    open_all = np.ascontiguousarray(by_channel.sum(axis=1))        # (routes, affiliated)
    teams = p.negotiation_teams
    boost = 1 + teams.team_size * teams.deal_boost_per_member if teams.enabled else 1.0
    starts = deal_starts(off.effort_in_force, candidates, route, affiliated, independent, state.trust, open_all,
                         p.posts.deal_rate, boost, key.uniforms(Purpose.DEAL_START, candidates))
    who = candidates[starts]
    post = off.post[who]
    goods = 1 - p.frictions.goods_shortfall if p.frictions.enabled else 1.0
    value = median_deal_usd(p, post) * key.lognormals(Purpose.DEAL_VALUE, who, 0.0, p.posts.deal_sd) * goods * off.skill[who]
    if outside_customs:    # draw each deal's channel
        channel = _channels(by_channel[route[starts], :, affiliated[starts]], who, key)
    else:
        channel = np.full(len(who), CUSTOMS, np.int8)
    state.deals.append(len(who), official=who, company=off.company[who], route=route[starts], value_usd=value,
                       stage=0, required=required_stage_mask(p, post, independent[starts]), channel=channel,
                       deal_id=np.arange(state.deals_started, state.deals_started + len(who)))
    state.deals_started += len(who)
    state.flows.add("deals_started", len(who))
    _skip_to_required_stage(state, np.arange(state.deals.n - len(who), state.deals.n))


@mechanisms("M5", "M17", "M18", "M20")
def advance_pipeline(state: State, p: Scenario, key: Key) -> None:
    """Move every deal one month through the approval stages; completed deals pay."""
    deals, off = state.deals, state.officials
    if deals.n == 0:
        _record_backlog(state)
        return
    deals.age_months[:] += 1
    owner_gone = off.status[deals.official] != ACTIVE
    frozen, cancelled_frozen = frozen_deals(p, key, deals.deal_id, deals.route, deals.channel)
    cancelled = owner_gone | cancelled_frozen | _stop_banned(state, p, key)
    moving = ~cancelled & ~frozen
    affiliation = state.companies.affiliation[deals.company]
    cancelled, moving = _crackdowns(state, p, key, affiliation, cancelled, moving)
    completed = _clear_stages(state, p, key, affiliation, moving, cancelled)
    _pay_completed(state, p, key, completed)
    _update_trust(state, p, completed, cancelled)
    state.flows.add("deals_completed", int(completed.sum()))
    state.flows.add("deals_cancelled", int(cancelled.sum()))
    deals.keep(~(completed | cancelled))
    _record_backlog(state)


@mechanisms("M25", "M26", "M30")
def run_joint_ventures(state: State, p: Scenario, key: Key) -> None:
    """Independent companies open joint ventures, which pay their traders monthly."""
    companies, off = state.companies, state.officials
    if not directive_in_force(p) or border_closed(p):
        return
    independent = independent_companies(state, p)
    rate = np.full(companies.n, p.decentralisation.jv_rate)
    if p.party_funds.enabled:
        rate[companies.affiliation == FUND_OFFICE] *= p.party_funds.jv_multiplier
    draw = key.uniforms(Purpose.JOINT_VENTURE, np.arange(companies.n))
    opens = independent & (companies.n_joint_ventures < p.decentralisation.max_jvs) & (draw < rate)
    companies.n_joint_ventures[opens] += 1
    route = RUSSIA if p.partners.enabled else 0
    income = companies.n_joint_ventures * p.decentralisation.jv_monthly_usd * state.market_open[route]
    traders = (off.status == ACTIVE) & (off.role == TRADER)
    n_traders = np.bincount(off.company[traders], minlength=companies.n)
    per_trader = np.divide(income, n_traders, out=np.zeros(companies.n), where=n_traders > 0)
    paid = np.where(traders, per_trader[off.company], 0.0)
    state.month.earned[:] += paid
    state.flows.add(f"earned_{'russia' if route == RUSSIA else 'china'}_usd", paid.sum())
    state.flows.add("joint_venture_usd", paid.sum())


# ---------------------------------------------------------------- internals
def _deal_routes(home_route: np.ndarray, traders: np.ndarray, independent: np.ndarray, p: Scenario,
                 key: Key) -> np.ndarray:
    """Independent companies send a share of deals to Russia and third countries (M26)."""
    route = home_route.copy()
    if p.partners.enabled and independent.any():
        draw = key.uniforms(Purpose.DEAL_ROUTE, traders)
        to_russia = independent & (draw < p.partners.russia_share)
        to_third = independent & ~to_russia & (draw < p.partners.russia_share + p.partners.third_share)
        route[to_russia], route[to_third] = RUSSIA, THIRD
    return route


def _state_trade_allowed(state: State) -> np.ndarray:
    """Per company: whether its evaded trade can go through state and military trade (M17) —
    companies affiliated with the army, State Security or the party's fund office; others smuggle."""
    return np.isin(state.companies.affiliation, (ARMY, SECURITY, FUND_OFFICE))


def _stop_banned(state: State, p: Scenario, key: Key) -> np.ndarray:
    """A new ban stops goods already on their way through customs (issue 14; M5, M17).

    When a route's ban rises from b to b', the share (b' - b) / (1 - b) of its customs deals
    in the pipeline are now of banned goods: ``trade_channels.evasion`` of them move to state
    and military trade (affiliated companies, ``state_share``) or smuggling; the rest are
    stopped (cancelled). Draws are keyed by deal id, and made only when a ban rose.
    """
    deals = state.deals
    ban = route_bans(p)
    rise = np.clip(ban - state.ban_in_force, 0.0, None) / np.maximum(1.0 - state.ban_in_force, 1e-9)
    state.ban_in_force = ban
    if not (rise > 0).any():
        return np.zeros(deals.n, bool)
    ids = deals.deal_id
    hit = (deals.channel == CUSTOMS) & (key.uniforms(Purpose.BANNED, ids) < rise[deals.route])
    tc = p.trade_channels
    evading = hit & (key.uniforms(Purpose.EVASION, ids) < (tc.evasion if tc.enabled else 0.0))
    affiliated = _state_trade_allowed(state)[deals.company]
    to_state = key.uniforms(Purpose.STATE_TRADE, ids[evading]) < tc.state_share
    deals.channel[evading] = np.where(affiliated[evading] & to_state, STATE_TRADE, SMUGGLING)
    stopped = hit & ~evading
    state.flows.add("deals_stopped_by_ban", int(stopped.sum()))
    return stopped


def _crackdowns(state, p: Scenario, key: Key, affiliation, cancelled, moving):
    """Inspections hit some moving deals: cancelled or delayed a month (M5, M17)."""
    if not p.frictions.enabled:
        return cancelled, moving
    ids = state.deals.deal_id
    hit = moving & (key.uniforms(Purpose.CRACKDOWN, ids) < p.frictions.crackdown_rate * (1 - protection(p, affiliation)))
    killed = hit & (key.uniforms(Purpose.CRACKDOWN_CANCEL, ids) < p.frictions.cancel_given_crackdown)
    state.flows.add("deals_delayed", int((hit & ~killed).sum()))
    return cancelled | killed, moving & ~hit


def _clear_stages(state, p: Scenario, key: Key, affiliation, moving, cancelled) -> np.ndarray:
    """Rejections and passes, stage after stage within the month; returns the completed mask.

    A deal that clears its stage goes straight on to the next one in the same month, so a
    fast file can pass every office in a month ("about a month", record:
    trade_permit_review_duration) while a stuck one waits at its stage.
    """
    deals = state.deals
    if not p.pipeline.enabled:
        return moving
    trust = state.trust[deals.route]
    pass_rate, reject_rate = np.asarray(p.pipeline.pass_rate), np.asarray(p.pipeline.reject_rate)
    speed = access(p, affiliation)
    trying = moving.copy()
    for step in range(N_STAGES):
        trying &= deals.stage < N_STAGES
        if not trying.any():
            break
        stage = np.minimum(deals.stage, N_STAGES - 1).astype(np.intp)
        reject = reject_rate[stage] * (2.0 - trust)
        draw = key.uniforms(Purpose.STAGE, deals.deal_id, index=step)
        rejected = trying & (draw < reject)
        passing = trying & ~rejected & (draw < reject + pass_rate[stage] * speed)
        cancelled |= rejected
        state.flows.add("deals_rejected", int(rejected.sum()))
        deals.stage[passing] += 1
        _skip_to_required_stage(state, np.flatnonzero(passing))
        trying = passing
    return moving & ~cancelled & (deals.stage >= N_STAGES)


def _skip_to_required_stage(state: State, rows: np.ndarray) -> None:
    """Advance deals past the stages their mask says they need not pass (M16, M25)."""
    deals = state.deals
    for _ in range(N_STAGES):
        stage = deals.stage[rows]
        skip = (stage < N_STAGES) & ((deals.required[rows] >> np.minimum(stage, N_STAGES - 1)) & 1 == 0)
        if not skip.any():
            return
        deals.stage[rows[skip]] += 1


def _pay_completed(state: State, p: Scenario, key: Key, completed: np.ndarray) -> None:
    """Completed deals pay their margin to the trader; rents and seizures come out of it."""
    deals = state.deals
    who, value, channel = deals.official[completed], deals.value_usd[completed], deals.channel[completed]
    evading = channel != CUSTOMS
    profit = value * p.posts.margin * np.where(evading, 1 - p.trade_channels.evasion_cost, 1.0)
    credit(state.month.earned, who, profit)
    if p.pipeline.enabled:
        credit(state.month.rents, who, profit * _passed_rent_share(p, deals.required[completed]))
    seized = np.zeros(len(who), bool)
    if p.frictions.enabled:
        seized = key.uniforms(Purpose.SEIZURE, deals.deal_id[completed]) < p.frictions.seizure_rate
        credit(state.month.seized, who[seized], profit[seized])
    _seize_evading(state, p, key, deals.deal_id[completed], who, profit, channel, seized)
    route = deals.route[completed]
    customs = ~evading
    state.flows.add("customs_exports_usd", value[customs].sum())
    state.flows.add("customs_exports_china_usd", value[customs & (route == CHINA)].sum())
    state.flows.add("trade_state_channel_usd", value[channel == STATE_TRADE].sum())
    state.flows.add("trade_smuggled_usd", value[channel == SMUGGLING].sum())
    for code, name in enumerate(("china", "russia", "third")):
        state.flows.add(f"earned_{name}_usd", profit[route == code].sum())
        state.flows.add(f"trade_volume_{name}_usd", value[route == code].sum())
    state.flows.add("trade_volume_usd", value.sum())
    state.flows.add("mou_deals_completed", int((state.officials.post[who] == BIG_CITY).sum()))


def _channels(open_share: np.ndarray, traders: np.ndarray, key: Key) -> np.ndarray:
    """Each new deal's channel, drawn in proportion to what is open on it (issue 14), keyed by its trader."""
    if not open_share[:, 1:].any():          # only customs open (trade channels off, or nothing banned)
        return np.full(len(traders), CUSTOMS, np.int8)
    total = open_share.sum(axis=1, keepdims=True)
    cumulative = np.cumsum(np.divide(open_share, total, out=np.zeros_like(open_share), where=total > 0), axis=1)
    draw = key.uniforms(Purpose.DEAL_CHANNEL, traders)
    return (draw[:, None] >= cumulative[:, :2]).sum(axis=1).astype(np.int8)


def _seize_evading(state: State, p: Scenario, key: Key, deal_ids: np.ndarray, who: np.ndarray, profit: np.ndarray,
                   channel: np.ndarray, seized: np.ndarray) -> None:
    """Enforcement seizes some proceeds of state and military trade and smuggling (M5, M17)."""
    tc = p.trade_channels
    risk = np.append(0.0, np.asarray(tc.seizure) * tc.enforcement)[channel] if tc.enabled else np.zeros(len(who))
    hit = ~seized & (key.uniforms(Purpose.CHANNEL_SEIZURE, deal_ids) < risk)
    credit(state.month.seized, who[hit], profit[hit])
    state.flows.add("channel_seized_usd", profit[hit].sum())


def _passed_rent_share(p: Scenario, required: np.ndarray) -> np.ndarray:
    shares = np.zeros(len(required))
    for stage, rent in enumerate(p.pipeline.rent_share):
        shares += rent * ((required >> stage) & 1)
    return np.minimum(shares, 0.95)


def _update_trust(state: State, p: Scenario, completed: np.ndarray, cancelled: np.ndarray) -> None:
    """Partners' trust rises with completions and falls with cancellations (M5)."""
    if not p.frictions.enabled:
        return
    route = state.deals.route
    alive = np.maximum(np.bincount(route, minlength=3)[:3], 1)
    done = np.bincount(route[completed], minlength=3)[:3] / alive
    lost = np.bincount(route[cancelled], minlength=3)[:3] / alive
    trust = state.trust
    trust += p.frictions.trust_gain * done * (1 - trust) - p.frictions.trust_loss * lost * trust
    np.clip(trust, 0.05, 1.0, out=trust)


def _record_backlog(state: State) -> None:
    state.flows.add("pipeline_backlog", state.deals.n)
